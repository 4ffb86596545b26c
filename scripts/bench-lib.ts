/**
 * Measuring helpers for the benchmark scripts: run a command as a child process
 * and report its wall time, CPU time (user + sys, descendants included) and peak
 * RSS; medians; the machine's load; a plain-text table.
 */

import * as fs from "node:fs";

export interface Measurement {
  exitCode: number;
  wallSeconds: number;
  /** User + system CPU seconds of the child and every descendant it waited for. */
  cpuSeconds: number;
  userSeconds: number;
  systemSeconds: number;
  /**
   * Peak resident set, bytes: the largest `VmHWM` (/proc/<pid>/status, sampled
   * while it runs) of the child or any of its descendants. Not `ru_maxrss`: it
   * counts the parent's pages the child had between fork and exec.
   */
  peakRssBytes: number;
  /** Largest `RssAnon` sampled (heap and buffers, without the executable's mapped pages). */
  peakAnonBytes: number;
  stdout: string;
  stderr: string;
}

export interface MeasureOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** How often VmHWM is sampled, ms (default 25). */
  sampleMs?: number;
}

/** Runs `command` to completion and measures it. */
export async function measure(command: string[], options: MeasureOptions = {}): Promise<Measurement> {
  const started = performance.now();
  const child = Bun.spawn(command, {
    stdout: "pipe",
    stderr: "pipe",
    env: options.env as Record<string, string> | undefined,
    cwd: options.cwd,
  });
  let hwmBytes = 0;
  let anonBytes = 0;
  const sample = () => {
    for (const pid of [child.pid, ...descendantsOf(child.pid)]) {
      const memory = readMemoryKib(pid);
      if (memory === null) continue;
      hwmBytes = Math.max(hwmBytes, memory.hwm * 1024);
      anonBytes = Math.max(anonBytes, memory.anon * 1024);
    }
  };
  const timer = setInterval(sample, options.sampleMs ?? 25);
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  clearInterval(timer);
  const wallSeconds = (performance.now() - started) / 1000;
  const usage = child.resourceUsage();
  const userSeconds = Number(usage?.cpuTime.user ?? 0n) / 1e6;
  const systemSeconds = Number(usage?.cpuTime.system ?? 0n) / 1e6;
  return {
    exitCode,
    wallSeconds,
    cpuSeconds: userSeconds + systemSeconds,
    userSeconds,
    systemSeconds,
    peakRssBytes: hwmBytes,
    peakAnonBytes: anonBytes,
    stdout,
    stderr,
  };
}

/** Every live descendant of `pid` (through /proc/<pid>/task/<tid>/children). */
export function descendantsOf(pid: number): number[] {
  const found: number[] = [];
  const pending = [pid];
  while (pending.length > 0) {
    const current = pending.pop()!;
    let tasks: string[];
    try {
      tasks = fs.readdirSync(`/proc/${current}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      try {
        const children = fs.readFileSync(`/proc/${current}/task/${task}/children`, "utf8").trim();
        for (const child of children ? children.split(" ") : []) {
          found.push(Number(child));
          pending.push(Number(child));
        }
      } catch {}
    }
  }
  return found;
}

/** `VmHWM` and `RssAnon` of a live process in KiB, or null when it is gone. */
export function readMemoryKib(pid: number): { hwm: number; anon: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const field = (name: string) =>
      Number(new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, "m").exec(status)?.[1] ?? 0);
    return { hwm: field("VmHWM"), anon: field("RssAnon") };
  } catch {
    return null;
  }
}

/** `VmHWM` of a live process in KiB, or null when it is gone. */
export function readVmHwmKib(pid: number): number | null {
  return readMemoryKib(pid)?.hwm ?? null;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The 1-minute load average (what else runs on the machine shapes every figure). */
export function loadAverage(): string {
  try {
    return fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  } catch {
    return "?";
  }
}

/** Lays out rows as a fixed-width table; numbers are right-aligned. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        /^[-+~0-9.,% ]+$/.test(cell) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!),
      )
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((width) => "-".repeat(width)).join("  "), ...rows.map(line)].join("\n");
}

/** Path of an executable on PATH, or null. */
export function which(name: string): string | null {
  return Bun.which(name) ?? null;
}
