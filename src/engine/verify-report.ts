/**
 * What `verify` reports: throughput figures, the summary object (`--json`) and
 * its one-line form.
 */

import { formatBytes } from "./summary.ts";

export interface Throughput {
  files: number;
  bytes: number;
  seconds: number;
}

/** `1234 files/s, 812.3 MB/s` (MB = 10^6 bytes, as `openssl speed` and disk vendors count). */
export function formatRate(throughput: Throughput): string {
  const { filesPerSecond, megabytesPerSecond } = rates(throughput);
  return `${Math.round(filesPerSecond)} files/s, ${megabytesPerSecond.toFixed(1)} MB/s`;
}

export function rates(throughput: Throughput): { filesPerSecond: number; megabytesPerSecond: number } {
  if (throughput.seconds <= 0) return { filesPerSecond: 0, megabytesPerSecond: 0 };
  return {
    filesPerSecond: throughput.files / throughput.seconds,
    megabytesPerSecond: throughput.bytes / 1e6 / throughput.seconds,
  };
}

export interface VerifySummary {
  command: "verify";
  startedAt: string;
  durationSeconds: number;
  dryRun: boolean;
  /** Whether this run continued an interrupted verify. */
  resumed: boolean;
  files: {
    /** Files the ledger holds. */
    total: number;
    /** Checked by an interrupted run and skipped by this one. */
    resumed: number;
    hashed: number;
    /** Trusted on size + mtime (`compare-method = stat`). */
    trusted: number;
    bytesHashed: number;
    missing: number;
    /** Wrong size or digest, or unreadable. */
    corrupt: number;
    /** Downloaded again by the repairs (files of re-fetched projects). */
    downloaded: number;
    bytesDownloaded: number;
  };
  rate: { filesPerSecond: number; megabytesPerSecond: number };
  pages: { projectsChecked: number; damaged: number; rootRegenerated: boolean };
  /** Re-fetched from upstream: to repair them, or (`--json-update`) to refresh them. */
  projects: { repaired: number; refreshed: number; removed: number; failed: number };
  orphans: { found: number; deleted: number };
  deletionsBlocked: { wanted: number; limit: number } | null;
  failures: { project: string; reason: string }[];
  exitCode: number;
}

export function verifySummaryLine(summary: VerifySummary): string {
  const { files, pages, projects, orphans } = summary;
  const checked = files.hashed + files.trusted;
  const parts = [
    `${checked} files checked (${formatBytes(files.bytesHashed)} hashed` +
      (files.trusted ? `, ${files.trusted} trusted on size and mtime` : "") +
      (files.resumed ? `, ${files.resumed} done before the interruption` : "") +
      `) at ${Math.round(summary.rate.filesPerSecond)} files/s, ${summary.rate.megabytesPerSecond.toFixed(1)} MB/s`,
    `${files.missing} missing, ${files.corrupt} corrupt`,
    `${pages.damaged} of ${pages.projectsChecked} projects with damaged pages`,
  ];
  if (summary.dryRun) parts.push("dry run: nothing changed");
  else {
    parts.push(`${projects.repaired} projects repaired (${files.downloaded} files downloaded)`);
    if (projects.refreshed) parts.push(`${projects.refreshed} projects refreshed`);
    if (pages.rootRegenerated) parts.push("root index regenerated");
    if (projects.removed) parts.push(`${projects.removed} projects removed`);
  }
  if (orphans.found) parts.push(`${orphans.deleted} of ${orphans.found} orphans deleted`);
  if (summary.deletionsBlocked) parts.push("deletions blocked by max-deletions");
  if (summary.failures.length) parts.push(`${summary.failures.length} not repaired`);
  parts.push(`${summary.durationSeconds.toFixed(1)} s`);
  return `Summary: ${parts.join(", ")}; exit ${summary.exitCode}`;
}
