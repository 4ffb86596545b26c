import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { AnyJson } from "./client.ts";
import { MARKUP_YANK_REASON, normalizeName, startTestUpstream, type TestUpstream } from "./index.ts";

const V1_JSON = "application/vnd.pypi.simple.v1+json";
const V1_HTML = "application/vnd.pypi.simple.v1+html";

let upstream: TestUpstream;

beforeAll(async () => {
  upstream = await startTestUpstream({ projects: 20, seed: 1 });
});
afterAll(async () => {
  await upstream.stop();
});

function get(path: string, accept?: string, extra: Record<string, string> = {}): Promise<Response> {
  const headers: Record<string, string> = { ...extra };
  if (accept !== undefined) headers.Accept = accept;
  return fetch(`${upstream.indexUrl}${path}`, { headers, redirect: "manual" });
}

/** A project whose display name differs from its normalized name. */
function mixedCaseProject() {
  const project = upstream.listProjects().find((summary) => summary.name !== summary.normalized);
  if (!project) throw new Error("no project with a non-normalized display name");
  return project;
}

describe("content negotiation", () => {
  const cases: [string | undefined, string | null, string][] = [
    [undefined, null, "text/html; charset=utf-8"],
    ["*/*", null, "text/html; charset=utf-8"],
    ["text/html", null, "text/html; charset=utf-8"],
    ["application/x-unknown", null, "text/html; charset=utf-8"],
    [V1_HTML, null, V1_HTML],
    ["application/vnd.pypi.simple.latest+html", null, V1_HTML],
    [V1_JSON, null, V1_JSON],
    ["application/vnd.pypi.simple.latest+json", null, V1_JSON],
    [`${V1_JSON}, ${V1_HTML};q=0.2, text/html;q=0.01`, null, V1_JSON],
    [`${V1_JSON};q=0.1, text/html`, null, "text/html; charset=utf-8"],
    [`text/html;q=0.5, ${V1_JSON};q=0.9`, null, V1_JSON],
    [`${V1_JSON};q=0`, null, "text/html; charset=utf-8"],
    ["text/html", V1_JSON, V1_JSON],
    [V1_JSON, "text/html", "text/html; charset=utf-8"],
    [V1_JSON, "bogus", V1_JSON],
  ];
  for (const [accept, format, expected] of cases) {
    test(`Accept ${accept ?? "(none)"} with format=${format ?? "(none)"} answers ${expected}`, async () => {
      const query = format ? `?format=${encodeURIComponent(format)}` : "";
      const response = await get(`/simple/${query}`, accept);
      expect(response.status).toBe(200);
      expect(response.headers.get("Content-Type")).toBe(expected);
      expect(response.headers.get("Vary")).toBe("Accept");
      await response.arrayBuffer();
    });
  }

  test("the JSON content type carries no parameters on project pages either", async () => {
    const { normalized } = upstream.listProjects()[0]!;
    const response = await get(`/simple/${normalized}/`, V1_JSON);
    expect(response.headers.get("Content-Type")).toBe(V1_JSON);
  });
});

describe("GET /simple/", () => {
  test("JSON lists every non-quarantined project by normalized name, with display names and serials", async () => {
    const response = await get("/simple/", V1_JSON);
    const text = await response.text();
    expect(text.endsWith("}\n")).toBe(true);
    const body = JSON.parse(text);
    expect(Object.keys(body)).toEqual(["meta", "projects"]);
    expect(body.meta).toEqual({ "_last-serial": upstream.lastSerial(), "api-version": "1.4" });
    expect(response.headers.get("X-PyPI-Last-Serial")).toBe(String(upstream.lastSerial()));
    const expected = upstream
      .listProjects()
      .map((project) => ({ "_last-serial": project.serial, name: project.name }));
    expect(body.projects).toEqual(expected);
    const normalized = body.projects.map((project: { name: string }) => normalizeName(project.name));
    expect(normalized).toEqual([...normalized].sort());
  });

  test("HTML links each project at /simple/<normalized>/ with its display name", async () => {
    const response = await get("/simple/");
    const html = await response.text();
    expect(html).toContain('<meta name="pypi:repository-version" content="1.4">');
    for (const project of upstream.listProjects())
      expect(html).toContain(`<a href="/simple/${project.normalized}/">${project.name}</a>`);
    expect(response.headers.get("X-PyPI-Last-Serial")).toBe(String(upstream.lastSerial()));
  });

  test("/simple without a slash redirects to /simple/", async () => {
    const response = await get("/simple");
    expect(response.status).toBe(301);
    expect(response.headers.get("Location")).toBe("/simple/");
  });

  test("ETag and If-None-Match give 304", async () => {
    const first = await get("/simple/", V1_JSON);
    await first.arrayBuffer();
    const etag = first.headers.get("ETag");
    expect(etag).toMatch(/^"[A-Za-z0-9+/]{22}"$/);
    const second = await get("/simple/", V1_JSON, { "If-None-Match": etag! });
    expect(second.status).toBe(304);
    expect(second.headers.get("X-PyPI-Last-Serial")).toBe(String(upstream.lastSerial()));
  });
});

