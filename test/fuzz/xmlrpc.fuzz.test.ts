/**
 * Fuzzing the XML-RPC decoders (the tree decoder for changelog answers, the
 * streaming scanner for `list_packages_with_serial`, and the changelog event
 * checks): mutated answers from the simulator's encoder and random markup raise
 * only `XmlRpcFormatError` / `UpstreamError`, never crash, never hang.
 */

import { describe, expect, test } from "bun:test";
import { UpstreamError } from "../../src/errors.ts";
import { setLogSink } from "../../src/log.ts";
import { collapseChangelog } from "../../src/upstream/change-feed.ts";
import type { HttpClient } from "../../src/upstream/http.ts";
import {
  decodeMethodResponse,
  PackageListScanner,
  XmlRpcClient,
  XmlRpcFormatError,
  type XmlRpcValue,
} from "../../src/upstream/xmlrpc.ts";
import { encodeFault, encodeResponse } from "../upstream/xmlrpc.ts";
import { fuzz, fuzzSeed, iterations, mutate, NASTY_CHARACTERS, Random } from "./fuzz.ts";

type SimValue = Parameters<typeof encodeResponse>[0];

const XML_PIECES = [
  "<value>",
  "</value>",
  "<string>",
  "</string>",
  "<int>",
  "</int>",
  "<i8>",
  "<array><data>",
  "</data></array>",
  "<struct>",
  "</struct>",
  "<member>",
  "</member>",
  "<name>",
  "</name>",
  "<nil/>",
  "<fault>",
  "<!DOCTYPE x>",
  "<!ENTITY e 'x'>",
  "&e;",
  "&amp;",
  "&#0;",
  "&#x1F600;",
  "&#xD800;",
  "<![CDATA[",
  "]]>",
  "<?xml version='1.0'?>",
  "<!-- -->",
  "__proto__",
  "constructor",
  "99999999999999999999",
  "-1",
];
const TOKENS = [...XML_PIECES, ...NASTY_CHARACTERS];

/** Text XML-RPC can carry and our decoder returns unchanged (it trims values). */
function plainText(random: Random): string {
  return random
    .string(["a", "Z", "0", "-", "_", ".", "é", "😀", "&", "<", ">", '"', "'", "/", " "], 12)
    .trim();
}

function randomValue(random: Random, depth = 0): SimValue {
  switch (random.int(depth > 3 ? 4 : 7)) {
    case 0:
      return plainText(random);
    case 1:
      return random.int(2 ** 31) - 2 ** 30;
    case 2:
      return random.chance(0.5);
    case 3:
      return null;
    case 4:
    case 5:
      return Array.from({ length: random.int(4) }, () => randomValue(random, depth + 1));
    default: {
      const struct: Record<string, SimValue> = {};
      for (let count = random.int(4); count > 0; count--)
        struct[plainText(random) || "k"] = randomValue(random, depth + 1);
      return struct;
    }
  }
}

/** Our decoded form of a simulator value: structs are Maps. */
function asDecoded(value: SimValue): XmlRpcValue {
  if (Array.isArray(value)) return value.map(asDecoded);
  if (value !== null && typeof value === "object") {
    return new Map(Object.entries(value).map(([key, item]) => [key, asDecoded(item as SimValue)]));
  }
  return value as XmlRpcValue;
}

function changelogAnswer(random: Random): string {
  const events = Array.from({ length: random.int(5) }, (_, index) => [
    random.pick(["requests", "Foo.Bar", "x", "../../etc", "<script>"]),
    random.chance(0.3) ? null : random.pick(["1.0", "2.0rc1"]),
    1704067200 + index,
    random.pick([
      "create",
      "new release",
      "remove project",
      "remove file foo-1.0.tar.gz",
      "add py3 file x-1.0-py3-none-any.whl",
    ]),
    100 + index,
  ]);
  return encodeResponse(events as SimValue);
}

function listAnswer(random: Random): { text: string; expected: Map<string, number> } {
  const expected = new Map<string, number>();
  for (let count = random.int(20); count > 0; count--)
    expected.set(plainText(random) || "p", random.int(1_000_000));
  return { text: encodeResponse(Object.fromEntries(expected) as SimValue), expected };
}

const isDecodeError = (error: unknown) =>
  error instanceof XmlRpcFormatError || error instanceof UpstreamError;

