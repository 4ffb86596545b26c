import { describe, expect, test } from "bun:test";
import {
  anyRequirementContains,
  parseRequirement,
  RequirementSyntaxError,
} from "../../src/filters/requirements.ts";

describe("parseRequirement", () => {
  test("a bare name has the empty specifier", () => {
    const requirement = parseRequirement("discord.PY");
    expect(requirement.name).toBe("discord.PY");
    expect(requirement.normalizedName).toBe("discord-py");
    expect(requirement.specifier.clauses).toEqual([]);
  });

  test("name, extras, specifier and marker", () => {
    const requirement = parseRequirement(
      'Foo_Bar[security, socks] >=1.4.2,<1.9,!=1.5.* ; python_version < "3.8"',
    );
    expect(requirement.normalizedName).toBe("foo-bar");
    expect(requirement.extras).toEqual(["security", "socks"]);
    expect(requirement.specifier.text).toBe(">=1.4.2,<1.9,!=1.5.*");
    expect(requirement.marker).toBe('python_version < "3.8"');
  });

  test("the parenthesized specifier form", () => {
    expect(parseRequirement("foo (>=1.0, <2)").specifier.clauses).toHaveLength(2);
  });

  test("a URL requirement has no specifier", () => {
    const requirement = parseRequirement(
      "pip @ https://example.org/pip-1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686",
    );
    expect(requirement.url).toStartWith("https://example.org/");
    expect(requirement.specifier.clauses).toEqual([]);
  });

  test("bad lines throw RequirementSyntaxError naming the line", () => {
    for (const line of ["foo==", "==1.0", "foo bar", "foo[bar", "foo>=1.0;", "foo @ ", "foo (>=1.0"]) {
      expect(() => parseRequirement(line)).toThrow(RequirementSyntaxError);
    }
    expect(() => parseRequirement("foo=>1")).toThrow(
      'invalid requirement "foo=>1": bad version specifier "=>1"',
    );
  });
});

describe("anyRequirementContains", () => {
  test("pre-releases are contained; invalid versions never are", () => {
    const requirements = [parseRequirement("foo>=1.0")];
    expect(anyRequirementContains(requirements, "2.0rc1")).toBe(true);
    expect(anyRequirementContains(requirements, "0.9")).toBe(false);
    expect(anyRequirementContains([parseRequirement("foo")], "not-a-version")).toBe(false);
  });

  test("any of several requirements for the project may contain the version", () => {
    const requirements = [parseRequirement("foo==1.0"), parseRequirement("foo==2.0")];
    expect(anyRequirementContains(requirements, "2.0")).toBe(true);
  });
});