describe("GET /simple/<project>/", () => {
  test("JSON page has the PEP 691/700/714/740/792 shape with sorted keys and a trailing newline", async () => {
    const summary = upstream.listProjects()[3]!;
    const response = await get(`/simple/${summary.normalized}/`, V1_JSON);
    const text = await response.text();
    expect(text.endsWith("\n")).toBe(true);
    const body = JSON.parse(text);
    expect(Object.keys(body)).toEqual(["files", "meta", "name", "project-status", "versions"]);
    expect(body.name).toBe(summary.normalized);
    expect(body.meta).toEqual({ "_last-serial": summary.serial, "api-version": "1.4" });
    expect(body["project-status"]).toEqual({ status: "active" });
    expect(response.headers.get("X-PyPI-Last-Serial")).toBe(String(summary.serial));
    const view = upstream.project(summary.normalized)!;
    expect(body.versions).toEqual(view.versions);
    expect(body.files).toHaveLength(view.files.length);
    for (const entry of body.files) {
      expect(Object.keys(entry)).toEqual([
        "core-metadata",
        "data-dist-info-metadata",
        "filename",
        "hashes",
        "provenance",
        "requires-python",
        "size",
        "upload-time",
        "url",
        "yanked",
      ]);
      const file = upstream.file(entry.filename)!;
      expect(entry.url).toBe(file.url);
      expect(entry.url.startsWith(`${upstream.filesUrl}/packages/`)).toBe(true);
      expect(entry.hashes).toEqual({ sha256: file.sha256 });
      expect(entry.size).toBe(file.size);
      expect(entry["core-metadata"]).toEqual(entry["data-dist-info-metadata"]);
      if (entry.filename.endsWith(".whl"))
        expect(entry["core-metadata"]).toEqual({ sha256: file.metadataSha256 });
      else expect(entry["core-metadata"]).toBe(false);
      expect(entry["upload-time"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
    }
  });

  test("files are ordered by version, then filename", async () => {
    const summary = upstream
      .listProjects()
      .find((project) => upstream.project(project.name)!.versions.length > 2)!;
    const body = (await (await get(`/simple/${summary.normalized}/`, V1_JSON)).json()) as AnyJson;
    const versions: string[] = body.versions;
    const order = body.files.map((entry: { filename: string }) => {
      const file = upstream.file(entry.filename)!;
      return [versions.indexOf(file.version), entry.filename] as const;
    });
    const sorted = [...order].sort((left, right) => left[0] - right[0] || (left[1] < right[1] ? -1 : 1));
    expect(order).toEqual(sorted);
  });

  test("upload-time drops the fraction when microseconds are 0, and keeps 6 digits otherwise", () => {
    const times = upstream.allFiles().map((file) => file.uploadTime);
    expect(times.some((time) => /:\d\dZ$/.test(time))).toBe(true);
    expect(times.some((time) => /\.\d{6}Z$/.test(time))).toBe(true);
  });

  test("HTML page follows Warehouse's template and escapes attribute values", async () => {
    const yanked = upstream.allFiles().find((file) => file.yanked === MARKUP_YANK_REASON)!;
    const response = await get(`/simple/${yanked.project}/`);
    const html = await response.text();
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">\n  <head>\n')).toBe(true);
    expect(html).toContain('<meta name="pypi:project-status" content="active">');
    expect(html).toContain(`<title>Links for ${yanked.project}</title>`);
    expect(html).toContain(`<h1>Links for ${yanked.project}</h1>`);
    expect(html).toContain('data-yanked="broken &lt;release&gt; &amp; &#34;bad&#34;"');
    expect(html).not.toContain("<release>");
    expect(html.endsWith(`<!--SERIAL ${upstream.project(yanked.project)!.serial}-->`)).toBe(true);
    const anchor = html.split("\n").find((line) => line.includes(`>${yanked.filename}</a>`))!;
    expect(anchor).toContain(`href="${yanked.url}#sha256=${yanked.sha256}"`);
    expect(anchor.endsWith("</a><br />")).toBe(true);
  });

  test("HTML anchors carry requires-python escaped, metadata, provenance; bare anchors keep the space before >", async () => {
    const files = upstream.allFiles();
    const withPython = files.find((file) => file.requiresPython?.includes(">") && file.metadataSha256)!;
    const html = await (await get(`/simple/${withPython.project}/`)).text();
    const anchor = html.split("\n").find((line) => line.includes(`>${withPython.filename}</a>`))!;
    expect(anchor).toContain(
      `data-requires-python="${withPython.requiresPython!.replace(/>/g, "&gt;").replace(/</g, "&lt;")}"`,
    );
    expect(anchor).toContain(
      `data-dist-info-metadata="sha256=${withPython.metadataSha256}" data-core-metadata="sha256=${withPython.metadataSha256}"`,
    );

    const withProvenance = files.find((file) => file.provenanceUrl)!;
    const provenanceHtml = await (await get(`/simple/${withProvenance.project}/`)).text();
    expect(provenanceHtml).toContain(
      ` data-provenance="${withProvenance.provenanceUrl}">${withProvenance.filename}</a>`,
    );

    const bare = files.find((file) => !file.requiresPython && !file.yanked && !file.metadataSha256)!;
    const bareHtml = await (await get(`/simple/${bare.project}/`)).text();
    expect(bareHtml).toContain(`<a href="${bare.url}#sha256=${bare.sha256}" >${bare.filename}</a><br />`);
  });

  test("JSON yanked is the reason string, true without reason, false otherwise", async () => {
    const files = upstream.allFiles();
    const reasonless = files.find((file) => file.yanked === true);
    const withReason = files.find((file) => typeof file.yanked === "string")!;
    for (const file of [reasonless, withReason].filter((each) => each !== undefined)) {
      const body = (await (await get(`/simple/${file!.project}/`, V1_JSON)).json()) as AnyJson;
      const entry = body.files.find((each: { filename: string }) => each.filename === file!.filename);
      expect(entry.yanked).toEqual(file!.yanked);
    }
  });

  test("a non-normalized name redirects to the normalized one", async () => {
    const project = mixedCaseProject();
    const response = await get(`/simple/${encodeURIComponent(project.name)}/`);
    expect(response.status).toBe(301);
    expect(response.headers.get("Location")).toBe(`/simple/${project.normalized}/`);
  });

  test("a missing trailing slash redirects (before normalization)", async () => {
    const project = mixedCaseProject();
    const response = await get(`/simple/${project.name}`);
    expect(response.status).toBe(301);
    expect(response.headers.get("Location")).toBe(`/simple/${project.name}/`);
    const followed = await fetch(`${upstream.indexUrl}/simple/${project.name}`, {
      headers: { Accept: V1_JSON },
    });
    expect(followed.status).toBe(200);
    expect(followed.url).toBe(`${upstream.indexUrl}/simple/${project.normalized}/`);
    expect(((await followed.json()) as AnyJson).name).toBe(project.normalized);
  });

  test("an unknown project is 404 text/plain '404 Not Found'", async () => {
    const response = await get("/simple/no-such-project/", V1_JSON);
    expect(response.status).toBe(404);
    expect(response.headers.get("Content-Type")).toStartWith("text/plain");
    expect(await response.text()).toBe("404 Not Found");
  });

  test("ETag on project pages differs per format and honours If-None-Match", async () => {
    const { normalized } = upstream.listProjects()[1]!;
    const json = await get(`/simple/${normalized}/`, V1_JSON);
    const html = await get(`/simple/${normalized}/`);
    await json.arrayBuffer();
    await html.arrayBuffer();
    expect(json.headers.get("ETag")).not.toBe(html.headers.get("ETag"));
    const cached = await get(`/simple/${normalized}/`, V1_JSON, {
      "If-None-Match": json.headers.get("ETag")!,
    });
    expect(cached.status).toBe(304);
  });
});
