import { describe, expect, test } from "bun:test";
import { isJsonObject, JsonShapeError, parseJsonLimited } from "../../src/upstream/json-safety.ts";
import { ListingFormatError, SimpleListingScanner, Utf8Check } from "../../src/upstream/simple-listing.ts";

/** What a scan reports, in a form `toEqual` can compare. */
interface Scanned {
  document?: { isObject: boolean; meta: unknown; projects: string };
  entries: [isObject: boolean, name: unknown, lastSerial: unknown, element: unknown][];
  /** How often `projectsStart` was called. */
  starts: number;
  error?: { reason: string; message: string; looksLikeMarkup: boolean };
}

/** Scans `body` cut into pieces of `chunkSize` bytes (or at `cuts`). */
function scan(body: string | Uint8Array, chunking: number | number[] = 1 << 20): Scanned {
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  const result: Scanned = { entries: [], starts: 0 };
  const scanner = new SimpleListingScanner({
    projectsStart() {
      result.starts++;
      result.entries = [];
    },
    entry(isObject, name, lastSerial, element) {
      result.entries.push([isObject, name, lastSerial, element]);
    },
  });
  const cuts =
    typeof chunking === "number"
      ? Array.from({ length: Math.ceil(bytes.length / chunking) }, (_, index) => index * chunking).slice(1)
      : chunking;
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    scanner.push(bytes.subarray(from, cut));
    from = cut;
  }
  try {
    result.document = scanner.end();
  } catch (error) {
    if (!(error instanceof ListingFormatError)) throw error;
    result.error = { reason: error.reason, message: error.message, looksLikeMarkup: error.looksLikeMarkup };
  }
  return result;
}

/** What the whole-body reading (`TextDecoder` fatal, nesting cap, `JSON.parse`) makes of `bytes`. */
function reference(bytes: Uint8Array): { reason: string } | { document: unknown; entries: unknown[] } {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { reason: "encoding" };
  }
  let document: unknown;
  try {
    document = parseJsonLimited(text);
  } catch (error) {
    return { reason: error instanceof JsonShapeError ? "depth" : "syntax" };
  }
  if (!isJsonObject(document)) {
    return { document: { isObject: false, meta: undefined, projects: "absent" }, entries: [] };
  }
  const projects = document["projects"];
  const kind = !Object.hasOwn(document, "projects") ? "absent" : Array.isArray(projects) ? "array" : "other";
  const entries =
    kind === "array"
      ? (projects as unknown[]).map((element) => {
          const object = isJsonObject(element);
          const name = object ? element["name"] : undefined;
          return [
            object,
            name,
            object ? element["_last-serial"] : undefined,
            typeof name === "string" ? null : element,
          ];
        })
      : [];
  return { document: { isObject: true, meta: document["meta"], projects: kind }, entries };
}

/** The scan in the reference's shape (the parsed element only where a consumer quotes it). */
function comparable(scanned: Scanned): { reason: string } | { document: unknown; entries: unknown[] } {
  if (scanned.error) return { reason: scanned.error.reason };
  const { document } = scanned;
  return {
    document,
    entries:
      document?.isObject && document.projects === "array"
        ? scanned.entries.map(([object, name, lastSerial, element]) => [
            object,
            name,
            lastSerial,
            typeof name === "string" ? null : element,
          ])
        : [],
  };
}

const PYPI_STYLE =
  '{"meta":{"_last-serial":31000000,"api-version":"1.4"},"projects":[{"_last-serial":29000000,"name":"0"},{"_last-serial":30999999,"name":"Django"},{"_last-serial":1,"name":"zope.interface"}]}';

