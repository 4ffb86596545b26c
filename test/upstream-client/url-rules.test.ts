import { describe, expect, test } from "bun:test";
import { HostileDataError } from "../../src/errors.ts";
import {
  assertInside,
  assertSafeFilename,
  mirrorPathForUrl,
  segmentProblem,
} from "../../src/packaging/paths.ts";
import { checkFileUrl, checkIndexUrl, urlRulesFromOptions } from "../../src/upstream/url-rules.ts";

const pypi = urlRulesFromOptions({
  master: "https://pypi.org",
  allowNonHttps: false,
  allowedFileHosts: ["cdn.example.org:8443"],
  downloadMirror: "https://mirror.example.net/pypi",
});
const FILE =
  "https://files.pythonhosted.org/packages/ab/cd/0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab/foo-1.0.tar.gz";

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(HostileDataError);
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error("expected a HostileDataError");
}

describe("checkFileUrl hosts", () => {
  test("PyPI's files host is allowed when the master is pypi.org", () => {
    expect(checkFileUrl(FILE, pypi).hostname).toBe("files.pythonhosted.org");
  });

  test("the master host, allowed-file-hosts (port ignored) and the download-mirror host are allowed", () => {
    for (const host of ["pypi.org", "cdn.example.org", "mirror.example.net", "CDN.example.org:9999"]) {
      expect(() => checkFileUrl(`https://${host}/packages/a/foo-1.0.tar.gz`, pypi)).not.toThrow();
    }
  });

  test("other hosts are refused, naming the host", () => {
    const message = refusal(() => checkFileUrl("https://evil.example/packages/a/foo.tar.gz", pypi));
    expect(message).toContain("evil.example");
    expect(message).toContain("not the index host");
    refusal(() => checkFileUrl("https://files.pythonhosted.org.evil.example/packages/a/x.whl", pypi));
    refusal(() => checkFileUrl("https://pypi.org@evil.example/packages/a/x.whl", pypi));
  });

  test("files.pythonhosted.org is not allowed for a non-PyPI master", () => {
    const own = urlRulesFromOptions({
      master: "https://index.example",
      allowNonHttps: false,
      allowedFileHosts: [],
      downloadMirror: null,
    });
    refusal(() => checkFileUrl(FILE, own));
  });

  test("loopback: index and files host on different ports compare by hostname", () => {
    const rules = urlRulesFromOptions({
      master: "http://127.0.0.1:8001",
      allowNonHttps: true,
      allowedFileHosts: [],
      downloadMirror: null,
    });
    expect(checkFileUrl("http://127.0.0.1:8002/packages/aa/foo-1.0.tar.gz", rules).port).toBe("8002");
    refusal(() => checkFileUrl("http://127.0.0.2:8002/packages/aa/foo-1.0.tar.gz", rules));
  });
});

describe("checkFileUrl schemes and credentials", () => {
  test("http is refused unless allow-non-https", () => {
    expect(refusal(() => checkFileUrl(FILE.replace("https:", "http:"), pypi))).toContain(
      "scheme must be https",
    );
    const lax = { ...pypi, allowNonHttps: true };
    expect(() => checkFileUrl(FILE.replace("https:", "http:"), lax)).not.toThrow();
  });

  test("other schemes are refused", () => {
    for (const url of [
      "ftp://files.pythonhosted.org/packages/a/x.whl",
      "file:///packages/a/x.whl",
      "javascript:alert(1)",
      "data:text/plain,hi",
    ]) {
      refusal(() => checkFileUrl(url, pypi));
    }
  });

  test("credentials in the URL are refused", () => {
    refusal(() => checkFileUrl("https://user:pw@files.pythonhosted.org/packages/a/x.whl", pypi));
  });

  test("the fragment is dropped", () => {
    expect(checkFileUrl(`${FILE}#sha256=abc`, pypi).href).toBe(FILE);
  });
});

