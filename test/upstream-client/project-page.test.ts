import { afterAll, describe, expect, test } from "bun:test";
import { HostileDataError, UpstreamError } from "../../src/errors.ts";
import { fetchProjectPage, parseProjectPage, projectPageUrl } from "../../src/upstream/project-page.ts";
import { fakeSha256, loopbackRules, serve, testClient } from "./fixtures.ts";

const FILES_HOST = "http://127.0.0.1:9999";
const BLAKE = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab";

function fileEntry(filename: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    filename,
    url: `${FILES_HOST}/packages/01/23/${BLAKE}/${filename}`,
    hashes: { sha256: fakeSha256(filename) },
    "requires-python": ">=3.9",
    size: 1234,
    "upload-time": "2024-05-01T12:34:56.123456Z",
    yanked: false,
    "core-metadata": { sha256: fakeSha256(`${filename}.metadata`) },
    "data-dist-info-metadata": { sha256: fakeSha256(`${filename}.metadata`) },
    provenance: null,
    ...overrides,
  };
}

function page(files: unknown[], overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    meta: { "api-version": "1.4", "_last-serial": 42 },
    name: "demo-pkg",
    files,
    versions: ["1.0"],
    "project-status": { status: "active" },
    ...overrides,
  };
}

const MASTER = "http://127.0.0.1:8000";
const rules = loopbackRules(MASTER);

function parse(document: unknown, serialHeader: string | null = null) {
  return parseProjectPage(document, {
    normalizedName: "demo-pkg",
    displayName: "Demo_Pkg",
    pageUrl: `${MASTER}/simple/demo-pkg/`,
    serialHeader,
    rules,
  });
}

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(HostileDataError);
    expect((error as Error).message).not.toContain("\n");
    return (error as Error).message;
  }
  throw new Error("expected a HostileDataError");
}

describe("parseProjectPage: a valid page", () => {
  test("maps every field", () => {
    const wheel = "demo_pkg-1.0-py3-none-any.whl";
    const result = parse(
      page([
        fileEntry(wheel, { provenance: `${MASTER}/integrity/demo-pkg/1.0/${wheel}/provenance` }),
        fileEntry("demo-pkg-1.0.tar.gz", {
          "core-metadata": false,
          "data-dist-info-metadata": false,
          yanked: "broken build",
          "requires-python": null,
          size: undefined,
          "upload-time": undefined,
          hashes: { sha256: fakeSha256("sdist").toUpperCase(), md5: "d41d8cd98f00b204e9800998ecf8427e" },
        }),
      ]),
    );
    expect(result.name).toBe("demo-pkg");
    expect(result.displayName).toBe("Demo_Pkg");
    expect(result.serial).toBe(42);
    expect(result.versions).toEqual(["1.0"]);
    expect(result.projectStatus).toEqual({ status: "active" });
    expect(result.jsonApi).toBeNull();
    const [first, second] = result.files;
    expect(first).toEqual({
      filename: wheel,
      url: `${FILES_HOST}/packages/01/23/${BLAKE}/${wheel}`,
      mirrorPath: `packages/01/23/${BLAKE}/${wheel}`,
      hashes: { sha256: fakeSha256(wheel) },
      requiresPython: ">=3.9",
      size: 1234,
      uploadTime: "2024-05-01T12:34:56.123456Z",
      yanked: false,
      coreMetadata: { sha256: fakeSha256(`${wheel}.metadata`) },
      provenance: `${MASTER}/integrity/demo-pkg/1.0/${wheel}/provenance`,
      version: "1.0",
      packageType: "bdist_wheel",
    });
    expect(second?.yanked).toBe("broken build");
    expect(second?.coreMetadata).toBe(false);
    expect(second?.requiresPython).toBeNull();
    expect(second?.size).toBeNull();
    expect(second?.uploadTime).toBeNull();
    expect(second?.hashes).toEqual({ sha256: fakeSha256("sdist"), md5: "d41d8cd98f00b204e9800998ecf8427e" });
    expect(second?.packageType).toBe("sdist");
    expect(second?.version).toBe("1.0");
  });

  test("serial: header first, then meta._last-serial, then 0", () => {
    expect(parse(page([]), "77").serial).toBe(77);
    expect(parse(page([])).serial).toBe(42);
    expect(parse(page([], { meta: { "api-version": "1.0" } })).serial).toBe(0);
  });

  test("core-metadata is preferred over data-dist-info-metadata, which is the fallback", () => {
    const both = parse(
      page([fileEntry("a-1.0.tar.gz", { "core-metadata": true, "data-dist-info-metadata": false })]),
    );
    expect(both.files[0]?.coreMetadata).toBe(true);
    const legacy = parse(
      page([fileEntry("a-1.0.tar.gz", { "core-metadata": undefined, "data-dist-info-metadata": true })]),
    );
    expect(legacy.files[0]?.coreMetadata).toBe(true);
    const none = parse(
      page([fileEntry("a-1.0.tar.gz", { "core-metadata": undefined, "data-dist-info-metadata": undefined })]),
    );
    expect(none.files[0]?.coreMetadata).toBeUndefined();
  });

  test("a greater minor api-version is fine; a greater major fails", () => {
    expect(() => parse(page([], { meta: { "api-version": "1.99" } }))).not.toThrow();
    expect(() => parse(page([], { meta: { "api-version": "2.0" } }))).toThrow(UpstreamError);
    expect(() => parse(page([], { meta: {} }))).toThrow(UpstreamError);
  });

  test("relative file URLs (from another mirror of ours) resolve against the page URL", () => {
    const result = parse(page([fileEntry("a-1.0.tar.gz", { url: "../../packages/01/23/a-1.0.tar.gz" })]));
    expect(result.files[0]?.url).toBe(`${MASTER}/packages/01/23/a-1.0.tar.gz`);
    expect(result.files[0]?.mirrorPath).toBe("packages/01/23/a-1.0.tar.gz");
  });
});