/** An XmlRpcClient whose every call answers `body`. */
function clientAnswering(body: () => string): XmlRpcClient {
  const http = {
    postXml: async () => ({
      status: 200,
      headers: new Headers(),
      finalUrl: "http://fuzz/pypi",
      body: body(),
    }),
  } as unknown as HttpClient;
  return new XmlRpcClient(http, "http://fuzz/pypi");
}

describe("fuzz: XML-RPC decoding", () => {
  test("decodeMethodResponse round-trips what the simulator encodes", () => {
    fuzz({
      seed: fuzzSeed(21),
      iterations: iterations(2000),
      generate: (random) => randomValue(random),
      check: (value) => expect(decodeMethodResponse(encodeResponse(value))).toEqual(asDecoded(value)),
    });
  });

  test("mutated answers and faults raise only XmlRpcFormatError or the fault's UpstreamError", () => {
    const report = fuzz({
      seed: fuzzSeed(22),
      iterations: iterations(4000),
      generate: (random) => {
        const base = random.pick([
          () => encodeResponse(randomValue(random)),
          () => changelogAnswer(random),
          () => encodeFault(-32500, "HTTPTooManyRequests: Limit may reset in 5 seconds."),
          () => random.string(TOKENS, 40),
        ])();
        return mutate(random, base, TOKENS);
      },
      expected: isDecodeError,
      check: (xml) => void decodeMethodResponse(xml),
    });
    expect(report.refused).toBeGreaterThan(0);
    expect(report.accepted).toBeGreaterThan(0);
  });

  test("changelog answers: the client raises only UpstreamError, and the events collapse", async () => {
    const random = new Random(fuzzSeed(23));
    let body = "";
    const client = clientAnswering(() => body);
    let refused = 0;
    const previousSink = setLogSink(() => {}); // skipped names warn; not what this test reads
    try {
      for (let iteration = 0; iteration < iterations(1500); iteration++) {
        body = random.chance(0.8) ? mutate(random, changelogAnswer(random), TOKENS) : changelogAnswer(random);
        try {
          collapseChangelog(await client.changelogSinceSerial(99));
        } catch (error) {
          if (!(error instanceof UpstreamError)) {
            throw new Error(`iteration ${iteration}, body ${JSON.stringify(body)}: ${error}`, {
              cause: error,
            });
          }
          refused++;
        }
      }
    } finally {
      setLogSink(previousSink);
    }
    expect(refused).toBeGreaterThan(0);
  });

  test("list_packages_with_serial: any chunking gives the same map; mutations raise only XmlRpcFormatError", () => {
    const encoder = new TextEncoder();
    const report = fuzz({
      seed: fuzzSeed(24),
      iterations: iterations(3000),
      generate: (random) => {
        const { text, expected } = listAnswer(random);
        const mutated = random.chance(0.6);
        const body = encoder.encode(mutated ? mutate(random, text, TOKENS) : text);
        const cuts = Array.from({ length: random.int(6) }, () => random.int(body.length + 1)).sort(
          (a, b) => a - b,
        );
        return { body, cuts, expected: mutated ? null : expected };
      },
      expected: isDecodeError,
      check: ({ body, cuts, expected }) => {
        const scanner = new PackageListScanner();
        let start = 0;
        for (const cut of [...cuts, body.length]) {
          scanner.push(body.subarray(start, cut));
          start = cut;
        }
        const result = scanner.end();
        if (expected) expect(result).toEqual(expected);
      },
    });
    expect(report.refused).toBeGreaterThan(0);
  });

  test("pathological bodies are refused or decoded quickly", () => {
    const bodies = [
      `<methodResponse><params><param>${"<value><array><data>".repeat(50_000)}`,
      `<methodResponse><params><param><value><string>${"&amp;".repeat(200_000)}</string></value></param></params></methodResponse>`,
      `<methodResponse><params><param><value><struct>${"<member><name>a</name><value><int>1</int></value></member>".repeat(10_000)}</struct></value></param></params></methodResponse>`,
      `${"<".repeat(500_000)}`,
    ];
    for (const body of bodies) {
      const started = performance.now();
      try {
        decodeMethodResponse(body);
      } catch (error) {
        expect(isDecodeError(error)).toBe(true);
      }
      const scanner = new PackageListScanner();
      try {
        scanner.push(encoderOf(body));
        scanner.end();
      } catch (error) {
        expect(isDecodeError(error)).toBe(true);
      }
      expect(performance.now() - started).toBeLessThan(1500);
    }
  });
});

function encoderOf(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
