/**
 * Renders pages with a few lines of Python that follow bandersnatch 8's `simple.py`
 * (`generate_html_simple_page`, `gen_html_file_tags`, `find_core_metadata_digest`,
 * `sync_index_page`) and `json.dumps`, and compares bytes. Skipped without python3.
 */

import { expect, test } from "bun:test";
import type { PageOptions } from "../../src/index/links.ts";
import { renderProjectHtml } from "../../src/index/render-html.ts";
import { renderProjectJson } from "../../src/index/render-json.ts";
import { renderRootHtml, renderRootJson } from "../../src/index/render-root.ts";
import type { ProjectPage } from "../../src/upstream/types.ts";
import {
  DEFAULT_OPTIONS,
  fooPage,
  projectPage,
  releaseFile,
  sixtyNinePage,
  sixtyNineVariantPage,
} from "./fixtures.ts";

const PYTHON = Bun.which("python3");

const SCRIPT = String.raw`
import hashlib, html, json, sys
from urllib.parse import urlparse

def find_core_metadata_digest(release_file, preferred_digest="sha256"):
    core_metadata = release_file.get("core-metadata")
    if not isinstance(core_metadata, dict):
        return None
    for digest_name in (preferred_digest, "sha256"):
        digest = core_metadata.get(digest_name)
        if isinstance(digest, str) and digest:
            return digest_name, digest
    for digest_name, digest in sorted(core_metadata.items()):
        if digest_name in hashlib.algorithms_available and isinstance(digest, str) and digest:
            return digest_name, digest
    return None

def gen_html_file_tags(release, opts):
    file_tags = ""
    if "requires_python" in release and release["requires_python"] is not None:
        file_tags += f' data-requires-python="{html.escape(release["requires_python"])}"'
    if opts["coreMetadata"]:
        metadata_digest = find_core_metadata_digest(release, opts["digestName"])
        if metadata_digest:
            metadata_attr = "=".join(metadata_digest)
            file_tags += f' data-core-metadata="{metadata_attr}" data-dist-info-metadata="{metadata_attr}"'
    if "yanked" in release and release["yanked"]:
        if "yanked_reason" in release and release["yanked_reason"]:
            file_tags += f' data-yanked="{html.escape(release["yanked_reason"])}"'
        else:
            file_tags += ' data-yanked=""'
    return file_tags

def local_url(url, opts):
    parsed = urlparse(url)
    if not parsed.path.startswith("/packages"):
        raise RuntimeError(f"Got invalid download URL: {url}")
    prefix = opts["rootUri"] if opts["rootUri"] else "../.."
    return prefix + parsed.path

def generate_html_simple_page(page, opts):
    content = (
        "<!DOCTYPE html>\n<html>\n  <head>\n"
        '    <meta name="pypi:repository-version" content="{0}">\n'
        "    <title>Links for {1}</title>\n  </head>\n  <body>\n    <h1>Links for {1}</h1>\n"
    ).format("1.0", page["raw_name"])
    release_files = sorted(page["files"], key=lambda x: x["filename"])
    digest_name = opts["digestName"]
    content += "\n".join(
        '    <a href="{}#{}={}"{}>{}</a><br/>'.format(
            local_url(r["url"], opts), digest_name, r["digests"][digest_name], gen_html_file_tags(r, opts), r["filename"])
        for r in release_files)
    return content + f"\n  </body>\n</html>\n<!--SERIAL {page['last_serial']}-->"

def generate_json_page(page, opts):
    # bunsnatch's documented superset of bandersnatch's generate_json_simple_page.
    digest_name = opts["digestName"]
    files = []
    for r in sorted(page["files"], key=lambda x: x["filename"]):
        hashes = {digest_name: r["digests"][digest_name]}
        if "sha256" in r["digests"]:
            hashes.setdefault("sha256", r["digests"]["sha256"])
        for k in sorted(r["digests"]):
            hashes.setdefault(k, r["digests"][k])
        entry = {"filename": r["filename"], "hashes": hashes, "requires-python": r.get("requires_python")}
        if r.get("size") is not None:
            entry["size"] = r["size"]
        if r.get("upload_time_iso_8601") is not None:
            entry["upload-time"] = r["upload_time_iso_8601"]
        entry["url"] = local_url(r["url"], opts)
        entry["yanked"] = (r.get("yanked_reason") or True) if r.get("yanked") else False
        if opts["coreMetadata"]:
            if r.get("core-metadata") is False:
                entry["core-metadata"] = False
            elif find_core_metadata_digest(r, digest_name):
                entry["core-metadata"] = r["core-metadata"]
        if r.get("provenance") is not None:
            entry["provenance"] = r["provenance"]
        files.append(entry)
    doc = {"files": files, "meta": {"api-version": "1.4", "_last-serial": page["last_serial"]}, "name": page["name"]}
    if page.get("project_status"):
        doc["project-status"] = page["project_status"]
    if page["versions"] is not None:
        doc["versions"] = page["versions"]
    else:
        seen = [r["version"] for r in sorted(page["files"], key=lambda x: x["filename"]) if r["version"] is not None]
        doc["versions"] = list(dict.fromkeys(seen))
    return json.dumps(doc)

def root_html(names):
    out = ["<!DOCTYPE html>\n", "<html>\n", "  <head>\n",
           '    <meta name="pypi:repository-version" content="1.0">\n',
           "    <title>Simple Index</title>\n", "  </head>\n", "  <body>\n"]
    for pkg in sorted(set(names)):
        out.append(f'    <a href="{pkg}/">{pkg}</a><br/>\n')
    out.append("  </body>\n</html>")
    return "".join(out)

def root_json(projects, serial):
    projects = sorted(projects, key=lambda p: p["normalized"])
    return json.dumps({"meta": {"_last-serial": serial, "api-version": "1.4"},
                       "projects": [{"_last-serial": p["serial"], "name": p["name"]} for p in projects]})

data = json.load(sys.stdin)
out = {"pages": [{"html": generate_html_simple_page(c["page"], c["options"]),
                  "json": generate_json_page(c["page"], c["options"])} for c in data["cases"]],
       "rootHtml": root_html(data["rootNames"]),
       "rootJson": root_json(data["rootProjects"], data["rootSerial"])}
sys.stdout.write(json.dumps(out))
`;

