/**
 * End to end: the plugins that choose versions and files — prerelease_release,
 * latest_release, exclude_platform — and `[wheel_tags]`. Each describe has its
 * own small upstream; each test mirrors it afresh with one config.
 */

import { afterAll, beforeAll, describe, test } from "bun:test";
import { expectMirror, mirrorWith } from "./filters-helpers.ts";
import { createFixture, type MirrorFixture } from "./harness.ts";

function sdists(distribution: string, versions: string[]) {
  return versions.map((version) => ({ version, files: [`${distribution}-${version}.tar.gz`] }));
}

function tarballs(distribution: string, versions: string[]): string[] {
  return versions.map((version) => `${distribution}-${version}.tar.gz`);
}

describe("prerelease_release", () => {
  let fixture: MirrorFixture;
  // bandersnatch's four regexes catch rc1, a1, b2, dev3; PEP 440 also finds c1, rc1.post1 and dev0+local.
  const VERSIONS = [
    "1.0",
    "1.1rc1",
    "1.2a1",
    "1.3b2",
    "1.4.dev3",
    "1.5c1",
    "1.6rc1.post1",
    "1.7.dev0+local",
    "2.0",
  ];
  const FINAL = ["1.0", "2.0"];

  beforeAll(async () => {
    fixture = await createFixture({ upstream: { projects: 0 } });
    await fixture.upstream.addProject({ name: "Mixed.Case", releases: sdists("mixed_case", VERSIONS) });
    await fixture.upstream.addProject({ name: "plain", releases: sdists("plain", VERSIONS) });
  });
  afterAll(async () => {
    await fixture.close();
  });

  test("without [filter_prerelease]: every project loses its pre-releases", async () => {
    await mirrorWith(fixture, "[plugins]\nenabled = prerelease_release\n");
    expectMirror(fixture, { "mixed-case": tarballs("mixed_case", FINAL), plain: tarballs("plain", FINAL) });
  });

  test("with [filter_prerelease] packages: only the listed projects, matched after normalization", async () => {
    await mirrorWith(
      fixture,
      `[plugins]
enabled = prerelease_release
[filter_prerelease]
packages =
    mixed-case
`,
    );
    expectMirror(fixture, {
      "mixed-case": tarballs("mixed_case", FINAL),
      plain: tarballs("plain", VERSIONS),
    });
  });
});

describe("latest_release", () => {
  let fixture: MirrorFixture;

  beforeAll(async () => {
    fixture = await createFixture({ upstream: { projects: 0 } });
    // Uploaded in this order; info.version (highest final) is 2.0.
    await fixture.upstream.addProject({
      name: "ranked",
      releases: sdists("ranked", ["1.0", "3.0rc2", "2.0", "3.0rc1", "1.5"]),
    });
    // Upload times out of version order; info.version is 3.0.
    const timed = (version: string, month: number) => ({
      version,
      files: [{ filename: `timed-${version}.tar.gz`, uploadTime: `2024-0${month}-01T00:00:00` }],
    });
    await fixture.upstream.addProject({
      name: "timed",
      releases: [timed("2.0", 1), timed("3.0", 2), timed("1.0", 3), timed("0.5", 4)],
    });
  });
  afterAll(async () => {
    await fixture.close();
  });

  test("sort_by = version: the newest by PEP 440, pre-releases counted, info.version takes the last slot", async () => {
    await mirrorWith(fixture, "[plugins]\nenabled = latest_release\n[latest_release]\nkeep = 2\n");
    // Top 2: 3.0rc2, 3.0rc1; the current version 2.0 replaces 3.0rc1. Top 2 of timed: 3.0, 2.0.
    expectMirror(fixture, {
      ranked: tarballs("ranked", ["3.0rc2", "2.0"]),
      timed: tarballs("timed", ["3.0", "2.0"]),
    });
  });

  test("sort_by = time: the most recently uploaded", async () => {
    await mirrorWith(
      fixture,
      "[plugins]\nenabled = latest_release\n[latest_release]\nkeep = 3\nsort_by = time\n",
    );
    // ranked: uploaded last are 1.5, 3.0rc1, 2.0 (2.0 is info.version and among them).
    // timed: newest uploads 0.5, 1.0, 3.0 (3.0, info.version, is among them).
    expectMirror(fixture, {
      ranked: tarballs("ranked", ["1.5", "3.0rc1", "2.0"]),
      timed: tarballs("timed", ["0.5", "1.0", "3.0"]),
    });
  });

  test("sort_by = time with keep below the current version's rank: info.version replaces the last slot", async () => {
    await mirrorWith(
      fixture,
      "[plugins]\nenabled = latest_release\n[latest_release]\nkeep = 2\nsort_by = time\n",
    );
    expectMirror(fixture, {
      ranked: tarballs("ranked", ["1.5", "2.0"]),
      timed: tarballs("timed", ["0.5", "3.0"]),
    });
  });

  test("with prerelease_release: ranks what the other release plugins left", async () => {
    await mirrorWith(
      fixture,
      "[plugins]\nenabled =\n    latest_release\n    prerelease_release\n[latest_release]\nkeep = 2\n",
    );
    expectMirror(fixture, {
      ranked: tarballs("ranked", ["2.0", "1.5"]),
      timed: tarballs("timed", ["3.0", "2.0"]),
    });
  });

  test("keep larger than the number of versions keeps them all", async () => {
    await mirrorWith(fixture, "[plugins]\nenabled = latest_release\n[latest_release]\nkeep = 10\n");
    expectMirror(fixture, {
      ranked: tarballs("ranked", ["1.0", "3.0rc2", "2.0", "3.0rc1", "1.5"]),
      timed: tarballs("timed", ["2.0", "3.0", "1.0", "0.5"]),
    });
  });
});