describe("SimpleListingScanner: the common listing", () => {
  test("reports meta and one entry per project, in order", () => {
    const scanned = scan(PYPI_STYLE);
    expect(scanned.document).toEqual({
      isObject: true,
      meta: { "_last-serial": 31000000, "api-version": "1.4" },
      projects: "array",
    });
    expect(scanned.starts).toBe(1);
    expect(scanned.entries).toEqual([
      [true, "0", 29000000, undefined],
      [true, "Django", 30999999, undefined],
      [true, "zope.interface", 1, undefined],
    ]);
  });

  test("gives the same entries whatever the chunk boundaries, down to one byte", () => {
    const whole = scan(PYPI_STYLE);
    for (const size of [1, 2, 3, 7, 64]) expect(scan(PYPI_STYLE, size)).toEqual(whole);
  });

  test("either key order, whitespace, projects before meta, other members ignored", () => {
    const body = ` {\n "projects" : [ { "name" : "a" , "_last-serial" : 5 } ,\r\n\t{"_last-serial":0,"name":"B"} ],\n "extra": {"x": [1, "]"]}, "meta": {"api-version": "1.0"} }\n`;
    const scanned = scan(body, 5);
    expect(scanned.entries).toEqual([
      [true, "a", 5, undefined],
      [true, "B", 0, undefined],
    ]);
    expect(scanned.document?.meta).toEqual({ "api-version": "1.0" });
  });

  test("an empty projects array is an array", () => {
    expect(scan('{"meta":{},"projects":[]}').document?.projects).toBe("array");
  });

  test("a leading byte order mark is skipped, as TextDecoder skips it", () => {
    const scanned = scan(`\uFEFF${PYPI_STYLE}`, 1);
    expect(scanned.error).toBeUndefined();
    expect(scanned.entries).toHaveLength(3);
    expect(scan(` \uFEFF${PYPI_STYLE}`).error?.reason).toBe("syntax");
  });
});

describe("SimpleListingScanner: strings decode exactly as JSON.parse decodes them", () => {
  const cases: [what: string, literal: string][] = [
    ["unicode escapes", '"na\\u006De"'],
    ["escaped quote and backslash", '"a\\"b\\\\"'],
    ["solidus and control escapes", '"a\\/b\\n\\t\\u0000"'],
    ["a surrogate pair as escapes", '"\\ud83d\\ude00"'],
    ["a lone high surrogate", '"x\\ud800"'],
    ["a lone low surrogate", '"\\udc00"'],
    ["raw multi-byte UTF-8", '"caf\u00e9-\u{1F600}"'],
    ["DEL, which JSON allows raw", '"a\u007fb"'],
  ];
  for (const [what, literal] of cases) {
    test(what, () => {
      const body = `{"meta":{},"projects":[{"name":${literal},"_last-serial":1}]}`;
      for (const size of [1, 3, 1 << 20]) {
        const entries = scan(body, size).entries.map(([isObject, name, lastSerial]) => [
          isObject,
          name,
          lastSerial,
        ]);
        expect(entries).toEqual([[true, JSON.parse(literal), 1]]);
      }
    });
  }

  test("a raw control character in a name is a syntax error", () => {
    expect(scan('{"meta":{},"projects":[{"name":"a\u0001","_last-serial":1}]}').error?.reason).toBe("syntax");
  });
});

describe("SimpleListingScanner: odd elements go through JSON.parse whole", () => {
  test("non-objects, missing or non-string names, odd serials, duplicate keys, __proto__", () => {
    const elements = [
      '"just a string"',
      "5",
      "null",
      "[1,[2]]",
      "{}",
      '{"name":5,"_last-serial":1}',
      '{"_last-serial":3}',
      '{"name":"a","_last-serial":"7"}',
      '{"name":"a","_last-serial":-1}',
      '{"name":"a","_last-serial":1e3}',
      '{"name":"a","_last-serial":2.0}',
      '{"name":"a","_last-serial":1234567890123456}',
      '{"name":"a","name":"b","_last-serial":1}',
      '{"name":"a","_last-serial":1,"_last-serial":2}',
      '{"__proto__":{"name":"x"},"_last-serial":1}',
      '{"name":"a","_last-serial":1,"extra":{"nested":["}"]}}',
    ];
    const body = `{"meta":{},"projects":[${elements.join(",")}]}`;
    for (const size of [1, 4, 1 << 20]) {
      const scanned = scan(body, size);
      expect(comparable(scanned)).toEqual(reference(new TextEncoder().encode(body)));
      expect(scanned.entries).toHaveLength(elements.length);
    }
  });

  test("a repeated projects member starts over: the last one counts, as in JSON.parse", () => {
    const scanned = scan(
      '{"projects":[{"name":"a","_last-serial":1}],"meta":{},"projects":[{"name":"b","_last-serial":2}]}',
    );
    expect(scanned.starts).toBe(2);
    expect(scanned.entries).toEqual([[true, "b", 2, undefined]]);
    expect(scan('{"projects":[{"name":"a","_last-serial":1}],"projects":5}').document?.projects).toBe(
      "other",
    );
  });

  test("a key spelled with escapes is still the key", () => {
    const scanned = scan('{"me\\u0074a":{"a":1},"pro\\u006Aects":[{"name":"a","_last-serial":1}]}');
    expect(scanned.document).toEqual({ isObject: true, meta: { a: 1 }, projects: "array" });
    expect(scanned.entries).toEqual([[true, "a", 1, undefined]]);
  });
});

