/**
 * The `[mirror]` section: every option bandersnatch 8 reads, with its default and
 * meaning, plus bunsnatch's own, turned into typed, validated `MirrorOptions`.
 *
 * Where bandersnatch silently ignores a mistake we warn (unknown option, inline
 * comment); where it crashes or misbehaves we fail with one line that names file,
 * section, option and value.
 */

import { isAbsolute, normalize } from "node:path";
import { ConfigError } from "../errors.ts";
import { DEFAULT_SECTION, quoteForMessage, rawValue } from "./ini.ts";
import { closestName } from "./suggest.ts";
import type {
  ApiMethod,
  CompareMethod,
  DeletionLimit,
  IniDocument,
  MirrorOptions,
  SimpleFormat,
  StorageBackendName,
} from "./types.ts";
import { parseBoolean, parseByteSize, parseDecimal, parseDeletionLimit, parseWholeNumber } from "./values.ts";

export const MIRROR_SECTION = "mirror";

/** Where an option comes from: bandersnatch 8 (same name, same meaning) or bunsnatch. */
export type OptionOrigin = "bandersnatch" | "bunsnatch";

export interface MirrorOptionSpec {
  /** The INI key, spelt exactly as it must be written (names are case-sensitive). */
  name: string;
  /** The default as it would be written in the file; `undefined` for `directory` (required). */
  defaultValue: string | undefined;
  origin: OptionOrigin;
}

/** Every `[mirror]` option, in the order of bandersnatch's `defaults.conf`, then ours. */
export const MIRROR_OPTION_SPECS: readonly MirrorOptionSpec[] = [
  { name: "directory", defaultValue: undefined, origin: "bandersnatch" },
  { name: "storage-backend", defaultValue: "filesystem", origin: "bandersnatch" },
  { name: "storage-filesystem-manage-permissions", defaultValue: "true", origin: "bandersnatch" },
  { name: "master", defaultValue: "https://pypi.org", origin: "bandersnatch" },
  { name: "proxy", defaultValue: "", origin: "bandersnatch" },
  { name: "download-mirror", defaultValue: "", origin: "bandersnatch" },
  { name: "download-mirror-no-fallback", defaultValue: "false", origin: "bandersnatch" },
  { name: "allow-non-https", defaultValue: "false", origin: "bandersnatch" },
  { name: "json", defaultValue: "false", origin: "bandersnatch" },
  { name: "release-files", defaultValue: "true", origin: "bandersnatch" },
  { name: "core-metadata", defaultValue: "true", origin: "bandersnatch" },
  { name: "hash-index", defaultValue: "false", origin: "bandersnatch" },
  { name: "simple-format", defaultValue: "ALL", origin: "bandersnatch" },
  { name: "compare-method", defaultValue: "hash", origin: "bandersnatch" },
  { name: "digest_name", defaultValue: "sha256", origin: "bandersnatch" },
  { name: "keep_index_versions", defaultValue: "0", origin: "bandersnatch" },
  { name: "cleanup", defaultValue: "false", origin: "bandersnatch" },
  { name: "stop-on-error", defaultValue: "false", origin: "bandersnatch" },
  { name: "timeout", defaultValue: "10", origin: "bandersnatch" },
  { name: "global-timeout", defaultValue: "1800", origin: "bandersnatch" },
  { name: "workers", defaultValue: "3", origin: "bandersnatch" },
  { name: "verifiers", defaultValue: "3", origin: "bandersnatch" },
  { name: "root_uri", defaultValue: "", origin: "bandersnatch" },
  { name: "diff-file", defaultValue: "", origin: "bandersnatch" },
  { name: "diff-append-epoch", defaultValue: "false", origin: "bandersnatch" },
  { name: "log-config", defaultValue: "", origin: "bandersnatch" },
  { name: "api-method", defaultValue: "xmlrpc", origin: "bunsnatch" },
  { name: "download-concurrency", defaultValue: "16", origin: "bunsnatch" },
  { name: "host-concurrency", defaultValue: "8", origin: "bunsnatch" },
  { name: "download-attempts", defaultValue: "4", origin: "bunsnatch" },
  { name: "fsync", defaultValue: "true", origin: "bunsnatch" },
  { name: "max-bandwidth", defaultValue: "", origin: "bunsnatch" },
  { name: "delete-removed", defaultValue: "true", origin: "bunsnatch" },
  { name: "max-deletions", defaultValue: "5%", origin: "bunsnatch" },
  { name: "allowed-file-hosts", defaultValue: "", origin: "bunsnatch" },
];

