/**
 * The CLI as users meet it (also run against the compiled binary in CI, with
 * BUNSNATCH_BIN=dist/bunsnatch): help, version, and every bad-config case gives
 * one line naming the file, section, option and value, exit 2, no stack trace.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli } from "./harness.ts";

let scratch: string;
beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bunsnatch-cli-"));
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function configWith(body: string): string {
  const file = path.join(scratch, `${Math.random().toString(36).slice(2)}.conf`);
  fs.writeFileSync(file, body);
  return file;
}

/** The log lines of a run, without timestamps. */
function errorLines(stderr: string): string[] {
  return stderr
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => line.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} /, ""));
}

describe("bunsnatch CLI", () => {
  test("--version and version print the version; --help lists every command", async () => {
    const version = await runCli(["--version"]);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^bunsnatch \d+\.\d+\.\d+\n$/);
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    for (const command of ["mirror", "sync", "verify", "delete", "serve", "version"]) {
      expect(help.stdout).toContain(`  ${command}`);
    }
    const mirrorHelp = await runCli(["mirror", "--help"]);
    expect(mirrorHelp.stdout).toContain("--force-check");
  });

  test("an unknown command or option is a usage error: exit 2, one line", async () => {
    const unknown = await runCli(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(errorLines(unknown.stderr)).toEqual([
      "bunsnatch: unknown command 'frobnicate' (commands: mirror, sync, verify, delete, serve, version)",
    ]);
    const badFlag = await runCli(["mirror", "--nope"]);
    expect(badFlag.code).toBe(2);
    expect(errorLines(badFlag.stderr)).toHaveLength(1);
  });

  const badConfigs: [string, string, RegExp][] = [
    [
      "workers = ten",
      "[mirror]\ndirectory = /srv/pypi\nworkers = ten\n",
      /\[mirror\] workers = 'ten': expected a whole number/,
    ],
    [
      "simple-format = XML",
      "[mirror]\ndirectory = /srv/pypi\nsimple-format = XML\n",
      /\[mirror\] simple-format = 'XML'/,
    ],
    [
      "compare-method = size",
      "[mirror]\ndirectory = /srv/pypi\ncompare-method = size\n",
      /\[mirror\] compare-method = 'size'/,
    ],
    [
      "an http master without allow-non-https",
      "[mirror]\ndirectory = /srv/pypi\nmaster = http://pypi.example\n",
      /\[mirror\] master = 'http:\/\/pypi\.example'/,
    ],
    ["a relative directory", "[mirror]\ndirectory = srv/pypi\n", /\[mirror\] directory = 'srv\/pypi'/],
    ["a duplicate option", "[mirror]\ndirectory = /srv/pypi\nworkers = 3\nworkers = 4\n", /workers.*line 4/],
  ];
  for (const [what, body, pattern] of badConfigs) {
    test(`bad config (${what}): one line naming file, section, option and value; exit 2`, async () => {
      const file = configWith(body);
      const result = await runCli(["-c", file, "mirror"]);
      expect(result.code).toBe(2);
      const lines = errorLines(result.stderr);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(file);
      expect(lines[0]).toMatch(pattern);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    });
  }

  test("a missing config file: an example is written there, exit 2", async () => {
    const file = path.join(scratch, "missing.conf");
    const result = await runCli(["-c", file, "mirror"]);
    expect(result.code).toBe(2);
    expect(errorLines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain(`'${file}' was missing; wrote an example config there`);
    expect(fs.readFileSync(file, "utf8")).toContain("[mirror]");
  });

  test("an unknown option is a warning with a suggestion, not an error", async () => {
    const file = configWith(
      `[mirror]\ndirectory = ${scratch}/m\nworker = 3\nmaster = http://127.0.0.1:9\nallow-non-https = true\ntimeout = 1\n`,
    );
    const result = await runCli(["-c", file, "mirror"]);
    expect(result.stderr).toMatch(/WARNING: .*'worker'.*did you mean 'workers'\?/);
  });
});
