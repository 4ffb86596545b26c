/**
 * Python's own configparser, configured as bandersnatch configures it, as the
 * oracle for `parseIni`. `describeWithPython` runs it (when `python3` is on the
 * PATH); `describeWithBunsnatch` describes our reading the same way.
 *
 * Regenerate the committed answers in corpus/*.python.json (after adding a corpus
 * file) with: bun test/config/configparser-oracle.ts && npx biome format --write test/config/corpus
 */

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseIni } from "../../src/config/ini.ts";
import { ConfigError } from "../../src/errors.ts";

export interface OptionDescription {
  name: string;
  /** The interpolated value, when reading it succeeds. */
  value?: string;
  /** Why reading the value failed (Python's exception name; "ConfigError" for ours). */
  error?: string;
}

export interface SectionDescription {
  name: string;
  /** `config[section].keys()` order: own options, then inherited DEFAULT ones. */
  options: OptionDescription[];
}

export type IniDescription =
  | { accepted: true; sections: SectionDescription[] }
  | { accepted: false; error: string; line: number | null };

export const CORPUS_DIRECTORY = join(import.meta.dir, "corpus");

/** The corpus files, sorted. */
export function corpusFiles(): string[] {
  return readdirSync(CORPUS_DIRECTORY)
    .filter((name) => name.endsWith(".conf"))
    .sort();
}

// bandersnatch: ConfigParser(delimiters="=") with optionxform = identity, so BasicInterpolation,
// strict, empty_lines_in_values, DEFAULT and case-sensitive names apply.
// Files are decoded as UTF-8 with an optional BOM (bunsnatch accepts a BOM; bandersnatch does not).
const PYTHON_SCRIPT = `
import configparser, json, sys

def describe(path):
    config = configparser.ConfigParser(delimiters="=")
    config.optionxform = lambda option: option
    try:
        with open(path, encoding="utf-8-sig") as fp:
            config.read_file(fp, source=path)
    except configparser.Error as error:
        line = getattr(error, "lineno", None)
        if line is None and getattr(error, "errors", None):
            line = error.errors[0][0]
        return {"accepted": False, "error": type(error).__name__, "line": line}
    sections = []
    for name in [config.default_section] + config.sections():
        keys = list(config.defaults().keys()) if name == config.default_section else list(config[name].keys())
        options = []
        for key in keys:
            try:
                options.append({"name": key, "value": config.get(name, key)})
            except configparser.Error as error:
                options.append({"name": key, "error": type(error).__name__})
        sections.append({"name": name, "options": options})
    return {"accepted": True, "sections": sections}

print(json.dumps({path: describe(path) for path in sys.argv[1:]}))
`;

/** The python3 executable, or undefined when there is none. */
export function findPython(): string | undefined {
  return Bun.which("python3") ?? undefined;
}

/** Python's reading of each file, keyed by path. */
export function describeWithPython(python: string, paths: string[]): Record<string, IniDescription> {
  const result = Bun.spawnSync([python, "-c", PYTHON_SCRIPT, ...paths], { stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) {
    throw new Error(`python3 failed: ${result.stderr.toString()}`);
  }
  return JSON.parse(result.stdout.toString()) as Record<string, IniDescription>;
}

/** Our reading of `text`, in the same shape as Python's. */
export function describeWithBunsnatch(text: string, fileName: string): IniDescription {
  let ini: ReturnType<typeof parseIni>;
  try {
    ini = parseIni(text, fileName);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const line = /at line (\d+)/.exec(error.message)?.[1];
    return { accepted: false, error: "ConfigError", line: line === undefined ? null : Number(line) };
  }
  const sections = ["DEFAULT", ...ini.sectionNames()].map((section) => ({
    name: section,
    options: ini.optionNames(section).map((option): OptionDescription => {
      try {
        return { name: option, value: ini.get(section, option) };
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        return { name: option, error: "ConfigError" };
      }
    }),
  }));
  return { accepted: true, sections };
}

/** A description with error kinds reduced to "an error": the types differ between Python and us. */
export function comparable(description: IniDescription): unknown {
  if (!description.accepted) return { accepted: false, line: description.line };
  return {
    accepted: true,
    sections: description.sections.map((section) => ({
      name: section.name,
      options: section.options.map((option) =>
        option.error === undefined ? option : { name: option.name, error: true },
      ),
    })),
  };
}

export function snapshotPath(confName: string): string {
  return join(CORPUS_DIRECTORY, confName.replace(/\.conf$/, ".python.json"));
}

export function readSnapshot(confName: string): IniDescription {
  return JSON.parse(readFileSync(snapshotPath(confName), "utf8")) as IniDescription;
}

if (import.meta.main) {
  const python = findPython();
  if (python === undefined) throw new Error("python3 is not on the PATH");
  const names = corpusFiles();
  const described = describeWithPython(
    python,
    names.map((name) => join(CORPUS_DIRECTORY, name)),
  );
  for (const name of names) {
    writeFileSync(
      snapshotPath(name),
      JSON.stringify(described[join(CORPUS_DIRECTORY, name)], null, 2) + "\n",
    );
  }
  console.log(`wrote ${names.length} snapshots`);
}
