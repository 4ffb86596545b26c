/**
 * Runs killed with SIGKILL, then resumed: deterministic forms of what
 * `scripts/chaos.ts` found. A killed download leaves no temporary file for good,
 * a project removed upstream after a killed run is removed with everything the
 * killed run wrote, and a stale page cannot bring back a removed project.
 */

import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import { Ledger } from "../../src/state/ledger.ts";
import {
  cliCommand,
  cliEnvironment,
  createFixture,
  isVolatile,
  type MirrorFixture,
  temporaryFiles,
  treeOf,
} from "./harness.ts";
import { cleanMirrorTree, treeDifferences } from "./mirror-compare.ts";

const MIB = 1024 * 1024;

describe("a run killed with SIGKILL, then resumed", () => {
  let fixture: MirrorFixture;

  beforeEach(async () => {
    fixture = await createFixture({ upstream: { projects: 3, seed: 41 } });
    await fixture.upstream.addProject({
      name: "slow-big",
      releases: [{ version: "1.0", files: [{ filename: "slow_big-1.0.tar.gz", size: 2 * MIB }] }],
    });
  });

  afterEach(async () => {
    await fixture.close();
  });

  /** Starts `mirror` with slow-big trickling in, and kills it once its temporary file exists. */
  const killMidDownload = async () => {
    fixture.upstream.setFaults({
      rules: [{ match: "slow_big-1.0.tar.gz", kind: "slow", bytesPerSecond: 256 * 1024, times: 1000 }],
    });
    const child = Bun.spawn([...cliCommand(), "-c", fixture.configPath, "mirror"], {
      stdout: "ignore",
      stderr: "ignore",
      env: cliEnvironment(),
    });
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && child.exitCode === null) {
      if (
        fs.existsSync(fixture.directory) &&
        temporaryFiles(fixture.directory).some((file) => file.includes("slow_big"))
      ) {
        break;
      }
      await Bun.sleep(10);
    }
    child.kill("SIGKILL");
    await child.exited;
    expect(child.signalCode).toBe("SIGKILL");
    expect(temporaryFiles(fixture.directory).some((file) => file.includes("slow_big"))).toBe(true);
    fixture.upstream.clearFaults();
  };

  const expectCleanMirror = async () => {
    expect(temporaryFiles(fixture.directory)).toEqual([]);
    const differences = treeDifferences(
      treeOf(fixture.directory, isVolatile),
      await cleanMirrorTree(fixture.upstream),
    );
    expect(differences).toEqual([]);
  };

  test("the next run replaces the killed download's temporary file", async () => {
    await killMidDownload();
    const result = await fixture.run(["mirror"]);
    expect(result.code).toBe(0);
    await expectCleanMirror();
  }, 30_000);

  test("a project removed upstream after the kill goes with its temporary file and ledger rows", async () => {
    await killMidDownload();
    await fixture.upstream.removeProject("slow-big");
    const result = await fixture.run(["mirror"]);
    expect(result.code).toBe(0);
    await expectCleanMirror();
    const ledger = Ledger.open(fixture.directory);
    try {
      expect(ledger.filesOfProject("slow-big")).toEqual([]);
    } finally {
      ledger.close();
    }
  }, 30_000);

  test("a stale copy of a removed project's page does not bring it back", async () => {
    // The first run fails on slow-big's page, so the resumed plan still promises it.
    fixture.upstream.setFaults({ rules: [{ match: "/simple/slow-big/", kind: "5xx", times: 1000 }] });
    expect((await fixture.run(["mirror"])).code).toBe(1);
    // Removed upstream, while the CDN serves the page from before the removal once.
    fixture.upstream.setFaults({ staleFetches: 1 });
    await fixture.upstream.removeProject("slow-big");
    const result = await fixture.run(["mirror"]);
    fixture.upstream.clearFaults();
    expect(result.code).toBe(0);
    expect(fs.existsSync(fixture.at("web/simple/slow-big"))).toBe(false);
    await expectCleanMirror();
  }, 30_000);
});
