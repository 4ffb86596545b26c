import { describe, expect, test } from "bun:test";
import { latestVersion, synthesizeDocument, synthesizeReleaseFileDict } from "../../src/filters/document.ts";
import { projectPage, releaseFile } from "./helpers.ts";

describe("synthesized JSON API shapes", () => {
  test("a release_file dict from a page's file", () => {
    const file = releaseFile("foo-1.0-py2.py3-none-any.whl", {
      requiresPython: ">=3.8",
      size: 1234,
      yanked: "broken build",
      uploadTime: "2024-01-02T03:04:05.000000Z",
      hashes: { sha256: "ab".repeat(32), md5: "cd".repeat(16) },
    });
    expect(synthesizeReleaseFileDict(file)).toEqual({
      filename: "foo-1.0-py2.py3-none-any.whl",
      packagetype: "bdist_wheel",
      python_version: "py2.py3",
      requires_python: ">=3.8",
      size: 1234,
      yanked: true,
      yanked_reason: "broken build",
      upload_time_iso_8601: "2024-01-02T03:04:05.000000Z",
      digests: { sha256: "ab".repeat(32), md5: "cd".repeat(16) },
      url: file.url,
      md5_digest: "cd".repeat(16),
    });
    expect(synthesizeReleaseFileDict(releaseFile("foo-1.0.tar.gz"))["python_version"]).toBe("source");
    expect(synthesizeReleaseFileDict(releaseFile("foo-1.0-py2.7.egg"))["python_version"]).toBe("2.7");
  });

  test("a document from a page: name, current version, releases including versions without files", () => {
    const page = projectPage("Foo", [releaseFile("foo-1.0.tar.gz"), releaseFile("foo-2.0b1.tar.gz")], {
      versions: ["0.1", "1.0", "2.0b1"],
    });
    const document = synthesizeDocument(page);
    expect(document.info).toEqual({ name: "Foo", version: "1.0" });
    expect(Object.keys(document.releases!)).toEqual(["0.1", "1.0", "2.0b1"]);
    expect(document.releases!["0.1"]).toEqual([]);
  });

  test("latestVersion prefers non-yanked stable versions, then any non-yanked one", () => {
    expect(latestVersion([releaseFile("foo-2.0rc1.tar.gz"), releaseFile("foo-1.0.tar.gz")])).toBe("1.0");
    expect(latestVersion([releaseFile("foo-2.0rc1.tar.gz")])).toBe("2.0rc1");
    expect(latestVersion([releaseFile("foo-1.0.tar.gz", { yanked: true })])).toBeNull();
  });
});