describe("exclude_platform", () => {
  let fixture: MirrorFixture;
  const SDIST = "plat-1.0.tar.gz";
  const UNIVERSAL = "plat-1.0-py2.py3-none-any.whl";
  const PY2_ONLY = "plat-1.0-py2-none-any.whl";
  const PY3_ONLY = "plat-1.0-py3-none-any.whl";
  const CP27_LINUX = "plat-1.0-cp27-cp27mu-manylinux1_x86_64.whl";
  const CP26_MAC = "plat-1.0-cp26-cp26m-macosx_10_5_intel.whl";
  const WIN_AMD64 = "plat-1.0-cp312-cp312-win_amd64.whl";
  const WIN32 = "plat-1.0-cp312-cp312-win32.whl";
  const WIN_ARM64 = "plat-1.0-cp312-cp312-win_arm64.whl";
  const MAC_ARM = "plat-1.0-cp312-cp312-macosx_11_0_arm64.whl";
  const MANYLINUX = "plat-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
  const MUSL = "plat-1.0-cp312-cp312-musllinux_1_2_aarch64.whl";
  const LINUX_RISCV = "plat-1.0-cp312-cp312-linux_riscv64.whl";
  const INSTALLER = "plat-1.0.win-amd64-py2.7.exe";
  const EGG = "plat-1.0-py2.7.egg";
  const ALL = [
    SDIST,
    UNIVERSAL,
    PY2_ONLY,
    PY3_ONLY,
    CP27_LINUX,
    CP26_MAC,
    WIN_AMD64,
    WIN32,
    WIN_ARM64,
    MAC_ARM,
    MANYLINUX,
    MUSL,
    LINUX_RISCV,
    INSTALLER,
    EGG,
  ];
  // A project name that contains a platform word: bandersnatch's substring test dropped its wheels.
  const HELPER = ["musllinux_helper-1.0-py3-none-any.whl", "musllinux_helper-1.0.tar.gz"];
  const without = (...dropped: string[]) => ALL.filter((file) => !dropped.includes(file));
  const platforms = (tokens: string) =>
    `[plugins]\nenabled = exclude_platform\n[blocklist]\nplatforms =\n    ${tokens.split(" ").join("\n    ")}\n`;

  beforeAll(async () => {
    fixture = await createFixture({ upstream: { projects: 0 } });
    await fixture.upstream.addProject({ name: "plat", releases: [{ version: "1.0", files: ALL }] });
    await fixture.upstream.addProject({
      name: "musllinux-helper",
      releases: [{ version: "1.0", files: HELPER }],
    });
  });
  afterAll(async () => {
    await fixture.close();
  });

  test("windows: every Windows wheel and Windows installer", async () => {
    await mirrorWith(fixture, platforms("windows"));
    expectMirror(fixture, {
      plat: without(WIN_AMD64, WIN32, WIN_ARM64, INSTALLER),
      "musllinux-helper": HELPER,
    });
  });

  test("macos: every macOS wheel", async () => {
    await mirrorWith(fixture, platforms("macos"));
    expectMirror(fixture, { plat: without(CP26_MAC, MAC_ARM), "musllinux-helper": HELPER });
  });

  test("linux: every manylinux, musllinux and linux_* wheel, never a project's name", async () => {
    await mirrorWith(fixture, platforms("linux"));
    expectMirror(fixture, {
      plat: without(CP27_LINUX, MANYLINUX, MUSL, LINUX_RISCV),
      "musllinux-helper": HELPER,
    });
  });

  test("py2: major-only py2 wheels and Python 2 eggs and installers; universal py2.py3 wheels are kept", async () => {
    await mirrorWith(fixture, platforms("py2"));
    expectMirror(fixture, { plat: without(PY2_ONLY, EGG, INSTALLER), "musllinux-helper": HELPER });
  });

  test("py2.6 py2.7: their CPython wheels and eggs, sdists never", async () => {
    await mirrorWith(fixture, platforms("py2.6 py2.7"));
    expectMirror(fixture, {
      plat: without(CP26_MAC, CP27_LINUX, EGG, INSTALLER),
      "musllinux-helper": HELPER,
    });
  });

  test("single platform tags: only those platforms", async () => {
    await mirrorWith(fixture, platforms("win_amd64 manylinux2014_x86_64"));
    // manylinux2014_x86_64 and manylinux_2_17_x86_64 are the same platform. The installer's
    // name says `win-amd64`, a token of its own, as in bandersnatch.
    expectMirror(fixture, { plat: without(WIN_AMD64, MANYLINUX), "musllinux-helper": HELPER });
  });
});

