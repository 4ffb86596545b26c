import { describe, expect, test } from "bun:test";
import {
  compareCodePoints,
  formatInteger,
  htmlEscape,
  pythonJsonDumps,
  pythonJsonString,
  sortCodePoints,
} from "../../src/packaging/python-compat.ts";

describe("htmlEscape", () => {
  test("escapes the five characters html.escape(quote=True) escapes", () => {
    expect(htmlEscape(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;");
  });

  test("returns other text unchanged", () => {
    expect(htmlEscape(">=3.6")).toBe("&gt;=3.6");
    expect(htmlEscape("plain text é")).toBe("plain text é");
  });
});

describe("Python string order", () => {
  test("sorts by code point, not by locale: upper case and _ before lower case", () => {
    expect(sortCodePoints(["a.whl", "_b.whl", "Z.whl", "0.whl", "B.whl"])).toEqual([
      "0.whl",
      "B.whl",
      "Z.whl",
      "_b.whl",
      "a.whl",
    ]);
    // localeCompare would put "a" before "Z"; Python does not.
    expect(compareCodePoints("Z", "a")).toBeLessThan(0);
    expect(compareCodePoints("a", "Z")).toBeGreaterThan(0);
    expect(compareCodePoints("Z", "_")).toBeLessThan(0);
    expect(compareCodePoints("_", "a")).toBeLessThan(0);
  });

  test("a prefix sorts first", () => {
    expect(sortCodePoints(["foo-1.0.tar.gz", "foo-1.0", "foo"])).toEqual([
      "foo",
      "foo-1.0",
      "foo-1.0.tar.gz",
    ]);
    expect(compareCodePoints("same", "same")).toBe(0);
  });

  test("astral characters sort after U+E000..U+FFFF, as code points do (UTF-16 order differs)", () => {
    const astral = "x\u{1F600}";
    const highBmp = "x\uFFFD";
    expect([astral, highBmp].sort()).toEqual([astral, highBmp]); // JS code unit order
    expect(sortCodePoints([astral, highBmp])).toEqual([highBmp, astral]); // Python order
    expect(compareCodePoints(highBmp, astral)).toBeLessThan(0);
    expect(compareCodePoints("x\u{1F600}", "x\u{1F601}")).toBeLessThan(0);
  });
});

describe("pythonJsonString (json.dumps, ensure_ascii=True)", () => {
  test("leaves printable ASCII alone, including / < > &", () => {
    expect(pythonJsonString("a/b <c> & d")).toBe('"a/b <c> & d"');
  });

  test("escapes quotes, backslashes and the short control escapes", () => {
    expect(pythonJsonString('"\\\b\f\n\r\t')).toBe('"\\"\\\\\\b\\f\\n\\r\\t"');
  });

  test("escapes other control characters and DEL as lower-case \\u00XX", () => {
    expect(pythonJsonString("\u0000\u001f\u007f")).toBe('"\\u0000\\u001f\\u007f"');
  });

  test("escapes non-ASCII, astral characters as a surrogate pair", () => {
    expect(pythonJsonString("café ✓ \u{1F600}")).toBe('"caf\\u00e9 \\u2713 \\ud83d\\ude00"');
  });
});

describe("pythonJsonDumps", () => {
  test("uses Python's default separators and keeps key order", () => {
    expect(pythonJsonDumps({ z: [1, true, null, "x"], a: { b: false } })).toBe(
      '{"z": [1, true, null, "x"], "a": {"b": false}}',
    );
    expect(pythonJsonDumps([])).toBe("[]");
    expect(pythonJsonDumps({})).toBe("{}");
  });

  test("a Map keeps insertion order even for integer-like keys", () => {
    const map = new Map<string, number>([
      ["sha256", 1],
      ["10", 2],
    ]);
    expect(pythonJsonDumps(map)).toBe('{"sha256": 1, "10": 2}');
  });

  test("refuses numbers that are not integers", () => {
    expect(() => pythonJsonDumps(1.5)).toThrow(RangeError);
    expect(() => formatInteger(Number.NaN)).toThrow(RangeError);
    expect(formatInteger(10333928)).toBe("10333928");
  });
});
