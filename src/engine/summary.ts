/**
 * The end-of-run summary: one log line for people, a JSON object for machines (`--json`).
 */

export interface RunSummary {
  command: string;
  startedAt: string;
  durationSeconds: number;
  serial: { previous: number; target: number; recorded: number };
  projects: {
    planned: number;
    synced: number;
    gone: number;
    filtered: number;
    deferred: number;
    failed: number;
    removed: number;
  };
  files: { downloaded: number; bytes: number; deleted: number };
  deletionsBlocked: { wanted: number; limit: number } | null;
  failures: { project: string; reason: string }[];
  exitCode: number;
}

export function summaryLine(summary: RunSummary): string {
  const { projects, files } = summary;
  const parts = [
    `${projects.synced} of ${projects.planned} projects synced`,
    `${files.downloaded} files (${formatBytes(files.bytes)}) downloaded`,
    `${files.deleted} files deleted`,
    `${summary.durationSeconds.toFixed(1)} s`,
  ];
  if (projects.removed) parts.push(`${projects.removed} projects removed`);
  if (projects.deferred) parts.push(`${projects.deferred} deferred (stale upstream)`);
  if (projects.failed) parts.push(`${projects.failed} failed`);
  if (summary.deletionsBlocked) parts.push("deletions blocked by max-deletions");
  const serial =
    summary.serial.recorded !== summary.serial.previous
      ? `serial ${summary.serial.previous} → ${summary.serial.recorded}`
      : `serial stays ${summary.serial.recorded}`;
  return `Summary: ${parts.join(", ")}; ${serial}; exit ${summary.exitCode}`;
}

export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
