/**
 * End to end: the package-list plugins (allowlist, blocklist, requirements files,
 * regex) and `enabled = all`. Each test mirrors the same small upstream with one
 * config and checks exactly which files are on disk and linked from the pages.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { expectMirror, mirrorWith, writeBesideConfig } from "./filters-helpers.ts";
import { createFixture, type MirrorFixture } from "./harness.ts";

/** Sdists only, so a release is one file and the expectations read as version lists. */
function sdists(distribution: string, versions: string[]) {
  return versions.map((version) => ({ version, files: [`${distribution}-${version}.tar.gz`] }));
}

const ALPHA = ["alpha-1.0.tar.gz", "alpha-1.5.tar.gz", "alpha-2.0.tar.gz"];
const BETA = ["beta-1.0.tar.gz", "beta-2.0.tar.gz"];
const GAMMA = ["gamma_lib-1.0.tar.gz", "gamma_lib-1.1.tar.gz"];

let fixture: MirrorFixture;

beforeAll(async () => {
  fixture = await createFixture({ upstream: { projects: 0 } });
  await fixture.upstream.addProject({ name: "alpha", releases: sdists("alpha", ["1.0", "1.5", "2.0"]) });
  await fixture.upstream.addProject({ name: "beta", releases: sdists("beta", ["1.0", "2.0"]) });
  await fixture.upstream.addProject({ name: "Gamma.Lib", releases: sdists("gamma_lib", ["1.0", "1.1"]) });
});

afterAll(async () => {
  await fixture.close();
});

describe("no filters", () => {
  test("every project and file is mirrored", async () => {
    await mirrorWith(fixture, "");
    expectMirror(fixture, { alpha: ALPHA, beta: BETA, "gamma-lib": GAMMA });
  });
});

describe("allowlist_project", () => {
  test("keeps only the listed projects, names compared after normalization, comments stripped", async () => {
    await mirrorWith(
      fixture,
      `[plugins]
enabled =
    allowlist_project
[allowlist]
packages =
    alpha>=1.5  # specifiers do not matter to allowlist_project
    GAMMA_lib
`,
    );
    expectMirror(fixture, { alpha: ALPHA, "gamma-lib": GAMMA });
  });
});

describe("allowlist_release", () => {
  test("with allowlist_project: keeps the versions inside each project's specifier", async () => {
    await mirrorWith(
      fixture,
      `[plugins]
enabled =
    allowlist_project
    allowlist_release
[allowlist]
packages =
    alpha>=1.5,<2.0
    beta
    gamma-lib!=1.1
`,
    );
    expectMirror(fixture, {
      alpha: ["alpha-1.5.tar.gz"],
      beta: BETA,
      "gamma-lib": ["gamma_lib-1.0.tar.gz"],
    });
  });

  test("alone: unlisted projects get empty pages, as in bandersnatch, with a warning", async () => {
    const result = await mirrorWith(
      fixture,
      `[plugins]
enabled = allowlist_release
[allowlist]
packages = alpha==2.0
`,
    );
    expectMirror(fixture, { alpha: ["alpha-2.0.tar.gz"], beta: [], "gamma-lib": [] });
    expect(result.stdout + result.stderr).toContain("allowlist_release is enabled without allowlist_project");
  });
});

describe("blocklist_project", () => {
  test("drops projects listed without a specifier; lines with a specifier are left to blocklist_release", async () => {
    await mirrorWith(
      fixture,
      `[plugins]
enabled = blocklist_project
[blocklist]
packages =
    Gamma.LIB
    alpha>=2.0
`,
    );
    expectMirror(fixture, { alpha: ALPHA, beta: BETA });
  });
});

describe("blocklist_release", () => {
  test("drops the versions inside a specifier; inline comments are stripped; a bare name drops every release", async () => {
    await mirrorWith(
      fixture,
      `[plugins]
enabled = blocklist_release
[blocklist]
packages =
    alpha>=1.5,<2.0  # 1.5 is broken
    beta             # everything
`,
    );
    expectMirror(fixture, {
      alpha: ["alpha-1.0.tar.gz", "alpha-2.0.tar.gz"],
      beta: [],
      "gamma-lib": GAMMA,
    });
  });

  test("with blocklist_project: a bare name drops the whole project", async () => {
    await mirrorWith(
      fixture,
      `[plugins]
enabled =
    blocklist_project
    blocklist_release
[blocklist]
packages =
    alpha==1.0
    beta
    gamma-lib~=1.0.0
`,
    );
    expectMirror(fixture, {
      alpha: ["alpha-1.5.tar.gz", "alpha-2.0.tar.gz"],
      "gamma-lib": ["gamma_lib-1.1.tar.gz"],
    });
  });
});