describe("SimpleListingScanner: wrong shapes are reported, not guessed at", () => {
  const shapes: [what: string, body: string, document: Scanned["document"]][] = [
    ["a top-level array", "[1,2]", { isObject: false, meta: undefined, projects: "absent" }],
    ["a top-level string", '"hello"', { isObject: false, meta: undefined, projects: "absent" }],
    ["a top-level number", "42", { isObject: false, meta: undefined, projects: "absent" }],
    ["no projects", '{"meta":{"a":1}}', { isObject: true, meta: { a: 1 }, projects: "absent" }],
    [
      "projects an object",
      '{"projects":{"name":"a"}}',
      { isObject: true, meta: undefined, projects: "other" },
    ],
    ["an empty object", "{}", { isObject: true, meta: undefined, projects: "absent" }],
  ];
  for (const [what, body, document] of shapes) {
    test(what, () => {
      expect(scan(body, 1).document).toEqual(document);
    });
  }
});

describe("SimpleListingScanner: refusals rank as the whole-body reading ranked them", () => {
  test("a body cut anywhere is refused (syntax, or encoding inside a multi-byte character)", () => {
    const body = new TextEncoder().encode(
      `{"meta":{"api-version":"1.4"},"projects":[{"name":"caf\u00e9","_last-serial":1}]}`,
    );
    for (let length = 0; length < body.length; length++) {
      const truncated = body.subarray(0, length);
      const scanned = scan(truncated, 7);
      expect(scanned.error?.reason).toBe((reference(truncated) as { reason: string }).reason);
    }
  });

  test("an HTML page is a syntax error that looks like markup", () => {
    const scanned = scan("\n  <!DOCTYPE html><html><body>hi</body></html>");
    expect(scanned.error).toEqual({
      reason: "syntax",
      message: 'body is not valid JSON (unexpected "<" at byte 3)',
      looksLikeMarkup: true,
    });
  });

  test("trailing content and trailing commas are syntax errors", () => {
    expect(scan(`${PYPI_STYLE} x`).error?.reason).toBe("syntax");
    expect(scan('{"meta":{},"projects":[{"name":"a","_last-serial":1},]}').error?.reason).toBe("syntax");
    expect(scan('{"meta":{},}').error?.reason).toBe("syntax");
    expect(scan("").error?.message).toBe("body is not valid JSON (the body is empty)");
  });

  test("nesting deeper than 64 levels is refused, even after a syntax error", () => {
    const deep = `{"x":${"[".repeat(64)}${"]".repeat(64)}}`;
    expect(scan(deep).error?.reason).toBe("depth");
    expect(scan(`{"x": oops, "y": ${"[".repeat(70)}`).error?.reason).toBe("depth");
    expect(scan(`{"x":${"[".repeat(62)}${"]".repeat(62)}}`).error).toBeUndefined();
  });

  test("invalid UTF-8 anywhere outranks everything, even after a syntax error", () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('{"x": oops "'), 0xff, 0x22, 0x7d]);
    expect(scan(bytes, 1).error?.reason).toBe("encoding");
    const deepThenBad = new Uint8Array([...new TextEncoder().encode(`{"x":${"[".repeat(70)}"`), 0xc3, 0x28]);
    expect(scan(deepThenBad).error?.reason).toBe("encoding");
  });

  test("entries already reported before a refusal are the caller's to drop", () => {
    const scanned = scan('{"meta":{},"projects":[{"name":"a","_last-serial":1},{"name":');
    expect(scanned.entries).toEqual([[true, "a", 1, undefined]]);
    expect(scanned.error?.reason).toBe("syntax");
  });
});

describe("SimpleListingScanner: huge values", () => {
  test("a 4 MiB name arriving in 1 KiB chunks is read once, not rescanned per chunk", () => {
    const giant = "n".repeat(4 << 20);
    const body = `{"meta":{},"projects":[{"name":"a","_last-serial":1},{"name":"${giant}","_last-serial":2},{"name":"b","_last-serial":3}]}`;
    const started = performance.now();
    const scanned = scan(body, 1024);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(scanned.entries.map(([, name, lastSerial]) => [(name as string).length, lastSerial])).toEqual([
      [1, 1],
      [giant.length, 2],
      [1, 3],
    ]);
  });

  test("a 1 MiB escaped string in an unknown member is skipped whole", () => {
    const body = `{"blob":"${"\\u0041".repeat(1 << 18)}","meta":{},"projects":[]}`;
    expect(scan(body, 4096).document).toEqual({ isObject: true, meta: {}, projects: "array" });
  });
});

