import { describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Ledger } from "../../src/state/ledger.ts";

describe("Ledger", () => {
  test("projects and files round-trip, and a project's deletion takes its files", () => {
    const ledger = Ledger.memory();
    ledger.upsertProject({ name: "foo-bar", displayName: "Foo.Bar", serial: 7 });
    ledger.upsertFile({
      path: "web/packages/a/foo.whl",
      project: "foo-bar",
      size: 3,
      sha256: "aa",
      mtimeMs: 1.5,
      verifiedAt: null,
    });
    expect(ledger.getProject("foo-bar")).toEqual({ name: "foo-bar", displayName: "Foo.Bar", serial: 7 });
    expect(ledger.filesOfProject("foo-bar").map((row) => row.path)).toEqual(["web/packages/a/foo.whl"]);
    expect(ledger.getFile("web/packages/a/foo.whl")?.mtimeMs).toBe(1.5);
    ledger.deleteProject("foo-bar");
    expect(ledger.getProject("foo-bar")).toBeUndefined();
    expect(ledger.fileCount()).toBe(0);
  });

  test("a saved plan survives reopening; finished projects are left out on load", () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), "bunsnatch-ledger-"));
    try {
      const first = Ledger.open(directory);
      first.savePlan({
        targetSerial: 42,
        projects: [
          { name: "a", displayName: "A", serial: 40 },
          { name: "b", displayName: "B", serial: 41 },
        ],
        removals: [
          { kind: "remove file", project: "C", version: "1.0", filename: "c-1.0.tar.gz", serial: 42 },
        ],
      });
      first.markPlanDone("a");
      first.close();
      const second = Ledger.open(directory);
      const plan = second.loadPlan();
      expect(plan?.targetSerial).toBe(42);
      expect(plan?.projects).toEqual([{ name: "b", displayName: "B", serial: 41 }]);
      expect(plan?.removals[0]?.filename).toBe("c-1.0.tar.gz");
      second.clearPlan();
      expect(second.loadPlan()).toBeUndefined();
      second.close();
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });

  test("queued deletions drop the file row; re-recording the file cancels the deletion", () => {
    const ledger = Ledger.memory();
    const row = {
      path: "web/packages/x",
      project: "p",
      size: 1,
      sha256: "00",
      mtimeMs: null,
      verifiedAt: null,
    };
    ledger.upsertFile(row);
    ledger.queueDeletion({ path: "web/packages/x", project: "p", reason: "gone", serial: 3 });
    expect(ledger.getFile("web/packages/x")).toBeUndefined();
    expect(ledger.pendingDeletions()).toHaveLength(1);
    ledger.upsertFile(row);
    expect(ledger.pendingDeletions()).toHaveLength(0);
  });

  test("a queued project removal is cancelled when the project is synced again", () => {
    const ledger = Ledger.memory();
    ledger.queueProjectRemoval("p", "remove project", 9);
    expect(ledger.pendingProjectRemovals()).toEqual([{ name: "p", reason: "remove project", serial: 9 }]);
    ledger.upsertProject({ name: "p", displayName: "P", serial: 10 });
    expect(ledger.pendingProjectRemovals()).toEqual([]);
  });

  test("projectSerial is one indexed lookup; undefined for a project not held", () => {
    const ledger = Ledger.memory();
    ledger.upsertProject({ name: "foo-bar", displayName: "Foo.Bar", serial: 7 });
    expect(ledger.projectSerial("foo-bar")).toBe(7);
    expect(ledger.projectSerial("Foo.Bar")).toBeUndefined();
    expect(ledger.projectSerial("other")).toBeUndefined();
  });

  test("held names and serials stream across pages, each project once, matching projectSerials", () => {
    const ledger = Ledger.memory();
    ledger.transaction(() => {
      for (let index = 0; index < 10_000; index++) {
        ledger.upsertProject({ name: `p-${index}`, displayName: `P_${index}`, serial: index });
      }
    });
    // A deletion leaves a gap in the row ids the pages walk.
    ledger.deleteProject("p-4096");
    const entries = [...ledger.projectSerialEntries()];
    expect(entries).toHaveLength(9_999);
    expect(new Map(entries)).toEqual(ledger.projectSerials());
    expect(new Map(entries).get("p-9999")).toBe(9_999);
    expect(new Set(ledger.projectNames())).toEqual(new Set(entries.map(([name]) => name)));
    expect([...Ledger.memory().projectSerialEntries()]).toEqual([]);
  });

  test("a plan of many projects is saved in batches: every row kept, a repeated name keeps its highest serial", () => {
    const ledger = Ledger.memory();
    const projects = Array.from({ length: 1_000 }, (_, index) => ({
      name: `p-${String(index).padStart(4, "0")}`,
      displayName: `P${index}`,
      serial: index,
    }));
    // Repeats inside one batch and across batches.
    projects.push(
      { name: "p-0001", displayName: "Again", serial: 5_000 },
      { name: "p-0002", displayName: "Lower", serial: 0 },
    );
    const row = { name: "", displayName: "", serial: 0 };
    ledger.savePlan({
      targetSerial: 9,
      // One object refilled per project, as the planner hands them over.
      projects: (function* () {
        for (const project of projects) {
          Object.assign(row, project);
          yield row;
        }
      })(),
      removals: [],
    });
    const stored = ledger.loadPlan()!;
    expect(stored.projects).toHaveLength(1_000);
    expect(stored.projects[0]).toEqual({ name: "p-0000", displayName: "P0", serial: 0 });
    expect(stored.projects[1]).toEqual({ name: "p-0001", displayName: "Again", serial: 5_000 });
    expect(stored.projects[2]).toEqual({ name: "p-0002", displayName: "Lower", serial: 2 });
    expect(stored.projects[999]).toEqual({ name: "p-0999", displayName: "P999", serial: 999 });
  });
});
