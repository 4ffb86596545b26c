import { describe, expect, test } from "bun:test";
import { MIRROR_OPTION_SPECS } from "../../src/config/options.ts";
import { closestName, editDistance, foldOptionName } from "../../src/config/suggest.ts";

const KNOWN = MIRROR_OPTION_SPECS.map((spec) => spec.name);

describe("closestName", () => {
  const cases: Record<string, string> = {
    worker: "workers",
    wokers: "workers",
    "keep-index-versions": "keep_index_versions",
    Json: "json",
    "digest-name": "digest_name",
    "root-uri": "root_uri",
    storage_backend: "storage-backend",
    timout: "timeout",
    "global-time-out": "global-timeout",
    diff_file: "diff-file",
    "download-concurency": "download-concurrency",
    "max-bandwith": "max-bandwidth",
    "allowed-file-host": "allowed-file-hosts",
    api_method: "api-method",
    mastr: "master",
    verifier: "verifiers",
  };
  for (const [typed, meant] of Object.entries(cases)) {
    test(`${typed} → ${meant}`, () => {
      expect(closestName(typed, KNOWN)).toBe(meant);
    });
  }

  test("nothing plausible, no suggestion", () => {
    for (const typed of ["colour", "xyz", "packages", "enabled", "a"])
      expect(closestName(typed, KNOWN)).toBeUndefined();
  });

  test("an exact name is never suggested to itself", () => {
    expect(closestName("workers", ["workers"])).toBeUndefined();
  });
});

describe("helpers", () => {
  test("foldOptionName folds case and - versus _", () => {
    expect(foldOptionName("Keep_Index-Versions")).toBe("keep-index-versions");
  });

  test("editDistance counts an adjacent swap as one edit", () => {
    expect(editDistance("workers", "wokrers")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("kitten", "sitting")).toBe(3);
  });
});