describe("parseProjectPage: hostile pages fail the whole project, naming project, value and rule", () => {
  const good = "demo-pkg-1.0.tar.gz";
  const cases: [string, unknown, string][] = [
    ["name of another project", page([], { name: "other" }), "must normalize to demo-pkg"],
    ["files not an array", page([], { files: {} }), "must be an array"],
    ["filename with a slash", page([fileEntry("../evil.tar.gz")]), "contains '/'"],
    ["filename with a backslash", page([fileEntry("..\\evil.tar.gz")]), "backslash"],
    ["filename with NUL", page([fileEntry("a\u0000.tar.gz")]), "NUL"],
    ["filename with a control character", page([fileEntry("a\u001b[31m.tar.gz")]), "control character"],
    ["filename ..", page([fileEntry("..")]), "dot segment"],
    ["filename with a leading dot", page([fileEntry(".bashrc")]), "starts with '.'"],
    ["filename over 255 bytes", page([fileEntry(`${"é".repeat(130)}.tar.gz`)]), "255 bytes"],
    [
      "markup in the filename does not break the message",
      page([fileEntry('<img src=x onerror="x">/a')]),
      "contains '/'",
    ],
    [
      "URL on another host",
      page([fileEntry(good, { url: `https://evil.example/packages/a/${good}` })]),
      "evil.example",
    ],
    [
      "URL with traversal",
      page([fileEntry(good, { url: `${FILES_HOST}/packages/%2e%2e/%2e%2e/${good}` })]),
      "dot segment",
    ],
    ["URL outside /packages/", page([fileEntry(good, { url: `${FILES_HOST}/etc/${good}` })]), "/packages/"],
    [
      "URL not naming the filename",
      page([fileEntry(good, { url: `${FILES_HOST}/packages/a/other.tar.gz` })]),
      "last path segment",
    ],
    ["URL not a string", page([fileEntry(good, { url: 5 })]), "must be a string"],
    ["no hashes", page([fileEntry(good, { hashes: undefined })]), "algorithm → hex digest"],
    [
      "no sha256",
      page([fileEntry(good, { hashes: { md5: "d41d8cd98f00b204e9800998ecf8427e" } })]),
      "must include sha256",
    ],
    ["short sha256", page([fileEntry(good, { hashes: { sha256: "abc" } })]), "64 hex digits"],
    ["non-hex sha256", page([fileEntry(good, { hashes: { sha256: "z".repeat(64) } })]), "64 hex digits"],
    ["sha256 not a string", page([fileEntry(good, { hashes: { sha256: 5 } })]), "hex string"],
    [
      "hash name with markup",
      page([fileEntry(good, { hashes: { sha256: fakeSha256("x"), "<b>": "00" } })]),
      "identifier",
    ],
    [
      "__proto__ hash name",
      page([fileEntry(good, { hashes: JSON.parse(`{"sha256":"${fakeSha256("x")}","__proto__":"00"}`) })]),
      "identifier",
    ],
    ["negative size", page([fileEntry(good, { size: -1 })]), "non-negative integer"],
    ["fractional size", page([fileEntry(good, { size: 1.5 })]), "non-negative integer"],
    ["absurd size", page([fileEntry(good, { size: 2 ** 41 })]), "1 TiB"],
    ["size as a string", page([fileEntry(good, { size: "100" })]), "non-negative integer"],
    ["yanked as a number", page([fileEntry(good, { yanked: 1 })]), "boolean or a reason"],
    ["requires-python as a list", page([fileEntry(good, { "requires-python": [">=3"] })]), "string or null"],
    ["upload-time not ISO 8601", page([fileEntry(good, { "upload-time": "yesterday" })]), "ISO 8601"],
    [
      "core-metadata with a bad digest",
      page([fileEntry(good, { "core-metadata": { sha256: "nope" } })]),
      "64 hex digits",
    ],
    [
      "provenance on another host",
      page([fileEntry(good, { provenance: "https://evil.example/p" })]),
      "evil.example",
    ],
    [
      "provenance with a bad scheme",
      page([fileEntry(good, { provenance: "javascript:alert(1)" })]),
      "scheme",
    ],
    ["duplicate filenames", page([fileEntry(good), fileEntry(good)]), "listed twice"],
    [
      "a URL naming another listed file",
      page([
        fileEntry(good),
        fileEntry(good, {
          filename: "other-1.0.tar.gz",
          url: `${FILES_HOST}/packages/01/23/${BLAKE}/${good}`,
        }),
      ]),
      "last path segment",
    ],
    ["versions not strings", page([], { versions: [1] }), "array of strings"],
    ["project-status without status", page([], { "project-status": { reason: "x" } }), "lower-case word"],
    ["bad serial header", page([]), "X-PyPI-Last-Serial"],
    [
      "negative meta serial",
      page([], { meta: { "api-version": "1.0", "_last-serial": -3 } }),
      "non-negative integer",
    ],
    ["not an object", [1, 2], "must be a JSON object"],
  ];
  for (const [what, document, rule] of cases) {
    test(what, () => {
      const message = refusal(() => parse(document, what === "bad serial header" ? "12; DROP TABLE" : null));
      expect(message).toContain(rule);
      if (what !== "not an object") expect(message).toContain("demo-pkg");
    });
  }

  test("the same filename under two URLs is refused", () => {
    const dup = page([
      fileEntry("a-1.0.tar.gz", { url: `${FILES_HOST}/packages/x/a-1.0.tar.gz` }),
      fileEntry("a-1.0.tar.gz", { url: `${FILES_HOST}/packages/y/a-1.0.tar.gz` }),
    ]);
    expect(refusal(() => parse(dup))).toContain("listed twice");
  });
});

