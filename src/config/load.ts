/**
 * Reads the config file from disk: the only I/O in `config/`. Parsing and
 * validation are pure (`ini.ts`, `options.ts`).
 */

import { readFile, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { ConfigError } from "../errors.ts";
import { EXAMPLE_CONFIG } from "./example.ts";
import { parseIni } from "./ini.ts";
import { resolveMirrorOptions } from "./options.ts";
import type { LoadedConfig } from "./types.ts";

/**
 * The `%(here)s` interpolation variable: the directory holding the config file,
 * for paths next to it (`directory = %(here)s/mirror`). It applies only when the
 * file itself defines no `here`, so files that never use it read as in Python.
 */
export const HERE_VARIABLE = "here";

const FS_ERROR_TEXT: Readonly<Record<string, string>> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "it is a directory",
  ENOTDIR: "a parent is not a directory",
  ENOENT: "no such file or directory",
  EEXIST: "a file already exists there",
  EROFS: "read-only filesystem",
  ENOSPC: "no space left on device",
  ELOOP: "too many symbolic links",
};

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

function describeFsError(error: unknown): string {
  const code = errorCode(error);
  if (code !== undefined && FS_ERROR_TEXT[code] !== undefined) return `${FS_ERROR_TEXT[code]} (${code})`;
  return error instanceof Error ? error.message : String(error);
}

async function writeExampleConfig(path: string): Promise<never> {
  try {
    // "wx": never clobber a file that appeared meanwhile; create nothing but this file.
    await writeFile(path, EXAMPLE_CONFIG, { flag: "wx", mode: 0o644 });
  } catch (error) {
    throw new ConfigError(
      `Config file '${path}' is missing, and an example config could not be written there: ${describeFsError(error)}`,
      { cause: error },
    );
  }
  throw new ConfigError(
    `Config file '${path}' was missing; wrote an example config there. Review it, then run bunsnatch again.`,
  );
}

/** Decodes UTF-8 strictly; an invalid byte names its line. */
export function decodeConfigText(bytes: Uint8Array, path: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    // A newline byte never occurs inside a UTF-8 sequence, so lines decode on their own.
    let lineNumber = 1;
    let lineStart = 0;
    for (let index = 0; index <= bytes.length; index++) {
      if (index < bytes.length && bytes[index] !== 0x0a) continue;
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(lineStart, index));
      } catch {
        break;
      }
      lineNumber++;
      lineStart = index + 1;
    }
    throw new ConfigError(`Config file '${path}' is not valid UTF-8 (line ${lineNumber})`);
  }
}

/**
 * Reads, parses and validates the config file at `path`. Nothing is logged: the
 * warnings come back in `LoadedConfig.warnings`.
 *
 * When the file does not exist, writes the commented example config there
 * (creating nothing else, not even a directory) and throws, as bandersnatch does.
 *
 * @throws {ConfigError} when the file is missing (after writing the example), cannot
 *   be read, is not UTF-8, is not valid INI, or has a bad `[mirror]` value.
 * @example
 * const config = await loadConfig("/etc/bunsnatch.conf");
 * for (const warning of config.warnings) log.warning(warning);
 */
export async function loadConfig(path: string): Promise<LoadedConfig> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return writeExampleConfig(path);
    throw new ConfigError(`Cannot read config file '${path}': ${describeFsError(error)}`, { cause: error });
  }
  const text = decodeConfigText(bytes, path);
  const ini = parseIni(text, path, {
    interpolationFallbacks: { [HERE_VARIABLE]: dirname(resolve(path)) },
  });
  const { options, warnings } = resolveMirrorOptions(ini);
  return { path, mirror: options, ini, warnings };
}
