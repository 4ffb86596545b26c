/**
 * Two commands on one mirror directory: while one holds the lock (made slow by
 * upstream latency, or verify's per-file delay), the other exits 3 at once naming
 * the holder's PID and touches nothing; the holder finishes as if alone. A holder
 * killed with SIGKILL leaves no lock behind.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import {
  cliCommand,
  cliEnvironment,
  createFixture,
  isVolatile,
  type MirrorFixture,
  treeOf,
} from "./harness.ts";
import { problemLines } from "./hostile-checks.ts";
import { cleanMirrorTree, treeDifferences } from "./mirror-compare.ts";

type Child = ReturnType<typeof Bun.spawn>;

/** Every request waits this long while a holder must stay busy. */
const SLOW = { index: { latencyMs: 600 }, files: { latencyMs: 600 } };

describe("concurrent commands on one mirror", () => {
  let fixture: MirrorFixture;

  beforeAll(async () => {
    fixture = await createFixture({ upstream: { projects: 3, seed: 31 } });
  });

  afterAll(async () => {
    await fixture?.close();
  });

  /** Starts `bunsnatch -c <config> <args>` in the background. */
  const start = (args: string[], env: Record<string, string> = {}): Child =>
    Bun.spawn([...cliCommand(), "-c", fixture.configPath, ...args], {
      stdout: "pipe",
      stderr: "pipe",
      env: cliEnvironment(env),
    });

  /** Resolves once `child` holds the mirror lock (its PID is in `.lock`). */
  const lockTaken = async (child: Child) => {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new Error(`the holder exited ${child.exitCode} before taking the lock`);
      try {
        if (fs.readFileSync(fixture.at(".lock"), "utf8").trim() === String(child.pid)) return;
      } catch {}
      await Bun.sleep(10);
    }
    throw new Error("the holder never took the lock");
  };

  const finish = async (child: Child) => {
    const [stderr, code] = await Promise.all([
      new Response(child.stderr as ReadableStream).text(),
      child.exited,
    ]);
    return { code, stderr };
  };

  /**
   * Runs `contender` while `holder` holds the lock: the contender must exit 3 in one
   * line naming the holder's PID, while the holder is still running; the holder must
   * then succeed.
   */
  const expectContenderRefused = async (
    holderArgs: string[],
    contenderArgs: string[],
    holderEnv: Record<string, string> = {},
  ) => {
    fixture.upstream.setFaults(SLOW);
    const holder = start(holderArgs, holderEnv);
    try {
      await lockTaken(holder);
      const contender = await finish(start(contenderArgs));
      expect(holder.exitCode).toBeNull();
      expect(contender.code).toBe(3);
      const lines = contender.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`another bunsnatch (PID ${holder.pid}) is working on ${fixture.directory}`);
      fixture.upstream.clearFaults();
      const held = await finish(holder);
      expect(held.stderr).not.toContain("ERROR");
      expect(held.code).toBe(0);
    } finally {
      fixture.upstream.clearFaults();
      holder.kill("SIGKILL");
    }
  };

  /** The mirror equals a clean mirror of the same upstream: no write of the contender is in it. */
  const expectCleanMirror = async () => {
    const differences = treeDifferences(
      treeOf(fixture.directory, isVolatile),
      await cleanMirrorTree(fixture.upstream),
    );
    expect(differences).toEqual([]);
  };

  test("mirror against mirror: the second exits 3 naming the first's PID", async () => {
    await expectContenderRefused(["mirror"], ["mirror"]);
    await expectCleanMirror();
  }, 30_000);

  test("sync against mirror, and mirror against sync: exit 3", async () => {
    const project = fixture.upstream.listProjects()[0]!.name;
    await fixture.upstream.newRelease(project, "50.0");
    await expectContenderRefused(["mirror"], ["sync", project]);
    await fixture.upstream.newRelease(project, "51.0");
    await expectContenderRefused(["sync", project], ["mirror"]);
    // The sync above left status behind the upstream; catch up.
    expect((await fixture.run(["mirror"])).code).toBe(0);
    await expectCleanMirror();
  }, 30_000);

  test("verify against mirror, and mirror against verify: exit 3", async () => {
    const project = fixture.upstream.listProjects()[1]!.name;
    await fixture.upstream.newRelease(project, "60.0");
    await expectContenderRefused(["mirror"], ["verify"]);
    await expectContenderRefused(["verify"], ["mirror"], { BUNSNATCH_VERIFY_DELAY_MS: "100" });
    await expectCleanMirror();
  }, 30_000);

  test("a holder killed with SIGKILL leaves no lock: the next run completes", async () => {
    const project = fixture.upstream.listProjects()[2]!.name;
    await fixture.upstream.newRelease(project, "70.0");
    fixture.upstream.setFaults(SLOW);
    const holder = start(["mirror"]);
    await lockTaken(holder);
    holder.kill("SIGKILL");
    await holder.exited;
    fixture.upstream.clearFaults();
    const result = await fixture.run(["mirror"]);
    expect(problemLines(result.stderr)).toEqual([]);
    expect(result.code).toBe(0);
    await expectCleanMirror();
  }, 30_000);
});
