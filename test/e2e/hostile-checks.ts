/**
 * Checks shared by the hostile-upstream end-to-end tests: the log line a refusal
 * must produce, the mirror a healthy project must still get, and the proof that
 * nothing was written outside the mirror directory.
 */

import { expect } from "bun:test";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { TestUpstream } from "../upstream/index.ts";
import type { MirrorFixture } from "./harness.ts";
import { findNamed } from "./mirror-compare.ts";

/** A marker that hostile file names carry, so a file that escaped the mirror can be searched for. */
export function escapeToken(): string {
  return `bunsnatch-escape-${process.pid}-${Date.now().toString(36)}`;
}

/** The WARNING and ERROR lines of a run's log. */
export function problemLines(stderr: string): string[] {
  return stderr.split("\n").filter((line) => / (ERROR|WARNING): /.test(line));
}

/**
 * Asserts that exactly one WARNING/ERROR line mentions `subject` and that it holds
 * every expected piece (the value as quoted, and the rule); returns that line.
 */
export function expectOneRefusal(stderr: string, subject: string, pieces: string[]): string {
  const lines = problemLines(stderr).filter((line) => line.includes(subject));
  expect(lines, `problem lines mentioning ${subject}`).toHaveLength(1);
  const line = lines[0]!;
  for (const piece of pieces) expect(line).toContain(piece);
  return line;
}

/** Asserts that every file upstream lists for the project is in the mirror with the right bytes, and its pages exist. */
export function expectProjectMirrored(
  fixture: MirrorFixture,
  upstream: TestUpstream,
  normalized: string,
): void {
  const project = upstream.project(normalized);
  expect(project).not.toBeNull();
  expect(fs.existsSync(fixture.at(`web/simple/${normalized}/index.html`))).toBe(true);
  expect(fs.existsSync(fixture.at(`web/simple/${normalized}/index.v1_json`))).toBe(true);
  for (const file of project!.files) {
    const bytes = fs.readFileSync(fixture.at(`web${decodeURIComponent(file.path)}`));
    expect(new Bun.CryptoHasher("sha256").update(bytes).digest("hex")).toBe(file.sha256);
  }
}

/** Asserts that a refused project left nothing behind: no pages, no root-index entry. */
export function expectProjectAbsent(fixture: MirrorFixture, normalized: string): void {
  expect(fs.existsSync(fixture.at(`web/simple/${normalized}`))).toBe(false);
  const rootIndex = fixture.at("web/simple/index.html");
  if (fs.existsSync(rootIndex)) {
    expect(fs.readFileSync(rootIndex, "utf8")).not.toContain(`/simple/${normalized}/`);
  }
}

/**
 * Asserts nothing was written outside the mirror directory: the fixture's scratch
 * directory holds only the config and the mirror, and no file carrying `token`
 * exists in the places a traversal could reach (the scratch tree, the temporary
 * directory, `/`, `/etc`, the working directory).
 */
export function expectNothingOutside(fixture: MirrorFixture, token: string): void {
  expect(fs.readdirSync(fixture.root).sort()).toEqual([path.basename(fixture.configPath), "mirror"].sort());
  const places: [string, number][] = [
    [fixture.root, 12],
    [os.tmpdir(), 1],
    ["/", 0],
    ["/etc", 0],
    [process.cwd(), 1],
  ];
  for (const [place, depth] of places) expect(findNamed(place, token, depth)).toEqual([]);
}
