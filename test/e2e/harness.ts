/**
 * End-to-end harness: a test upstream, a mirror directory, a config file, and
 * the CLI run as a separate process (the sources by default, the compiled
 * binary when BUNSNATCH_BIN is set), exactly as users run it.
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startTestUpstream, type TestUpstream, type UpstreamOptions } from "../upstream/index.ts";

const REPOSITORY = path.resolve(import.meta.dir, "../..");
const MAIN = path.join(REPOSITORY, "src/main.ts");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  /** Kill the process (SIGKILL) after this many milliseconds. */
  timeoutMs?: number;
  /** Kill the process (SIGKILL) as soon as this returns true (polled every 10 ms). */
  killWhen?: () => boolean;
}

/** The command that runs bunsnatch: the compiled binary when BUNSNATCH_BIN is set, else the sources. */
export function cliCommand(): string[] {
  const binary = process.env.BUNSNATCH_BIN;
  return binary ? [path.resolve(binary)] : [process.execPath, MAIN];
}

/** Environment for the CLI: no proxies (loopback must not go through one), fast retries. */
export function cliEnvironment(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/_proxy$/i.test(key)) env[key] = value;
  }
  return { ...env, BUNSNATCH_BACKOFF_SCALE: "0.01", ...extra };
}

/** Runs the CLI to completion. */
export async function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  const child = Bun.spawn([...cliCommand(), ...args], {
    stdout: "pipe",
    stderr: "pipe",
    env: cliEnvironment(options.env),
  });
  const timer = options.timeoutMs ? setTimeout(() => child.kill("SIGKILL"), options.timeoutMs) : undefined;
  const killWhen = options.killWhen;
  const poller = killWhen
    ? setInterval(() => {
        if (killWhen()) child.kill("SIGKILL");
      }, 10)
    : undefined;
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  clearTimeout(timer);
  clearInterval(poller);
  return { code, stdout, stderr };
}

export interface MirrorFixture {
  upstream: TestUpstream;
  /** Scratch directory holding the mirror and the config. */
  root: string;
  /** The mirror directory. */
  directory: string;
  configPath: string;
  /** Rewrites the config: `[mirror]` basics plus `extraMirror` lines, then `sections`. */
  writeConfig(extraMirror?: string, sections?: string): void;
  /** Runs `bunsnatch -c <config> <args>`. */
  run(args: string[], options?: RunOptions): Promise<CliResult>;
  /** Path inside the mirror directory. */
  at(relative: string): string;
  close(): Promise<void>;
}

/**
 * A test config: `[mirror]` with the test defaults (loopback master over http, 4 workers,
 * short timeouts) plus `extraMirror` lines, which override a default of the same name
 * (configparser forbids duplicates), then `sections`.
 */
export function mirrorConfigText(directory: string, master: string, extraMirror = "", sections = ""): string {
  const defaults: [string, string][] = [
    ["directory", directory],
    ["master", master],
    ["allow-non-https", "true"],
    ["workers", "4"],
    ["timeout", "5"],
    ["global-timeout", "60"],
  ];
  const overridden = new Set(
    extraMirror
      .split("\n")
      .map((line) => /^([^\s=]+)\s*=/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined),
  );
  const lines = defaults
    .filter(([name]) => !overridden.has(name))
    .map(([name, value]) => `${name} = ${value}`);
  return ["[mirror]", ...lines, extraMirror, "", sections, ""].join("\n");
}

export interface FixtureOptions {
  upstream?: UpstreamOptions;
  /** Extra `[mirror]` lines. */
  mirror?: string;
  /** Extra sections after `[mirror]`. */
  sections?: string;
}

export async function createFixture(options: FixtureOptions = {}): Promise<MirrorFixture> {
  const upstream = await startTestUpstream(options.upstream ?? {});
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "bunsnatch-e2e-"));
  const directory = path.join(root, "mirror");
  const configPath = path.join(root, "bunsnatch.conf");
  const fixture: MirrorFixture = {
    upstream,
    root,
    directory,
    configPath,
    writeConfig(extraMirror = "", sections = "") {
      fs.writeFileSync(configPath, mirrorConfigText(directory, upstream.indexUrl, extraMirror, sections));
    },
    run(args, runOptions) {
      return runCli(["-c", configPath, ...args], runOptions);
    },
    at(relative) {
      return path.join(directory, relative);
    },
    async close() {
      await upstream.stop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  fixture.writeConfig(options.mirror, options.sections);
  return fixture;
}

/** Every regular file under `directory` (relative path → sha256), optionally skipping some paths. */
export function treeOf(
  directory: string,
  skip: (relative: string) => boolean = () => false,
): Map<string, string> {
  const result = new Map<string, string>();
  const walk = (relative: string) => {
    for (const entry of fs.readdirSync(path.join(directory, relative), { withFileTypes: true })) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (skip(child)) continue;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) {
        result.set(
          child,
          new Bun.CryptoHasher("sha256").update(fs.readFileSync(path.join(directory, child))).digest("hex"),
        );
      }
    }
  };
  walk("");
  return result;
}

/**
 * Files whose names mark them as ours-in-progress (`.<name>.<random>.part`). Lists
 * names only (no reads), so it is safe to poll while a run renames its files.
 */
export function temporaryFiles(directory: string): string[] {
  if (!fs.existsSync(directory)) return [];
  return fs
    .readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /^\.[^/]+\.part$/.test(entry.name))
    .map((entry) => path.relative(directory, path.join(entry.parentPath, entry.name)));
}

/** State that legitimately differs between two mirrors of the same upstream (timestamps, databases, logs). */
export function isVolatile(relative: string): boolean {
  return (
    relative === "web/last-modified" ||
    relative.startsWith("bunsnatch.db") ||
    relative === ".lock" ||
    relative === "deletions.log"
  );
}
