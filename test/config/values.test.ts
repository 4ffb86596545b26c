import { describe, expect, test } from "bun:test";
import { parseBoolean, parseByteSize, parseDecimal, parseWholeNumber } from "../../src/config/values.ts";

describe("parseBoolean", () => {
  test("accepts configparser's words in any case", () => {
    expect(["1", "yes", "true", "on", "YES", "True"].map(parseBoolean)).toEqual(Array(6).fill(true));
    expect(["0", "no", "false", "off", "NO", "False"].map(parseBoolean)).toEqual(Array(6).fill(false));
  });

  test("rejects anything else", () => {
    for (const value of ["", "y", "n", "2", "truthy", " true"]) expect(parseBoolean(value)).toBeUndefined();
  });
});

describe("parseWholeNumber", () => {
  test("decimal digits with an optional sign", () => {
    expect(parseWholeNumber("12")).toBe(12);
    expect(parseWholeNumber(" +12 ")).toBe(12);
    expect(parseWholeNumber("-3")).toBe(-3);
    expect(parseWholeNumber("007")).toBe(7);
  });

  test("rejects fractions, words and huge numbers", () => {
    for (const value of ["", "1.5", "ten", "1e3", "0x10", "99999999999999999999"]) {
      expect(parseWholeNumber(value)).toBeUndefined();
    }
  });
});

describe("parseDecimal", () => {
  test("finite decimal numbers", () => {
    expect(parseDecimal("10")).toBe(10);
    expect(parseDecimal("2.5")).toBe(2.5);
    expect(parseDecimal(".5")).toBe(0.5);
    expect(parseDecimal("1e3")).toBe(1000);
    expect(parseDecimal("-1")).toBe(-1);
  });

  test("rejects inf, nan and words", () => {
    for (const value of ["", "inf", "nan", "ten", "1,5"]) expect(parseDecimal(value)).toBeUndefined();
  });
});

describe("parseByteSize", () => {
  test("binary units with optional B, iB and /s", () => {
    expect(parseByteSize("800K")).toBe(819200);
    expect(parseByteSize("50M")).toBe(52428800);
    expect(parseByteSize("1.5G")).toBe(1610612736);
    expect(parseByteSize("1T")).toBe(1024 ** 4);
    expect(parseByteSize("50MiB/s")).toBe(52428800);
    expect(parseByteSize("50 MB")).toBe(52428800);
    expect(parseByteSize("100")).toBe(100);
    expect(parseByteSize("100B")).toBe(100);
    expect(parseByteSize("100/s")).toBe(100);
  });

  test("rejects bits, unknown units and words", () => {
    for (const value of ["", "50Mb", "50X", "fast", "M", "-1M", "1.5.5M"])
      expect(parseByteSize(value)).toBeUndefined();
  });
});
