import { describe, expect, test } from "bun:test";
import type { PageOptions } from "../../src/index/links.ts";
import { renderProjectJson } from "../../src/index/render-json.ts";
import { pythonJsonDumps } from "../../src/packaging/python-compat.ts";
import type { ReleaseFile } from "../../src/upstream/types.ts";
import {
  DEFAULT_OPTIONS,
  golden,
  PROVENANCE_URL,
  projectPage,
  releaseFile,
  sixtyNinePage,
  sixtyNineVariantPage,
} from "./fixtures.ts";

/** bandersnatch's EXPECTED_SIMPLE_SIXTYNINE_JSON_1_1 (test_simple_fixtures.py), verbatim. */
const BANDERSNATCH_SIXTYNINE_JSON =
  '{"files": [{"filename": "69-0.69.tar.gz", "hashes": {"sha256": "5c11f48399f9b1bca802751513f1f97bff6ce97e6facb576b7729e1351453c10"}, "requires-python": ">=3.6", "size": 1078, "upload-time": "2018-05-17T03:37:19.330556Z", "url": "../../packages/d3/cc/95dc5434362bd333a1fec275231775d748315b26edf1e7e568e6f8660238/69-0.69.tar.gz", "yanked": false}, {"filename": "69-6.9.tar.gz", "hashes": {"sha256": "0c8deb7c8574787283c3fc08b714ee63fd6752a38d13515a9d8508798d428597"}, "requires-python": ">=3.6", "size": 1077, "upload-time": "2018-05-17T03:47:45.953704Z", "url": "../../packages/7b/6e/7c4ce77c6ca092e94e19b78282b459e7f8270362da655cbc6a75eeb9cdd7/69-6.9.tar.gz", "yanked": false}], "meta": {"api-version": "1.1", "_last-serial": "10333928"}, "name": "69", "versions": ["0.69", "6.9"]}';

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON under test
type Parsed = any;

function render(files: ReleaseFile[], options: PageOptions = DEFAULT_OPTIONS): Parsed {
  return JSON.parse(renderProjectJson(projectPage({ files }), options));
}

const plainFile = releaseFile("x-1.0.tar.gz", "/packages/x-1.0.tar.gz", { version: "1.0" });

describe("renderProjectJson: goldens", () => {
  test("the 69 fixture renders byte for byte", async () => {
    expect(renderProjectJson(sixtyNinePage(), DEFAULT_OPTIONS)).toBe(await golden("69.v1_json"));
  });

  test("the 69 variant (yank reason, core-metadata, provenance, status) renders byte for byte", async () => {
    expect(renderProjectJson(sixtyNineVariantPage(), DEFAULT_OPTIONS)).toBe(
      await golden("69-yanked-core-metadata.v1_json"),
    );
  });

  test("undoing the documented differences gives bandersnatch's own bytes", () => {
    const ours: Parsed = JSON.parse(renderProjectJson(sixtyNinePage(), DEFAULT_OPTIONS));
    const theirs = {
      files: ours.files.map((file: Parsed) => ({
        filename: file.filename,
        hashes: { sha256: file.hashes.sha256 },
        "requires-python": file["requires-python"],
        size: file.size,
        "upload-time": file["upload-time"],
        url: file.url,
        yanked: file.yanked,
      })),
      meta: { "api-version": "1.1", "_last-serial": String(ours.meta["_last-serial"]) },
      name: ours.name,
      versions: ours.versions,
    };
    expect(pythonJsonDumps(theirs)).toBe(BANDERSNATCH_SIXTYNINE_JSON);
  });

  test("one line, no trailing newline, Python separators", () => {
    const text = renderProjectJson(projectPage(), DEFAULT_OPTIONS);
    expect(text).toBe(
      '{"files": [], "meta": {"api-version": "1.4", "_last-serial": 654321}, "name": "foo", "versions": []}',
    );
  });
});

