/**
 * The contract between the config reader and the rest of the program.
 */

/** A parsed INI file with Python `configparser` semantics (see `ini.ts`). */
export interface IniDocument {
  /** File the document came from (for messages). */
  fileName: string;
  /** Section names in file order, `DEFAULT` excluded. */
  sectionNames(): string[];
  hasSection(section: string): boolean;
  /**
   * Option names of a section in file order, followed by inherited `[DEFAULT]` names
   * (configparser's `config[section].keys()`).
   */
  optionNames(section: string): string[];
  /** Option names written in the section itself, without inherited DEFAULT keys. */
  ownOptionNames(section: string): string[];
  /**
   * The interpolated value (`%(name)s`, `%%`), with DEFAULT inheritance, or `undefined`.
   * Throws `ConfigError` naming file, section, option and line on a bad interpolation.
   */
  get(section: string, option: string): string | undefined;
  /** 1-based line of the option's key line, when it was written in the file. */
  lineOf(section: string, option: string): number | undefined;
}

export type SimpleFormat = "ALL" | "HTML" | "JSON";
export type CompareMethod = "hash" | "stat";
export type ApiMethod = "xmlrpc" | "simple";
export type StorageBackendName = "filesystem" | "s3";

/** `max-deletions`: an absolute number of files, or a percentage of the mirror's files. */
export type DeletionLimit = { kind: "count"; value: number } | { kind: "percent"; value: number };

/** Typed, validated `[mirror]` options. Names follow the INI keys. */
export interface MirrorOptions {
  /** Absolute path of the mirror root. */
  directory: string;
  storageBackend: StorageBackendName;
  storageFilesystemManagePermissions: boolean;
  /** Upstream base URL without a trailing slash. */
  master: string;
  /** Proxy URL, or null to use the environment (`HTTPS_PROXY`, ...). */
  proxy: string | null;
  /** URL prefix tried before the upstream file URL, or null. No trailing slash. */
  downloadMirror: string | null;
  downloadMirrorNoFallback: boolean;
  allowNonHttps: boolean;
  json: boolean;
  releaseFiles: boolean;
  coreMetadata: boolean;
  hashIndex: boolean;
  simpleFormat: SimpleFormat;
  compareMethod: CompareMethod;
  /** Lower-case hash name used in pages (`#sha256=`) and comparisons. */
  digestName: string;
  keepIndexVersions: number;
  cleanup: boolean;
  stopOnError: boolean;
  /** Idle socket timeout, seconds. */
  timeout: number;
  /** Whole-request timeout, seconds (`0` in the file means 18000, as bandersnatch does). */
  globalTimeout: number;
  /** Projects in flight. */
  workers: number;
  verifiers: number;
  /** Absolute link prefix for pages, without a trailing slash; null = relative links. */
  rootUri: string | null;
  /** Resolved diff file path (`{{mirror_directory}}` expanded), or null. */
  diffFile: string | null;
  diffAppendEpoch: boolean;
  logConfig: string | null;
  // --- bunsnatch additions ---
  apiMethod: ApiMethod;
  /** Files in flight across all projects. */
  downloadConcurrency: number;
  /** Connections in flight to any one host. */
  hostConcurrency: number;
  /** fsync files and directories before publishing. */
  fsync: boolean;
  /** Bytes per second across all downloads, or null for no limit (`max-bandwidth = 50M`). */
  maxBandwidth: number | null;
  /** Apply upstream removals to the mirror. */
  deleteRemoved: boolean;
  maxDeletions: DeletionLimit;
  /** Extra hosts release files may come from (besides the master's host and its known files host). */
  allowedFileHosts: string[];
  /** Attempts per file download (first try included). */
  downloadAttempts: number;
}

export interface LoadedConfig {
  /** Path the config was read from. */
  path: string;
  mirror: MirrorOptions;
  /** The whole document: filter sections, `[s3]`, `[wheel_tags]`... */
  ini: IniDocument;
  /** Non-fatal findings (unknown options, inline comments); already logged by the loader's caller. */
  warnings: string[];
}
