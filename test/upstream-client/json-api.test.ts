import { afterAll, describe, expect, test } from "bun:test";
import { HostileDataError } from "../../src/errors.ts";
import { compareCodePoints } from "../../src/packaging/python-compat.ts";
import {
  checkJsonApiDocument,
  fetchJsonApi,
  jsonApiFileContent,
  serializeJsonApiLikeBandersnatch,
} from "../../src/upstream/json-api.ts";
import { pythonFloatRepr, pythonJsonReformat } from "../../src/upstream/python-json.ts";
import { loopbackRules, serve, testClient } from "./fixtures.ts";

const hasPython = Bun.which("python3") !== null;

/** Python's json.dumps(json.loads(text), indent=4, sort_keys=True) for each input. */
function pythonDumps(texts: string[]): string[] {
  const script =
    "import json, sys\n" +
    "texts = json.load(sys.stdin)\n" +
    "json.dump([json.dumps(json.loads(t), indent=4, sort_keys=True) for t in texts], sys.stdout)\n";
  const result = Bun.spawnSync(["python3", "-c", script], {
    stdin: new TextEncoder().encode(JSON.stringify(texts)),
  });
  if (result.exitCode !== 0) throw new Error(result.stderr.toString());
  return JSON.parse(result.stdout.toString());
}

const realisticDocument = JSON.stringify({
  info: {
    name: "Demo_Pkg",
    version: "1.0",
    summary: "Déjà vu — naïve café ☕ 😀",
    classifiers: ["License :: OSI Approved", "Programming Language :: Python :: 3"],
    downloads: { last_day: -1, last_month: -1, last_week: -1 },
    project_urls: null,
    requires_dist: null,
    yanked: false,
    yanked_reason: null,
    description: 'line 1\nline 2\ttab "quoted" \\ backslash \u0000 \u001f \u007f \u2028',
  },
  last_serial: 24891358,
  releases: {
    "1.0": [
      {
        comment_text: "",
        digests: { blake2b_256: "ab".repeat(32), md5: "cd".repeat(16), sha256: "ef".repeat(32) },
        downloads: -1,
        filename: "demo_pkg-1.0-py3-none-any.whl",
        has_sig: false,
        packagetype: "bdist_wheel",
        size: 1234,
        upload_time_iso_8601: "2024-05-01T12:34:56.123456Z",
        "core-metadata": { sha256: "01".repeat(32) },
      },
    ],
    "0.9": [],
  },
  urls: [],
  vulnerabilities: [],
});

const inputs = [
  realisticDocument,
  "{}",
  "[]",
  '{"a":{},"b":[],"c":[{}],"d":[[]]}',
  '{"b":1,"a":2,"B":3,"_":4,"aa":5,"":6}',
  '{"\\ue000":1,"\\ud83d\\ude00":2,"\\uffff":3,"z":4}',
  '{"__proto__":{"x":1},"constructor":2}',
  "[1.0, 1e16, 1e15, 1E5, 0.0001, 1e-5, 123.456, -0.0, -0, 1.5e300, 5e-324, 0.30000000000000004, 2.5, 100.0, 1e22, 123456789012345678]",
  "[12345678901234567890, -98765432109876543210, 9007199254740993, 0, -1]",
  '["\\u0000\\u0001\\b\\f\\n\\r\\t\\"\\\\/", "\\u00e9\\u20ac", "\\ud800", "\\udfff", "tab\\there", "~ \\u007f"]',
  "[true, false, null, [true, [false, [null]]]]",
  '"just a string"',
  "42",
  "1.0",
];

