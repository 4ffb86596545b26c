/**
 * Regenerates the root index (`web/simple/index.html`, `index.v1_html`,
 * `index.v1_json`) from the ledger — never by listing directories, which took
 * bandersnatch users 90 minutes per run on big mirrors (reference §10 row 8).
 */

import type { RootProject } from "../index/render-root.ts";
import type { IndexWriter } from "../index/writer.ts";
import { log } from "../log.ts";
import type { Ledger } from "../state/ledger.ts";

const PROJECT_COUNT_KEY = "root_project_count";

/**
 * Writes the root pages for `serial`. The HTML lists names only, so it is rewritten
 * when a project may have come or gone (`projectsMayHaveChanged`, or a different
 * project count than at the last write); the JSON always. Returns the paths written.
 */
export async function writeRootIndex(
  context: { ledger: Ledger; indexWriter: IndexWriter },
  serial: number,
  projectsMayHaveChanged: boolean,
): Promise<string[]> {
  const { ledger } = context;
  log.info("Generating global index page.");
  const count = ledger.projectCount();
  const setChanged = projectsMayHaveChanged || ledger.getMeta(PROJECT_COUNT_KEY) !== String(count);
  const projects = function* (): Generator<RootProject> {
    for (const row of ledger.iterateProjects()) {
      yield { name: row.displayName, serial: row.serial, normalizedName: row.name };
    }
  };
  const written = await context.indexWriter.writeRoot(projects, serial, setChanged);
  ledger.setMeta(PROJECT_COUNT_KEY, String(count));
  return written;
}
