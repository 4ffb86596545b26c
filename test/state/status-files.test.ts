import { describe, expect, test } from "bun:test";
import { formatLastModified, formatTodo, parseTodo } from "../../src/state/status-files.ts";

describe("bandersnatch state file formats", () => {
  test("todo: target serial, then 'name serial' lines, no trailing newline", () => {
    const text = formatTodo({
      targetSerial: 99,
      projects: [
        { name: "Foo.Bar", serial: 97 },
        { name: "baz", serial: 98 },
      ],
    });
    expect(text).toBe("99\nFoo.Bar 97\nbaz 98");
    expect(parseTodo(text)).toEqual({
      targetSerial: 99,
      projects: [
        { name: "Foo.Bar", serial: 97 },
        { name: "baz", serial: 98 },
      ],
    });
  });

  test("a todo longer than one write chunk reads back the same", () => {
    const projects = Array.from({ length: 10_000 }, (_, index) => ({ name: `p${index}`, serial: index }));
    const text = formatTodo({ targetSerial: 7, projects });
    expect(text).toBe(["7", ...projects.map((project) => `${project.name} ${project.serial}`)].join("\n"));
    expect(parseTodo(text)).toEqual({ targetSerial: 7, projects });
  });

  test("an inconsistent todo is rejected (bandersnatch deletes it)", () => {
    expect(parseTodo("")).toBeUndefined();
    expect(parseTodo("None\nfoo 1")).toBeUndefined();
    expect(parseTodo("12\nfoo bar")).toBeUndefined();
  });

  test("last-modified is %Y%m%dT%H:%M:%S in UTC with a newline", () => {
    expect(formatLastModified(new Date("2023-12-05T03:43:56.123Z"))).toBe("20231205T03:43:56\n");
  });
});
