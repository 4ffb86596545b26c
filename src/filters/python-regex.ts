/**
 * bandersnatch's regex options are Python `re` patterns applied with `re.match`
 * (anchored at the start only). This module compiles them to JavaScript with the
 * same meaning for the syntax configs use in practice.
 */

/** A pattern that is not valid in the dialect we accept. */
export class PythonRegexError extends Error {
  constructor(pattern: string, reason: string) {
    super(`invalid regular expression ${JSON.stringify(pattern)}: ${reason}`);
    this.name = "PythonRegexError";
  }
}

/** A compiled pattern with `re.match` semantics. */
export interface PythonMatcher {
  source: string;
  /** True when the pattern matches at the start of `text` (Python `re.match`). */
  match(text: string): boolean;
}

/**
 * Compiles a Python regex for `re.match`. Translates `(?P<name>…)`, `(?P=name)`,
 * `\A`, `\Z` and leading global inline flags (`(?i)`, `(?s)`, `(?m)`, `(?x)` is refused).
 * Throws `PythonRegexError`.
 *
 * @example compilePythonRegex(".+-evil$").match("foo-evil") // true
 */
export function compilePythonRegex(pattern: string): PythonMatcher {
  let body = pattern;
  let flags = "";
  const inline = /^\(\?([aiLmsux]+)\)/.exec(body);
  if (inline) {
    for (const flag of inline[1]!) {
      if (flag === "i" || flag === "m" || flag === "s") flags += flags.includes(flag) ? "" : flag;
      else if (flag === "x") throw new PythonRegexError(pattern, "verbose mode (?x) is not supported");
    }
    body = body.slice(inline[0].length);
  }
  body = body
    .replace(/\(\?P</g, "(?<")
    .replace(/\(\?P=(\w+)\)/g, "\\k<$1>")
    .replace(/\\A/g, "^")
    .replace(/\\Z/g, "$");
  let regex: RegExp;
  try {
    regex = new RegExp(`^(?:${body})`, flags);
  } catch (error) {
    throw new PythonRegexError(pattern, error instanceof Error ? error.message : String(error));
  }
  return { source: pattern, match: (text) => regex.test(text) };
}
