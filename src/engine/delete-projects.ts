/**
 * `delete <project…>`: removes projects from the mirror — their files (and
 * `.metadata`), pages, `web/json/<name>` and `web/pypi/<name>/` — then rewrites
 * the root index, which bandersnatch leaves listing them. Each deletion goes to
 * `deletions.log`. The project is not blocked: its next upstream change (or a
 * `mirror --force-check`) brings it back, as with bandersnatch; add it to
 * `[blocklist]` to keep it out.
 */

import { UsageError } from "../errors.ts";
import { log } from "../log.ts";
import { isValidProjectName, normalizeName } from "../packaging/names.ts";
import { readStatusSerial } from "../state/status-files.ts";
import { adoptExistingMirror, readPageFacts } from "./adopt.ts";
import { AuditTrail, projectPaths, removeProject } from "./deletions.ts";
import { writeRootIndex } from "./root-index.ts";
import type { MirrorContext } from "./run.ts";
import { formatBytes } from "./summary.ts";

export interface DeleteSummary {
  command: "delete";
  startedAt: string;
  durationSeconds: number;
  dryRun: boolean;
  projects: { requested: number; deleted: string[]; notOnMirror: string[] };
  /** Paths removed (or, in a dry run, that would be): files, then directories ending in `/`. */
  paths: string[];
  files: { deleted: number; bytes: number };
  exitCode: number;
}

/**
 * Deletes the named projects (any spelling; PEP 503-normalized).
 *
 * @throws UsageError when a name is not a valid project name (nothing is deleted then).
 */
export async function runDelete(
  context: MirrorContext,
  names: string[],
  settings: { dryRun: boolean },
): Promise<DeleteSummary> {
  const started = new Date();
  const { storage, ledger } = context;
  const invalid = names.filter((name) => !isValidProjectName(name));
  if (invalid.length > 0) throw new UsageError(`not a project name: '${invalid[0]}'`);
  const normalized = [...new Set(names.map(normalizeName))];
  // The root index is rebuilt from the ledger: learn an adopted mirror's projects first.
  await adoptExistingMirror(context);
  const serial = await readStatusSerial(storage);
  const audit = new AuditTrail(storage, started);
  const summary: DeleteSummary = {
    command: "delete",
    startedAt: started.toISOString(),
    durationSeconds: 0,
    dryRun: settings.dryRun,
    projects: { requested: normalized.length, deleted: [], notOnMirror: [] },
    paths: [],
    files: { deleted: 0, bytes: 0 },
    exitCode: 0,
  };

  for (const name of normalized) {
    const directory = context.indexWriter.projectDirectory(name);
    const listed = (await readPageFacts(storage, directory, name))?.files.keys() ?? [];
    const paths = projectPaths(context, name, listed);
    const present = await presentPaths(context, paths);
    if (present.length === 0 && !ledger.getProject(name)) {
      log.warning(`${name} is not on the mirror; nothing to delete`);
      summary.projects.notOnMirror.push(name);
      continue;
    }
    for (const file of paths.files) {
      const stat = await storage.stat(file);
      if (stat) {
        summary.files.deleted++;
        summary.files.bytes += stat.size;
      }
    }
    if (settings.dryRun) {
      for (const path of present) log.info(`[DRY RUN] rm ${path}`);
      summary.paths.push(...present);
    } else {
      const before = audit.deleted.length;
      await removeProject(
        context,
        { name, serial, reason: "deleted with 'bunsnatch delete'" },
        audit,
        listed,
      );
      // A resumed mirror run must not bring it straight back.
      ledger.markPlanDone(name);
      summary.paths.push(...audit.deleted.slice(before));
      log.info(`Deleted ${name}.`);
    }
    summary.projects.deleted.push(name);
  }

  if (!settings.dryRun && summary.projects.deleted.length > 0) {
    await audit.flush();
    await writeRootIndex(context, serial, true);
    await storage.flush();
  }
  summary.durationSeconds = (Date.now() - started.getTime()) / 1000;
  return summary;
}

/** The paths of a project that exist now, files first, directories marked with a trailing `/`. */
async function presentPaths(
  context: MirrorContext,
  paths: ReturnType<typeof projectPaths>,
): Promise<string[]> {
  const { storage } = context;
  const present: string[] = [];
  for (const file of paths.files) if (await storage.stat(file)) present.push(file);
  for (const directory of paths.directories) {
    if ((await storage.listDirectory(directory)).length > 0) present.push(`${directory}/`);
  }
  if (await storage.stat(paths.json)) present.push(paths.json);
  return present;
}

export function deleteSummaryLine(summary: DeleteSummary): string {
  const { projects, files } = summary;
  const verb = summary.dryRun ? "would be deleted" : "deleted";
  const parts = [
    `${projects.deleted.length} of ${projects.requested} projects ${verb} (${files.deleted} files, ${formatBytes(files.bytes)})`,
  ];
  if (projects.notOnMirror.length) parts.push(`not on the mirror: ${projects.notOnMirror.join(", ")}`);
  if (!summary.dryRun && projects.deleted.length) parts.push("root index regenerated");
  parts.push(`${summary.durationSeconds.toFixed(1)} s`);
  return `Summary: ${parts.join(", ")}; exit ${summary.exitCode}`;
}
