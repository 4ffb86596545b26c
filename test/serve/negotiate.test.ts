import { describe, expect, test } from "bun:test";
import { chooseFormat } from "../../src/serve/negotiate.ts";

describe("PEP 691 content negotiation", () => {
  test.each([
    [null, null, "html"],
    ["*/*", null, "html"],
    ["text/html", null, "html"],
    ["application/vnd.pypi.simple.v1+json", null, "json"],
    ["application/vnd.pypi.simple.latest+json", null, "json"],
    ["application/vnd.pypi.simple.v1+html", null, "v1_html"],
    // pip's header
    [
      "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.1, text/html;q=0.01",
      null,
      "json",
    ],
    // q-values decide, not order
    ["text/html;q=0.5, application/vnd.pypi.simple.v1+json;q=0.4", null, "html"],
    ["application/vnd.pypi.simple.v1+json;q=0", null, "html"],
    ["image/png", null, "html"],
    ["text/html", "application/vnd.pypi.simple.v1+json", "json"],
    ["application/vnd.pypi.simple.v1+json", "text/html", "html"],
  ] as const)("Accept %p, format %p → %p", (accept, format, expected) => {
    expect(chooseFormat(accept, format)).toBe(expected);
  });
});
