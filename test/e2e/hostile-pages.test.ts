/**
 * A hostile upstream, project by project: each project below serves one bad page,
 * file entry, URL, redirect, digest, size or body. One `mirror` run meets them all
 * next to healthy projects. Each refusal must be one log line naming the project,
 * the value and the rule; the healthy projects must be mirrored anyway; nothing may
 * be written outside the mirror directory; no refused project may get a page.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import { quoteValue } from "../../src/upstream/hostile.ts";
import type { RawFileEntry, TestUpstream } from "../upstream/index.ts";
import { type CliResult, createFixture, type MirrorFixture, temporaryFiles } from "./harness.ts";
import {
  escapeToken,
  expectNothingOutside,
  expectOneRefusal,
  expectProjectAbsent,
  expectProjectMirrored,
} from "./hostile-checks.ts";

const TOKEN = escapeToken();
const SHA = "a".repeat(64);
const SIMPLE_JSON = { "content-type": "application/vnd.pypi.simple.v1+json" };

interface HostileCase {
  /** What the case is about (the test name). */
  what: string;
  /** Project name (valid; the hostility is elsewhere). */
  project: string;
  /** File entries of a raw project page. */
  files?: (files: string) => RawFileEntry[];
  /** Anything else to set up (raw responses...), after the project exists. */
  setup?: (upstream: TestUpstream) => void | Promise<void>;
  /** Pieces the one refusal line must hold: the value as quoted, the rule. */
  expect: (upstream: TestUpstream) => string[];
}

/** A raw file entry that is fine except for what the case overrides. */
function entry(filesUrl: string, overrides: Partial<RawFileEntry> & { filename: string }): RawFileEntry {
  return {
    url: `${filesUrl}/packages/aa/bb/${overrides.filename}`,
    hashes: { sha256: SHA },
    size: 100,
    ...overrides,
  };
}

const sha256 = (text: string) => new Bun.CryptoHasher("sha256").update(text).digest("hex");
const deepJson = (depth: number) =>
  `{"meta":{"api-version":"1.1"},"name":"deep-json","files":[],"x":${"[".repeat(depth)}${"]".repeat(depth)}}`;

