/**
 * Turning file descriptions into stored files: generated wheels and sdists, explicit
 * bytes, large deterministic files (streamed to disk once) and files on disk.
 */
import { basename } from "node:path";
import type { GeneratedArtifact } from "./artifacts.ts";
import { digestBytes, digestFile, sdistFilename, wheelFilename, writePseudoRandomFile } from "./artifacts.ts";
import { describeFilename } from "./names.ts";
import { hash32 } from "./rng.ts";
import type { FileDraft, MetadataSource } from "./state.ts";
import { generatedMetadata, SimulatorError } from "./state.ts";

/**
 * A file to upload. Give at most one of `content`, `contentBase64`, `size`, `path`; with
 * none, a valid wheel or sdist is generated from the filename (other extensions get a few
 * KB of pseudo-random bytes).
 */
export interface FileSpec {
  filename: string;
  /** Exact content. */
  content?: string | Uint8Array;
  /** Exact content, base64 (for the HTTP control API). */
  contentBase64?: string;
  /** Deterministic pseudo-random content of this many bytes, streamed to a file once. */
  size?: number;
  /** A file on disk, served as is (its digests are computed once, when added). */
  path?: string;
  /** Default: the release's. */
  requiresPython?: string | null;
  /**
   * PEP 658 metadata: text to serve, `true` for generated metadata, `false` for none.
   * Default: generated wheels have it, everything else not.
   */
  metadata?: string | boolean;
  /** Whether PEP 740 provenance is served for it. */
  provenance?: boolean;
  /** Upload time, ISO 8601 (default: the time of its journal row). */
  uploadTime?: string;
}

/** Where large or on-disk content goes, and the seed that makes everything deterministic. */
export interface DraftContext {
  seed: number;
  /** Directory for streamed large files (created when first needed). */
  workDir: () => string;
}

/** Defaults a release gives its files. */
export interface ReleaseDefaults {
  requiresPython: string | null;
  provenance: boolean;
}

/** Padding of generated files: 1–3 KB of random bytes, so files are a few KB. */
function paddingBytes(seed: number, filename: string): number {
  return 1024 + (hash32(seed, "padding", filename) % 2048);
}

/** Describe the generated artifact for a filename. */
export function generatedArtifact(
  seed: number,
  projectName: string,
  version: string,
  filename: string,
  requiresPython: string | null,
): GeneratedArtifact {
  const info = describeFilename(filename);
  const isSdist = /\.(tar\.gz|zip)$/.test(filename) && info.packagetype === "sdist";
  return {
    kind: info.packagetype === "bdist_wheel" ? "wheel" : isSdist ? "sdist" : "blob",
    filename,
    projectName,
    version,
    tag: info.tag,
    requiresPython,
    paddingBytes: paddingBytes(seed, filename),
    key: hash32(seed, "content", filename),
  };
}

/** A generated wheel (`tag` given) or sdist (`tag` null) of a release. */
export function generatedDraft(
  seed: number,
  projectName: string,
  version: string,
  tag: string | null,
  defaults: ReleaseDefaults,
): FileDraft {
  const filename =
    tag === null ? sdistFilename(projectName, version) : wheelFilename(projectName, version, tag);
  const artifact = generatedArtifact(seed, projectName, version, filename, defaults.requiresPython);
  const content = { kind: "generated" as const, artifact };
  const info = describeFilename(filename);
  return {
    filename,
    packagetype: info.packagetype,
    pythonVersion: info.pythonVersion,
    requiresPython: defaults.requiresPython,
    content,
    metadata: generatedMetadata({ content }),
    provenance: defaults.provenance && tag !== null,
  };
}

function parseUploadTime(text: string): { seconds: number; micros: number } {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?Z?$/.exec(text);
  const milliseconds = Date.parse(`${match?.[1] ?? text}Z`);
  if (!match || Number.isNaN(milliseconds)) throw new SimulatorError(`Bad upload time: ${text}`);
  return { seconds: Math.floor(milliseconds / 1000), micros: Number((match[2] ?? "").padEnd(6, "0")) };
}

/** Make a file draft from a spec (or a bare filename, which means "generate it"). */
export async function draftFromSpec(
  context: DraftContext,
  projectName: string,
  version: string,
  spec: FileSpec | string,
  defaults: ReleaseDefaults,
): Promise<FileDraft> {
  const file: FileSpec = typeof spec === "string" ? { filename: spec } : spec;
  if (!file.filename || file.filename.includes("/"))
    throw new SimulatorError(`Bad filename: ${file.filename}`);
  const info = describeFilename(file.filename);
  const requiresPython = file.requiresPython === undefined ? defaults.requiresPython : file.requiresPython;
  let draft: FileDraft;
  const base = {
    filename: file.filename,
    packagetype: info.packagetype,
    pythonVersion: info.pythonVersion,
    requiresPython,
    provenance: file.provenance ?? (defaults.provenance && info.packagetype === "bdist_wheel"),
    uploadTime: file.uploadTime === undefined ? undefined : parseUploadTime(file.uploadTime),
  };
  if (file.content !== undefined || file.contentBase64 !== undefined) {
    const bytes =
      file.contentBase64 !== undefined
        ? new Uint8Array(Buffer.from(file.contentBase64, "base64"))
        : typeof file.content === "string"
          ? new TextEncoder().encode(file.content)
          : file.content!;
    draft = { ...base, content: { kind: "bytes", bytes }, metadata: null, digests: digestBytes(bytes) };
  } else if (file.size !== undefined) {
    if (!Number.isSafeInteger(file.size) || file.size < 0) throw new SimulatorError(`Bad size: ${file.size}`);
    const key = hash32(context.seed, "content", file.filename);
    const name = `${hash32(file.filename, version, projectName).toString(16)}-${basename(file.filename)}`;
    const { path, digests } = await writePseudoRandomFile(context.workDir(), name, file.size, key);
    draft = { ...base, content: { kind: "disk", path }, metadata: null, digests };
  } else if (file.path !== undefined) {
    const digests = await digestFile(file.path);
    draft = { ...base, content: { kind: "disk", path: file.path }, metadata: null, digests };
  } else {
    const artifact = generatedArtifact(context.seed, projectName, version, file.filename, requiresPython);
    const content = { kind: "generated" as const, artifact };
    draft = { ...base, content, metadata: generatedMetadata({ content }) };
  }
  return { ...draft, metadata: chooseMetadata(file, draft, projectName, version, requiresPython) };
}

function chooseMetadata(
  file: FileSpec,
  draft: FileDraft,
  projectName: string,
  version: string,
  requiresPython: string | null,
): MetadataSource | null {
  if (file.metadata === false) return null;
  if (typeof file.metadata === "string")
    return { kind: "bytes", bytes: new TextEncoder().encode(file.metadata) };
  if (file.metadata === true && !draft.metadata) {
    return {
      kind: "generated",
      artifact: generatedArtifact(0, projectName, version, file.filename, requiresPython),
    };
  }
  return draft.metadata;
}
