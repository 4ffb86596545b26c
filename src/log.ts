/**
 * Logging to stderr in bandersnatch's line format
 * (`2023-12-05 03:43:56,123 INFO: message`), so existing log greps keep working.
 */

export type LogLevel = "debug" | "info" | "warning" | "error";

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warning: 30, error: 40 };
const LEVEL_LABEL: Record<LogLevel, string> = {
  debug: "DEBUG",
  info: "INFO",
  warning: "WARNING",
  error: "ERROR",
};

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

let threshold: LogLevel = "info";
let sink: (line: string) => void = (line) => process.stderr.write(line + "\n");
/** Called before each line is written, so a live progress line can clear itself. */
let beforeWrite: (() => void) | undefined;

/** Sets the lowest level that is printed (`--debug` → debug, `--quiet` → warning). */
export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

/** Redirects log lines (tests capture them this way). Returns the previous sink. */
export function setLogSink(next: (line: string) => void): (line: string) => void {
  const previous = sink;
  sink = next;
  return previous;
}

export function setBeforeLogWrite(hook: (() => void) | undefined): void {
  beforeWrite = hook;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, "0");
}

/** `2023-12-05 03:43:56,123` in local time, as Python's logging prints it. */
function timestamp(now: Date): string {
  return (
    `${now.getFullYear()}-${pad(now.getMonth() + 1, 2)}-${pad(now.getDate(), 2)} ` +
    `${pad(now.getHours(), 2)}:${pad(now.getMinutes(), 2)}:${pad(now.getSeconds(), 2)},${pad(now.getMilliseconds(), 3)}`
  );
}

function write(level: LogLevel, message: string, always = false): void {
  if (!always && LEVEL_RANK[level] < LEVEL_RANK[threshold]) return;
  beforeWrite?.();
  sink(`${timestamp(new Date())} ${LEVEL_LABEL[level]}: ${message}`);
}

export const log: Logger = {
  debug: (message) => write("debug", message),
  info: (message) => write("info", message),
  warning: (message) => write("warning", message),
  error: (message) => write("error", message),
};

/** A line printed whatever the level (the run summary, which `--quiet` keeps). */
export function logAlways(level: LogLevel, message: string): void {
  write(level, message, true);
}