/** Options bandersnatch once had and now ignores; we say so instead of staying silent. */
export const REMOVED_MIRROR_OPTIONS: Readonly<Record<string, string>> = {
  "delete-packages":
    "bandersnatch removed this option; upstream removals are governed by delete-removed and max-deletions",
};

/** `diff-file` fallback name inside the mirror directory (bandersnatch's). */
export const DIFF_FILE_FALLBACK_NAME = "mirrored-files";

export const SUPPORTED_DIGESTS = [
  "sha256",
  "md5",
  "sha1",
  "sha224",
  "sha384",
  "sha512",
  "blake2b_256",
] as const;

// bandersnatch's has_config_reference and eval_config_reference patterns (diff_file_reference.py).
const CONFIG_REFERENCE_PRESENT = /^.*\{\{.+_.+\}\}.*/;
const CONFIG_REFERENCE =
  /^(?<pre>.*)\{\{\s*(?<section>[^_\s](?:[^_]*[^_\s]))\s*_\s*(?<option>\S(?:.*\S)?)\s*\}\}(?<post>.*)$/;

// An inline comment: whitespace, then `;` or `#` (Python's whitespace set).
const INLINE_COMMENT = /[\t\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][;#]/;

const PERCENTAGE = /^(\d+(?:\.\d+)?)\s*%$/;

const KNOWN_NAMES = MIRROR_OPTION_SPECS.map((spec) => spec.name);
const DEFAULTS = new Map(MIRROR_OPTION_SPECS.map((spec) => [spec.name, spec.defaultValue]));

/** Reads `[mirror]` options from an `IniDocument`, collecting warnings and naming the option in errors. */
class MirrorSectionReader {
  readonly #ini: IniDocument;
  readonly #section: string;
  readonly warnings: string[] = [];

  constructor(ini: IniDocument) {
    this.#ini = ini;
    // With no [mirror] section bandersnatch still has its defaults.conf [mirror], which inherits [DEFAULT].
    this.#section = ini.hasSection(MIRROR_SECTION) ? MIRROR_SECTION : DEFAULT_SECTION;
  }

  get fileName(): string {
    return this.#ini.fileName;
  }

  /** `file line N: ` when the option was written in the file, else `file: `. */
  where(name: string): string {
    const line = this.#ini.lineOf(this.#section, name);
    return line === undefined ? `${this.#ini.fileName}: ` : `${this.#ini.fileName} line ${line}: `;
  }

  warn(name: string, message: string): void {
    this.warnings.push(`${this.where(name)}[mirror] ${message}`);
  }

  /** The ConfigError for a value that does not fit: `file: [mirror] name = 'value': expectation`. */
  invalid(name: string, value: string, expectation: string): ConfigError {
    return new ConfigError(
      `${this.#ini.fileName}: [mirror] ${name} = ${quoteForMessage(value)}: ${expectation}`,
    );
  }

  /** Warns about options we do not know, suggesting the closest known name. */
  checkUnknownOptions(): void {
    if (this.#section !== MIRROR_SECTION) return;
    for (const name of this.#ini.ownOptionNames(MIRROR_SECTION)) {
      if (DEFAULTS.has(name)) continue;
      const removedReason = REMOVED_MIRROR_OPTIONS[name];
      if (removedReason !== undefined) {
        this.warn(name, `${name} is ignored (${removedReason})`);
        continue;
      }
      const suggestion = closestName(name, KNOWN_NAMES);
      const hint = suggestion === undefined ? "" : `; did you mean '${suggestion}'?`;
      this.warn(name, `unknown option '${name}' is ignored${hint}`);
    }
  }

  /**
   * The option's value: from the file (or its [DEFAULT]) with any inline comment cut
   * off and warned about, else our default; undefined only for a missing `directory`.
   */
  read(name: string): string | undefined {
    const written = this.#written(name);
    if (written === undefined) return DEFAULTS.get(name);
    const comments: string[] = [];
    const lines = written.split("\n").map((line) => {
      const match = INLINE_COMMENT.exec(line);
      if (!match) return line;
      comments.push(line.slice(match.index + 1));
      return line.slice(0, match.index);
    });
    if (comments.length === 0) return written;
    const value = lines.join("\n").trim();
    const quoted = comments.map(quoteForMessage).join(", ");
    this.warn(
      name,
      `${name} = ${quoteForMessage(written)}: inline comment ${quoted} ignored, using ${quoteForMessage(value)} ` +
        "(bandersnatch would read the comment as part of the value; put comments on their own line)",
    );
    return value;
  }

  text(name: string): string {
    return this.read(name) ?? "";
  }

  /** The interpolated value; for `max-deletions` a lone `%` (`5%`) is taken as written. */
  #written(name: string): string | undefined {
    try {
      return this.#ini.get(this.#section, name);
    } catch (error) {
      // bandersnatch never reads max-deletions, so Python never interpolates it either.
      const raw = rawValue(this.#ini, this.#section, name);
      if (name === "max-deletions" && raw !== undefined && PERCENTAGE.test(raw)) return raw;
      throw error;
    }
  }

  boolean(name: string): boolean {
    const value = this.text(name);
    const parsed = parseBoolean(value);
    if (parsed === undefined) {
      throw this.invalid(name, value, "expected true or false (also yes/no, on/off, 1/0)");
    }
    return parsed;
  }

  wholeNumber(name: string, minimum: number, maximum?: number): number {
    const value = this.text(name);
    const parsed = parseWholeNumber(value);
    const inRange = parsed !== undefined && parsed >= minimum && (maximum === undefined || parsed <= maximum);
    if (!inRange) {
      const range = maximum === undefined ? `of ${minimum} or more` : `from ${minimum} to ${maximum}`;
      throw this.invalid(name, value, `expected a whole number ${range}`);
    }
    return parsed;
  }

  /** Seconds: a decimal number, at least `minimum` (exclusive when `exclusiveMinimum`). */
  seconds(name: string, minimum: number, exclusiveMinimum: boolean): number {
    const value = this.text(name);
    const parsed = parseDecimal(value);
    const inRange = parsed !== undefined && (exclusiveMinimum ? parsed > minimum : parsed >= minimum);
    if (!inRange) {
      const bound = exclusiveMinimum ? `greater than ${minimum}` : `of ${minimum} or more`;
      throw this.invalid(name, value, `expected a number of seconds ${bound}`);
    }
    return parsed;
  }
}

/** `new URL` for `http://` and `https://` URLs with a host, else undefined. */
function parseHttpUrl(value: string): URL | undefined {
  if (!/^https?:\/\/[^/]/i.test(value)) return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** An http(s) URL without query or fragment (a base to append paths to), else undefined. */
function parseBaseUrl(value: string): URL | undefined {
  const url = parseHttpUrl(value);
  return url?.search === "" && url.hash === "" ? url : undefined;
}

function withoutTrailingSlashes(value: string): string {
  return value.replace(/\/+$/, "");
}

function absolutePathOrUndefined(value: string): string | undefined {
  if (!isAbsolute(value)) return undefined;
  const normalized = normalize(value);
  return normalized.length > 1 ? withoutTrailingSlashes(normalized) : normalized;
}

// A host name, IPv4 address or bracketed IPv6 address, with an optional port.
const HOST_PATTERN =
  /^(?:\[[0-9a-f:.]+\]|[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*)(?::\d{1,5})?$/;

function readDirectory(reader: MirrorSectionReader): string {
  const value = reader.read("directory");
  if (value === undefined) {
    throw new ConfigError(
      `${reader.fileName}: [mirror] directory is missing: ` +
        "set it to the absolute path of the mirror root, e.g. directory = /srv/pypi",
    );
  }
  const directory = absolutePathOrUndefined(value);
  if (directory === undefined) {
    throw reader.invalid(
      "directory",
      value,
      "expected an absolute path (a relative one would depend on the working directory; " +
        "%(here)s expands to the directory of this config file)",
    );
  }
  return directory;
}

function readStorageBackend(reader: MirrorSectionReader): StorageBackendName {
  const backend = reader.text("storage-backend");
  if (backend === "filesystem") return backend;
  if (backend === "s3") {
    throw reader.invalid(
      "storage-backend",
      backend,
      "the S3 backend is not available in bunsnatch yet (a later version adds it); use filesystem",
    );
  }
  throw reader.invalid("storage-backend", backend, "expected filesystem");
}

function readMaster(reader: MirrorSectionReader, allowNonHttps: boolean): string {
  const master = reader.text("master");
  const url = parseBaseUrl(master);
  if (!url) {
    throw reader.invalid(
      "master",
      master,
      "expected an https:// URL without query or fragment, e.g. https://pypi.org",
    );
  }
  if (url.protocol === "http:" && !allowNonHttps) {
    throw reader.invalid(
      "master",
      master,
      "plain http is refused; use https://, or set allow-non-https = true",
    );
  }
  return withoutTrailingSlashes(master);
}

function readProxy(reader: MirrorSectionReader): string | null {
  const proxy = reader.text("proxy");
  if (proxy === "") return null;
  if (/^socks[45]?:\/\//i.test(proxy)) {
    throw reader.invalid(
      "proxy",
      proxy,
      "SOCKS proxies are not supported by bunsnatch; use an http:// or https:// proxy",
    );
  }
  if (!parseHttpUrl(proxy)) {
    throw reader.invalid("proxy", proxy, "expected an http:// or https:// proxy URL, or nothing");
  }
  return proxy;
}

/** A URL prefix (`download-mirror`), without trailing slashes, or null when empty. */
function readUrlPrefix(reader: MirrorSectionReader, name: string): string | null {
  const value = reader.text(name);
  if (value === "") return null;
  const url = parseBaseUrl(value);
  if (!url) {
    throw reader.invalid(
      name,
      value,
      "expected an http:// or https:// URL without query or fragment, or nothing",
    );
  }
  return withoutTrailingSlashes(value);
}

function readRootUri(reader: MirrorSectionReader): string | null {
  const value = reader.text("root_uri");
  // Empty with release-files = false: bandersnatch substitutes PyPI's files host; the index
  // writer links the upstream file URLs instead, the same bytes for PyPI and right for others.
  if (value === "") return null;
  const isPathPrefix = /^\/(?!\/)[^?#]*$/.test(value);
  if (!isPathPrefix && !parseBaseUrl(value)) {
    throw reader.invalid(
      "root_uri",
      value,
      "expected an http:// or https:// URL (or a path starting with /) to prefix links with, or nothing",
    );
  }
  // bandersnatch turns a trailing slash into `//packages/...`; we drop it.
  const withoutSlash = withoutTrailingSlashes(value);
  return withoutSlash === "" ? null : withoutSlash;
}

function readSimpleFormat(reader: MirrorSectionReader): SimpleFormat {
  const value = reader.text("simple-format");
  const upper = value.toUpperCase();
  if (upper === "ALL" || upper === "HTML" || upper === "JSON") return upper;
  throw reader.invalid("simple-format", value, "expected ALL, HTML or JSON");
}

function readCompareMethod(reader: MirrorSectionReader): CompareMethod {
  const value = reader.text("compare-method");
  // Case-sensitive, as in bandersnatch.
  if (value === "hash" || value === "stat") return value;
  throw reader.invalid("compare-method", value, "expected hash or stat (lower case)");
}

function readDigestName(reader: MirrorSectionReader): string {
  const value = reader.text("digest_name");
  const digest = value.trim().toLowerCase();
  if ((SUPPORTED_DIGESTS as readonly string[]).includes(digest)) return digest;
  throw reader.invalid("digest_name", value, `expected one of ${SUPPORTED_DIGESTS.join(", ")}`);
}

function readApiMethod(reader: MirrorSectionReader): ApiMethod {
  const value = reader.text("api-method");
  const method = value.toLowerCase();
  if (method === "xmlrpc" || method === "simple") return method;
  throw reader.invalid("api-method", value, "expected xmlrpc or simple");
}

function readGlobalTimeout(reader: MirrorSectionReader): number {
  const seconds = reader.seconds("global-timeout", 0, false);
  // bandersnatch: 0 means 5 hours.
  return seconds === 0 ? 18000 : seconds;
}

function readMaxBandwidth(reader: MirrorSectionReader): number | null {
  const value = reader.text("max-bandwidth");
  if (value === "") return null;
  const bytesPerSecond = parseByteSize(value);
  if (bytesPerSecond === undefined || bytesPerSecond < 1) {
    throw reader.invalid(
      "max-bandwidth",
      value,
      "expected bytes per second with binary units, e.g. 800K, 50M or 1.5G (or nothing for no limit)",
    );
  }
  return bytesPerSecond;
}

function readMaxDeletions(reader: MirrorSectionReader): DeletionLimit {
  const value = reader.text("max-deletions");
  const limit = parseDeletionLimit(value);
  if (limit) return limit;
  throw reader.invalid(
    "max-deletions",
    value,
    "expected a percentage of the mirror's files from 0% to 100% (e.g. 5%) or a whole number of files",
  );
}

function readAllowedFileHosts(reader: MirrorSectionReader): string[] {
  const value = reader.text("allowed-file-hosts");
  const hosts = value.split(/\s+/).filter((host) => host !== "");
  for (const host of hosts) {
    if (!HOST_PATTERN.test(host.toLowerCase())) {
      throw reader.invalid(
        "allowed-file-hosts",
        value,
        `${quoteForMessage(host)} is not a host name; list host names (optionally with :port), ` +
          "separated by spaces or new lines, e.g. files.example.com",
      );
    }
  }
  return hosts.map((host) => host.toLowerCase());
}

function readDiffFile(reader: MirrorSectionReader, ini: IniDocument, directory: string): string | null {
  let diffFile = reader.text("diff-file");
  if (diffFile === "") return null;
  if (CONFIG_REFERENCE_PRESENT.test(diffFile)) {
    const expanded = expandConfigReference(ini, diffFile);
    if (expanded === undefined) {
      const fallback = `${directory}/${DIFF_FILE_FALLBACK_NAME}`;
      reader.warn(
        "diff-file",
        `diff-file = ${quoteForMessage(diffFile)}: the {{section_option}} reference names no option; ` +
          `writing the diff file to ${fallback} instead (as bandersnatch does)`,
      );
      return fallback;
    }
    diffFile = expanded;
  }
  if (!isAbsolute(diffFile)) {
    throw reader.invalid(
      "diff-file",
      diffFile,
      "expected an absolute path, or nothing to write no diff file",
    );
  }
  return diffFile;
}

/**
 * bandersnatch's `{{section_option}}` reference in `diff-file`: one reference, the
 * section name without `_`, replaced by that option's (interpolated) value.
 * Returns undefined when the reference is malformed or names no option.
 */
export function expandConfigReference(ini: IniDocument, value: string): string | undefined {
  const match = CONFIG_REFERENCE.exec(value);
  if (!match?.groups) return undefined;
  const { pre, section, option, post } = match.groups;
  if (section === undefined || option === undefined) return undefined;
  if (section !== DEFAULT_SECTION && !ini.hasSection(section)) return undefined;
  const referenced = ini.get(section, option);
  return referenced === undefined ? undefined : `${pre ?? ""}${referenced}${post ?? ""}`;
}

/**
 * Resolves and validates the `[mirror]` section (with `[DEFAULT]` inheritance and
 * bandersnatch's defaults) into `MirrorOptions`. Pure: findings that are not fatal
 * come back as warnings, one line each, for the caller to log.
 *
 * @throws {ConfigError} for a missing or relative `directory`, an unusable value
 *   (`workers = ten`, `simple-format = XML`, an `http://` master without
 *   `allow-non-https = true`...), or `storage-backend = s3`; the message reads
 *   `<file>: [mirror] <option> = '<value>': <what was expected>`.
 * @example
 * const { options } = resolveMirrorOptions(parseIni("[mirror]\ndirectory = /srv/pypi\n", "x.conf"));
 * options.workers; // 3
 */
export function resolveMirrorOptions(ini: IniDocument): { options: MirrorOptions; warnings: string[] } {
  const reader = new MirrorSectionReader(ini);
  reader.checkUnknownOptions();

  const storageBackend = readStorageBackend(reader);
  const directory = readDirectory(reader);
  const allowNonHttps = reader.boolean("allow-non-https");
  const releaseFiles = reader.boolean("release-files");
  const downloadMirror = readUrlPrefix(reader, "download-mirror");
  const downloadMirrorNoFallback = reader.boolean("download-mirror-no-fallback");
  if (downloadMirrorNoFallback && downloadMirror === null) {
    reader.warn(
      "download-mirror-no-fallback",
      "download-mirror-no-fallback = true has no effect without download-mirror",
    );
  }
  const logConfig = reader.text("log-config");
  if (logConfig !== "") {
    reader.warn(
      "log-config",
      `log-config = ${quoteForMessage(logConfig)} is not supported and is ignored; ` +
        "bunsnatch logs to stderr in bandersnatch's line format",
    );
  }

  const options: MirrorOptions = {
    directory,
    storageBackend,
    storageFilesystemManagePermissions: reader.boolean("storage-filesystem-manage-permissions"),
    master: readMaster(reader, allowNonHttps),
    proxy: readProxy(reader),
    downloadMirror,
    downloadMirrorNoFallback,
    allowNonHttps,
    json: reader.boolean("json"),
    releaseFiles,
    coreMetadata: reader.boolean("core-metadata"),
    hashIndex: reader.boolean("hash-index"),
    simpleFormat: readSimpleFormat(reader),
    compareMethod: readCompareMethod(reader),
    digestName: readDigestName(reader),
    keepIndexVersions: reader.wholeNumber("keep_index_versions", 0),
    cleanup: reader.boolean("cleanup"),
    stopOnError: reader.boolean("stop-on-error"),
    timeout: reader.seconds("timeout", 0, true),
    globalTimeout: readGlobalTimeout(reader),
    workers: reader.wholeNumber("workers", 1, 100),
    verifiers: reader.wholeNumber("verifiers", 1, 100),
    rootUri: readRootUri(reader),
    diffFile: readDiffFile(reader, ini, directory),
    diffAppendEpoch: reader.boolean("diff-append-epoch"),
    logConfig: logConfig === "" ? null : logConfig,
    apiMethod: readApiMethod(reader),
    downloadConcurrency: reader.wholeNumber("download-concurrency", 1, 256),
    hostConcurrency: reader.wholeNumber("host-concurrency", 1, 256),
    fsync: reader.boolean("fsync"),
    maxBandwidth: readMaxBandwidth(reader),
    deleteRemoved: reader.boolean("delete-removed"),
    maxDeletions: readMaxDeletions(reader),
    allowedFileHosts: readAllowedFileHosts(reader),
    downloadAttempts: reader.wholeNumber("download-attempts", 1, 20),
  };
  return { options, warnings: reader.warnings };
}
