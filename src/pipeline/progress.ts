/**
 * The live progress line on a terminal: projects done/total, files, bytes,
 * rate and ETA. Not on a pipe or under cron (no TTY), and not with `--quiet`.
 */

import { formatBytes } from "../engine/summary.ts";
import { setBeforeLogWrite } from "../log.ts";

export interface ProgressSource {
  projectsDone(): number;
  projectsTotal(): number;
  files(): number;
  bytes(): number;
}

export interface ProgressLine {
  stop(): void;
}

/** Formats one progress line (pure, for tests). */
export function formatProgress(source: ProgressSource, elapsedSeconds: number): string {
  const done = source.projectsDone();
  const total = source.projectsTotal();
  const bytes = source.bytes();
  const rate = elapsedSeconds > 0 ? bytes / elapsedSeconds : 0;
  const projectRate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
  const eta = projectRate > 0 && total > done ? formatDuration((total - done) / projectRate) : "--";
  return `${done}/${total} projects, ${source.files()} files, ${formatBytes(bytes)}, ${formatBytes(rate)}/s, ETA ${eta}`;
}

function formatDuration(seconds: number): string {
  const whole = Math.round(seconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  return hours > 0
    ? `${hours}h${String(minutes).padStart(2, "0")}m`
    : `${minutes}m${String(rest).padStart(2, "0")}s`;
}

/** Starts the live line when stderr is a terminal and `enabled`; otherwise does nothing. */
export function startProgressLine(source: ProgressSource, enabled: boolean): ProgressLine {
  const stream = process.stderr;
  if (!enabled || !stream.isTTY) return { stop() {} };
  const started = performance.now();
  let shown = false;
  const clear = () => {
    if (shown) stream.write("\r\x1b[K");
    shown = false;
  };
  const draw = () => {
    const line = formatProgress(source, (performance.now() - started) / 1000);
    stream.write(`\r\x1b[K${line.slice(0, (stream.columns || 80) - 1)}`);
    shown = true;
  };
  setBeforeLogWrite(clear);
  const timer = setInterval(draw, 500);
  return {
    stop() {
      clearInterval(timer);
      clear();
      setBeforeLogWrite(undefined);
    },
  };
}