/** The page in the shape bandersnatch reads (the JSON API's per-file keys). */
function toBandersnatchInput(page: ProjectPage) {
  return {
    raw_name: page.displayName,
    name: page.name,
    last_serial: page.serial,
    versions: page.versions,
    project_status: page.projectStatus,
    files: page.files.map((file) => ({
      url: file.url,
      filename: file.filename,
      digests: file.hashes,
      ...(file.requiresPython === null ? {} : { requires_python: file.requiresPython }),
      yanked: file.yanked !== false,
      yanked_reason: typeof file.yanked === "string" ? file.yanked : null,
      ...(file.coreMetadata === undefined ? {} : { "core-metadata": file.coreMetadata }),
      size: file.size,
      upload_time_iso_8601: file.uploadTime,
      provenance: file.provenance,
      version: file.version,
    })),
  };
}

function trickyPage(): ProjectPage {
  const names = [
    "z-1.0.tar.gz",
    "Z-1.0.tar.gz",
    "_z-1.0.tar.gz",
    "é-1.0.tar.gz",
    "\u{1F600}-1.0.tar.gz",
    "\uFFFD-1.0.tar.gz",
    "a%2Bb-1.0.tar.gz",
  ];
  return projectPage({
    name: "tricky",
    displayName: "Tricky",
    serial: 7,
    versions: ["1.0"],
    projectStatus: { status: "archived", reason: "moved \u2192 elsewhere" },
    files: names.map((name, index) =>
      releaseFile(name, `/packages/${index}/${encodeURIComponent(name)}`, {
        hashes: { sha256: `${index}`.repeat(64), md5: `${index}`.repeat(32), sha512: "f".repeat(128) },
        requiresPython: index % 3 === 0 ? null : index % 3 === 1 ? `>=3.8,!='3.9.*'` : "",
        yanked: index === 1 ? true : index === 2 ? `unsafe <b>"x"</b> & café \u{1F600}\u0001` : false,
        coreMetadata: [
          undefined,
          true,
          false,
          { sha256: "cd" },
          { md5: "ef", sha512: "aa" },
          {},
          { blake2b_256: "x" },
        ][index],
        size: index === 3 ? null : index * 100,
        uploadTime: index === 4 ? null : "2024-01-01T00:00:00.123456Z",
        provenance: index === 5 ? "https://index.example.org/integrity/tricky/1.0/x/provenance" : null,
      }),
    ),
  });
}

const CASES: { page: ProjectPage; options: PageOptions }[] = [
  { page: sixtyNinePage(), options: DEFAULT_OPTIONS },
  { page: sixtyNineVariantPage(), options: DEFAULT_OPTIONS },
  {
    page: fooPage("Foo.bar-thing_other"),
    options: { ...DEFAULT_OPTIONS, rootUri: "https://files.example.org" },
  },
  { page: projectPage({ versions: [] }), options: DEFAULT_OPTIONS },
  { page: trickyPage(), options: DEFAULT_OPTIONS },
  { page: trickyPage(), options: { ...DEFAULT_OPTIONS, digestName: "md5" } },
  { page: trickyPage(), options: { ...DEFAULT_OPTIONS, coreMetadata: false } },
];

const ROOT_NAMES = ["foo", "69", "a-b", "a", "aa", "\u00e9", "Z", "_x", "foo"];
const ROOT_PROJECTS = [
  { name: "Zope.Interface", serial: 5, normalized: "zope-interface" },
  { name: "caf\u00e9", serial: 9, normalized: "caf\u00e9" },
  { name: "Foo", serial: 3, normalized: "foo" },
  { name: "foo_a", serial: 4, normalized: "foo-a" },
];

test.skipIf(PYTHON === null)(
  "pages match a Python rendering with bandersnatch's logic, byte for byte",
  () => {
    const input = {
      cases: CASES.map(({ page, options }) => ({ page: toBandersnatchInput(page), options })),
      rootNames: ROOT_NAMES,
      rootProjects: ROOT_PROJECTS,
      rootSerial: 12,
    };
    const result = Bun.spawnSync([PYTHON!, "-c", SCRIPT], { stdin: Buffer.from(JSON.stringify(input)) });
    expect(result.stderr.toString()).toBe("");
    const expected = JSON.parse(result.stdout.toString());
    CASES.forEach(({ page, options }, index) => {
      expect(renderProjectHtml(page, options)).toBe(expected.pages[index].html);
      expect(renderProjectJson(page, options)).toBe(expected.pages[index].json);
    });
    expect(renderRootHtml(ROOT_NAMES)).toBe(expected.rootHtml);
    expect(
      renderRootJson(
        ROOT_PROJECTS.map(({ name, serial }) => ({ name, serial })),
        12,
      ),
    ).toBe(expected.rootJson);
  },
);