const CASES: HostileCase[] = [
  // --- file names ---------------------------------------------------------------------------
  {
    what: "a filename with ../ traversal",
    project: "name-traversal",
    files: (u) => [entry(u, { filename: `../../../../../../../../tmp/${TOKEN}.whl` })],
    expect: () => [quoteValue(`../../../../../../../../tmp/${TOKEN}.whl`), "contains '/'"],
  },
  {
    what: "a filename that is '..'",
    project: "name-dotdot",
    files: (u) => [entry(u, { filename: "..", url: `${u}/packages/aa/bb/x` })],
    expect: () => ['filename ".."', "is a dot segment"],
  },
  {
    what: "an absolute filename",
    project: "name-absolute",
    files: (u) => [entry(u, { filename: `/tmp/${TOKEN}.whl` })],
    expect: () => [quoteValue(`/tmp/${TOKEN}.whl`), "contains '/'"],
  },
  {
    what: "a filename with a backslash",
    project: "name-backslash",
    files: (u) => [entry(u, { filename: `..\\..\\${TOKEN}.whl`, url: `${u}/packages/aa/bb/x.whl` })],
    expect: () => [quoteValue(`..\\..\\${TOKEN}.whl`), "contains a backslash"],
  },
  {
    what: "a filename with NUL",
    project: "name-nul",
    files: (u) => [entry(u, { filename: `${TOKEN}.whl\u0000.txt`, url: `${u}/packages/aa/bb/x.whl` })],
    expect: () => [quoteValue(`${TOKEN}.whl\u0000.txt`), "contains NUL"],
  },
  {
    what: "a filename with a control character (newline: a forged log line)",
    project: "name-control",
    files: (u) => [
      entry(u, { filename: `x.whl\n2024-01-01 00:00:00,000 INFO: forged`, url: `${u}/packages/aa/bb/x.whl` }),
    ],
    expect: () => [quoteValue("x.whl\n2024-01-01 00:00:00,000 INFO: forged"), "contains a control character"],
  },
  {
    what: "a filename starting with a dot (our temporary files do)",
    project: "name-hidden",
    files: (u) => [entry(u, { filename: `.${TOKEN}.whl.abc.part` })],
    expect: () => [quoteValue(`.${TOKEN}.whl.abc.part`), "starts with '.'"],
  },
  {
    what: "an over-long filename",
    project: "name-long",
    files: (u) => [entry(u, { filename: `${"x".repeat(300)}-1.0.tar.gz` })],
    expect: () => ["is longer than 255 bytes"],
  },
  {
    what: "a filename that is not the URL's last segment",
    project: "name-mismatch",
    files: (u) => [
      entry(u, { filename: "name_mismatch-1.0.tar.gz", url: `${u}/packages/aa/bb/other-1.0.tar.gz` }),
    ],
    expect: () => ["last path segment must be the filename"],
  },
  {
    what: "the same filename twice",
    project: "name-twice",
    files: (u) => [
      entry(u, { filename: "name_twice-1.0.tar.gz" }),
      entry(u, { filename: "name_twice-1.0.tar.gz", url: `${u}/packages/cc/dd/name_twice-1.0.tar.gz` }),
    ],
    expect: () => [quoteValue("name_twice-1.0.tar.gz"), "is listed twice"],
  },
  // --- file URLs ----------------------------------------------------------------------------
  {
    what: "a URL whose path is outside /packages/",
    project: "url-outside",
    files: (u) => [entry(u, { filename: "passwd", url: `${u}/etc/passwd` })],
    expect: (up) => [quoteValue(`${up.filesUrl}/etc/passwd`), "path must start with /packages/"],
  },
  {
    what: "a URL with ../ after /packages/",
    project: "url-dotdot",
    files: (u) => [
      entry(u, { filename: `${TOKEN}.whl`, url: `${u}/packages/aa/../../../../tmp/${TOKEN}.whl` }),
    ],
    expect: (up) => [quoteValue(`${up.filesUrl}/packages/aa/../../../../tmp/${TOKEN}.whl`), "dot segment"],
  },
  {
    what: "a URL with percent-encoded dot segments (%2e%2e)",
    project: "url-pct-dots",
    files: (u) => [
      entry(u, { filename: `${TOKEN}.whl`, url: `${u}/packages/%2e%2e/%2E%2e/tmp/${TOKEN}.whl` }),
    ],
    expect: () => ["dot segment"],
  },
  {
    what: "a URL with a percent-encoded traversal in one segment (%2e%2e%2f)",
    project: "url-pct-slash",
    files: (u) => [
      entry(u, { filename: `${TOKEN}.whl`, url: `${u}/packages/aa/%2e%2e%2f%2e%2e%2f%2e%2e%2f${TOKEN}.whl` }),
    ],
    expect: () => [`../../../${TOKEN}.whl`, "contains '/'"],
  },
  {
    what: "a URL with an encoded backslash",
    project: "url-pct-backslash",
    files: (u) => [entry(u, { filename: `${TOKEN}.whl`, url: `${u}/packages/aa/..%5c..%5c${TOKEN}.whl` })],
    expect: () => ["contains a backslash"],
  },
  {
    what: "a URL with an encoded NUL",
    project: "url-pct-nul",
    files: (u) => [entry(u, { filename: `${TOKEN}.whl`, url: `${u}/packages/aa/x%00/${TOKEN}.whl` })],
    expect: () => ["contains NUL"],
  },
  {
    what: "a file: URL",
    project: "url-file-scheme",
    files: () => [{ filename: "passwd", url: "file:///etc/passwd", hashes: { sha256: SHA }, size: 1 }],
    expect: () => [quoteValue("file:///etc/passwd"), "scheme must be https"],
  },
  {
    what: "an ftp: URL",
    project: "url-ftp-scheme",
    files: () => [
      {
        filename: "x-1.0.tar.gz",
        url: "ftp://127.0.0.1/packages/aa/bb/x-1.0.tar.gz",
        hashes: { sha256: SHA },
      },
    ],
    expect: () => [quoteValue("ftp://127.0.0.1/packages/aa/bb/x-1.0.tar.gz"), "scheme must be https"],
  },
  {
    what: "a URL on a host that is neither the files host nor allowed",
    project: "url-other-host",
    files: () => [
      {
        filename: "x-1.0.tar.gz",
        url: "http://evil.invalid/packages/aa/bb/x-1.0.tar.gz",
        hashes: { sha256: SHA },
      },
    ],
    expect: () => [
      quoteValue("http://evil.invalid/packages/aa/bb/x-1.0.tar.gz"),
      "host evil.invalid is not the index host or an allowed file host",
    ],
  },
  {
    what: "a URL naming the files host by another (reachable) name",
    project: "url-localhost",
    files: (u) => [
      entry(u, {
        filename: "x-1.0.tar.gz",
        url: u.replace("127.0.0.1", "localhost") + "/packages/aa/bb/x-1.0.tar.gz",
      }),
    ],
    expect: () => ["host localhost is not the index host or an allowed file host"],
  },
  {
    what: "a URL with credentials",
    project: "url-credentials",
    files: (u) => [
      entry(u, {
        filename: "x-1.0.tar.gz",
        url: u.replace("//", "//user:secret@") + "/packages/aa/bb/x-1.0.tar.gz",
      }),
    ],
    expect: () => ["carries credentials"],
  },
  {
    what: "a URL with whitespace",
    project: "url-space",
    files: (u) => [entry(u, { filename: "x-1.0.tar.gz", url: `${u}/packages/aa/bb /x-1.0.tar.gz` })],
    expect: () => ["contains whitespace, a control character or a backslash"],
  },
  {
    what: "a provenance URL on another host",
    project: "url-provenance",
    files: (u) => [entry(u, { filename: "x-1.0.tar.gz", provenance: "http://evil.invalid/provenance" })],
    expect: () => [
      quoteValue("http://evil.invalid/provenance"),
      "is not the index host or an allowed file host",
    ],
  },
  // --- redirects ----------------------------------------------------------------------------
  ...(
    [
      [
        "redirect-other-host",
        "http://evil.invalid/packages/aa/bb/redirect_other_host-1.0.tar.gz",
        "is not the index host",
      ],
      ["redirect-file-scheme", "file:///etc/passwd", "scheme must be https"],
      ["redirect-outside", "/etc/passwd", "path must start with /packages/"],
      // The URL parser removes the dot segments: what is left is outside /packages/.
      [
        "redirect-dotdot",
        `/packages/aa/%2e%2e/%2e%2e/%2e%2e/tmp/${TOKEN}`,
        "path must start with /packages/",
      ],
    ] as const
  ).map(
    ([project, location, rule]): HostileCase => ({
      what: `a file download redirected to ${location}`,
      project,
      files: (u) => [entry(u, { filename: `${project.replaceAll("-", "_")}-1.0.tar.gz` })],
      setup: (up) =>
        up.setRawResponse(
          `/packages/aa/bb/${project.replaceAll("-", "_")}-1.0.tar.gz`,
          { status: 302, headers: { location } },
          "files",
        ),
      expect: () => ["Refusing", rule],
    }),
  ),
  {
    what: "a project page redirected to another project",
    project: "page-redirect-project",
    setup: (up) =>
      up.setRawResponse("/simple/page-redirect-project/", {
        status: 301,
        headers: { location: "/simple/some-other-project/" },
      }),
    expect: () => ["/simple/some-other-project/", "must lead to project page-redirect-project"],
  },
  {
    what: "a project page redirected to another host",
    project: "page-redirect-host",
    setup: (up) =>
      up.setRawResponse("/simple/page-redirect-host/", {
        status: 301,
        headers: { location: "http://evil.invalid/simple/page-redirect-host/" },
      }),
    expect: () => [quoteValue("http://evil.invalid/simple/page-redirect-host/"), "must stay on"],
  },
  // --- digests --------------------------------------------------------------------------------
  {
    what: "a file without hashes",
    project: "digest-missing",
    files: (u) => [
      { filename: "digest_missing-1.0.tar.gz", url: `${u}/packages/aa/bb/digest_missing-1.0.tar.gz` },
    ],
    expect: () => ["hashes", "must include sha256"],
  },
  {
    what: "hashes without sha256",
    project: "digest-no-sha256",
    files: (u) => [entry(u, { filename: "digest_no_sha256-1.0.tar.gz", hashes: { md5: "b".repeat(32) } })],
    expect: () => ["must include sha256"],
  },
  {
    what: "a sha256 that is not hex",
    project: "digest-not-hex",
    files: (u) => [entry(u, { filename: "digest_not_hex-1.0.tar.gz", hashes: { sha256: "z".repeat(64) } })],
    expect: () => [quoteValue("z".repeat(64)), "must be 64 hex digits"],
  },
  {
    what: "a sha256 of the wrong length",
    project: "digest-short",
    files: (u) => [entry(u, { filename: "digest_short-1.0.tar.gz", hashes: { sha256: "abc123" } })],
    expect: () => [quoteValue("abc123"), "must be 64 hex digits"],
  },
  {
    what: "hashes that are not an object",
    project: "digest-string",
    files: (u) => [entry(u, { filename: "digest_string-1.0.tar.gz", extra: { hashes: `sha256=${SHA}` } })],
    expect: () => [quoteValue(`sha256=${SHA}`), "must be an object"],
  },
  {
    what: "a malformed core-metadata digest",
    project: "digest-metadata",
    files: (u) => [
      entry(u, { filename: "digest_metadata-1.0.tar.gz", coreMetadata: { sha256: "<script>" } }),
    ],
    expect: () => [quoteValue("<script>"), "must be 64 hex digits"],
  },
  {
    what: "bytes that do not match the advertised sha256",
    project: "digest-wrong",
    files: (u) => [entry(u, { filename: "digest_wrong-1.0.tar.gz", size: 5 })],
    setup: (up) => up.setRawResponse("/packages/aa/bb/digest_wrong-1.0.tar.gz", { body: "hello" }, "files"),
    expect: () => [`sha256 ${sha256("hello")}, expected ${SHA}`],
  },
  // --- sizes ----------------------------------------------------------------------------------
  ...(
    [
      ["size-negative", -1],
      ["size-absurd", 2 ** 50],
      ["size-fraction", 1.5],
      ["size-string", "100"],
    ] as const
  ).map(
    ([project, size]): HostileCase => ({
      what: `a size of ${JSON.stringify(size)}`,
      project,
      files: (u) => [entry(u, { filename: `${project.replace("-", "_")}-1.0.tar.gz`, extra: { size } })],
      expect: () => [`size ${quoteValue(size)}`, "must be a non-negative integer of at most 1 TiB"],
    }),
  ),
  {
    what: "a body longer than the advertised size",
    project: "size-lie",
    files: (u) => [
      entry(u, { filename: "size_lie-1.0.tar.gz", size: 4, hashes: { sha256: sha256("hello") } }),
    ],
    setup: (up) => up.setRawResponse("/packages/aa/bb/size_lie-1.0.tar.gz", { body: "hello" }, "files"),
    expect: () => ["sent more than the advertised 4 bytes"],
  },
  // --- bodies ---------------------------------------------------------------------------------
  {
    what: "a project page over the 64 MiB cap",
    project: "big-page",
    setup: (up) =>
      up.setRawResponse("/simple/big-page/", {
        headers: SIMPLE_JSON,
        body: `{"meta":{"api-version":"1.1"},"name":"big-page","files":[]}${" ".repeat(65 * 1024 * 1024)}`,
      }),
    expect: () => ["/simple/big-page/", "body larger than the 64 MiB limit"],
  },
  {
    what: "a project page nested 100,000 deep",
    project: "deep-json",
    setup: (up) => up.setRawResponse("/simple/deep-json/", { headers: SIMPLE_JSON, body: deepJson(100_000) }),
    expect: () => ["/simple/deep-json/", "nests deeper than 64 levels"],
  },
  {
    what: "a project page claiming another project's name",
    project: "page-other-name",
    setup: (up) =>
      up.setRawResponse("/simple/page-other-name/", {
        headers: SIMPLE_JSON,
        body: '{"meta":{"api-version":"1.1"},"name":"../../etc","files":[]}',
      }),
    expect: () => [quoteValue("../../etc"), "must normalize to page-other-name"],
  },
  {
    what: "a project page with a bad serial header",
    project: "page-bad-serial",
    setup: (up) =>
      up.setRawResponse("/simple/page-bad-serial/", {
        headers: { ...SIMPLE_JSON, "x-pypi-last-serial": "-5" },
        body: '{"meta":{"api-version":"1.1"},"name":"page-bad-serial","files":[]}',
      }),
    expect: () => [quoteValue("-5"), "must be a non-negative integer"],
  },
];

