/**
 * One place that words refusals of upstream data, so every message has the same
 * shape: what was refused, the value (quoted, one line, shortened) and the rule.
 */

import { HostileDataError } from "../errors.ts";

const MAX_QUOTED_CHARS = 160;

/**
 * The value as a one-line JSON string literal, shortened past 160 characters,
 * so control characters and newlines from upstream never reach a log line raw.
 *
 * @example quoteValue("a\nb") // "\"a\\nb\""
 */
export function quoteValue(value: unknown): string {
  let text: string;
  if (typeof value === "string") text = value;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  const shortened = text.length > MAX_QUOTED_CHARS ? `${text.slice(0, MAX_QUOTED_CHARS)}…` : text;
  return JSON.stringify(shortened).replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/**
 * A `HostileDataError` reading `Refusing <what> <value>: <rule>`.
 *
 * @example refuse("file URL", "ftp://x/", "scheme must be https") // Refusing file URL "ftp://x/": scheme must be https
 */
export function refuse(what: string, value: unknown, rule: string): HostileDataError {
  return new HostileDataError(`Refusing ${what} ${quoteValue(value)}: ${rule}`);
}