describe("fetchProjectPage over HTTP", () => {
  let serial = "50";
  const upstream = serve((request) => {
    const url = new URL(request.url);
    const json = (document: unknown, headers: Record<string, string> = {}) =>
      new Response(JSON.stringify(document), {
        headers: {
          "content-type": "application/vnd.pypi.simple.v1+json",
          "x-pypi-last-serial": serial,
          ...headers,
        },
      });
    // Files on another port of the same hostname: allowed (hosts compare by hostname).
    const filesHost = "http://127.0.0.1:9";
    switch (url.pathname) {
      case "/simple/demo-pkg/":
        return json(
          page([fileEntry("demo-pkg-1.0.tar.gz", { url: `${filesHost}/packages/aa/demo-pkg-1.0.tar.gz` })]),
        );
      case "/simple/moved/":
        return new Response(null, { status: 301, headers: { location: "/simple/Moved/" } });
      case "/simple/Moved/":
        return json(page([], { name: "moved" }));
      case "/simple/elsewhere/":
        return new Response(null, { status: 301, headers: { location: "/simple/other-project/" } });
      case "/simple/offsite/":
        return new Response(null, {
          status: 302,
          headers: { location: "http://127.0.0.2:1/simple/offsite/" },
        });
      case "/simple/html/":
        return new Response("<!DOCTYPE html><html></html>", { headers: { "content-type": "text/html" } });
      case "/simple/html-json/":
        return new Response(JSON.stringify(page([], { name: "html-json" })), {
          headers: { "content-type": "text/html" },
        });
      case "/simple/deep/":
        return new Response(`{"meta":${"[".repeat(200)}${"]".repeat(200)}}`, {
          headers: { "content-type": "application/json" },
        });
      case "/simple/huge/":
        return new Response(JSON.stringify(page([], { name: "huge", padding: "x".repeat(5000) })));
      case "/simple/flaky/":
        return new Response("oops", { status: 503 });
      default:
        return new Response("404 Not Found", { status: 404, headers: { "content-type": "text/plain" } });
    }
  });
  afterAll(() => upstream.stop());
  const live = loopbackRules(upstream.url);

  test("fetches, validates and reports the serial; the Accept header asks for PEP 691 JSON", async () => {
    serial = "50";
    const result = await fetchProjectPage(testClient(), live, {
      normalizedName: "demo-pkg",
      displayName: "Demo.Pkg",
      requiredSerial: 50,
    });
    expect(result.kind).toBe("page");
    if (result.kind !== "page") return;
    expect(result.stale).toBe(false);
    expect(result.page.serial).toBe(50);
    expect(result.page.displayName).toBe("Demo.Pkg");
    expect(result.page.files[0]?.mirrorPath).toBe("packages/aa/demo-pkg-1.0.tar.gz");
    expect(upstream.requests.at(-1)?.headers.get("accept")).toBe("application/vnd.pypi.simple.v1+json");
  });

  test("a serial below requiredSerial is reported as stale, for the caller to retry or defer", async () => {
    serial = "49";
    const result = await fetchProjectPage(testClient(), live, {
      normalizedName: "demo-pkg",
      requiredSerial: 50,
    });
    expect(result.kind === "page" && result.stale).toBe(true);
    serial = "50";
  });

  test("404 is a distinct `gone` result, not an exception", async () => {
    expect(await fetchProjectPage(testClient(), live, { normalizedName: "nothing-here" })).toEqual({
      kind: "gone",
      url: projectPageUrl(upstream.url, "nothing-here"),
    });
  });

  test("a 301 to another spelling of the same name on the same origin is followed", async () => {
    const result = await fetchProjectPage(testClient(), live, { normalizedName: "moved" });
    expect(result.kind === "page" && result.url).toBe(`${upstream.url}/simple/Moved/`);
  });

  test("a redirect to another project or another origin is refused", async () => {
    await expect(fetchProjectPage(testClient(), live, { normalizedName: "elsewhere" })).rejects.toThrow(
      "must lead to project elsewhere",
    );
    await expect(fetchProjectPage(testClient(), live, { normalizedName: "offsite" })).rejects.toBeInstanceOf(
      HostileDataError,
    );
  });

  test("HTML is refused even when the body happens to be JSON", async () => {
    await expect(fetchProjectPage(testClient(), live, { normalizedName: "html" })).rejects.toThrow(
      "not JSON",
    );
    await expect(fetchProjectPage(testClient(), live, { normalizedName: "html-json" })).rejects.toThrow(
      "not PEP 691 JSON",
    );
  });

  test("deep JSON and bodies over the cap are refused", async () => {
    await expect(fetchProjectPage(testClient(), live, { normalizedName: "deep" })).rejects.toThrow(
      "deeper than 64",
    );
    await expect(
      fetchProjectPage(testClient(), live, { normalizedName: "huge", maxBytes: 1000 }),
    ).rejects.toThrow("1000 bytes limit");
  });

  test("5xx is a retryable UpstreamError (the caller retries)", async () => {
    const error = (await fetchProjectPage(testClient(), live, { normalizedName: "flaky" }).catch(
      (caught: unknown) => caught,
    )) as UpstreamError;
    expect(error.retryable).toBe(true);
    expect(error.status).toBe(503);
  });
});
