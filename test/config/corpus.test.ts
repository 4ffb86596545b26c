import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CORPUS_DIRECTORY,
  comparable,
  corpusFiles,
  describeWithBunsnatch,
  describeWithPython,
  findPython,
  readSnapshot,
} from "./configparser-oracle.ts";

const names = corpusFiles();

function describeFile(name: string) {
  const path = join(CORPUS_DIRECTORY, name);
  return describeWithBunsnatch(readFileSync(path, "utf8"), path);
}

describe("config corpus read as Python's configparser read it (committed answers)", () => {
  test("the corpus has accepted and rejected files", () => {
    const accepted = names.filter((name) => readSnapshot(name).accepted);
    expect(accepted.length).toBeGreaterThan(20);
    expect(names.length - accepted.length).toBeGreaterThanOrEqual(8);
  });

  for (const name of names) {
    test(name, () => {
      expect(comparable(describeFile(name))).toEqual(comparable(readSnapshot(name)));
    });
  }
});

const python = findPython();

describe.skipIf(python === undefined)("config corpus against live python3 configparser", () => {
  const paths = names.map((name) => join(CORPUS_DIRECTORY, name));
  const described = python === undefined ? {} : describeWithPython(python, paths);

  for (const [index, name] of names.entries()) {
    test(name, () => {
      const pythonReading = described[paths[index]!]!;
      expect(comparable(describeFile(name))).toEqual(comparable(pythonReading));
      // The committed answers are current.
      expect(comparable(readSnapshot(name))).toEqual(comparable(pythonReading));
    });
  }
});

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be reproduced. */
function randomNumbers(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

// Line fragments that exercise each rule, and their combinations.
const FRAGMENTS = [
  "[s]",
  "[t]",
  "[DEFAULT]",
  "[t] trailing",
  "  [s]",
  "[]",
  "a = 1",
  "b = %(a)s/x",
  "a=%(b)s",
  "c = 100%%",
  "d = 50%",
  "e = %(missing)s",
  "f =",
  "A = upper",
  "g: h = i",
  "= nameless",
  "no delimiter",
  "k = v ; not a comment",
  "  cont",
  "    deeper cont",
  "\tcont",
  "  x = 2",
  "",
  "   ",
  "# comment",
  "  ; comment",
  "\u00a0nbsp = \u00a0v\u00a0",
  "\x0c",
  "url = https://h/p?q=1#f",
];

describe.skipIf(python === undefined)("random INI files read the same as by python3 configparser", () => {
  test("400 generated files", () => {
    const random = randomNumbers(20240601);
    const directory = mkdtempSync(join(tmpdir(), "bunsnatch-ini-fuzz-"));
    try {
      const texts: string[] = [];
      for (let index = 0; index < 400; index++) {
        const newline = ["\n", "\r\n", "\r"][Math.floor(random() * 3)]!;
        const lineCount = 1 + Math.floor(random() * 12);
        const lines = [random() < 0.8 ? "[s]" : FRAGMENTS[Math.floor(random() * FRAGMENTS.length)]!];
        for (let line = 1; line < lineCount; line++)
          lines.push(FRAGMENTS[Math.floor(random() * FRAGMENTS.length)]!);
        texts.push(lines.join(newline) + (random() < 0.7 ? newline : ""));
      }
      const paths = texts.map((text, index) => {
        const path = join(directory, `${index}.conf`);
        writeFileSync(path, text);
        return path;
      });
      const pythonReadings = describeWithPython(python!, paths);
      let rejected = 0;
      for (const [index, path] of paths.entries()) {
        const file = JSON.stringify(texts[index]);
        const ours = describeWithBunsnatch(texts[index]!, path);
        const theirs = pythonReadings[path]!;
        if (theirs.accepted || ours.accepted) {
          expect({ file, reading: comparable(ours) }).toEqual({ file, reading: comparable(theirs) });
          continue;
        }
        rejected++;
        // Python reports a line without '=' only at the end of the file, but raises a duplicate at
        // once; we stop at the first problem. So after such a line our error comes earlier.
        const raisedAtOnce =
          theirs.error === "DuplicateOptionError" || theirs.error === "DuplicateSectionError";
        const consistent = raisedAtOnce ? ours.line! <= theirs.line! : ours.line === theirs.line;
        expect({ file, ours: ours.line, theirs: theirs.line, consistent }).toEqual({
          file,
          ours: ours.line,
          theirs: theirs.line,
          consistent: true,
        });
      }
      // Both kinds occur, so the comparison means something.
      expect(rejected).toBeGreaterThan(40);
      expect(rejected).toBeLessThan(360);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
