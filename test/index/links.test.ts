import { describe, expect, test } from "bun:test";
import { HostileDataError, UpstreamError } from "../../src/errors.ts";
import { coreMetadataDigest, fileDigest, fileLink, rawUrlPath } from "../../src/index/links.ts";
import { DEFAULT_OPTIONS, releaseFile } from "./fixtures.ts";

describe("fileLink", () => {
  const file = releaseFile("a+b-1.0.tar.gz", "/packages/ab/cd/ef/a%2Bb-1.0.tar.gz");

  test("is ../.. + the upstream URL path, percent-encoding kept", () => {
    expect(fileLink(file, DEFAULT_OPTIONS)).toBe("../../packages/ab/cd/ef/a%2Bb-1.0.tar.gz");
  });

  test("drops the query and the fragment of the upstream URL", () => {
    const withExtras = { ...file, url: `${file.url}?x=1#sha256=00` };
    expect(fileLink(withExtras, DEFAULT_OPTIONS)).toBe("../../packages/ab/cd/ef/a%2Bb-1.0.tar.gz");
  });

  test("is rootUri + path when root_uri is set, without a doubled slash", () => {
    const options = { ...DEFAULT_OPTIONS, rootUri: "https://mirror.example.org" };
    expect(fileLink(file, options)).toBe("https://mirror.example.org/packages/ab/cd/ef/a%2Bb-1.0.tar.gz");
    const trailing = { ...DEFAULT_OPTIONS, rootUri: "https://mirror.example.org/" };
    expect(fileLink(file, trailing)).toBe("https://mirror.example.org/packages/ab/cd/ef/a%2Bb-1.0.tar.gz");
  });

  test("is rootUri + path for an index-only mirror with root_uri", () => {
    const options = { ...DEFAULT_OPTIONS, releaseFiles: false, rootUri: "https://cdn.example.org" };
    expect(fileLink(file, options)).toBe("https://cdn.example.org/packages/ab/cd/ef/a%2Bb-1.0.tar.gz");
  });

  test("is the upstream URL without fragment for an index-only mirror without root_uri", () => {
    const options = { ...DEFAULT_OPTIONS, releaseFiles: false };
    const withFragment = { ...file, url: `${file.url}#sha256=00` };
    expect(fileLink(withFragment, options)).toBe(
      "https://files.example.org/packages/ab/cd/ef/a%2Bb-1.0.tar.gz",
    );
  });

  test("refuses a mirrored file whose URL path is not under /packages", () => {
    const outside = releaseFile("x.whl", "/other/x.whl");
    expect(() => fileLink(outside, DEFAULT_OPTIONS)).toThrow(HostileDataError);
    expect(() => rawUrlPath("not a url")).toThrow(HostileDataError);
  });

  test("rawUrlPath is empty for a URL without a path", () => {
    expect(rawUrlPath("https://host.example?x")).toBe("");
  });
});

describe("fileDigest", () => {
  test("returns the configured digest", () => {
    const file = releaseFile("x.whl", "/packages/x.whl", { hashes: { sha256: "aa", md5: "bb" } });
    expect(fileDigest(file, "md5", "x")).toBe("bb");
  });

  test("fails like bandersnatch's InvalidDigestFormat when upstream lacks it", () => {
    const file = releaseFile("x.whl", "/packages/x.whl");
    expect(() => fileDigest(file, "sha512", "x")).toThrow(UpstreamError);
    expect(() => fileDigest(file, "sha512", "x")).toThrow(/sha512.*not provided for x\.whl in x/);
  });
});

describe("coreMetadataDigest (find_core_metadata_digest)", () => {
  test("prefers digest_name, then sha256", () => {
    expect(coreMetadataDigest({ sha256: "aa", md5: "bb" }, "md5")).toEqual({ algorithm: "md5", hex: "bb" });
    expect(coreMetadataDigest({ sha256: "aa", md5: "bb" }, "sha512")).toEqual({
      algorithm: "sha256",
      hex: "aa",
    });
  });

  test("falls back to the first hashlib algorithm in sorted order", () => {
    expect(coreMetadataDigest({ sha512: "cc", md5: "bb", blake2b_256: "dd" }, "sha256")).toEqual({
      algorithm: "md5",
      hex: "bb",
    });
  });

  test("finds nothing for true, false, absent, empty values and unknown algorithms", () => {
    expect(coreMetadataDigest(true, "sha256")).toBeNull();
    expect(coreMetadataDigest(false, "sha256")).toBeNull();
    expect(coreMetadataDigest(undefined, "sha256")).toBeNull();
    expect(coreMetadataDigest({ sha256: "" }, "sha256")).toBeNull();
    expect(coreMetadataDigest({ blake2b_256: "dd" }, "sha256")).toBeNull();
    expect(coreMetadataDigest({}, "sha256")).toBeNull();
  });
});
