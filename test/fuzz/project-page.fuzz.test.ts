/**
 * Fuzzing the PEP 691 project page reader and what is built from an accepted
 * page: hostile values swapped into valid documents, and mutated JSON text. The
 * reader may refuse only with `HostileDataError` / `UpstreamError`; a page it
 * accepts must never name a path outside `web/packages/`, and its rendered HTML
 * must hold exactly one link per file and no markup from upstream.
 */

import { describe, expect, test } from "bun:test";
import { HostileDataError, UpstreamError } from "../../src/errors.ts";
import { renderProjectHtml } from "../../src/index/render-html.ts";
import { renderProjectJson } from "../../src/index/render-json.ts";
import { assertInside, segmentProblem } from "../../src/packaging/paths.ts";
import { checkJsonApiDocument, jsonApiFileContent } from "../../src/upstream/json-api.ts";
import { JsonShapeError, parseJsonLimited } from "../../src/upstream/json-safety.ts";
import { parseProjectPage } from "../../src/upstream/project-page.ts";
import { urlRulesFromOptions } from "../../src/upstream/url-rules.ts";
import { fuzz, fuzzSeed, iterations, mutate, NASTY_CHARACTERS, type Random } from "./fuzz.ts";

const rules = urlRulesFromOptions({
  master: "https://pypi.org",
  allowNonHttps: false,
  allowedFileHosts: ["mirror.example"],
  downloadMirror: null,
});
const FILES = "https://files.pythonhosted.org";
const SHA = "0123456789abcdef".repeat(4);
const PAGE_OPTIONS = { digestName: "sha256", coreMetadata: true, rootUri: null, releaseFiles: true };

const HOSTILE_VALUES: unknown[] = [
  null,
  true,
  -1,
  1.5,
  2 ** 53,
  1e308,
  "",
  "..",
  "../../etc/passwd",
  "/etc/passwd",
  "a\\b",
  "a\u0000b",
  "a\nb",
  "%2e%2e%2f",
  "<script>alert(1)</script>",
  '"><img src=x>',
  "x".repeat(300),
  "file:///etc/passwd",
  "http://files.pythonhosted.org/packages/aa/bb/x.whl",
  "https://evil.example/packages/aa/bb/x.whl",
  "https://user:pw@files.pythonhosted.org/packages/aa/bb/x.whl",
  `${FILES}/packages/../../../etc/passwd`,
  `${FILES}/packages/%2e%2e/%2e%2e/etc/passwd`,
  `${FILES}/packages/aa/..%2f..%2fx.whl`,
  `${FILES}/simple/x/`,
  "../../packages/aa/bb/pkg-1.0.tar.gz",
  "//evil.example/packages/aa/bb/pkg-1.0.tar.gz",
  [],
  {},
  { sha256: "zz" },
  { sha256: SHA, md5: "0".repeat(32) },
  { SHA256: SHA.toUpperCase() },
  JSON.parse(`{"__proto__": {"sha256": "${SHA}"}}`),
  { constructor: SHA },
  "2024-01-01T00:00:00Z",
  "2024-13-45T99:99:99Z",
  { status: "active" },
  { status: "<b>" },
];

function validFile(random: Random, index: number): Record<string, unknown> {
  const filename = random.pick([
    `pkg-1.${index}.tar.gz`,
    `pkg-1.${index}-py3-none-any.whl`,
    `pkg-1.${index}.zip`,
  ]);
  return {
    filename,
    url: `${FILES}/packages/${random.pick(["aa", "0f"])}/bb/${"c".repeat(60)}/${filename}`,
    hashes: { sha256: SHA },
    "requires-python": random.pick([null, ">=3.8", "<4,>=3.9"]),
    size: random.int(10_000),
    "upload-time": "2024-01-01T00:00:00.123456Z",
    yanked: random.pick([false, true, "broken"]),
    "core-metadata": random.pick([false, { sha256: SHA }]),
    provenance: random.pick([null, "https://pypi.org/integrity/pkg/1.0/x/provenance"]),
  };
}

function validPage(random: Random): Record<string, unknown> {
  const files = Array.from({ length: random.int(4) }, (_, index) => validFile(random, index));
  return {
    meta: { "api-version": random.pick(["1.0", "1.1", "1.4"]), "_last-serial": random.int(1000) },
    name: random.pick(["pkg", "PKG", "Pkg"]),
    files,
    versions: ["1.0"],
    "project-status": { status: "active" },
  };
}

