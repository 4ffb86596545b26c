/**
 * What a run wrote, for the diff file (bandersnatch §3.9: index files, then
 * JSON, then release and metadata files) and the summary.
 */

export class RunRecorder {
  private readonly pages: string[] = [];
  private readonly jsonFiles: string[] = [];
  private readonly dataFiles: string[] = [];

  /** Notes a storage path written by this run. */
  wrote(path: string): void {
    if (path.startsWith("web/simple/")) this.pages.push(path);
    else if (path.startsWith("web/json/") || path.startsWith("web/pypi/")) this.jsonFiles.push(path);
    else this.dataFiles.push(path);
  }

  /** Every path written, in bandersnatch's diff-file order. */
  writtenPaths(): string[] {
    return [...this.pages, ...this.jsonFiles, ...this.dataFiles];
  }
}
