/**
 * A real pip (Debian's python3-pip) installs generated packages from the simulator.
 * Skipped, with a message, when `/usr/bin/python3 -m pip` is not available.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  directoryFor,
  installableProjects,
  isolatedPipEnvironment,
  PYTHON,
  pipAvailable,
  pipInstall,
  runCommand,
} from "../support/pip.ts";
import { startTestUpstream, type TestUpstream } from "./index.ts";

const hasPip = pipAvailable();
if (!hasPip)
  console.warn(
    "pip.test.ts: skipped, `/usr/bin/python3 -m pip` is not available (apt-get install python3-pip)",
  );

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

describe.skipIf(!hasPip)("real pip against the simulator", () => {
  test("pip installs a generated wheel (--only-binary, --no-deps) and its module imports", async () => {
    const candidates = installableProjects(upstream);
    expect(candidates.length).toBeGreaterThan(1);
    const environment = isolatedPipEnvironment();
    for (const candidate of candidates.slice(0, 2)) {
      const target = join(scratch, directoryFor(candidate.name));
      const install = await pipInstall(upstream.simpleUrl, target, candidate.name);
      expect(install.output).toContain(`Successfully installed ${candidate.name}-${candidate.version}`);
      expect(install.code).toBe(0);
      const modules = readdirSync(target).filter((entry) => !entry.includes(".") && entry !== "bin");
      expect(modules).toHaveLength(1);
      const check = await runCommand(
        [PYTHON, "-c", `import ${modules[0]} as m; print(m.__version__, m.PROJECT)`],
        {
          ...environment,
          PYTHONPATH: target,
        },
      );
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
    const check = await runCommand([PYTHON, "-c", script, ...paths]);
    expect(check.output.trim()).toBe("ok");
  });
});
