/**
 * Running Debian's real pip (python3-pip) in tests, isolated from this machine's
 * pip configuration (config files, find-links, extra indexes).
 */

import { compare } from "@renovatebot/pep440";
import type { TestUpstream } from "../upstream/index.ts";

export const PYTHON = "/usr/bin/python3";

export function pipAvailable(): boolean {
  try {
    return (
      Bun.spawnSync([PYTHON, "-m", "pip", "--version"], { stdout: "ignore", stderr: "ignore" }).exitCode === 0
    );
  } catch {
    return false;
  }
}

/** An environment without the machine's pip configuration. */
export function isolatedPipEnvironment(): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      value !== undefined &&
      !key.startsWith("PIP_") &&
      !key.startsWith("PYTHON") &&
      !/_proxy$/i.test(key)
    ) {
      environment[key] = value;
    }
  }
  return {
    ...environment,
    PIP_CONFIG_FILE: "/dev/null",
    PIP_NO_CACHE_DIR: "1",
    PIP_DISABLE_PIP_VERSION_CHECK: "1",
    PIP_BREAK_SYSTEM_PACKAGES: "1",
    PIP_NO_INPUT: "1",
  };
}

export async function runCommand(
  command: string[],
  environment: Record<string, string> = isolatedPipEnvironment(),
): Promise<{ code: number; output: string }> {
  const child = Bun.spawn(command, { env: environment, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { code, output: stdout + stderr };
}

/** `pip install --no-deps --only-binary :all: --index-url <index> --target <target> <requirement>`. */
export function pipInstall(indexUrl: string, target: string, requirement: string) {
  return runCommand([
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
    indexUrl,
    "--target",
    target,
    requirement,
  ]);
}

/** Projects whose newest release is final, not yanked, and has a pure-Python wheel; with that version. */
export function installableProjects(upstream: TestUpstream): { name: string; version: string }[] {
  const result: { name: string; version: string }[] = [];
  for (const summary of upstream.listProjects()) {
    const view = upstream.project(summary.normalized)!;
    const newest = [...view.releases].sort(compare).at(-1)!;
    const files = view.files.filter((file) => file.version === newest);
    const pure = files.some((file) => /-py3-none-any\.whl$|-py2\.py3-none-any\.whl$/.test(file.filename));
    if (/^\d+(\.\d+)*$/.test(newest) && pure && files.every((file) => file.yanked === false)) {
      result.push({ name: summary.name, version: newest });
    }
  }
  return result;
}

/** A file-system-safe directory name for a project. */
export function directoryFor(name: string): string {
  return name.replace(/[^A-Za-z0-9]+/g, "_");
}
