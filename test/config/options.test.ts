import { describe, expect, test } from "bun:test";
import { parseIni } from "../../src/config/ini.ts";
import { MIRROR_OPTION_SPECS, resolveMirrorOptions } from "../../src/config/options.ts";
import type { MirrorOptions } from "../../src/config/types.ts";
import { ConfigError } from "../../src/errors.ts";

const FILE = "/etc/bunsnatch.conf";

/** Resolves `[mirror]` with `directory = /srv/pypi` plus `lines`. */
function resolve(lines = "", prefix = "") {
  return resolveMirrorOptions(parseIni(`${prefix}[mirror]\ndirectory = /srv/pypi\n${lines}\n`, FILE));
}

function mirror(lines: string): MirrorOptions {
  return resolve(lines).options;
}

function warningsOf(lines: string): string[] {
  return resolve(lines).warnings;
}

function errorOf(text: string): string {
  try {
    resolveMirrorOptions(parseIni(text, FILE));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

function errorFor(lines: string): string {
  return errorOf(`[mirror]\ndirectory = /srv/pypi\n${lines}\n`);
}

const DEFAULTS: MirrorOptions = {
  directory: "/srv/pypi",
  storageBackend: "filesystem",
  storageFilesystemManagePermissions: true,
  master: "https://pypi.org",
  proxy: null,
  downloadMirror: null,
  downloadMirrorNoFallback: false,
  allowNonHttps: false,
  json: false,
  releaseFiles: true,
  coreMetadata: true,
  hashIndex: false,
  simpleFormat: "ALL",
  compareMethod: "hash",
  digestName: "sha256",
  keepIndexVersions: 0,
  cleanup: false,
  stopOnError: false,
  timeout: 10,
  globalTimeout: 1800,
  workers: 3,
  verifiers: 3,
  rootUri: null,
  diffFile: null,
  diffAppendEpoch: false,
  logConfig: null,
  apiMethod: "xmlrpc",
  downloadConcurrency: 16,
  hostConcurrency: 8,
  fsync: true,
  maxBandwidth: null,
  deleteRemoved: true,
  maxDeletions: { kind: "percent", value: 5 },
  allowedFileHosts: [],
  downloadAttempts: 4,
};

describe("defaults", () => {
  test("a config with only a directory gets every default, and no warnings", () => {
    expect(resolve()).toEqual({ options: DEFAULTS, warnings: [] });
  });

  test("writing every default explicitly changes nothing", () => {
    const lines = MIRROR_OPTION_SPECS.filter((spec) => spec.defaultValue !== undefined)
      .map((spec) => `${spec.name} = ${spec.defaultValue}`)
      .join("\n");
    expect(resolve(lines)).toEqual({ options: DEFAULTS, warnings: [] });
  });

  test("bandersnatch's defaults.conf values are ours", () => {
    const specs = new Map(MIRROR_OPTION_SPECS.map((spec) => [spec.name, spec]));
    const bandersnatchDefaults: Record<string, string> = {
      "storage-backend": "filesystem",
      "storage-filesystem-manage-permissions": "true",
      "download-mirror-no-fallback": "false",
      "allow-non-https": "false",
      json: "false",
      "release-files": "true",
      "core-metadata": "true",
      "hash-index": "false",
      "simple-format": "ALL",
      "compare-method": "hash",
      digest_name: "sha256",
      keep_index_versions: "0",
      cleanup: "false",
      "stop-on-error": "false",
      timeout: "10",
      "global-timeout": "1800",
      workers: "3",
      verifiers: "3",
      "diff-append-epoch": "false",
    };
    for (const [name, value] of Object.entries(bandersnatchDefaults)) {
      expect({ name, value: specs.get(name)?.defaultValue, origin: specs.get(name)?.origin }).toEqual({
        name,
        value,
        origin: "bandersnatch",
      });
    }
  });

  test("[DEFAULT] values apply to [mirror]", () => {
    const { options } = resolveMirrorOptions(
      parseIni("[DEFAULT]\nworkers = 7\nroot = /data\n[mirror]\ndirectory = %(root)s/pypi\n", FILE),
    );
    expect(options.workers).toBe(7);
    expect(options.directory).toBe("/data/pypi");
  });

  test("without a [mirror] section, [DEFAULT] still provides the options (as bandersnatch's defaults.conf does)", () => {
    const { options } = resolveMirrorOptions(parseIni("[DEFAULT]\ndirectory = /srv/pypi\n", FILE));
    expect(options.directory).toBe("/srv/pypi");
  });
});

describe("values", () => {
  test("booleans read as configparser's getboolean, any case", () => {
    for (const truthy of ["1", "yes", "true", "on", "TRUE", "Yes", "oN"])
      expect(mirror(`json = ${truthy}`).json).toBe(true);
    for (const falsy of ["0", "no", "false", "off", "FALSE", "No"])
      expect(mirror(`fsync = ${falsy}`).fsync).toBe(false);
  });

  test("every boolean option", () => {
    const options = mirror(
      [
        "storage-filesystem-manage-permissions = false",
        "download-mirror = https://m.example.com",
        "download-mirror-no-fallback = true",
        "allow-non-https = true",
        "json = true",
        "release-files = false",
        "root_uri = https://files.example.com",
        "core-metadata = false",
        "hash-index = true",
        "cleanup = true",
        "stop-on-error = true",
        "diff-append-epoch = true",
        "fsync = false",
        "delete-removed = false",
      ].join("\n"),
    );
    expect(options).toMatchObject({
      storageFilesystemManagePermissions: false,
      downloadMirrorNoFallback: true,
      allowNonHttps: true,
      json: true,
      releaseFiles: false,
      coreMetadata: false,
      hashIndex: true,
      cleanup: true,
      stopOnError: true,
      diffAppendEpoch: true,
      fsync: false,
      deleteRemoved: false,
    });
  });

  test("directory is normalized, without a trailing slash", () => {
    expect(
      resolveMirrorOptions(parseIni("[mirror]\ndirectory = /srv//pypi/\n", FILE)).options.directory,
    ).toBe("/srv/pypi");
  });

  test("master and URL prefixes lose trailing slashes", () => {
    const options = mirror(
      "master = https://pypi.example.com/root/\ndownload-mirror = https://m.example.com/\nroot_uri = https://files.example.com/",
    );
    expect(options.master).toBe("https://pypi.example.com/root");
    expect(options.downloadMirror).toBe("https://m.example.com");
    // bandersnatch would write https://files.example.com//packages/...
    expect(options.rootUri).toBe("https://files.example.com");
  });

  test("an http master is accepted with allow-non-https = true", () => {
    expect(mirror("master = http://127.0.0.1:8080\nallow-non-https = true").master).toBe(
      "http://127.0.0.1:8080",
    );
  });

  test("root_uri may be a path prefix", () => {
    expect(mirror("root_uri = /pypi/").rootUri).toBe("/pypi");
  });

  test("proxy URLs are kept as written; percent signs need %% as in bandersnatch", () => {
    expect(mirror("proxy = http://u:p%%40ss@proxy:3128").proxy).toBe("http://u:p%40ss@proxy:3128");
  });

  test("simple-format is case-insensitive", () => {
    expect(mirror("simple-format = json").simpleFormat).toBe("JSON");
    expect(mirror("simple-format = Html").simpleFormat).toBe("HTML");
  });

  test("compare-method accepts stat", () => {
    expect(mirror("compare-method = stat").compareMethod).toBe("stat");
  });

  test("digest_name is lower-cased; all supported digests are accepted", () => {
    expect(mirror("digest_name = SHA256").digestName).toBe("sha256");
    for (const digest of ["md5", "sha1", "sha224", "sha384", "sha512", "blake2b_256"]) {
      expect(mirror(`digest_name = ${digest}`).digestName).toBe(digest);
    }
  });

  test("numbers", () => {
    const options = mirror(
      [
        "keep_index_versions = 4",
        "timeout = 2.5",
        "global-timeout = 60",
        "workers = 100",
        "verifiers = 8",
        "download-concurrency = 256",
        "host-concurrency = 1",
        "download-attempts = 20",
      ].join("\n"),
    );
    expect(options).toMatchObject({
      keepIndexVersions: 4,
      timeout: 2.5,
      globalTimeout: 60,
      workers: 100,
      verifiers: 8,
      downloadConcurrency: 256,
      hostConcurrency: 1,
      downloadAttempts: 20,
    });
  });

  test("global-timeout = 0 means 18000 seconds, as in bandersnatch", () => {
    expect(mirror("global-timeout = 0").globalTimeout).toBe(18000);
  });

  test("api-method", () => {
    expect(mirror("api-method = simple").apiMethod).toBe("simple");
    expect(mirror("api-method = xmlrpc").apiMethod).toBe("xmlrpc");
  });

  test("max-bandwidth takes binary units and optional B, iB and /s suffixes", () => {
    const cases: Record<string, number> = {
      "800K": 800 * 1024,
      "50M": 50 * 1024 ** 2,
      "1.5G": 1.5 * 1024 ** 3,
      "2T": 2 * 1024 ** 4,
      "50MB": 50 * 1024 ** 2,
      "50MiB/s": 50 * 1024 ** 2,
      "10m": 10 * 1024 ** 2,
      "4096": 4096,
      "4096B/s": 4096,
    };
    for (const [written, bytes] of Object.entries(cases)) {
      expect(mirror(`max-bandwidth = ${written}`).maxBandwidth).toBe(bytes);
    }
    expect(mirror("max-bandwidth =").maxBandwidth).toBeNull();
  });

  test("max-deletions: a percentage (5%, 5%% or 0.5%) or a count", () => {
    expect(mirror("max-deletions = 10%").maxDeletions).toEqual({ kind: "percent", value: 10 });
    expect(mirror("max-deletions = 10%%").maxDeletions).toEqual({ kind: "percent", value: 10 });
    expect(mirror("max-deletions = 0.5 %").maxDeletions).toEqual({ kind: "percent", value: 0.5 });
    expect(mirror("max-deletions = 1000").maxDeletions).toEqual({ kind: "count", value: 1000 });
    expect(mirror("max-deletions = 0").maxDeletions).toEqual({ kind: "count", value: 0 });
  });

  test("allowed-file-hosts: whitespace- or newline-separated, lower-cased", () => {
    expect(mirror("allowed-file-hosts = files.Example.com  127.0.0.1:8081").allowedFileHosts).toEqual([
      "files.example.com",
      "127.0.0.1:8081",
    ]);
    expect(mirror("allowed-file-hosts =\n    a.example.com\n\n    b.example.com\n").allowedFileHosts).toEqual(
      ["a.example.com", "b.example.com"],
    );
  });

  test("diff-file expands a {{section_option}} reference", () => {
    expect(mirror("diff-file = {{mirror_directory}}/mirrored-files").diffFile).toBe(
      "/srv/pypi/mirrored-files",
    );
    expect(mirror("diff-file = {{ mirror _ directory }}/x").diffFile).toBe("/srv/pypi/x");
    const { options } = resolve("diff-file = {{paths_diffs}}/run", "[paths]\ndiffs = /var/diffs\n");
    expect(options.diffFile).toBe("/var/diffs/run");
  });

  test("log-config is kept but warned about", () => {
    const { options, warnings } = resolve("log-config = /etc/bandersnatch-log.conf");
    expect(options.logConfig).toBe("/etc/bandersnatch-log.conf");
    expect(warnings).toEqual([
      `${FILE} line 3: [mirror] log-config = '/etc/bandersnatch-log.conf' is not supported and is ignored; ` +
        "bunsnatch logs to stderr in bandersnatch's line format",
    ]);
  });
});

describe("warnings", () => {
  test("an unknown option is named with the closest known one", () => {
    expect(
      warningsOf("worker = 3\nkeep-index-versions = 2\nJson = true\ndigest-name = md5\ncolour = red"),
    ).toEqual([
      `${FILE} line 3: [mirror] unknown option 'worker' is ignored; did you mean 'workers'?`,
      `${FILE} line 4: [mirror] unknown option 'keep-index-versions' is ignored; did you mean 'keep_index_versions'?`,
      `${FILE} line 5: [mirror] unknown option 'Json' is ignored; did you mean 'json'?`,
      `${FILE} line 6: [mirror] unknown option 'digest-name' is ignored; did you mean 'digest_name'?`,
      `${FILE} line 7: [mirror] unknown option 'colour' is ignored`,
    ]);
  });

  test("unknown options do not take effect", () => {
    expect(mirror("worker = 9\nJson = true").workers).toBe(3);
  });

  test("an option bandersnatch removed is called ignored", () => {
    expect(warningsOf("delete-packages = true")).toEqual([
      `${FILE} line 3: [mirror] delete-packages is ignored ` +
        "(bandersnatch removed this option; upstream removals are governed by delete-removed and max-deletions)",
    ]);
  });

  test("[DEFAULT] keys are interpolation variables, not unknown options", () => {
    expect(resolve("", "[DEFAULT]\nroot = /data\n").warnings).toEqual([]);
  });

  test("an inline comment is cut off the value, with a warning naming file, line, section and option", () => {
    const { options, warnings } = resolve(
      "workers = 3 ; three\njson = true # x\nmaster = https://pypi.org;x",
    );
    expect(options.workers).toBe(3);
    expect(options.json).toBe(true);
    expect(warnings).toEqual([
      `${FILE} line 4: [mirror] json = 'true # x': inline comment '# x' ignored, using 'true' ` +
        "(bandersnatch would read the comment as part of the value; put comments on their own line)",
      `${FILE} line 3: [mirror] workers = '3 ; three': inline comment '; three' ignored, using '3' ` +
        "(bandersnatch would read the comment as part of the value; put comments on their own line)",
    ]);
    expect(options.master).toBe("https://pypi.org;x");
  });

  test("inline comments are cut from each line of a multi-line value", () => {
    const { options, warnings } = resolve(
      "allowed-file-hosts =\n    a.example.com  # first\n    b.example.com ; second",
    );
    expect(options.allowedFileHosts).toEqual(["a.example.com", "b.example.com"]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("inline comment '# first', '; second' ignored");
  });

  test("release-files = false without root_uri leaves root_uri empty: pages link the upstream file URLs", () => {
    expect(resolve("release-files = false")).toMatchObject({
      options: { releaseFiles: false, rootUri: null },
      warnings: [],
    });
  });

  test("an unresolvable diff-file reference falls back to <directory>/mirrored-files", () => {
    for (const written of ["{{mirror_nope}}/x", "{{nosection_directory}}/x", "{{m_x}}"]) {
      const { options, warnings } = resolve(`diff-file = ${written}`);
      expect(options.diffFile).toBe("/srv/pypi/mirrored-files");
      expect(warnings).toEqual([
        `${FILE} line 3: [mirror] diff-file = '${written}': the {{section_option}} reference names no option; ` +
          "writing the diff file to /srv/pypi/mirrored-files instead (as bandersnatch does)",
      ]);
    }
  });

  test("download-mirror-no-fallback without download-mirror", () => {
    expect(warningsOf("download-mirror-no-fallback = true")).toEqual([
      `${FILE} line 3: [mirror] download-mirror-no-fallback = true has no effect without download-mirror`,
    ]);
  });
});

describe("bad values are one-line ConfigErrors naming file, section, option and value", () => {
  const cases: Record<string, string> = {
    "workers = ten": "workers = 'ten': expected a whole number from 1 to 100",
    "workers = 0": "workers = '0': expected a whole number from 1 to 100",
    "workers = 101": "workers = '101': expected a whole number from 1 to 100",
    "verifiers = 0": "verifiers = '0': expected a whole number from 1 to 100",
    "keep_index_versions = -1": "keep_index_versions = '-1': expected a whole number of 0 or more",
    "download-concurrency = 257": "download-concurrency = '257': expected a whole number from 1 to 256",
    "host-concurrency = 0": "host-concurrency = '0': expected a whole number from 1 to 256",
    "download-attempts = 21": "download-attempts = '21': expected a whole number from 1 to 20",
    "json = maybe": "json = 'maybe': expected true or false (also yes/no, on/off, 1/0)",
    "stop-on-error =": "stop-on-error = '': expected true or false (also yes/no, on/off, 1/0)",
    "timeout = 0": "timeout = '0': expected a number of seconds greater than 0",
    "timeout = soon": "timeout = 'soon': expected a number of seconds greater than 0",
    "global-timeout = -1": "global-timeout = '-1': expected a number of seconds of 0 or more",
    "global-timeout =": "global-timeout = '': expected a number of seconds of 0 or more",
    "simple-format = XML": "simple-format = 'XML': expected ALL, HTML or JSON",
    "compare-method = size": "compare-method = 'size': expected hash or stat (lower case)",
    "compare-method = HASH": "compare-method = 'HASH': expected hash or stat (lower case)",
    "digest_name = crc32":
      "digest_name = 'crc32': expected one of sha256, md5, sha1, sha224, sha384, sha512, blake2b_256",
    "api-method = json": "api-method = 'json': expected xmlrpc or simple",
    "storage-backend = swift": "storage-backend = 'swift': expected filesystem",
    "storage-backend = s3":
      "storage-backend = 's3': the S3 backend is not available in bunsnatch yet (a later version adds it); use filesystem",
    "master = http://pypi.example.com":
      "master = 'http://pypi.example.com': plain http is refused; use https://, or set allow-non-https = true",
    "master = pypi.org":
      "master = 'pypi.org': expected an https:// URL without query or fragment, e.g. https://pypi.org",
    "master = ftp://pypi.org":
      "master = 'ftp://pypi.org': expected an https:// URL without query or fragment, e.g. https://pypi.org",
    "master = https://pypi.org/?x=1":
      "master = 'https://pypi.org/?x=1': expected an https:// URL without query or fragment, e.g. https://pypi.org",
    "proxy = socks5://127.0.0.1:1080":
      "proxy = 'socks5://127.0.0.1:1080': SOCKS proxies are not supported by bunsnatch; use an http:// or https:// proxy",
    "proxy = proxy:3128": "proxy = 'proxy:3128': expected an http:// or https:// proxy URL, or nothing",
    "download-mirror = mirror.example.com":
      "download-mirror = 'mirror.example.com': expected an http:// or https:// URL without query or fragment, or nothing",
    "root_uri = files.example.com":
      "root_uri = 'files.example.com': expected an http:// or https:// URL (or a path starting with /) " +
      "to prefix links with, or nothing",
    "diff-file = mirrored-files":
      "diff-file = 'mirrored-files': expected an absolute path, or nothing to write no diff file",
    "max-bandwidth = 50Mb":
      "max-bandwidth = '50Mb': expected bytes per second with binary units, e.g. 800K, 50M or 1.5G (or nothing for no limit)",
    "max-bandwidth = 0":
      "max-bandwidth = '0': expected bytes per second with binary units, e.g. 800K, 50M or 1.5G (or nothing for no limit)",
    "max-bandwidth = fast":
      "max-bandwidth = 'fast': expected bytes per second with binary units, e.g. 800K, 50M or 1.5G (or nothing for no limit)",
    "max-deletions = 120%":
      "max-deletions = '120%': expected a percentage of the mirror's files from 0% to 100% (e.g. 5%) or a whole number of files",
    "max-deletions = some":
      "max-deletions = 'some': expected a percentage of the mirror's files from 0% to 100% (e.g. 5%) or a whole number of files",
    "allowed-file-hosts = a.example.com, b.example.com":
      "allowed-file-hosts = 'a.example.com, b.example.com': 'a.example.com,' is not a host name; " +
      "list host names (optionally with :port), separated by spaces or new lines, e.g. files.example.com",
    "allowed-file-hosts = https://files.example.com":
      "allowed-file-hosts = 'https://files.example.com': 'https://files.example.com' is not a host name; " +
      "list host names (optionally with :port), separated by spaces or new lines, e.g. files.example.com",
  };
  for (const [line, message] of Object.entries(cases)) {
    test(line, () => {
      expect(errorFor(line)).toBe(`${FILE}: [mirror] ${message}`);
    });
  }

  test("a multi-line bad value stays on one line", () => {
    expect(errorFor("workers =\n    3\n    4")).toBe(
      `${FILE}: [mirror] workers = '\\n3\\n4': expected a whole number from 1 to 100`,
    );
  });

  test("a relative directory", () => {
    expect(errorOf("[mirror]\ndirectory = mirror\n")).toBe(
      `${FILE}: [mirror] directory = 'mirror': expected an absolute path (a relative one would depend on the ` +
        "working directory; %(here)s expands to the directory of this config file)",
    );
  });

  test("a missing directory, or no [mirror] section", () => {
    const message =
      `${FILE}: [mirror] directory is missing: set it to the absolute path of the mirror root, ` +
      "e.g. directory = /srv/pypi";
    expect(errorOf("[mirror]\nworkers = 3\n")).toBe(message);
    expect(errorOf("[plugins]\nenabled = all\n")).toBe(message);
    expect(errorOf("[mirror]\ndirectory =\n")).toContain("directory = '': expected an absolute path");
  });

  test("a bare % in a [mirror] value is configparser's interpolation error", () => {
    expect(errorFor("proxy = http://u:p%40ss@proxy:3128")).toContain(
      "Bad interpolation in [mirror] proxy at line 3",
    );
  });

  test("errors are thrown even when there are warnings to report", () => {
    expect(errorFor("worker = 3\nworkers = ten")).toContain("workers = 'ten'");
  });
});