describe("SimpleListingScanner: differential check against JSON.parse", () => {
  test("2,000 random documents, mutated and cut at random, read alike", () => {
    const random = seededRandom(20241125);
    const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)]!;
    const names = [
      "a",
      "Foo_Bar",
      "x\\u0041y",
      "\u00e9",
      "\u{1F600}",
      "\\ud800",
      'a\\"b',
      "a\\\\",
      "<b>",
      "",
    ];
    const serials = [
      "1",
      "0",
      "123456789012345",
      "1234567890123456",
      "-1",
      "1.0",
      "1e3",
      "01",
      '"7"',
      "null",
    ];
    const element = () =>
      random() < 0.8
        ? `{"name":"${pick(names)}","_last-serial":${pick(serials)}}`
        : pick([
            '"s"',
            "5",
            "[]",
            "{}",
            '{"name":5}',
            '{"__proto__":{"name":"x"}}',
            `{"name":"a","k":[{"z":"}]"}]}`,
          ]);
    const document = () => {
      const parts = [
        `"meta":${pick(['{"api-version":"1.4","_last-serial":9}', "5", '{"a":[[[]]]}'])}`,
        `"projects":[${Array.from({ length: Math.floor(random() * 8) }, element).join(pick([",", " , ", ",\n"]))}]`,
      ];
      if (random() < 0.2) parts.push(`"projects":${pick(["[]", "5", `[${element()}]`])}`);
      if (random() < 0.2) {
        parts.unshift(`"d":${"[".repeat(Math.floor(random() * 70))}${"]".repeat(Math.floor(random() * 70))}`);
      }
      if (random() < 0.5) parts.reverse();
      return `${pick(["", " ", "\uFEFF"])}{${parts.join(",")}}${pick(["", "\n", " x"])}`;
    };
    const mutate = (bytes: Uint8Array) => {
      const out = Array.from(bytes);
      for (let count = Math.floor(random() * 3); count > 0; count--) {
        const at = Math.floor(random() * (out.length + 1));
        const kind = random();
        if (kind < 0.3) out.splice(at, 1);
        else if (kind < 0.6)
          out.splice(at, 0, pick([0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0xff, 0xc3, 0xf0, 0x80]));
        else out.length = Math.min(out.length, at);
      }
      return new Uint8Array(out);
    };
    for (let round = 0; round < 2000; round++) {
      let bytes = new TextEncoder().encode(document());
      if (random() < 0.5) bytes = mutate(bytes);
      const cuts: number[] = [];
      const density = pick([0, 0.05, 0.5, 1]);
      for (let offset = 1; offset < bytes.length; offset++) if (random() < density) cuts.push(offset);
      expect(comparable(scan(bytes, cuts))).toEqual(reference(bytes));
    }
  });
});

describe("Utf8Check", () => {
  test("agrees with a fatal TextDecoder whatever the chunk boundaries", () => {
    const samples = [
      new TextEncoder().encode("plain ascii"),
      new TextEncoder().encode("caf\u00e9 \u20ac \u{1F600} \u{10FFFF}"),
      new Uint8Array([0xc0, 0x80]), // overlong
      new Uint8Array([0xed, 0xa0, 0x80]), // an encoded surrogate
      new Uint8Array([0xf4, 0x90, 0x80, 0x80]), // above U+10FFFF
      new Uint8Array([0xf0, 0x9f, 0x98]), // cut short
      new Uint8Array([0x61, 0x80, 0x62]), // a stray continuation byte
      new Uint8Array([0xe2, 0x82, 0x61]), // a sequence broken off
      new Uint8Array([0xff]),
    ];
    for (const sample of samples) {
      let expected = true;
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(sample);
      } catch {
        expected = false;
      }
      for (let cut = 0; cut <= sample.length; cut++) {
        for (let second = cut; second <= sample.length; second++) {
          const check = new Utf8Check();
          check.push(sample.subarray(0, cut));
          check.push(sample.subarray(cut, second));
          check.push(sample.subarray(second));
          check.end();
          expect([sample, cut, second, check.valid]).toEqual([sample, cut, second, expected]);
        }
      }
    }
  });
});

/** mulberry32: a small deterministic generator, so a failure can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}