describe("project_requirements and project_requirements_pinned", () => {
  test("requirements files next to the config, chosen by a glob: projects from every file, pins from their specifiers", async () => {
    writeBesideConfig(fixture, "requirements-base.txt", "alpha==1.5 \\\n    --hash=sha256:0000\n");
    writeBesideConfig(
      fixture,
      "requirements-extra.txt",
      "# extras\n-r requirements-base.txt\nGamma.Lib  # any version\n",
    );
    writeBesideConfig(fixture, "other.txt", "beta\n");
    await mirrorWith(
      fixture,
      `[plugins]
enabled =
    project_requirements
    project_requirements_pinned
[allowlist]
requirements =
    requirements-*.txt
`,
    );
    expectMirror(fixture, { alpha: ["alpha-1.5.tar.gz"], "gamma-lib": GAMMA });
  });

  test("a relative requirements_path is taken from the config file's directory; globs keep subdirectories", async () => {
    writeBesideConfig(fixture, "reqs/team-a/requirements.txt", "beta<2\n");
    writeBesideConfig(fixture, "reqs/team-b/requirements.txt", "alpha\n");
    await mirrorWith(
      fixture,
      `[plugins]
enabled =
    project_requirements
    project_requirements_pinned
[allowlist]
requirements_path = reqs
requirements = team-*/requirements.txt
`,
    );
    expectMirror(fixture, { alpha: ALPHA, beta: ["beta-1.0.tar.gz"] });
  });

  test("a pinned project is decided by its pin alone; the other release plugins still filter unpinned ones", async () => {
    writeBesideConfig(fixture, "pins/requirements.txt", "alpha>=1.0\ngamma-lib\n");
    await mirrorWith(
      fixture,
      `[plugins]
enabled =
    project_requirements
    project_requirements_pinned
    latest_release
[allowlist]
requirements_path = pins
requirements = requirements.txt
[latest_release]
keep = 1
`,
    );
    expectMirror(fixture, { alpha: ALPHA, "gamma-lib": ["gamma_lib-1.1.tar.gz"] });
  });
});

describe("regex_project and regex_release", () => {
  test("regex_project drops projects whose listing or normalized name a pattern matches", async () => {
    await mirrorWith(
      fixture,
      `[plugins]
enabled = regex_project
[filter_regex]
packages =
    gamma-.*
    bet
`,
    );
    // `gamma-.*` matches only the normalized name; `bet` matches at the start (re.match) of "beta".
    expectMirror(fixture, { alpha: ALPHA });
  });

  test("regex_release drops versions a pattern matches from the start", async () => {
    await mirrorWith(
      fixture,
      `[plugins]
enabled = regex_release
[filter_regex]
releases =
    1\\.5
    .\\.1$
`,
    );
    expectMirror(fixture, {
      alpha: ["alpha-1.0.tar.gz", "alpha-2.0.tar.gz"],
      beta: BETA,
      "gamma-lib": ["gamma_lib-1.0.tar.gz"],
    });
  });
});

describe("enabled = all", () => {
  test("turns on only the plugins whose configuration is present", async () => {
    // bandersnatch's `all` would also run project_requirements_pinned (no requirements: every
    // release dropped) and prerelease_release; here only allowlist_* and latest_release run.
    await mirrorWith(
      fixture,
      `[plugins]
enabled = all
[allowlist]
packages =
    alpha
    beta
[latest_release]
keep = 1
`,
    );
    expectMirror(fixture, { alpha: ["alpha-2.0.tar.gz"], beta: ["beta-2.0.tar.gz"] });
  });

  test("combined with an explicit name, which runs even without a section of its own", async () => {
    await mirrorWith(
      fixture,
      `[plugins]
enabled =
    all
    blocklist_release
[blocklist]
packages = alpha<2
`,
    );
    // blocklist_project (turned on by [blocklist] packages) ignores `alpha<2`: it has a specifier.
    expectMirror(fixture, { alpha: ["alpha-2.0.tar.gz"], beta: BETA, "gamma-lib": GAMMA });
  });
});

describe("filter config mistakes", () => {
  test("a bad value is a one-line error naming the file, line and option; exit 2, nothing mirrored", async () => {
    const result = await mirrorWith(
      fixture,
      "[plugins]\nenabled = latest_release\n[latest_release]\nkeep = three\n",
      {
        expectCode: 2,
      },
    );
    expect(result.stderr).toMatch(
      /bunsnatch\.conf:\d+: \[latest_release\] keep = "three": expected a whole number/,
    );
    expect(existsSync(fixture.at("web/packages"))).toBe(false);
  });

  test("misspelled plugin and section names are warnings with a suggestion; the rest still filters", async () => {
    const result = await mirrorWith(
      fixture,
      "[plugins]\nenabled =\n    allowlist_projects\n    latest_release\n[latest_releases]\nkeep = 1\n",
    );
    const output = result.stdout + result.stderr;
    expect(output).toContain(
      'unknown plugin "allowlist_projects", ignored (did you mean "allowlist_project"?)',
    );
    expect(output).toContain("unknown section [latest_releases], ignored (did you mean [latest_release]?)");
    expectMirror(fixture, { alpha: ALPHA, beta: BETA, "gamma-lib": GAMMA });
  });
});
