import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { compare } from "@renovatebot/pep440";
import type { AnyJson } from "./client.ts";
import { startTestUpstream, type TestUpstream } from "./index.ts";

let upstream: TestUpstream;

beforeAll(async () => {
  upstream = await startTestUpstream({ projects: 20, seed: 2 });
});
afterAll(async () => {
  await upstream.stop();
});

function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${upstream.indexUrl}${path}`, { headers, redirect: "manual" });
}

const INFO_KEYS = [
  "author",
  "author_email",
  "bugtrack_url",
  "classifiers",
  "description",
  "description_content_type",
  "docs_url",
  "download_url",
  "downloads",
  "dynamic",
  "home_page",
  "keywords",
  "license",
  "license_expression",
  "license_files",
  "maintainer",
  "maintainer_email",
  "name",
  "package_url",
  "platform",
  "project_url",
  "project_urls",
  "provides_extra",
  "release_url",
  "requires_dist",
  "requires_python",
  "summary",
  "version",
  "yanked",
  "yanked_reason",
];
const FILE_KEYS = [
  "comment_text",
  "core-metadata",
  "digests",
  "downloads",
  "filename",
  "has_sig",
  "md5_digest",
  "packagetype",
  "python_version",
  "requires_python",
  "size",
  "upload_time",
  "upload_time_iso_8601",
  "url",
  "yanked",
  "yanked_reason",
];

describe("GET /pypi/<project>/json", () => {
  test("has the B.4 shape: info, last_serial, releases, urls, vulnerabilities, per-file digests", async () => {
    const summary = upstream
      .listProjects()
      .find((project) => upstream.project(project.name)!.releases.length > 1)!;
    const response = await get(`/pypi/${summary.normalized}/json`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/json");
    expect(response.headers.get("X-PyPI-Last-Serial")).toBe(String(summary.serial));
    const text = await response.text();
    expect(text.endsWith("\n")).toBe(true);
    const body = JSON.parse(text);
    expect(Object.keys(body)).toEqual([
      "info",
      "last_serial",
      "ownership",
      "releases",
      "urls",
      "vulnerabilities",
    ]);
    expect(Object.keys(body.info)).toEqual(INFO_KEYS);
    expect(body.info.name).toBe(summary.name);
    expect(body.last_serial).toBe(summary.serial);
    const view = upstream.project(summary.normalized)!;
    expect(Object.keys(body.releases)).toEqual([...view.releases].sort());
    for (const [version, files] of Object.entries(body.releases) as [string, Record<string, unknown>[]][]) {
      for (const entry of files) {
        expect(Object.keys(entry)).toEqual(FILE_KEYS);
        const file = upstream.file(entry.filename as string)!;
        expect(file.version).toBe(version);
        expect(entry.digests).toEqual({ blake2b_256: file.blake2b256, md5: file.md5, sha256: file.sha256 });
        expect(entry.md5_digest).toBe(file.md5);
        expect(entry.size).toBe(file.size);
        expect(entry.url).toBe(file.url);
        expect(entry.packagetype).toBe(file.filename.endsWith(".whl") ? "bdist_wheel" : "sdist");
        expect(entry.python_version).toBe(file.pythonVersion);
        expect(entry.upload_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
        expect(entry.upload_time_iso_8601).toBe(file.uploadTime);
        expect(entry.yanked).toBe(file.yanked !== false);
        expect(entry.yanked_reason).toBe(typeof file.yanked === "string" ? file.yanked : null);
        expect(entry["core-metadata"]).toEqual(file.metadataSha256 ? { sha256: file.metadataSha256 } : false);
      }
    }
    const urlsVersion = new Set(
      body.urls.map((entry: { filename: string }) => upstream.file(entry.filename)!.version),
    );
    expect([...urlsVersion]).toEqual([body.info.version]);
  });

  test("info.version is the highest non-yanked final release when there is one", async () => {
    let checked = 0;
    for (const summary of upstream.listProjects()) {
      const view = upstream.project(summary.normalized)!;
      const finals = view.releases.filter(
        (version) =>
          /^\d+(\.\d+)*$/.test(version) &&
          view.files.some((file) => file.version === version && file.yanked === false),
      );
      if (finals.length === 0) continue;
      const expected = finals.sort(compare).at(-1);
      const body = (await (await get(`/pypi/${summary.normalized}/json`)).json()) as AnyJson;
      expect(body.info.version).toBe(expected);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(5);
  });

  test("any spelling of the name is served without a redirect; a trailing slash redirects", async () => {
    const summary = upstream.listProjects().find((project) => project.name !== project.normalized)!;
    const response = await get(`/pypi/${encodeURIComponent(summary.name.toUpperCase())}/json`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as AnyJson).info.name).toBe(summary.name);
    const slash = await get(`/pypi/${summary.normalized}/json/`);
    expect(slash.status).toBe(301);
    expect(slash.headers.get("Location")).toBe(`/pypi/${summary.normalized}/json`);
  });

  test("the version route has no releases key and lists that version's files", async () => {
    const file = upstream.allFiles()[0]!;
    const body = (await (await get(`/pypi/${file.project}/${file.version}/json`)).json()) as AnyJson;
    expect(body.releases).toBeUndefined();
    expect(body.info.version).toBe(file.version);
    expect(body.urls.map((entry: { filename: string }) => entry.filename)).toContain(file.filename);
  });

  test('unknown project, unknown version and zero-release projects are 404 {"message": "Not Found"}', async () => {
    await upstream.createProject("Empty.Project", { versions: [] });
    for (const path of [
      "/pypi/no-such-thing/json",
      `/pypi/${upstream.listProjects()[0]!.normalized}/99.99/json`,
      "/pypi/empty-project/json",
    ]) {
      const response = await get(path);
      expect(response.status).toBe(404);
      expect(response.headers.get("Content-Type")).toBe("application/json");
      expect(await response.text()).toBe('{"message": "Not Found"}');
    }
    const simple = await get("/simple/empty-project/", { Accept: "application/vnd.pypi.simple.v1+json" });
    expect(simple.status).toBe(200);
    expect(((await simple.json()) as AnyJson).files).toEqual([]);
  });
});

describe("GET /integrity/<project>/<version>/<filename>/provenance", () => {
  test("serves a PEP 740 provenance object for files that have one", async () => {
    const file = upstream.allFiles().find((each) => each.provenanceUrl)!;
    const response = await fetch(file.provenanceUrl!);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/vnd.pypi.integrity.v1+json");
    const body = (await response.json()) as AnyJson;
    expect(body.version).toBe(1);
    const bundle = body.attestation_bundles[0];
    expect(bundle.publisher.kind).toBe("GitHub");
    const statement = JSON.parse(Buffer.from(bundle.attestations[0].envelope.statement, "base64").toString());
    expect(statement.subject).toEqual([{ digest: { sha256: file.sha256 }, name: file.filename }]);
  });

  test("404 with a message for files without provenance; 406 for an unacceptable Accept", async () => {
    const file = upstream.allFiles().find((each) => !each.provenanceUrl)!;
    const response = await get(`/integrity/${file.project}/${file.version}/${file.filename}/provenance`);
    expect(response.status).toBe(404);
    expect((await response.json()) as AnyJson).toEqual({
      message: `No provenance available for ${file.filename}`,
    });
    const withProvenance = upstream.allFiles().find((each) => each.provenanceUrl)!;
    const refused = await fetch(withProvenance.provenanceUrl!, { headers: { Accept: "text/html" } });
    expect(refused.status).toBe(406);
    expect((await refused.json()) as AnyJson).toEqual({ message: "Request not acceptable" });
  });
});
