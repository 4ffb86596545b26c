/**
 * Python's `json.dumps(obj, indent=4, sort_keys=True)`, byte for byte: the
 * format bandersnatch writes `web/json/<name>` and `web/pypi/<name>/json` in.
 *
 * Details reproduced: separators `,` and `: ` (Python's default once `indent` is
 * set), `{}`/`[]` for empty containers, keys sorted by code point, `ensure_ascii`
 * (everything outside space..`~` escaped, `\uXXXX` in lower-case hex, astral
 * characters as surrogate pairs, `\n \r \t \b \f \" \\` short forms), no
 * trailing newline, and `float.__repr__` for floats (`1.0`, `1e-05`, `1e+16`).
 *
 * JavaScript numbers cannot tell `1.0` from `1` nor hold big integers, so the
 * exact path is `pythonJsonReformat(text)`, which keeps each number literal's
 * kind from the source text; `pythonJsonDumpsIndented(value)` prints integral numbers as ints.
 */

import { compareCodePoints, pythonJsonString } from "../packaging/python-compat.ts";
import { parseJsonLimited } from "./json-safety.ts";

/** A float literal from the source (`1.0`, `1e5`), printed with Python's float repr. */
class PythonFloat {
  constructor(readonly value: number) {}
}

/** An integer literal beyond JavaScript's safe range, printed digit for digit. */
class PythonBigInt {
  constructor(readonly digits: string) {}
}

const INTEGER_LITERAL = /^-?\d+$/;

/**
 * Re-serializes JSON text exactly as Python's `json.dumps(json.loads(text), indent=4, sort_keys=True)`.
 * Throws `SyntaxError` for invalid JSON and `JsonShapeError` for nesting deeper than 64.
 *
 * @example pythonJsonReformat('{"b":1.0,"a":"é"}') // '{\n    "a": "\\u00e9",\n    "b": 1.0\n}'
 */
export function pythonJsonReformat(text: string): string {
  const value = parseJsonLimited(text, {
    reviver: (_key, parsed, context) => {
      if (typeof parsed !== "number" || context?.source === undefined) return parsed;
      const source = context.source;
      if (!INTEGER_LITERAL.test(source)) return new PythonFloat(parsed);
      if (!Number.isSafeInteger(parsed)) return new PythonBigInt(source.replace(/^(-?)0+(?=\d)/, "$1"));
      return parsed;
    },
  });
  return pythonJsonDumpsIndented(value);
}

/**
 * Serializes a JSON value as Python's `json.dumps(value, indent=4, sort_keys=True)`.
 * Integral numbers print as ints, other numbers with Python's float repr.
 *
 * @example pythonJsonDumpsIndented({ b: [1, 2], a: {} }) // '{\n    "a": {},\n    "b": [\n        1,\n        2\n    ]\n}'
 */
export function pythonJsonDumpsIndented(value: unknown): string {
  const parts: string[] = [];
  write(value, 0, parts);
  return parts.join("");
}

const INDENT = "    ";

function write(value: unknown, level: number, parts: string[]): void {
  const scalar = scalarText(value);
  if (scalar !== null) parts.push(scalar);
  else if (Array.isArray(value)) writeArray(value, level, parts);
  else if (typeof value === "object") writeObject(value as Record<string, unknown>, level, parts);
  else throw new TypeError(`Object of type ${typeof value} is not JSON serializable`);
}

/** The text of a non-container value, or null for arrays and objects. */
function scalarText(value: unknown): string | null {
  if (value === null || value === undefined) return "null";
  if (value === true) return "true";
  if (value === false) return "false";
  if (typeof value === "string") return pythonJsonString(value);
  if (typeof value === "number") return Number.isInteger(value) ? pythonInt(value) : pythonFloatRepr(value);
  if (value instanceof PythonFloat) return pythonFloatRepr(value.value);
  if (value instanceof PythonBigInt) return value.digits === "-0" ? "0" : value.digits;
  return null;
}

function writeArray(items: unknown[], level: number, parts: string[]): void {
  if (items.length === 0) {
    parts.push("[]");
    return;
  }
  const inner = `\n${INDENT.repeat(level + 1)}`;
  parts.push("[");
  items.forEach((item, index) => {
    parts.push(index === 0 ? inner : `,${inner}`);
    write(item, level + 1, parts);
  });
  parts.push(`\n${INDENT.repeat(level)}]`);
}

function writeObject(object: Record<string, unknown>, level: number, parts: string[]): void {
  const keys = Object.keys(object).sort(compareCodePoints);
  if (keys.length === 0) {
    parts.push("{}");
    return;
  }
  const inner = `\n${INDENT.repeat(level + 1)}`;
  parts.push("{");
  keys.forEach((key, index) => {
    parts.push(index === 0 ? inner : `,${inner}`, pythonJsonString(key), ": ");
    write(object[key], level + 1, parts);
  });
  parts.push(`\n${INDENT.repeat(level)}}`);
}

/** Integral JS number as Python prints the int (`-0` is `0`; huge values in full digits). */
function pythonInt(value: number): string {
  if (Object.is(value, -0)) return "0";
  if (Number.isSafeInteger(value)) return String(value);
  return BigInt(value).toString();
}

/**
 * Python's `repr(float)`: the shortest round-tripping digits, fixed notation when
 * the decimal exponent is in [-4, 16), else `d.ddde±XX`; `.0` added to integral values.
 *
 * @example pythonFloatRepr(1e16) // "1e+16"
 * @example pythonFloatRepr(0.00001) // "1e-05"
 * @example pythonFloatRepr(100) // "100.0"
 */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "Infinity";
  if (value === Number.NEGATIVE_INFINITY) return "-Infinity";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const sign = value < 0 ? "-" : "";
  // toExponential() without an argument gives the shortest digits that round-trip.
  const [mantissa, exponentText] = Math.abs(value).toExponential().split("e") as [string, string];
  const digits = mantissa.replace(".", "");
  const exponent = Number(exponentText);
  const decimalPoint = exponent + 1;
  if (exponent >= -4 && exponent < 16) {
    if (decimalPoint <= 0) return `${sign}0.${"0".repeat(-decimalPoint)}${digits}`;
    if (decimalPoint >= digits.length) return `${sign}${digits}${"0".repeat(decimalPoint - digits.length)}.0`;
    return `${sign}${digits.slice(0, decimalPoint)}.${digits.slice(decimalPoint)}`;
  }
  const fraction = digits.length > 1 ? `.${digits.slice(1)}` : "";
  const exponentSign = exponent < 0 ? "-" : "+";
  return `${sign}${digits[0]}${fraction}e${exponentSign}${String(Math.abs(exponent)).padStart(2, "0")}`;
}
