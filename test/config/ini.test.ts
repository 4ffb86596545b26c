import { describe, expect, test } from "bun:test";
import { MAX_INTERPOLATION_DEPTH, parseIni, pyStrip } from "../../src/config/ini.ts";
import { ConfigError } from "../../src/errors.ts";

const FILE = "/etc/bunsnatch.conf";

function parse(text: string) {
  return parseIni(text, FILE);
}

function parseError(text: string): string {
  try {
    parseIni(text, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

function getError(text: string, section: string, option: string): string {
  const ini = parse(text);
  try {
    ini.get(section, option);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("sections and options", () => {
  test("lists sections in file order, without DEFAULT", () => {
    const ini = parse("[DEFAULT]\nx = 1\n[mirror]\na = 1\n[plugins]\nb = 2\n");
    expect(ini.sectionNames()).toEqual(["mirror", "plugins"]);
    expect(ini.hasSection("mirror")).toBe(true);
    expect(ini.hasSection("DEFAULT")).toBe(false);
    expect(ini.hasSection("nope")).toBe(false);
    expect(ini.fileName).toBe(FILE);
  });

  test("reads name = value with surrounding whitespace stripped", () => {
    const ini = parse("[s]\n  workers   =   3  \nno-spaces=4\n");
    expect(ini.get("s", "workers")).toBe("3");
    expect(ini.get("s", "no-spaces")).toBe("4");
    expect(ini.get("s", "missing")).toBeUndefined();
    expect(ini.get("missing", "workers")).toBeUndefined();
  });

  test("only '=' separates: `a: b = 1` defines option `a: b`", () => {
    const ini = parse("[s]\na: b = 1\nnot-null:info.classifiers = x\nvalue = has = equals\n");
    expect(ini.ownOptionNames("s")).toEqual(["a: b", "not-null:info.classifiers", "value"]);
    expect(ini.get("s", "a: b")).toBe("1");
    expect(ini.get("s", "value")).toBe("has = equals");
  });

  test("option and section names are case-sensitive", () => {
    const ini = parse("[Mirror]\nJson = true\n[mirror]\njson = false\n");
    expect(ini.sectionNames()).toEqual(["Mirror", "mirror"]);
    expect(ini.get("mirror", "Json")).toBeUndefined();
    expect(ini.get("Mirror", "Json")).toBe("true");
  });

  test("an empty value is the empty string", () => {
    expect(parse("[s]\nproxy =\n").get("s", "proxy")).toBe("");
  });

  test("inline comments stay in the value, as in configparser", () => {
    const ini = parse("[s]\nworkers = 3 ; three\njson = true # x\n");
    expect(ini.get("s", "workers")).toBe("3 ; three");
    expect(ini.get("s", "json")).toBe("true # x");
  });

  test("section headers match configparser's permissive prefix pattern", () => {
    const ini = parse("[a] trailing\nx = 1\n[ spaced ]\ny = 2\n[b]]\nz = 3\n");
    expect(ini.sectionNames()).toEqual(["a", " spaced ", "b]"]);
  });

  test("full-line # and ; comments, even indented, are skipped", () => {
    const ini = parse("; head\n[s]\n# one\n  ; two\na = 1\n");
    expect(ini.optionNames("s")).toEqual(["a"]);
  });

  test("lineOf gives the key line", () => {
    const ini = parse("[s]\n\na = 1\nb =\n  x\n");
    expect(ini.lineOf("s", "a")).toBe(3);
    expect(ini.lineOf("s", "b")).toBe(4);
    expect(ini.lineOf("s", "c")).toBeUndefined();
  });
});

describe("multi-line values", () => {
  test("continuation lines join with newlines; the first line is empty when the key has no value", () => {
    const ini = parse("[plugins]\nenabled =\n    allowlist_project\n    allowlist_release\n");
    expect(ini.get("plugins", "enabled")).toBe("\nallowlist_project\nallowlist_release");
  });

  test("blank lines inside are kept, trailing ones dropped", () => {
    const ini = parse("[s]\nlist =\n    a\n\n    b\n\n\nnext = 1\n");
    expect(ini.get("s", "list")).toBe("\na\n\nb");
    expect(ini.get("s", "next")).toBe("1");
  });

  test("comment lines inside a value are dropped and do not end it", () => {
    const ini = parse("[allowlist]\npackages =\n    foo==1.2.3   # inline comment\n#    bar\n    baz\n");
    expect(ini.get("allowlist", "packages")).toBe("\nfoo==1.2.3   # inline comment\nbaz");
  });

  test("a line continues the value when indented deeper than its key line", () => {
    const ini = parse("[s]\n  a = 1\n    more\n  b = 2\nc = 3\n  [not-a-section]\n");
    expect(ini.get("s", "a")).toBe("1\nmore");
    expect(ini.get("s", "b")).toBe("2");
    expect(ini.get("s", "c")).toBe("3\n[not-a-section]");
    expect(ini.sectionNames()).toEqual(["s"]);
  });

  test("a tab counts as one column of indentation", () => {
    expect(parse("[s]\na = 1\n\tb = 2\n").get("s", "a")).toBe("1\nb = 2");
  });
});

describe("[DEFAULT]", () => {
  const text = "[DEFAULT]\nshared = d\nover = d\n[first]\nover = f\nown = 1\n[DEFAULT]\nlate = l\n[second]\n";

  test("its keys are inherited by every section, after the section's own", () => {
    const ini = parse(text);
    expect(ini.optionNames("first")).toEqual(["over", "own", "shared", "late"]);
    expect(ini.ownOptionNames("first")).toEqual(["over", "own"]);
    expect(ini.optionNames("second")).toEqual(["shared", "over", "late"]);
    expect(ini.get("first", "over")).toBe("f");
    expect(ini.get("second", "over")).toBe("d");
    expect(ini.optionNames("DEFAULT")).toEqual(["shared", "over", "late"]);
    expect(ini.get("DEFAULT", "late")).toBe("l");
    expect(ini.lineOf("second", "shared")).toBe(2);
  });

  test("can be reopened, but its options stay unique", () => {
    expect(parseError("[DEFAULT]\na = 1\n[s]\n[DEFAULT]\na = 2\n")).toBe(
      `Duplicate option 'a' in section [DEFAULT] at line 5 of ${FILE}`,
    );
  });
});

describe("interpolation", () => {
  test("%(name)s reads the same section, then [DEFAULT]", () => {
    const ini = parse("[DEFAULT]\nroot = /data\n[mirror]\nsub = pypi\ndirectory = %(root)s/%(sub)s\n");
    expect(ini.get("mirror", "directory")).toBe("/data/pypi");
  });

  test("references resolve recursively, in the section that was asked", () => {
    const ini = parse(
      "[DEFAULT]\nleaf = default\nmid = %(leaf)s-mid\n[s]\nleaf = section\ntop = %(mid)s-top\n",
    );
    expect(ini.get("s", "top")).toBe("section-mid-top");
    expect(ini.get("DEFAULT", "mid")).toBe("default-mid");
  });

  test("%% is a literal percent sign, also in referenced values", () => {
    const ini = parse("[s]\nproxy = http://u:p%%40ss@proxy:3128\npct = 100%%\nref = %(pct)s\nraw = %%(x)s\n");
    expect(ini.get("s", "proxy")).toBe("http://u:p%40ss@proxy:3128");
    expect(ini.get("s", "ref")).toBe("100%");
    expect(ini.get("s", "raw")).toBe("%(x)s");
  });

  test("a bare % is an error when the value is read, not when the file is parsed", () => {
    const text = "[mirror]\nok = 1\nbandwidth = 50%\n";
    expect(parse(text).get("mirror", "ok")).toBe("1");
    expect(getError(text, "mirror", "bandwidth")).toBe(
      `Bad interpolation in [mirror] bandwidth at line 3 of ${FILE}: ` +
        "'%' must be followed by '%' or '(', found '%' (write %% for a literal %)",
    );
  });

  test("a reference to a missing option names it", () => {
    expect(getError("[mirror]\ndirectory = %(root)s/pypi\n", "mirror", "directory")).toBe(
      `Bad interpolation in [mirror] directory at line 2 of ${FILE}: '%(root)s' names no option of [mirror] or [DEFAULT]`,
    );
  });

  test("names in references are case-sensitive", () => {
    expect(getError("[s]\nbase = 1\nx = %(BASE)s\n", "s", "x")).toContain("'%(BASE)s' names no option");
  });

  test("%(name) without the trailing s is an error", () => {
    expect(getError("[s]\nbase = 1\nx = %(base)d\n", "s", "x")).toBe(
      `Bad interpolation in [s] x at line 3 of ${FILE}: bad reference '%(base)d' (expected %(name)s; write %% for a literal %)`,
    );
  });

  test(`references nest at most ${MAX_INTERPOLATION_DEPTH} levels, as in Python`, () => {
    // c1 → c2 → … → c11 (literal): ten levels that contain a reference.
    const chain = Array.from({ length: 10 }, (_, index) => `c${index + 1} = %(c${index + 2})s`).join("\n");
    const text = `[s]\n${chain}\nc11 = end\ntop = %(c1)s\n`;
    expect(parse(text).get("s", "c1")).toBe("end");
    expect(getError(text, "s", "top")).toBe(
      `Bad interpolation in [s] top at line 13 of ${FILE}: references nest deeper than 10 levels (a reference loop?)`,
    );
  });

  test("a reference loop is reported, not followed forever", () => {
    expect(getError("[s]\nloop = %(loop)s\n", "s", "loop")).toContain(
      "references nest deeper than 10 levels",
    );
  });

  test("fallback variables apply only when the file does not define the name, and are not options", () => {
    const fallbacks = { interpolationFallbacks: { here: "/etc/bunsnatch" } };
    const ini = parseIni("[mirror]\ndirectory = %(here)s/mirror\n", FILE, fallbacks);
    expect(ini.get("mirror", "directory")).toBe("/etc/bunsnatch/mirror");
    expect(ini.get("mirror", "here")).toBeUndefined();
    expect(ini.optionNames("mirror")).toEqual(["directory"]);
    const own = parseIni("[DEFAULT]\nhere = /own\n[mirror]\ndirectory = %(here)s/mirror\n", FILE, fallbacks);
    expect(own.get("mirror", "directory")).toBe("/own/mirror");
  });

  test("fallback values are inserted literally", () => {
    const ini = parseIni("[s]\nx = %(here)s\n", FILE, { interpolationFallbacks: { here: "/50%" } });
    expect(ini.get("s", "x")).toBe("/50%");
  });
});

describe("errors name the line", () => {
  test("duplicate option", () => {
    expect(parseError("[mirror]\ndirectory = /srv\n\n\n\njson = true\nworkers = 3\nworkers = 4\n")).toBe(
      `Duplicate option 'workers' in section [mirror] at line 8 of ${FILE}`,
    );
  });

  test("duplicate section", () => {
    expect(parseError("[mirror]\na = 1\n[plugins]\n[mirror]\n")).toBe(
      `Duplicate section [mirror] at line 4 of ${FILE}`,
    );
  });

  test("an option before any section header", () => {
    expect(parseError("; fine\nworkers = 3\n[mirror]\n")).toBe(
      `Expected a [section] header before 'workers = 3' at line 2 of ${FILE} (options must follow a section header)`,
    );
  });

  test("a line without '=' (':' is not a delimiter)", () => {
    expect(parseError("[mirror]\ndirectory: /srv/pypi\n")).toBe(
      `Expected 'name = value', found 'directory: /srv/pypi' at line 2 of ${FILE} ` +
        "(only '=' separates a name from its value, not ':')",
    );
    expect(parseError("[mirror]\njust words\n")).toBe(
      `Expected 'name = value', found 'just words' at line 2 of ${FILE}`,
    );
    expect(parseError("[mirror]\n[]\n")).toBe(`Expected 'name = value', found '[]' at line 2 of ${FILE}`);
  });

  test("an empty option name", () => {
    expect(parseError("[mirror]\n = value\n")).toBe(`Empty option name in '= value' at line 2 of ${FILE}`);
  });
});

describe("encodings and line ends", () => {
  test("a UTF-8 BOM is ignored", () => {
    const ini = parse("\ufeff[mirror]\nworkers = 5\n");
    expect(ini.sectionNames()).toEqual(["mirror"]);
    expect(ini.get("mirror", "workers")).toBe("5");
  });

  test("CRLF and CR line ends", () => {
    for (const newline of ["\r\n", "\r"]) {
      const ini = parse(["[s]", "list =", "    a", "", "    b", "x = 1", ""].join(newline));
      expect(ini.get("s", "list")).toBe("\na\n\nb");
      expect(ini.get("s", "x")).toBe("1");
      expect(ini.lineOf("s", "x")).toBe(6);
    }
  });

  test("Python's whitespace is stripped (NBSP, form feed), not JavaScript's", () => {
    expect(pyStrip("\u00a0\u3000\x0cvalue\x1f")).toBe("value");
    expect(pyStrip("\ufeffvalue")).toBe("\ufeffvalue");
    expect(parse("[s]\na =\u00a0value\u00a0\n").get("s", "a")).toBe("value");
  });

  test("an empty file or one with only comments has no sections", () => {
    expect(parse("").sectionNames()).toEqual([]);
    expect(parse("; c\n# c\n\n").sectionNames()).toEqual([]);
  });
});