/** A valid page with hostile values swapped in at random places. */
function hostilePage(random: Random): Record<string, unknown> {
  const page = validPage(random);
  for (let edits = 1 + random.int(3); edits > 0; edits--) {
    const files = Array.isArray(page.files)
      ? (page.files.filter(
          (file) => typeof file === "object" && file !== null && !Array.isArray(file),
        ) as Record<string, unknown>[])
      : [];
    const target = files.length > 0 && random.chance(0.8) ? random.pick(files) : page;
    const keys = Object.keys(target);
    const key =
      random.chance(0.9) && keys.length > 0 ? random.pick(keys) : random.pick(["extra", "__proto__"]);
    const current = target[key];
    const value =
      random.chance(0.2) && typeof current === "string"
        ? mutate(random, current)
        : random.pick(HOSTILE_VALUES);
    // An own property even for `__proto__`, as JSON.parse makes it.
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return page;
}

const isRefusal = (error: unknown) => error instanceof HostileDataError || error instanceof UpstreamError;

/** What must hold for every page the reader accepts. */
function checkAccepted(document: unknown): void {
  const page = parseProjectPage(document, {
    normalizedName: "pkg",
    pageUrl: "https://pypi.org/simple/pkg/",
    serialHeader: null,
    rules,
  });
  for (const file of page.files) {
    expect(segmentProblem(file.filename)).toBeNull();
    expect(file.mirrorPath.startsWith("packages/")).toBe(true);
    expect(file.mirrorPath.endsWith(`/${file.filename}`)).toBe(true);
    assertInside("/srv/mirror/web", file.mirrorPath);
    expect(rules.fileHosts.has(new URL(file.url).hostname)).toBe(true);
    expect(new URL(file.url).protocol).toBe("https:");
  }
  const html = renderProjectHtml(page, PAGE_OPTIONS);
  expect(html.split("<a ").length - 1).toBe(page.files.length);
  expect(html).not.toMatch(/<(script|img|b)\b/);
  expect(JSON.parse(renderProjectJson(page, PAGE_OPTIONS)).files).toHaveLength(page.files.length);
}

describe("fuzz: the PEP 691 project page reader", () => {
  test("hostile values in valid documents: refused with our errors, or safe when accepted", () => {
    const report = fuzz({
      seed: fuzzSeed(691),
      iterations: iterations(4000),
      generate: hostilePage,
      expected: isRefusal,
      check: checkAccepted,
    });
    expect(report.accepted).toBeGreaterThan(0);
    expect(report.refused).toBeGreaterThan(0);
  });

  test("mutated JSON text: parse errors are SyntaxError or JsonShapeError, then the same rules", () => {
    const report = fuzz({
      seed: fuzzSeed(692),
      iterations: iterations(4000),
      generate: (random) =>
        mutate(random, JSON.stringify(validPage(random)), [
          ...NASTY_CHARACTERS,
          "[[[[",
          "]]",
          '{"',
          '":',
          "null",
          "1e999",
          "\\u0000",
        ]),
      expected: (error) =>
        isRefusal(error) || error instanceof SyntaxError || error instanceof JsonShapeError,
      check: (text) => checkAccepted(parseJsonLimited(text)),
    });
    expect(report.accepted).toBeGreaterThan(0);
  });

  test("JSON API documents: refused only with HostileDataError; the saved copy only with UpstreamError", () => {
    fuzz({
      seed: fuzzSeed(693),
      iterations: iterations(3000),
      generate: (random) => {
        const document: Record<string, unknown> = {
          info: { name: "pkg", version: "1.0" },
          last_serial: 5,
          releases: { "1.0": [validFile(random, 0)] },
          urls: [validFile(random, 0)],
        };
        const key = random.pick(["info", "last_serial", "releases", "urls", "vulnerabilities"]);
        if (random.chance(0.7)) document[key] = random.pick(HOSTILE_VALUES);
        return mutate(random, JSON.stringify(document), [
          ...NASTY_CHARACTERS,
          "[[[[",
          "]]",
          "1e999",
          "-0",
          "1.0e-5",
        ]);
      },
      expected: (error) =>
        isRefusal(error) || error instanceof SyntaxError || error instanceof JsonShapeError,
      check: (text) => {
        checkJsonApiDocument(parseJsonLimited(text), "pkg");
        expect(typeof jsonApiFileContent(text)).toBe("string");
      },
    });
  });
});
