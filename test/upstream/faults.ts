/**
 * Fault injection for both hosts: seeded random rates, deterministic rules that fault the
 * first N matching requests, latency and slow bodies. Decisions depend only on the seed,
 * the request (host, method, path) and how many times that request was seen before, so a
 * run is reproducible even when requests arrive concurrently in a different order.
 */
import type { HostKind } from "./requests.ts";
import { hashUnit } from "./rng.ts";

/**
 * What can go wrong with a response.
 * - `5xx`: an error status (503 unless the rule says otherwise), small text body.
 * - `429`: Too Many Requests with `Retry-After`.
 * - `reset`: headers and part of the body, then the connection is aborted.
 * - `truncate`: fewer bytes than the real body, with a `Content-Length` matching what is sent.
 * - `corrupt`: the same number of bytes, some of them wrong.
 * - `latency`: a delay before answering (`ms`).
 * - `slow`: the body trickles at `bytesPerSecond`.
 * - `ratelimit`: the XML-RPC rate-limit fault (HTTP 200, fault -32500).
 */
export type FaultKind = "5xx" | "429" | "reset" | "truncate" | "corrupt" | "latency" | "slow" | "ratelimit";

/** Random fault rates of one host; each rate is a probability per request. */
export interface HostFaultRates {
  error5xx?: number;
  status429?: number;
  reset?: number;
  truncate?: number;
  corrupt?: number;
  /** Added to every request, in ms. */
  latencyMs?: number;
  /** Every body trickles at this rate (0 or absent: full speed). */
  bytesPerSecond?: number;
}

/** Fault the first `times` requests that match. */
export interface FaultRule {
  /** Substring of the path and query, or a regular expression tested against them. */
  match: string | RegExp;
  kind: FaultKind;
  times: number;
  host?: HostKind;
  method?: string;
  rpcMethod?: string;
  /** Status for `5xx` (default 503). */
  status?: number;
  /** Delay for `latency`. */
  ms?: number;
  /** Rate for `slow`. */
  bytesPerSecond?: number;
}

/** The whole fault configuration. */
export interface FaultConfig {
  /** Seed of the random decisions (default: the upstream's seed). */
  seed?: number;
  index?: HostFaultRates;
  files?: HostFaultRates;
  /** Serve the previous page (old serial) for the first K fetches of a project page after each change. */
  staleFetches?: number;
  /** `Retry-After` of 429 answers and reset time of the rate-limit fault, in seconds (default 1). */
  retryAfterSeconds?: number;
  rules?: FaultRule[];
}

/** A rule as sent over HTTP: `match` as a string, or `pattern` (+ `flags`) for a regular expression. */
export type FaultRuleJson = Omit<FaultRule, "match"> & { match?: string; pattern?: string; flags?: string };

/** What to do to one request. */
export interface FaultDecision {
  kind: Exclude<FaultKind, "latency" | "slow"> | null;
  status: number;
  latencyMs: number;
  bytesPerSecond: number;
  /** A uniform number in [0, 1) to size the fault (truncation point, corrupted offset). */
  amount: number;
}

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
}

/** Convert rules received as JSON (regular expressions as `pattern`). */
export function rulesFromJson(rules: readonly FaultRuleJson[] | undefined): FaultRule[] {
  return (rules ?? []).map(({ pattern, flags, match, ...rest }) => ({
    ...rest,
    match: pattern !== undefined ? new RegExp(pattern, flags) : (match ?? ""),
  }));
}

/** Rules as JSON, with how many faults each has left. */
function rulesToJson(rules: readonly ActiveRule[]): (FaultRuleJson & { remaining: number })[] {
  return rules.map(({ rule, remaining }) => {
    const { match, ...rest } = rule;
    return match instanceof RegExp
      ? { ...rest, pattern: match.source, flags: match.flags, remaining }
      : { ...rest, match, remaining };
  });
}