/** Markup that upstream may legitimately send: it must reach our pages escaped, never raw. */
const MARKUP = {
  project: "markup-page",
  filename: 'markup_page-1.0"<b>&.tar.gz',
  urlName: "markup_page-1.0%22%3Cb%3E%26.tar.gz",
  requiresPython: '"><script>alert(1)</script>',
  yanked: "<img src=x onerror=alert(1)> & 'quoted'",
  body: "markup bytes",
};

describe("hostile project pages: refused one by one, the rest of the run proceeds", () => {
  let fixture: MirrorFixture;
  let result: CliResult;
  let healthy: string[];

  beforeAll(async () => {
    fixture = await createFixture({ upstream: { projects: 3, seed: 11 } });
    const upstream = fixture.upstream;
    healthy = upstream.listProjects().map((project) => project.normalized);
    for (const hostile of CASES) {
      if (hostile.files)
        await upstream.addRawProject({ name: hostile.project, files: hostile.files(upstream.filesUrl) });
      else await upstream.createProject(hostile.project, { versions: [] });
      await hostile.setup?.(upstream);
    }
    await upstream.addRawProject({
      name: MARKUP.project,
      files: [
        entry(upstream.filesUrl, {
          filename: MARKUP.filename,
          url: `${upstream.filesUrl}/packages/aa/bb/${MARKUP.urlName}`,
          hashes: { sha256: sha256(MARKUP.body) },
          size: MARKUP.body.length,
          requiresPython: MARKUP.requiresPython,
          yanked: MARKUP.yanked,
        }),
      ],
    });
    upstream.setRawResponse(`/packages/aa/bb/${MARKUP.urlName}`, { body: MARKUP.body }, "files");
    result = await fixture.run(["mirror"], { timeoutMs: 60_000 });
  }, 90_000);

  afterAll(async () => {
    await fixture?.close();
  });

  test("markup in a filename, requires-python and a yank reason is mirrored, and escaped in the HTML pages", () => {
    expect(fs.readFileSync(fixture.at(`web/packages/aa/bb/${MARKUP.filename}`), "utf8")).toBe(MARKUP.body);
    for (const page of ["index.html", "index.v1_html"]) {
      const html = fs.readFileSync(fixture.at(`web/simple/${MARKUP.project}/${page}`), "utf8");
      expect(html).not.toContain("<script");
      expect(html).not.toContain("<img");
      expect(html).not.toContain("<b>");
      expect(html).toContain('data-requires-python="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
      expect(html).toContain('data-yanked="&lt;img src=x onerror=alert(1)&gt; &amp; &#x27;quoted&#x27;"');
      expect(html).toContain(">markup_page-1.0&quot;&lt;b&gt;&amp;.tar.gz</a>");
    }
    const json = JSON.parse(
      fs.readFileSync(fixture.at(`web/simple/${MARKUP.project}/index.v1_json`), "utf8"),
    );
    expect(json.files[0].filename).toBe(MARKUP.filename);
    expect(json.files[0]["requires-python"]).toBe(MARKUP.requiresPython);
    expect(json.files[0].yanked).toBe(MARKUP.yanked);
  });

  test("the run ends with exit 1 (some projects failed) and the serial is not advanced", () => {
    expect(result.code).toBe(1);
    expect(fs.existsSync(fixture.at("status"))).toBe(false);
  });

  test("every healthy project is mirrored completely", () => {
    for (const name of healthy) expectProjectMirrored(fixture, fixture.upstream, name);
  });

  test("nothing is written outside the mirror directory, no temporary file is left", () => {
    expectNothingOutside(fixture, TOKEN);
    expect(temporaryFiles(fixture.directory)).toEqual([]);
  });

  test("no log line carries a raw control character from upstream", () => {
    expect(result.stderr.split("\n").filter((line) => line.startsWith("2024-01-01"))).toEqual([]);
    expect(result.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });

  for (const hostile of CASES) {
    test(`${hostile.what}: one line names ${hostile.project}, the value and the rule; no page`, () => {
      expectOneRefusal(result.stderr, `package: ${hostile.project}@`, hostile.expect(fixture.upstream));
      expectProjectAbsent(fixture, hostile.project);
    });
  }
});

describe("hostile JSON API documents (json = true): refused one by one", () => {
  let fixture: MirrorFixture;
  let result: CliResult;
  const JSON_TYPE = { "content-type": "application/json" };
  const document = (name: string, extra = "") =>
    `{"info":{"name":"${name}","version":"0.1.0"},"last_serial":1,"releases":{}${extra},"urls":[]}`;
  const JSON_CASES: { what: string; project: string; body: string; expect: string[] }[] = [
    {
      what: "a document nested 100,000 deep",
      project: "api-deep",
      body: document("api-deep", `,"x":${"[".repeat(100_000)}${"]".repeat(100_000)}`),
      expect: ["/pypi/api-deep/json", "nests deeper than 64 levels"],
    },
    {
      what: "a document of another project",
      project: "api-other-name",
      body: document("../../etc"),
      expect: [quoteValue("../../etc"), "must normalize to api-other-name"],
    },
    {
      what: "a document over the 64 MiB cap",
      project: "api-big",
      body: `${document("api-big")}${" ".repeat(65 * 1024 * 1024)}`,
      expect: ["/pypi/api-big/json", "body larger than the 64 MiB limit"],
    },
    {
      what: "releases that are not an object",
      project: "api-releases",
      body: '{"info":{"name":"api-releases"},"releases":"../../etc/passwd"}',
      expect: [quoteValue("../../etc/passwd"), "must be an object"],
    },
  ];

  beforeAll(async () => {
    fixture = await createFixture({ upstream: { projects: 2, seed: 12 }, mirror: "json = true" });
    for (const hostile of JSON_CASES) {
      await fixture.upstream.createProject(hostile.project);
      fixture.upstream.setRawResponse(`/pypi/${hostile.project}/json`, {
        headers: JSON_TYPE,
        body: hostile.body,
      });
    }
    result = await fixture.run(["mirror"], { timeoutMs: 60_000 });
  }, 90_000);

  afterAll(async () => {
    await fixture?.close();
  });

  test("the healthy projects are mirrored with their JSON documents; exit 1", () => {
    expect(result.code).toBe(1);
    for (const project of fixture.upstream.listProjects()) {
      if (JSON_CASES.some((hostile) => hostile.project === project.normalized)) continue;
      expectProjectMirrored(fixture, fixture.upstream, project.normalized);
      expect(fs.existsSync(fixture.at(`web/json/${project.normalized}`))).toBe(true);
    }
    expectNothingOutside(fixture, TOKEN);
  });

  for (const hostile of JSON_CASES) {
    test(`${hostile.what}: one line names ${hostile.project}, the value and the rule; nothing written`, () => {
      expectOneRefusal(result.stderr, `package: ${hostile.project}@`, hostile.expect);
      expectProjectAbsent(fixture, hostile.project);
      expect(fs.existsSync(fixture.at(`web/json/${hostile.project}`))).toBe(false);
    });
  }
});