describe("checkFileUrl paths: traversal in every encoding", () => {
  const base = "https://files.pythonhosted.org";
  const hostile = [
    "/packages/../etc/passwd",
    "/packages/a/../../etc/passwd",
    "/packages/%2e%2e/etc/passwd",
    "/packages/%2E%2e/%2e%2E/etc/passwd",
    "/packages/.%2e/x.whl",
    "/packages/%2e./x.whl",
    "/packages/./x.whl",
    "/packages/a%2f..%2f..%2fetc/passwd",
    "/packages/a%2Fb/x.whl",
    "/packages/a%5c..%5cx.whl",
    "/packages/a\\..\\x.whl",
    "/packages/a%00/x.whl",
    "/packages/a/x.whl%00.txt",
    "/packages//x.whl",
    "/packages/a//x.whl",
    "/packages/",
    "/packages",
    "/simple/foo/x.whl",
    "/x/packages/a/x.whl",
    "/packages/a/%0ax.whl",
    "/packages/a/x\n.whl",
    "/packages/a/x\t.whl",
    "/packages/a/x .whl",
    "/packages/a/.hidden.whl",
    "/packages/a/%2ehidden.whl",
    "/packages/a/%E0%A4%A.whl",
    `/packages/a/${"x".repeat(256)}.whl`,
  ];
  for (const path of hostile) {
    test(`refuses ${JSON.stringify(path).slice(0, 60)}`, () => {
      refusal(() => checkFileUrl(base + path, pypi));
    });
  }

  test("relative references resolve against the page URL; leading ../ are fine", () => {
    const rules = urlRulesFromOptions({
      master: "https://mirror.example",
      allowNonHttps: false,
      allowedFileHosts: [],
      downloadMirror: null,
    });
    const url = checkFileUrl("../../packages/ab/foo-1.0.tar.gz", rules, "https://mirror.example/simple/foo/");
    expect(url.href).toBe("https://mirror.example/packages/ab/foo-1.0.tar.gz");
    refusal(() => checkFileUrl("../../packages/../etc/passwd", rules, "https://mirror.example/simple/foo/"));
    refusal(() =>
      checkFileUrl("//evil.example/packages/a/x.whl", rules, "https://mirror.example/simple/foo/"),
    );
  });
});

describe("checkIndexUrl", () => {
  test("only the master host", () => {
    expect(
      checkIndexUrl("https://pypi.org/integrity/foo/1.0/foo-1.0.tar.gz/provenance", pypi).pathname,
    ).toContain("integrity");
    refusal(() => checkIndexUrl("https://files.pythonhosted.org/integrity/x", pypi));
  });
});

describe("mirrorPathForUrl", () => {
  test("is the percent-decoded URL path without the leading slash", () => {
    expect(mirrorPathForUrl(FILE)).toBe(
      "packages/ab/cd/0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab/foo-1.0.tar.gz",
    );
    expect(mirrorPathForUrl("https://h/packages/2.7/f/foo/foo%2Bbar-1.0.tar.gz")).toBe(
      "packages/2.7/f/foo/foo+bar-1.0.tar.gz",
    );
  });

  test("refuses paths outside /packages/ and unsafe segments", () => {
    refusal(() => mirrorPathForUrl("https://h/etc/passwd"));
    refusal(() => mirrorPathForUrl("https://h/packages/%2e%2e/x"));
    refusal(() => mirrorPathForUrl("https://h/packages/a%2fb"));
    refusal(() => mirrorPathForUrl("not a url"));
  });
});

describe("segment and filename rules", () => {
  test("each rule names itself", () => {
    expect(segmentProblem("")).toContain("empty");
    expect(segmentProblem("..")).toContain("dot segment");
    expect(segmentProblem("a/b")).toContain("'/'");
    expect(segmentProblem("a\\b")).toContain("backslash");
    expect(segmentProblem("a\u0000b")).toContain("NUL");
    expect(segmentProblem("a\u001bb")).toContain("control");
    expect(segmentProblem("a\u0085b")).toContain("control");
    expect(segmentProblem(".x")).toContain("starts with '.'");
    expect(segmentProblem("é".repeat(128))).toContain("255 bytes");
    expect(segmentProblem("é".repeat(127))).toBeNull();
    expect(segmentProblem("foo-1.0-py3-none-any.whl")).toBeNull();
  });

  test("assertSafeFilename quotes the value on one line", () => {
    const message = refusal(() => assertSafeFilename("evil\nname/../x"));
    expect(message).toContain('"evil\\nname/../x"');
  });
});

describe("assertInside", () => {
  test("returns the absolute path inside the root", () => {
    expect(assertInside("/srv/mirror/web", "packages/ab/foo.whl")).toBe(
      "/srv/mirror/web/packages/ab/foo.whl",
    );
    expect(assertInside("/srv/mirror/web/", "packages/.foo.whl.tmp123")).toBe(
      "/srv/mirror/web/packages/.foo.whl.tmp123",
    );
  });

  test("refuses escapes", () => {
    for (const path of [
      "../etc/passwd",
      "/etc/passwd",
      "packages/../../x",
      "packages/./x",
      "",
      "a//b",
      "a/\u0000",
      "a\\..\\b",
    ]) {
      refusal(() => assertInside("/srv/mirror/web", path));
    }
  });
});