describe("pythonJsonReformat: byte-identical to python3 json.dumps(indent=4, sort_keys=True)", () => {
  test.if(hasPython)("on a realistic JSON API document and the awkward cases", () => {
    const expected = pythonDumps(inputs);
    inputs.forEach((text, index) => {
      expect(pythonJsonReformat(text)).toBe(expected[index]!);
    });
  });

  test("known outputs (also without python3)", () => {
    expect(pythonJsonReformat('{"b":[1,2],"a":{},"c":"é"}')).toBe(
      '{\n    "a": {},\n    "b": [\n        1,\n        2\n    ],\n    "c": "\\u00e9"\n}',
    );
    expect(pythonJsonReformat("[1.0,1e16,1e-5,0.0001,-0.0,-0,12345678901234567890]")).toBe(
      "[\n    1.0,\n    1e+16,\n    1e-05,\n    0.0001,\n    -0.0,\n    0,\n    12345678901234567890\n]",
    );
    expect(pythonJsonReformat('"\\ud83d\\ude00"')).toBe('"\\ud83d\\ude00"');
  });

  test("deep nesting is refused", () => {
    expect(() => pythonJsonReformat("[".repeat(1000) + "]".repeat(1000))).toThrow("deeper than 64");
  });
});

describe("pythonFloatRepr", () => {
  test("known values", () => {
    const cases: [number, string][] = [
      [1, "1.0"],
      [100, "100.0"],
      [1e15, "1000000000000000.0"],
      [1e16, "1e+16"],
      [1.5e16, "1.5e+16"],
      [0.0001, "0.0001"],
      [0.00001, "1e-05"],
      [1.2345e-7, "1.2345e-07"],
      [1e100, "1e+100"],
      [-2.5, "-2.5"],
      [0.1 + 0.2, "0.30000000000000004"],
      [5e-324, "5e-324"],
      [1.7976931348623157e308, "1.7976931348623157e+308"],
      [Number.NaN, "NaN"],
      [Number.POSITIVE_INFINITY, "Infinity"],
      [-0, "-0.0"],
    ];
    for (const [value, repr] of cases) expect(pythonFloatRepr(value)).toBe(repr);
  });

  test.if(hasPython)("matches python3 repr on 2,000 random doubles", () => {
    const values: number[] = [];
    const view = new DataView(new ArrayBuffer(8));
    for (let index = 0; index < 2000; index++) {
      if (index % 2 === 0) values.push((Math.random() - 0.5) * 10 ** Math.floor(Math.random() * 40 - 20));
      else {
        view.setUint32(0, Math.floor(Math.random() * 2 ** 32));
        view.setUint32(4, Math.floor(Math.random() * 2 ** 32));
        const random = view.getFloat64(0);
        values.push(Number.isFinite(random) ? random : 1.5);
      }
    }
    const script = "import json, sys\nprint('\\n'.join(repr(float(v)) for v in json.load(sys.stdin)))";
    const result = Bun.spawnSync(["python3", "-c", script], {
      stdin: new TextEncoder().encode(JSON.stringify(values)),
    });
    const expected = result.stdout.toString().trim().split("\n");
    values.forEach((value, index) => {
      expect(pythonFloatRepr(value)).toBe(expected[index]!);
    });
  });
});

describe("compareCodePoints", () => {
  test("orders astral characters after U+E000–U+FFFF, as Python does", () => {
    expect(["😀", "\uffff", "\ue000", "z"].sort(compareCodePoints)).toEqual(["z", "\ue000", "\uffff", "😀"]);
  });
});

describe("serializeJsonApiLikeBandersnatch", () => {
  test("serializes a parsed document (integral numbers as ints)", () => {
    expect(serializeJsonApiLikeBandersnatch({ b: 1, a: [0.5, 2], c: null })).toBe(
      '{\n    "a": [\n        0.5,\n        2\n    ],\n    "b": 1,\n    "c": null\n}',
    );
  });

  test.if(hasPython)("equals python3 for a parsed realistic document", () => {
    expect(serializeJsonApiLikeBandersnatch(JSON.parse(realisticDocument))).toBe(
      pythonDumps([realisticDocument])[0]!,
    );
  });
});

