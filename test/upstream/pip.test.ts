/**
 * A real pip (Debian's python3-pip) installs generated packages from the simulator.
 * Skipped, with a message, when `/usr/bin/python3 -m pip` is not available.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compare } from "@renovatebot/pep440";
import { startTestUpstream, type TestUpstream } from "./index.ts";

const PYTHON = "/usr/bin/python3";

function pipAvailable(): boolean {
  try {
    return (
      Bun.spawnSync([PYTHON, "-m", "pip", "--version"], { stdout: "ignore", stderr: "ignore" }).exitCode === 0
    );
  } catch {
    return false;
  }
}

const hasPip = pipAvailable();
if (!hasPip)
  console.warn(
    "pip.test.ts: skipped, `/usr/bin/python3 -m pip` is not available (apt-get install python3-pip)",
  );

/** An environment without the machine's pip configuration (config files, find-links, extra indexes). */
function isolatedEnvironment(): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env))
    if (value !== undefined && !key.startsWith("PIP_") && !key.startsWith("PYTHON")) environment[key] = value;
  return {
    ...environment,
    PIP_CONFIG_FILE: "/dev/null",
    PIP_NO_CACHE_DIR: "1",
    PIP_DISABLE_PIP_VERSION_CHECK: "1",
    PIP_BREAK_SYSTEM_PACKAGES: "1",
    PIP_NO_INPUT: "1",
  };
}

async function run(
  command: string[],
  environment: Record<string, string>,
): Promise<{ code: number; output: string }> {
  const child = Bun.spawn(command, { env: environment, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { code, output: stdout + stderr };
}

/** A directory name for a project. */
function directoryFor(name: string): string {
  return name.replace(/[^A-Za-z0-9]+/g, "_");
}

let upstream: TestUpstream;
let scratch: string;

beforeAll(async () => {
  upstream = await startTestUpstream({ projects: 20, seed: 1 });
  scratch = mkdtempSync(join(tmpdir(), "upstream-pip-test-"));
});
afterAll(async () => {
  await upstream.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** Projects whose newest release is final, not yanked, and has a pure-Python py3 wheel; with that version. */
function installable(): { name: string; version: string }[] {
  const result: { name: string; version: string }[] = [];
  for (const summary of upstream.listProjects()) {
    const view = upstream.project(summary.normalized)!;
    const newest = [...view.releases].sort(compare).at(-1)!;
    const files = view.files.filter((file) => file.version === newest);
    const pure = files.some((file) => /-py3-none-any\.whl$|-py2\.py3-none-any\.whl$/.test(file.filename));
    if (/^\d+(\.\d+)*$/.test(newest) && pure && files.every((file) => file.yanked === false))
      result.push({ name: summary.name, version: newest });
  }
  return result;
}

describe.skipIf(!hasPip)("real pip against the simulator", () => {
  test("pip installs a generated wheel (--only-binary, --no-deps) and its module imports", async () => {
    const candidates = installable();
    expect(candidates.length).toBeGreaterThan(1);
    const environment = isolatedEnvironment();
    for (const candidate of candidates.slice(0, 2)) {
      const target = join(scratch, directoryFor(candidate.name));
      const install = await run(
        [
          PYTHON,
          "-m",
          "pip",
          "install",
          "--no-deps",
          "--only-binary",
          ":all:",
          "--disable-pip-version-check",
          "--no-cache-dir",
          "--index-url",
          upstream.simpleUrl,
          "--target",
          target,
          candidate.name,
        ],
        environment,
      );
      expect(install.output).toContain(`Successfully installed ${candidate.name}-${candidate.version}`);
      expect(install.code).toBe(0);
      const modules = readdirSync(target).filter((entry) => !entry.includes(".") && entry !== "bin");
      expect(modules).toHaveLength(1);
      const check = await run([PYTHON, "-c", `import ${modules[0]} as m; print(m.__version__, m.PROJECT)`], {
        ...environment,
        PYTHONPATH: target,
      });
      expect(check.output.trim()).toBe(`${candidate.version} ${candidate.name}`);
    }
    expect(upstream.requests.countByPrefix("/packages/", "files")).toBeGreaterThanOrEqual(2);
  }, 60_000);

  test("Python's zipfile accepts every generated wheel", async () => {
    const wheels = upstream
      .allFiles()
      .filter((file) => file.filename.endsWith(".whl"))
      .slice(0, 20);
    const paths: string[] = [];
    for (const wheel of wheels) {
      const path = join(scratch, wheel.filename);
      await Bun.write(path, await upstream.fileBytes(wheel.filename));
      paths.push(path);
    }
    const script =
      "import sys, zipfile\nfor p in sys.argv[1:]:\n    assert zipfile.ZipFile(p).testzip() is None, p\nprint('ok')";
    const check = await run([PYTHON, "-c", script, ...paths], isolatedEnvironment());
    expect(check.output.trim()).toBe("ok");
  });
});
