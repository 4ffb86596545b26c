import { afterAll, describe, expect, test } from "bun:test";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXAMPLE_CONFIG } from "../../src/config/example.ts";
import { decodeConfigText, loadConfig } from "../../src/config/load.ts";
import { ConfigError } from "../../src/errors.ts";

const scratch = mkdtempSync(join(tmpdir(), "bunsnatch-config-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let counter = 0;
function freshDirectory(): string {
  const directory = join(scratch, String(counter++));
  mkdirSync(directory);
  return directory;
}

async function loadError(path: string): Promise<ConfigError> {
  try {
    await loadConfig(path);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  test("reads, parses and validates, returning warnings without logging them", async () => {
    const path = join(freshDirectory(), "bunsnatch.conf");
    writeFileSync(path, "[mirror]\ndirectory = /srv/pypi\nworker = 3\n[plugins]\nenabled = all\n");
    const config = await loadConfig(path);
    expect(config.path).toBe(path);
    expect(config.mirror.directory).toBe("/srv/pypi");
    expect(config.ini.get("plugins", "enabled")).toBe("all");
    expect(config.warnings).toEqual([
      `${path} line 3: [mirror] unknown option 'worker' is ignored; did you mean 'workers'?`,
    ]);
  });

  test("%(here)s is the directory of the config file", async () => {
    const directory = freshDirectory();
    const path = join(directory, "quick.conf");
    writeFileSync(path, "[mirror]\ndirectory = %(here)s/mirror\n");
    expect((await loadConfig(path)).mirror.directory).toBe(join(directory, "mirror"));
  });

  test("a file that defines here keeps its own value", async () => {
    const path = join(freshDirectory(), "own.conf");
    writeFileSync(path, "[DEFAULT]\nhere = /data\n[mirror]\ndirectory = %(here)s/mirror\n");
    const config = await loadConfig(path);
    expect(config.mirror.directory).toBe("/data/mirror");
  });

  test("a missing file gets the example config written in its place, then an error", async () => {
    const directory = freshDirectory();
    const path = join(directory, "bunsnatch.conf");
    const error = await loadError(path);
    expect(error.message).toBe(
      `Config file '${path}' was missing; wrote an example config there. Review it, then run bunsnatch again.`,
    );
    expect(error.exitCode).toBe(2);
    expect(readFileSync(path, "utf8")).toBe(EXAMPLE_CONFIG);
    expect(readdirSync(directory)).toEqual(["bunsnatch.conf"]);
    // The written example is itself a valid config.
    expect((await loadConfig(path)).mirror.directory).toBe("/srv/pypi");
  });

  test("a missing file in a missing directory: nothing is created, and the error names the path and cause", async () => {
    const directory = freshDirectory();
    const path = join(directory, "etc", "bunsnatch.conf");
    const error = await loadError(path);
    expect(error.message).toBe(
      `Config file '${path}' is missing, and an example config could not be written there: ` +
        "no such file or directory (ENOENT)",
    );
    expect(existsSync(join(directory, "etc"))).toBe(false);
  });

  test("a directory instead of a file", async () => {
    const path = freshDirectory();
    expect((await loadError(path)).message).toBe(
      `Cannot read config file '${path}': it is a directory (EISDIR)`,
    );
  });

  test.skipIf(process.getuid?.() === 0)("an unreadable file", async () => {
    const path = join(freshDirectory(), "secret.conf");
    writeFileSync(path, "[mirror]\n");
    chmodSync(path, 0o000);
    expect((await loadError(path)).message).toBe(
      `Cannot read config file '${path}': permission denied (EACCES)`,
    );
  });

  test("a file that is not UTF-8 names the line", async () => {
    const path = join(freshDirectory(), "latin1.conf");
    writeFileSync(path, Buffer.from("[mirror]\ndirectory = /srv/pypi\n# caf\xe9\n", "latin1"));
    expect((await loadError(path)).message).toBe(`Config file '${path}' is not valid UTF-8 (line 3)`);
  });

  test("INI and value errors come through as ConfigError", async () => {
    const path = join(freshDirectory(), "bad.conf");
    writeFileSync(path, "[mirror]\ndirectory: /srv\n");
    expect((await loadError(path)).message).toContain(`at line 2 of ${path}`);
    writeFileSync(path, "[mirror]\ndirectory = /srv\nworkers = ten\n");
    expect((await loadError(path)).message).toBe(
      `${path}: [mirror] workers = 'ten': expected a whole number from 1 to 100`,
    );
  });
});

describe("decodeConfigText", () => {
  test("decodes UTF-8 and keeps non-ASCII text", () => {
    expect(decodeConfigText(new TextEncoder().encode("[s]\nname = café\n"), "x")).toBe("[s]\nname = café\n");
  });

  test("an invalid byte on the first line", () => {
    expect(() => decodeConfigText(new Uint8Array([0xff, 0x0a]), "/x.conf")).toThrow(
      "Config file '/x.conf' is not valid UTF-8 (line 1)",
    );
  });
});