describe("[wheel_tags]", () => {
  let fixture: MirrorFixture;
  const SDIST = "tagged-1.0.tar.gz";
  const UNIVERSAL = "tagged-1.0-py2.py3-none-any.whl";
  const CP311_LINUX = "tagged-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
  const CP312_WIN = "tagged-1.0-cp312-cp312-win_amd64.whl";
  const ABI3_LEGACY = "tagged-1.0-cp38-abi3-manylinux2014_x86_64.whl";
  const MUSL_ARM = "tagged-1.0-cp312-cp312-musllinux_1_2_aarch64.whl";
  const PYPY = "tagged-1.0-pp310-pypy310_pp73-manylinux_2_17_x86_64.whl";
  const CP27 = "tagged-1.0-cp27-cp27mu-manylinux1_x86_64.whl";
  const EGG = "tagged-1.0-py3.12.egg";
  const ALL = [SDIST, UNIVERSAL, CP311_LINUX, CP312_WIN, ABI3_LEGACY, MUSL_ARM, PYPY, CP27, EGG];

  beforeAll(async () => {
    fixture = await createFixture({ upstream: { projects: 0 } });
    await fixture.upstream.addProject({ name: "tagged", releases: [{ version: "1.0", files: ALL }] });
    // A release with no wanted file at all leaves the page.
    await fixture.upstream.addProject({
      name: "winonly",
      releases: [
        { version: "1.0", files: ["winonly-1.0-cp312-cp312-win_amd64.whl"] },
        { version: "2.0", files: ["winonly-2.0-py3-none-any.whl"] },
      ],
    });
  });
  afterAll(async () => {
    await fixture.close();
  });

  test("python, abi and platform globs, compressed tag sets expanded; sdists kept; eggs dropped", async () => {
    await mirrorWith(
      fixture,
      `[wheel_tags]
python = cp3* py3
abi = cp311, cp312, abi3, none
platform =
    manylinux*_x86_64
    any
`,
    );
    expectMirror(fixture, {
      tagged: [SDIST, UNIVERSAL, CP311_LINUX, ABI3_LEGACY],
      winonly: ["winonly-2.0-py3-none-any.whl"],
    });
  });

  test("sdist = false drops source distributions; a PEP 600 pattern matches the legacy manylinux name", async () => {
    await mirrorWith(
      fixture,
      `[wheel_tags]
platform = manylinux_2_17_x86_64 win_amd64
sdist = false
`,
    );
    expectMirror(fixture, {
      tagged: [CP311_LINUX, CP312_WIN, ABI3_LEGACY, PYPY],
      winonly: ["winonly-1.0-cp312-cp312-win_amd64.whl"],
    });
  });

  test("a missing key means any: python alone selects by interpreter", async () => {
    await mirrorWith(fixture, "[wheel_tags]\npython = pp3*\n");
    expectMirror(fixture, { tagged: [SDIST, PYPY], winonly: [] });
  });

  test("combined with exclude_platform: a file must pass both", async () => {
    await mirrorWith(
      fixture,
      `[plugins]
enabled = exclude_platform
[blocklist]
platforms = linux
[wheel_tags]
python = cp3* py3
`,
    );
    expectMirror(fixture, {
      tagged: [SDIST, UNIVERSAL, CP312_WIN],
      winonly: ["winonly-1.0-cp312-cp312-win_amd64.whl", "winonly-2.0-py3-none-any.whl"],
    });
  });
});
