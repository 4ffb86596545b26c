import { describe, expect, test } from "bun:test";
import { HeldSnapshot } from "../../src/upstream/held-snapshot.ts";

describe("HeldSnapshot", () => {
  test("a lookup gives the held serial and marks the name listed; unlisted() is the rest, sorted", () => {
    const held = new HeldSnapshot([
      ["zope-interface", 7],
      ["django", 30],
      ["requests", 12],
    ]);
    expect(held.size).toBe(3);
    expect(held.listed("django")).toBe(30);
    expect(held.listed("not-held")).toBeUndefined();
    expect(held.unlisted()).toEqual(["requests", "zope-interface"]);
  });

  test("serialOf looks up without marking; clearMarks forgets every mark", () => {
    const held = new HeldSnapshot([
      ["a", 1],
      ["b", 2],
    ]);
    expect(held.serialOf("a")).toBe(1);
    expect(held.unlisted()).toEqual(["a", "b"]);
    held.listed("a");
    held.listed("b");
    expect(held.unlisted()).toEqual([]);
    held.clearMarks();
    expect(held.unlisted()).toEqual(["a", "b"]);
  });

  test("a repeated name keeps its first serial", () => {
    const held = new HeldSnapshot([
      ["a", 1],
      ["a", 9],
    ]);
    expect(held.size).toBe(1);
    expect(held.serialOf("a")).toBe(1);
  });

  test("an unknown serial and a name outside the entries fall back to the lookup given", () => {
    const asked: string[] = [];
    const held = new HeldSnapshot(
      [
        ["known", 5],
        ["unknown", undefined],
      ],
      (name) => {
        asked.push(name);
        return name === "elsewhere" ? 3 : undefined;
      },
    );
    expect(held.listed("known")).toBe(5);
    expect(held.listed("unknown")).toBeUndefined();
    expect(held.listed("elsewhere")).toBe(3);
    expect(asked).toEqual(["unknown", "elsewhere"]);
    expect(held.unlisted()).toEqual([]);
  });

  test("serial 0 is a serial, not a missing one", () => {
    const held = new HeldSnapshot([["a", 0]], () => 99);
    expect(held.listed("a")).toBe(0);
  });

  test("grows past its first capacity: 50,000 names, a 100,000-character one and non-ASCII ones", () => {
    const names = Array.from({ length: 50_000 }, (_, index) => `project-${index}`);
    const long = "x".repeat(100_000);
    const unusual = ["caf\u00e9", "\u{1F600}", "\ud800", ""];
    const held = new HeldSnapshot([...names, long, ...unusual].map((name, index) => [name, index] as const));
    expect(held.size).toBe(names.length + 1 + unusual.length);
    names.forEach((name, index) => {
      if (index % 2 === 0) expect(held.listed(name)).toBe(index);
    });
    expect(held.listed(long)).toBe(names.length);
    expect(held.listed(`${long}y`)).toBeUndefined();
    expect(held.listed("project-1x")).toBeUndefined();
    const unlisted = held.unlisted();
    expect(unlisted).toHaveLength(names.length / 2 + unusual.length);
    expect(unlisted).toEqual([...names.filter((_, index) => index % 2 === 1), ...unusual].sort());
  });
});
