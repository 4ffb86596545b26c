import { describe, expect, test } from "bun:test";
import { renderRootHtml, renderRootJson } from "../../src/index/render-root.ts";
import { golden } from "./fixtures.ts";

describe("renderRootHtml", () => {
  test("no projects: bandersnatch's empty root page", async () => {
    expect(renderRootHtml([])).toBe(await golden("root-0.html"));
  });

  test("one project", async () => {
    expect(renderRootHtml(["foo"])).toBe(await golden("root-1.html"));
  });

  test("several projects come out sorted and once each, no newline after </html>", async () => {
    const names = ["zope-interface", "foo", "69", "a0", "a", "aa", "a-b", "z", "0-0", "foo"];
    const html = renderRootHtml(names);
    expect(html).toBe(await golden("root-several.html"));
    expect(html.endsWith("</html>")).toBe(true);
    expect(renderRootHtml([...names].sort())).toBe(html);
  });

  test("sorts in Python code point order", () => {
    const html = renderRootHtml(["b", "a\u{1F600}", "a\uFFFD", "B"]);
    const order = [...html.matchAll(/href="([^"]+)\/"/g)].map((match) => match[1]);
    expect(order).toEqual(["B", "a\uFFFD", "a\u{1F600}", "b"]);
  });

  test("a name with markup is escaped (normalized names never hold any)", () => {
    expect(renderRootHtml(["<x>"])).toContain('    <a href="&lt;x&gt;/">&lt;x&gt;</a><br/>\n');
  });
});

describe("renderRootJson", () => {
  test("PyPI's shape: serials and display names, sorted by normalized name", async () => {
    const projects = [
      { name: "Zope.Interface", serial: 5 },
      { name: "Foo", serial: 3 },
      { name: "69", serial: 10333928 },
      { name: "0-._.-._.-._.-._.-._.-._.-0", serial: 7 },
    ];
    expect(renderRootJson(projects, 12345)).toBe(await golden("root.v1_json"));
  });

  test("no projects", async () => {
    expect(renderRootJson([], 0)).toBe(await golden("root-0.v1_json"));
  });

  test("uses the caller's normalized names when given", () => {
    const text = renderRootJson(
      [
        { name: "B", serial: 1, normalizedName: "b" },
        { name: "a", serial: 2, normalizedName: "a" },
      ],
      2,
    );
    expect(JSON.parse(text).projects).toEqual([
      { "_last-serial": 2, name: "a" },
      { "_last-serial": 1, name: "B" },
    ]);
  });

  test("sorts by normalized name, not by display name", () => {
    // Display order would be "Foo-Bar" < "foo_a"; normalized "foo-a" < "foo-bar".
    const text = renderRootJson(
      [
        { name: "Foo-Bar", serial: 1 },
        { name: "foo_a", serial: 2 },
      ],
      2,
    );
    expect(JSON.parse(text).projects.map((project: { name: string }) => project.name)).toEqual([
      "foo_a",
      "Foo-Bar",
    ]);
  });

  test("escapes non-ASCII display names like Python", () => {
    expect(renderRootJson([{ name: "caf\u00e9", serial: 1 }], 1)).toContain('"name": "caf\\u00e9"');
  });

  test("refuses a serial that is not an integer", () => {
    expect(() => renderRootJson([{ name: "a", serial: Number.NaN }], 1)).toThrow(RangeError);
  });
});

describe("root index at PyPI's size", () => {
  const count = 800_000;
  // Already in order, as the ledger's ORDER BY returns them.
  const names = Array.from({ length: count }, (_, index) => `project-${String(index).padStart(7, "0")}`);
  const projects = names.map((normalizedName, index) => ({
    name: normalizedName.replace("-", "_"),
    serial: 30_000_000 + index,
    normalizedName,
  }));

  test("800,000 projects render in about a second at most, both formats", () => {
    const started = performance.now();
    const html = renderRootHtml(names);
    const json = renderRootJson(projects, 99);
    const elapsed = performance.now() - started;
    expect(html.length).toBeGreaterThan(count * 40);
    expect(html).toContain('    <a href="project-0799999/">project-0799999</a><br/>\n  </body>\n</html>');
    expect(
      json.startsWith(
        '{"meta": {"_last-serial": 99, "api-version": "1.4"}, "projects": [{"_last-serial": 30000000, "name": "project_0000000"}, ',
      ),
    ).toBe(true);
    expect(json.endsWith('{"_last-serial": 30799999, "name": "project_0799999"}]}')).toBe(true);
    // Generous bound for a loaded CI machine; typically ~0.5 s for both here.
    expect(elapsed).toBeLessThan(2500);
  });
});
