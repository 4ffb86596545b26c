import { describe, expect, test } from "bun:test";
import { compilePythonRegex, PythonRegexError } from "../../src/filters/python-regex.ts";

describe("compilePythonRegex", () => {
  test("re.match semantics: anchored at the start, not at the end", () => {
    const matcher = compilePythonRegex("foo|bar");
    expect(matcher.match("barbaz")).toBe(true);
    expect(matcher.match("xbar")).toBe(false);
  });

  test("translates named groups, backreferences, \\A and \\Z", () => {
    expect(compilePythonRegex("(?P<x>a+)-(?P=x)\\Z").match("aa-aa")).toBe(true);
    expect(compilePythonRegex("(?P<x>a+)-(?P=x)\\Z").match("aa-aab")).toBe(false);
    expect(compilePythonRegex("\\Afoo").match("foo")).toBe(true);
  });

  test("leading inline flags become regex flags; verbose mode is refused", () => {
    expect(compilePythonRegex("(?i)django").match("Django")).toBe(true);
    expect(() => compilePythonRegex("(?x) a b")).toThrow(PythonRegexError);
  });

  test("invalid patterns throw PythonRegexError naming the pattern", () => {
    expect(() => compilePythonRegex("a(")).toThrow('invalid regular expression "a("');
  });
});