describe("renderProjectJson: fields", () => {
  test("meta carries api-version 1.4 and an integer _last-serial; name is the normalized name", () => {
    const page = JSON.parse(renderProjectJson(sixtyNinePage(), DEFAULT_OPTIONS));
    expect(page.meta).toEqual({ "api-version": "1.4", "_last-serial": 10333928 });
    expect(
      JSON.parse(renderProjectJson(projectPage({ name: "foo-bar", displayName: "Foo.Bar" }), DEFAULT_OPTIONS))
        .name,
    ).toBe("foo-bar");
  });

  test("yanked is the reason when there is one, else a boolean", () => {
    expect(render([{ ...plainFile, yanked: "broken <release>" }]).files[0].yanked).toBe("broken <release>");
    expect(render([{ ...plainFile, yanked: true }]).files[0].yanked).toBe(true);
    expect(render([{ ...plainFile, yanked: "" }]).files[0].yanked).toBe(true);
    expect(render([plainFile]).files[0].yanked).toBe(false);
  });

  test("hashes lists every digest: digest_name first, then sha256, then by name", () => {
    const file = { ...plainFile, hashes: { sha256: "aa", md5: "bb", blake2b_256: "cc" } };
    expect(renderProjectJson(projectPage({ files: [file] }), DEFAULT_OPTIONS)).toContain(
      '"hashes": {"sha256": "aa", "blake2b_256": "cc", "md5": "bb"}',
    );
    const md5 = { ...DEFAULT_OPTIONS, digestName: "md5" };
    expect(renderProjectJson(projectPage({ files: [file] }), md5)).toContain(
      '"hashes": {"md5": "bb", "sha256": "aa", "blake2b_256": "cc"}',
    );
  });

  test("requires-python is null when absent; size and upload-time are omitted when unknown", () => {
    const entry = render([{ ...plainFile, size: null, uploadTime: null }]).files[0];
    expect(entry["requires-python"]).toBeNull();
    expect("size" in entry).toBe(false);
    expect("upload-time" in entry).toBe(false);
    const full = render([
      { ...plainFile, size: 12, uploadTime: "2024-01-01T00:00:00Z", requiresPython: ">=3.9" },
    ]).files[0];
    expect(full.size).toBe(12);
    expect(full["upload-time"]).toBe("2024-01-01T00:00:00Z");
    expect(full["requires-python"]).toBe(">=3.9");
  });

  test("url follows the same rules as the HTML links", () => {
    expect(render([plainFile]).files[0].url).toBe("../../packages/x-1.0.tar.gz");
    const rootUri = { ...DEFAULT_OPTIONS, rootUri: "https://m.example.org" };
    expect(render([plainFile], rootUri).files[0].url).toBe("https://m.example.org/packages/x-1.0.tar.gz");
    const indexOnly = { ...DEFAULT_OPTIONS, releaseFiles: false };
    expect(render([plainFile], indexOnly).files[0].url).toBe(
      "https://files.example.org/packages/x-1.0.tar.gz",
    );
  });

  test("core-metadata: upstream's dict or false; omitted for true, absent or no usable hash", () => {
    const dict = { sha256: "cd", md5: "ef" };
    expect(render([{ ...plainFile, coreMetadata: dict }]).files[0]["core-metadata"]).toEqual(dict);
    expect(render([{ ...plainFile, coreMetadata: false }]).files[0]["core-metadata"]).toBe(false);
    expect("core-metadata" in render([{ ...plainFile, coreMetadata: true }]).files[0]).toBe(false);
    expect("core-metadata" in render([plainFile]).files[0]).toBe(false);
    expect("core-metadata" in render([{ ...plainFile, coreMetadata: { blake2b_256: "x" } }]).files[0]).toBe(
      false,
    );
  });

  test("core-metadata option off: no core-metadata key at all; never a dist-info-metadata key", () => {
    const off = { ...DEFAULT_OPTIONS, coreMetadata: false };
    const files = [
      { ...plainFile, coreMetadata: { sha256: "cd" } },
      { ...plainFile, filename: "y.whl", coreMetadata: false },
    ];
    const text = renderProjectJson(projectPage({ files }), off);
    expect(text).not.toContain("core-metadata");
    expect(renderProjectJson(projectPage({ files }), DEFAULT_OPTIONS)).not.toContain("dist-info-metadata");
  });

  test("provenance is the URL when there is one, omitted otherwise", () => {
    expect(render([{ ...plainFile, provenance: PROVENANCE_URL }]).files[0].provenance).toBe(PROVENANCE_URL);
    expect("provenance" in render([plainFile]).files[0]).toBe(false);
  });

  test("project-status is written when the page has one, with its reason", () => {
    const page = projectPage({ projectStatus: { status: "deprecated", reason: "use bar" } });
    expect(renderProjectJson(page, DEFAULT_OPTIONS)).toContain(
      '"name": "foo", "project-status": {"status": "deprecated", "reason": "use bar"}, "versions": []',
    );
    expect(renderProjectJson(projectPage(), DEFAULT_OPTIONS)).not.toContain("project-status");
  });

  test("versions: upstream's list in upstream order, including versions without files", () => {
    const page = projectPage({ files: [plainFile], versions: ["2.0", "1.0", "0.5"] });
    expect(JSON.parse(renderProjectJson(page, DEFAULT_OPTIONS)).versions).toEqual(["2.0", "1.0", "0.5"]);
  });

  test("versions without an upstream list: distinct file versions in page (file name) order", () => {
    const files = [
      releaseFile("x-2.0.tar.gz", "/packages/x-2.0.tar.gz", { version: "2.0" }),
      releaseFile("x-10.0.tar.gz", "/packages/x-10.0.tar.gz", { version: "10.0" }),
      releaseFile("x-2.0-py3-none-any.whl", "/packages/x-2.0-py3-none-any.whl", { version: "2.0" }),
      releaseFile("x-unknown.zip", "/packages/x-unknown.zip", { version: null }),
    ];
    expect(JSON.parse(renderProjectJson(projectPage({ files }), DEFAULT_OPTIONS)).versions).toEqual([
      "10.0",
      "2.0",
    ]);
  });

  test("non-ASCII text is escaped as \\uXXXX like Python's json.dumps", () => {
    const text = renderProjectJson(
      projectPage({ files: [{ ...plainFile, yanked: "naïve \u{1F600}" }] }),
      DEFAULT_OPTIONS,
    );
    expect(text).toContain('"yanked": "na\\u00efve \\ud83d\\ude00"');
    expect(/^[\x20-\x7e]*$/.test(text)).toBe(true);
    expect(JSON.parse(text).files[0].yanked).toBe("naïve \u{1F600}");
  });

  test("file keys come in bandersnatch's order, our additions after", () => {
    const file = { ...plainFile, size: 1, uploadTime: "t", coreMetadata: { sha256: "cd" }, provenance: "p" };
    expect(Object.keys(render([file]).files[0])).toEqual([
      "filename",
      "hashes",
      "requires-python",
      "size",
      "upload-time",
      "url",
      "yanked",
      "core-metadata",
      "provenance",
    ]);
  });
});