describe("checkJsonApiDocument", () => {
  const valid = { info: { name: "Demo_Pkg" }, last_serial: 3, releases: { "1.0": [{}] }, urls: [] };

  test("accepts a document of the project", () => {
    expect(checkJsonApiDocument(valid, "demo-pkg")).toBe(valid as never);
  });

  const bad: [string, unknown, string][] = [
    ["another project", { ...valid, info: { name: "other" } }, "must normalize to demo-pkg"],
    ["no info", { last_serial: 1 }, "info"],
    ["negative last_serial", { ...valid, last_serial: -1 }, "non-negative integer"],
    ["releases not an object", { ...valid, releases: [] }, "releases"],
    ["a release not a list", { ...valid, releases: { "1.0": "x" } }, "array of objects"],
    ["urls not a list", { ...valid, urls: {} }, "urls"],
    ["not an object", "x", "JSON object"],
  ];
  for (const [what, document, rule] of bad) {
    test(`refuses ${what}`, () => {
      expect(() => checkJsonApiDocument(document, "demo-pkg")).toThrow(HostileDataError);
      expect(() => checkJsonApiDocument(document, "demo-pkg")).toThrow(rule);
    });
  }
});

describe("fetchJsonApi over HTTP", () => {
  const upstream = serve((request) => {
    const path = new URL(request.url).pathname;
    const json = (body: string, headers: Record<string, string> = {}) =>
      new Response(body, { headers: { "content-type": "application/json", ...headers } });
    switch (path) {
      case "/pypi/demo-pkg/json":
        return json('{"info":{"name":"Demo_Pkg"},"last_serial":7,"releases":{},"urls":[],"x":1.0}', {
          "x-pypi-last-serial": "9",
        });
      case "/pypi/no-header/json":
        return json('{"info":{"name":"no-header"},"last_serial":7}');
      case "/pypi/wrong/json":
        return json('{"info":{"name":"something-else"}}');
      case "/pypi/Renamed/json":
        return json('{"info":{"name":"renamed"}}');
      case "/pypi/renamed/json":
        return new Response(null, { status: 301, headers: { location: "/pypi/Renamed/json" } });
      case "/pypi/hijack/json":
        return new Response(null, { status: 301, headers: { location: "/pypi/other/json" } });
      default:
        return new Response('{"message": "Not Found"}', {
          status: 404,
          headers: { "content-type": "application/json" },
        });
    }
  });
  afterAll(() => upstream.stop());
  const rules = loopbackRules(upstream.url);

  test("returns document, raw bytes and serial from the header; flags a stale copy", async () => {
    const result = await fetchJsonApi(testClient(), rules, {
      normalizedName: "demo-pkg",
      requiredSerial: 10,
    });
    expect(result.kind).toBe("document");
    if (result.kind !== "document") return;
    expect(result.serial).toBe(9);
    expect(result.stale).toBe(true);
    expect(result.document.info.name).toBe("Demo_Pkg");
    expect(new TextDecoder().decode(result.bytes)).toBe(result.text);
    expect(jsonApiFileContent(result.text)).toContain('"x": 1.0');
    expect(upstream.requests.at(-1)?.path).toBe("/pypi/demo-pkg/json");
  });

  test("falls back to last_serial without the header", async () => {
    const result = await fetchJsonApi(testClient(), rules, {
      normalizedName: "no-header",
      requiredSerial: 7,
    });
    expect(result.kind === "document" && [result.serial, result.stale]).toEqual([7, false]);
  });

  test("404 is `gone`", async () => {
    expect((await fetchJsonApi(testClient(), rules, { normalizedName: "missing" })).kind).toBe("gone");
  });

  test("a document of another project is hostile", async () => {
    await expect(fetchJsonApi(testClient(), rules, { normalizedName: "wrong" })).rejects.toBeInstanceOf(
      HostileDataError,
    );
  });

  test("a redirect to another spelling is followed; to another project it is refused", async () => {
    expect((await fetchJsonApi(testClient(), rules, { normalizedName: "renamed" })).kind).toBe("document");
    await expect(fetchJsonApi(testClient(), rules, { normalizedName: "hijack" })).rejects.toThrow(
      "must lead to project hijack",
    );
  });
});
