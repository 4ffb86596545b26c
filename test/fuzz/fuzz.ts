/**
 * A small seeded fuzzer: random and mutated inputs for the parsers that meet
 * untrusted text. Deterministic by default (the same seed in CI every time);
 * `FUZZ_SEED=<n>` explores other inputs and `FUZZ_SCALE=<k>` runs k times as many.
 * A failure names the seed, the iteration and the input, so it can be replayed.
 */

/** mulberry32: a tiny, fast, seedable generator (uniform in [0, 1)). */
export class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, below). */
  int(below: number): number {
    return Math.floor(this.next() * below);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** A string of up to `maxLength` characters drawn from `alphabet` (a string or a list of pieces). */
  string(alphabet: string | readonly string[], maxLength: number): string {
    const pieces = typeof alphabet === "string" ? [...alphabet] : alphabet;
    let text = "";
    const length = this.int(maxLength + 1);
    for (let index = 0; index < length; index++) text += this.pick(pieces);
    return text;
  }
}

/** Characters that break parsers: controls, NUL, separators, quotes, markup, surrogates, non-ASCII. */
export const NASTY_CHARACTERS = [
  "\u0000",
  "\u0001",
  "\u001b",
  "\u007f",
  "\u0085",
  "\u00a0",
  "\u2028",
  "\ufeff",
  "\ud800",
  "\udfff",
  "😀",
  "é",
  "ß",
  "\t",
  "\n",
  "\r",
  " ",
  "/",
  "\\",
  ".",
  "..",
  "%",
  "%2e",
  "%2f",
  "%00",
  "<",
  ">",
  "&",
  '"',
  "'",
  "=",
  "[",
  "]",
  "{",
  "}",
  ":",
  ",",
  "-",
  "_",
  "+",
  "!",
  "#",
  ";",
  "*",
  "0",
  "9",
  "a",
  "Z",
];

/**
 * A mutation of `text`: one to four edits (delete, insert, duplicate or replace a
 * slice, insert a token, truncate).
 */
export function mutate(random: Random, text: string, tokens: readonly string[] = NASTY_CHARACTERS): string {
  let result = text;
  const edits = 1 + random.int(4);
  for (let edit = 0; edit < edits; edit++) {
    const at = random.int(result.length + 1);
    const span = 1 + random.int(Math.min(16, result.length + 1));
    switch (random.int(6)) {
      case 0:
        result = result.slice(0, at) + result.slice(at + span);
        break;
      case 1:
        result = result.slice(0, at) + random.pick(tokens) + result.slice(at);
        break;
      case 2:
        result =
          result.slice(0, at) + result.slice(at, at + span).repeat(1 + random.int(8)) + result.slice(at);
        break;
      case 3:
        result = result.slice(0, at) + random.string(tokens, span) + result.slice(at + span);
        break;
      case 4:
        result = result.slice(0, at);
        break;
      default:
        result = result.slice(0, at) + random.pick(tokens).repeat(1 + random.int(64)) + result.slice(at);
    }
  }
  return result;
}

/** The seed of this test run: `FUZZ_SEED`, else a fixed one per suite. */
export function fuzzSeed(fixed: number): number {
  const fromEnvironment = Number(process.env.FUZZ_SEED);
  return Number.isInteger(fromEnvironment) ? fromEnvironment : fixed;
}

/** `base` iterations, times `FUZZ_SCALE` (default 1). */
export function iterations(base: number): number {
  const scale = Number(process.env.FUZZ_SCALE ?? "1");
  return Math.max(1, Math.round(base * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
}

export interface FuzzOptions<T> {
  seed: number;
  iterations: number;
  /** Makes one input. */
  generate: (random: Random) => T;
  /** Runs the code under test on it, asserting what must hold; throws on a violation. */
  check: (input: T) => void;
  /** Errors the code may throw on bad input (our typed errors); anything else fails the run. */
  expected?: (error: unknown) => boolean;
  /** Slowest a single input may take (a hang or a catastrophic regular expression). Default 1 s. */
  maxMs?: number;
}

/** The outcome of a fuzz run, for the test to assert on. */
export interface FuzzReport {
  /** Inputs the code accepted. */
  accepted: number;
  /** Inputs refused with an expected error. */
  refused: number;
  slowestMs: number;
}

function describeInput(input: unknown): string {
  const text = typeof input === "string" ? input : (JSON.stringify(input) ?? String(input));
  return JSON.stringify(text.length > 400 ? `${text.slice(0, 400)}…` : text);
}

/**
 * Runs `check` on `iterations` generated inputs. Throws (failing the test) on an
 * unexpected error or an input slower than `maxMs`, naming seed, iteration and input.
 */
export function fuzz<T>(options: FuzzOptions<T>): FuzzReport {
  const random = new Random(options.seed);
  const maxMs = options.maxMs ?? 1000;
  const report: FuzzReport = { accepted: 0, refused: 0, slowestMs: 0 };
  for (let iteration = 0; iteration < options.iterations; iteration++) {
    const input = options.generate(random);
    const started = performance.now();
    try {
      options.check(input);
      report.accepted++;
    } catch (error) {
      if (!options.expected?.(error)) {
        const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        throw new Error(
          `seed ${options.seed}, iteration ${iteration}, input ${describeInput(input)}: ${reason.slice(0, 600)}`,
          { cause: error },
        );
      }
      report.refused++;
    }
    const elapsed = performance.now() - started;
    if (elapsed > report.slowestMs) report.slowestMs = elapsed;
    if (elapsed > maxMs) {
      throw new Error(
        `seed ${options.seed}, iteration ${iteration}, input ${describeInput(input)}: took ${elapsed.toFixed(0)} ms (limit ${maxMs} ms)`,
      );
    }
  }
  return report;
}