/** The fault injector of a test upstream; reconfigurable at run time. */
export class FaultInjector {
  #config: FaultConfig = {};
  #rules: ActiveRule[] = [];
  readonly #seen = new Map<string, number>();
  readonly #defaultSeed: number;

  constructor(defaultSeed: number, config: FaultConfig = {}) {
    this.#defaultSeed = defaultSeed;
    this.set(config);
  }

  /** Replace the whole configuration (rule counters start over). */
  set(config: FaultConfig): void {
    this.#config = { ...config, rules: [...(config.rules ?? [])] };
    this.#rules = (config.rules ?? []).map((rule) => ({ rule, remaining: rule.times }));
  }

  /** Change some settings, keeping the others; given rules are appended. */
  update(config: FaultConfig): void {
    const { rules, ...rest } = config;
    this.#config = { ...this.#config, ...rest };
    for (const rule of rules ?? []) {
      this.#rules.push({ rule, remaining: rule.times });
      this.#config.rules = [...(this.#config.rules ?? []), rule];
    }
  }

  /** Turn every fault off. */
  clear(): void {
    this.set({});
  }

  /** The configuration, as JSON (rules with their remaining counts). */
  toJson(): Record<string, unknown> {
    return { ...this.#config, rules: rulesToJson(this.#rules) };
  }

  get staleFetches(): number {
    return this.#config.staleFetches ?? 0;
  }

  get retryAfterSeconds(): number {
    return this.#config.retryAfterSeconds ?? 1;
  }

  /** Decide the fate of one request. */
  decide(host: HostKind, method: string, path: string, rpcMethod: string | null): FaultDecision {
    const rates = (host === "index" ? this.#config.index : this.#config.files) ?? {};
    const key = `${host} ${method} ${path} ${rpcMethod ?? ""}`;
    const occurrence = this.#seen.get(key) ?? 0;
    this.#seen.set(key, occurrence + 1);
    const seed = this.#config.seed ?? this.#defaultSeed;
    const decision: FaultDecision = {
      kind: null,
      status: 0,
      latencyMs: rates.latencyMs ?? 0,
      bytesPerSecond: rates.bytesPerSecond ?? 0,
      amount: hashUnit(seed, "amount", key, occurrence),
    };

    for (const active of this.#rules) {
      const { rule } = active;
      if (active.remaining <= 0) continue;
      if (rule.host !== undefined && rule.host !== host) continue;
      if (rule.method !== undefined && rule.method.toUpperCase() !== method) continue;
      if (rule.rpcMethod !== undefined && rule.rpcMethod !== rpcMethod) continue;
      const hit = rule.match instanceof RegExp ? rule.match.test(path) : path.includes(rule.match);
      if (!hit) continue;
      if (rule.kind === "latency") decision.latencyMs += rule.ms ?? 0;
      else if (rule.kind === "slow") decision.bytesPerSecond = rule.bytesPerSecond ?? 1024;
      else if (decision.kind === null) {
        decision.kind = rule.kind;
        decision.status = rule.kind === "5xx" ? (rule.status ?? 503) : rule.kind === "429" ? 429 : 0;
      } else continue; // a body or status fault is already chosen; leave this rule's budget alone
      active.remaining -= 1;
    }
    if (decision.kind !== null) return decision;

    const draw = hashUnit(seed, "fault", key, occurrence);
    let threshold = 0;
    const chances: [Exclude<FaultKind, "latency" | "slow" | "ratelimit">, number | undefined][] = [
      ["5xx", rates.error5xx],
      ["429", rates.status429],
      ["reset", rates.reset],
      ["truncate", rates.truncate],
      ["corrupt", rates.corrupt],
    ];
    for (const [kind, rate] of chances) {
      threshold += rate ?? 0;
      if (draw < threshold) {
        decision.kind = kind;
        decision.status = kind === "5xx" ? 503 : kind === "429" ? 429 : 0;
        break;
      }
    }
    return decision;
  }
}
