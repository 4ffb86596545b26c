/**
 * Project pages for the index tests, built by hand from bandersnatch's own fixtures:
 * `SIXTYNINE_METADATA` (test_simple_fixtures.py, a real PyPI document for project "69") and
 * the `Foo` package of conftest.py.
 */

import { join } from "node:path";
import type { PageOptions } from "../../src/index/links.ts";
import type { ProjectPage, ReleaseFile } from "../../src/upstream/types.ts";

export const GOLDEN_DIR = join(import.meta.dir, "golden");

/** The bytes of golden file `<name>.golden` (the suffix keeps linters and formatters off them). */
export async function golden(name: string): Promise<string> {
  return Bun.file(join(GOLDEN_DIR, `${name}.golden`)).text();
}

/** bandersnatch's defaults: sha256, core-metadata on, relative links, files mirrored. */
export const DEFAULT_OPTIONS: PageOptions = {
  digestName: "sha256",
  coreMetadata: true,
  rootUri: null,
  releaseFiles: true,
};

export const FILES_HOST = "https://files.example.org";

/** A release file with neutral defaults; `path` is the URL path after the host. */
export function releaseFile(
  filename: string,
  path: string,
  overrides: Partial<ReleaseFile> = {},
): ReleaseFile {
  return {
    filename,
    url: FILES_HOST + path,
    mirrorPath: decodeURIComponent(path.slice(1)),
    hashes: { sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
    requiresPython: null,
    size: 0,
    uploadTime: null,
    yanked: false,
    coreMetadata: undefined,
    provenance: null,
    version: null,
    packageType: "sdist",
    ...overrides,
  };
}

export function projectPage(overrides: Partial<ProjectPage> = {}): ProjectPage {
  return {
    name: "foo",
    displayName: "foo",
    serial: 654321,
    files: [],
    versions: null,
    projectStatus: null,
    jsonApi: null,
    ...overrides,
  };
}

export const SIXTY_NINE_0_69 = releaseFile(
  "69-0.69.tar.gz",
  "/packages/d3/cc/95dc5434362bd333a1fec275231775d748315b26edf1e7e568e6f8660238/69-0.69.tar.gz",
  {
    hashes: {
      md5: "4328d962656395fbd3e730c9d30bb48c",
      sha256: "5c11f48399f9b1bca802751513f1f97bff6ce97e6facb576b7729e1351453c10",
    },
    requiresPython: ">=3.6",
    size: 1078,
    uploadTime: "2018-05-17T03:37:19.330556Z",
    version: "0.69",
  },
);

export const SIXTY_NINE_6_9 = releaseFile(
  "69-6.9.tar.gz",
  "/packages/7b/6e/7c4ce77c6ca092e94e19b78282b459e7f8270362da655cbc6a75eeb9cdd7/69-6.9.tar.gz",
  {
    hashes: {
      md5: "ff4bf804ef3722a1fd8853a8a32513d4",
      sha256: "0c8deb7c8574787283c3fc08b714ee63fd6752a38d13515a9d8508798d428597",
    },
    requiresPython: ">=3.6",
    size: 1077,
    uploadTime: "2018-05-17T03:47:45.953704Z",
    version: "6.9",
  },
);

/** The "69" project as bandersnatch's fixture has it (files deliberately out of order). */
export function sixtyNinePage(): ProjectPage {
  return projectPage({
    name: "69",
    displayName: "69",
    serial: 10333928,
    files: [SIXTY_NINE_6_9, SIXTY_NINE_0_69],
    versions: ["0.69", "6.9"],
  });
}

export const CORE_METADATA_SHA256 = "ab".repeat(32);
export const PROVENANCE_URL = "https://index.example.org/integrity/69/6.9/69-6.9.tar.gz/provenance";

/** "69" with the yank reason and core-metadata of reference §3.4, plus PEP 740/792 data. */
export function sixtyNineVariantPage(): ProjectPage {
  return projectPage({
    name: "69",
    displayName: "69",
    serial: 10333928,
    files: [
      { ...SIXTY_NINE_6_9, coreMetadata: { sha256: CORE_METADATA_SHA256 }, provenance: PROVENANCE_URL },
      { ...SIXTY_NINE_0_69, yanked: 'broken <release> & "bad"', coreMetadata: false },
    ],
    versions: ["0.69", "6.9"],
    projectStatus: { status: "active" },
  });
}

const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** bandersnatch conftest.py's `Foo` 0.1 (legacy `/packages/<pyver>/f/foo/` paths). */
export function fooPage(displayName = "Foo"): ProjectPage {
  return projectPage({
    name: "foo",
    displayName,
    serial: 654321,
    files: [
      releaseFile("foo.zip", "/packages/any/f/foo/foo.zip", {
        hashes: { md5: "6bd3ddc295176f4dca196b5eb2c4d858", sha256: EMPTY_SHA256 },
        size: 0,
        uploadTime: "2000-02-02T01:23:45.123456Z",
        version: "0.1",
      }),
      releaseFile("foo.whl", "/packages/2.7/f/foo/foo.whl", {
        hashes: { md5: "6bd3ddc295176f4dca196b5eb2c4d858", sha256: EMPTY_SHA256 },
        size: 12345,
        uploadTime: "2000-03-03T01:23:45.123456Z",
        version: "0.1",
        packageType: "bdist_wheel",
      }),
    ],
  });
}
