/**
 * A PyPI simulator for tests and benchmarks: an index host (XML-RPC, simple API in HTML
 * and PEP 691 JSON, JSON API, provenance) and a files host, both on 127.0.0.1, serving a
 * deterministic generated project set plus whatever a test adds, with a journal of
 * serials, a mutation API, request accounting and fault injection.
 *
 * @example
 * await using upstream = await startTestUpstream({ projects: 5, seed: 7 });
 * const page = await fetch(`${upstream.indexUrl}/simple/`, { headers: { Accept: "application/vnd.pypi.simple.v1+json" } });
 * await upstream.yank("some-project", "1.0", "broken");
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readSource } from "./artifacts.ts";
import { planProjects } from "./catalog.ts";
import type { FileSpec } from "./drafts.ts";
import { draftFromSpec, generatedDraft } from "./drafts.ts";
import type { FaultConfig, FaultRuleJson } from "./faults.ts";
import { FaultInjector, rulesFromJson } from "./faults.ts";
import type { Hosts } from "./pages.ts";
import { filePath, isoSeconds, pageEntries, provenanceUrl } from "./pages.ts";
import type { HostKind, RequestFilter } from "./requests.ts";
import { RequestLog } from "./requests.ts";
import type { RawResponse, ServerDeps } from "./server.ts";
import { startServers } from "./server.ts";
import type { JournalEntry, ProjectSnapshot, ProjectStatus, RawFileEntry, StoredFile } from "./state.ts";
import { fileDigests, metadataBytes, metadataDigests, SimulatorError, UpstreamState } from "./state.ts";

export { MARKUP_YANK_REASON } from "./catalog.ts";
export { type AnyJson, callXmlRpc, decodeResponse as decodeXmlRpcResponse } from "./client.ts";
export type { FileSpec } from "./drafts.ts";
export type { FaultConfig, FaultKind, FaultRule, FaultRuleJson, HostFaultRates } from "./faults.ts";
export { normalizeName } from "./names.ts";
export type { HostKind, RequestFilter, RequestRecord, RequestSummary } from "./requests.ts";
export { RequestLog } from "./requests.ts";
export type { RawResponse } from "./server.ts";
export type { JournalEntry, ProjectStatus, RawFileEntry } from "./state.ts";
export { SimulatorError } from "./state.ts";
export { encodeCall as encodeXmlRpcCall } from "./xmlrpc.ts";

/** Options of {@link startTestUpstream}. */
export interface UpstreamOptions {
  /** Seed of everything generated (default 1). */
  seed?: number;
  /** Number of generated projects (default 20). */
  projects?: number;
  /** Port of the index host (default 0: a free port). */
  port?: number;
  /** Port of the files host (default 0: a free port). */
  filesPort?: number;
  /** Most events one `changelog_since_serial` call returns (default 50,000, as PyPI). */
  changelogCap?: number;
  /** Serial of the first journal row (default 1). */
  firstSerial?: number;
  /** POSIX time of the first journal row (default 2024-01-01T00:00:00Z). */
  startTime?: number;
  /** Initial fault configuration (default: none). */
  faults?: FaultConfig;
  /** Directory for large generated files (default: a temporary directory removed by `stop()`). */
  workDir?: string;
}

/** A release to add with {@link TestUpstream.addProject} or {@link TestUpstream.newRelease}. */
export interface ReleaseSpec {
  version: string;
  /** Files of the release; a string is a filename to generate. Default: an sdist and a `py3-none-any` wheel. */
  files?: (FileSpec | string)[];
  /** Tags of the generated wheels when `files` is absent (default `["py3-none-any"]`). */
  tags?: string[];
  /** Whether to generate an sdist when `files` is absent (default true). */
  sdist?: boolean;
  requiresPython?: string | null;
  /** Serve PEP 740 provenance for its wheels. */
  provenance?: boolean;
  /** Yank after upload: true, or the reason. */
  yanked?: boolean | string;
}

/** A project to add with {@link TestUpstream.addProject}. */
export interface ProjectSpec {
  name: string;
  releases?: ReleaseSpec[];
  owner?: string;
}

/** A project whose page lists the given entries verbatim (hostile-data tests). */
export interface RawProjectSpec {
  name: string;
  files: RawFileEntry[];
}

/** A file as the upstream advertises it. */
export interface FileView {
  /** Normalized project name. */
  project: string;
  version: string;
  filename: string;
  /** Absolute URL on the files host. */
  url: string;
  /** URL path, `/packages/aa/bb/<60 hex>/<filename>` (the mirror stores it under `web/` + this). */
  path: string;
  size: number;
  sha256: string;
  md5: string;
  blake2b256: string;
  /** sha256 of the PEP 658 `.metadata` file, or null when there is none. */
  metadataSha256: string | null;
  metadataUrl: string | null;
  requiresPython: string | null;
  /** PEP 592: false, true, or the reason. */
  yanked: boolean | string;
  packagetype: string;
  pythonVersion: string;
  /** `upload-time` as the simple API shows it. */
  uploadTime: string;
  provenanceUrl: string | null;
}

/** A project as the upstream currently has it. */
export interface ProjectView {
  name: string;
  normalized: string;
  serial: number;
  status: ProjectStatus;
  /** Versions with at least one file, in PyPI's order. */
  versions: string[];
  /** All releases, including ones without files. */
  releases: string[];
  files: FileView[];
}

/** Short form of a project, cheap to list for thousands of projects. */
export interface ProjectSummary {
  name: string;
  normalized: string;
  serial: number;
  status: ProjectStatus;
}

/** Options of {@link TestUpstream.newRelease}. */
export type NewReleaseOptions = Omit<ReleaseSpec, "version">;

const DEFAULT_START_TIME = 1_704_067_200; // 2024-01-01T00:00:00Z

/** A running test upstream. */
export class TestUpstream implements AsyncDisposable {
  /** Index host, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly indexUrl: string;
  /** Files host, e.g. `http://127.0.0.1:41235`. */
  readonly filesUrl: string;
  /** `${indexUrl}/simple/`. */
  readonly simpleUrl: string;
  /** `${indexUrl}/pypi` (XML-RPC). */
  readonly xmlrpcUrl: string;
  readonly seed: number;
  /** Every request received (control requests excepted). */
  readonly requests = new RequestLog();
  /** The fault injector; reconfigure with {@link setFaults} / {@link updateFaults}. */
  readonly faults: FaultInjector;

  readonly #state: UpstreamState;
  readonly #servers: ReturnType<typeof startServers>;
  readonly #deps: ServerDeps;
  readonly #rawResponses = new Map<string, RawResponse>();
  #workDir: string | null;
  readonly #ownsWorkDir: boolean;
  #stopped = false;

  /** Use {@link startTestUpstream}. */
  constructor(options: UpstreamOptions) {
    this.seed = options.seed ?? 1;
    this.faults = new FaultInjector(this.seed, options.faults);
    this.#state = new UpstreamState({
      firstSerial: options.firstSerial ?? 1,
      startTime: options.startTime ?? DEFAULT_START_TIME,
    });
    this.#workDir = options.workDir ?? null;
    this.#ownsWorkDir = options.workDir === undefined;
    const hosts: Hosts = { indexUrl: "", filesUrl: "" };
    this.#deps = {
      state: this.#state,
      hosts,
      faults: this.faults,
      requests: this.requests,
      rawResponses: this.#rawResponses,
      settings: { changelogCap: options.changelogCap ?? 50_000 },
      control: (request, url) => this.#control(request, url),
    };
    this.#generate(options.projects ?? 20);
    this.#servers = startServers(this.#deps, { index: options.port ?? 0, files: options.filesPort ?? 0 });
    hosts.indexUrl = `http://127.0.0.1:${this.#servers.index.port}`;
    hosts.filesUrl = `http://127.0.0.1:${this.#servers.files.port}`;
    this.indexUrl = hosts.indexUrl;
    this.filesUrl = hosts.filesUrl;
    this.simpleUrl = `${this.indexUrl}/simple/`;
    this.xmlrpcUrl = `${this.indexUrl}/pypi`;
  }

  #generate(count: number): void {
    for (const planned of planProjects(this.seed, count)) {
      this.#state.createProject(planned.name);
      for (const release of planned.releases) {
        const defaults = { requiresPython: release.requiresPython, provenance: planned.provenance };
        const drafts = [
          ...(release.sdist
            ? [generatedDraft(this.seed, planned.name, release.version, null, defaults)]
            : []),
          ...release.wheelTags.map((tag) =>
            generatedDraft(this.seed, planned.name, release.version, tag, defaults),
          ),
        ];
        this.#state.addFiles(planned.name, release.version, drafts);
        if (release.yankReason !== null) this.#state.yank(planned.name, release.version, release.yankReason);
      }
    }
    this.#state.settle();
  }

  /** Most events per `changelog_since_serial` call. */
  get changelogCap(): number {
    return this.#deps.settings.changelogCap;
  }

  set changelogCap(cap: number) {
    this.#deps.settings.changelogCap = cap;
  }

  // ------------------------------------------------------------------ reading

  /** `changelog_last_serial`: the newest journal id (0 when the journal is empty). */
  lastSerial(): number {
    return this.#state.lastSerial() ?? 0;
  }

  /** Journal rows with serial > `since` (all by default), ascending. */
  journal(since = 0): JournalEntry[] {
    return this.#state.journalSince(since, Number.MAX_SAFE_INTEGER).map((entry) => ({ ...entry }));
  }

  /** Every existing project (removed ones excluded; quarantined included), by normalized name. */
  listProjects(): ProjectSummary[] {
    return this.#state
      .existingProjects()
      .map((snapshot) => ({
        name: snapshot.name,
        normalized: snapshot.normalized,
        serial: snapshot.lastSerial,
        status: snapshot.status,
      }))
      .sort((left, right) => (left.normalized < right.normalized ? -1 : 1));
  }

  /** A project with its files (as its page lists them), or null when unknown or removed. */
  project(name: string): ProjectView | null {
    const snapshot = this.#state.snapshot(name);
    if (!snapshot?.exists) return null;
    const { versions } = pageEntries(this.#deps.hosts, snapshot);
    const files: FileView[] = [];
    if (snapshot.status !== "quarantined")
      for (const release of snapshot.releases)
        for (const file of release.files)
          files.push(this.#fileView(snapshot, file, release.yanked ? release.yankedReason || true : false));
    files.sort((left, right) => (left.filename < right.filename ? -1 : 1));
    return {
      name: snapshot.name,
      normalized: snapshot.normalized,
      serial: snapshot.lastSerial,
      status: snapshot.status,
      versions,
      releases: snapshot.releases.map((release) => release.version),
      files,
    };
  }

  /** Files of every existing project (computes digests of all generated files: fine for tests). */
  allFiles(): FileView[] {
    return this.listProjects().flatMap((summary) => this.project(summary.normalized)?.files ?? []);
  }

  /** A file by filename (also files removed from their project, which stay servable). */
  file(filename: string): FileView | null {
    const file = this.#state.fileByName(filename);
    if (!file) return null;
    const snapshot = this.#state.snapshot(file.project)!;
    const release = snapshot.releases.find((candidate) => candidate.files.includes(file));
    return this.#fileView(snapshot, file, release?.yanked ? release.yankedReason || true : false);
  }

  /** The bytes the files host serves for a file (small files only; large ones are on disk). */
  async fileBytes(filename: string): Promise<Uint8Array> {
    const file = this.#state.fileByName(filename);
    if (!file) throw new SimulatorError(`No such file: ${filename}`);
    return readSource(file.content);
  }

  /** The PEP 658 metadata bytes of a file, or null. */
  metadataBytes(filename: string): Uint8Array | null {
    const file = this.#state.fileByName(filename);
    return file ? metadataBytes(file) : null;
  }

  #fileView(snapshot: ProjectSnapshot, file: StoredFile, yanked: boolean | string): FileView {
    const digests = fileDigests(file);
    const path = filePath(file);
    const metadata = metadataDigests(file);
    return {
      project: snapshot.normalized,
      version: file.version,
      filename: file.filename,
      url: `${this.filesUrl}${path}`,
      path,
      size: digests.size,
      sha256: digests.sha256,
      md5: digests.md5,
      blake2b256: digests.blake2b256,
      metadataSha256: metadata?.sha256 ?? null,
      metadataUrl: metadata ? `${this.filesUrl}${path}.metadata` : null,
      requiresPython: file.requiresPython,
      yanked,
      packagetype: file.packagetype,
      pythonVersion: file.pythonVersion,
      uploadTime: `${isoSeconds(file.uploadTime.seconds, file.uploadTime.micros)}Z`,
      provenanceUrl: file.provenance ? provenanceUrl(this.#deps.hosts, snapshot.normalized, file) : null,
    };
  }

  // ------------------------------------------------------------------ mutations (each returns the new last serial)

  #draftContext() {
    return {
      seed: this.seed,
      workDir: () => {
        this.#workDir ??= mkdtempSync(join(tmpdir(), "bunsnatch-upstream-"));
        return this.#workDir;
      },
    };
  }

  /** Create a project with generated releases (`versions`, default `["0.1.0"]`; `[]` for none). */
  async createProject(name: string, options: { versions?: string[]; owner?: string } = {}): Promise<number> {
    this.#state.createProject(name, options.owner ?? "test-owner");
    for (const version of options.versions ?? ["0.1.0"]) await this.newRelease(name, version);
    return this.lastSerial();
  }

  /** Add a project with explicit releases and files (generated, explicit bytes, large, or from disk). */
  async addProject(spec: ProjectSpec): Promise<number> {
    this.#state.createProject(spec.name, spec.owner ?? "test-owner");
    for (const release of spec.releases ?? []) {
      const { version, ...options } = release;
      await this.newRelease(spec.name, version, options);
    }
    return this.lastSerial();
  }

  /** Upload a release: generated sdist + wheels by default, or the given files. Yanks it if asked. */
  async newRelease(project: string, version: string, options: NewReleaseOptions = {}): Promise<number> {
    const snapshot = this.#existing(project);
    const defaults = {
      requiresPython: options.requiresPython ?? null,
      provenance: options.provenance ?? false,
    };
    const drafts = options.files
      ? await Promise.all(
          options.files.map((spec) =>
            draftFromSpec(this.#draftContext(), snapshot.name, version, spec, defaults),
          ),
        )
      : [
          ...(options.sdist === false
            ? []
            : [generatedDraft(this.seed, snapshot.name, version, null, defaults)]),
          ...(options.tags ?? ["py3-none-any"]).map((tag) =>
            generatedDraft(this.seed, snapshot.name, version, tag, defaults),
          ),
        ];
    this.#state.addFiles(snapshot.name, version, drafts);
    if (options.yanked) this.#state.yank(project, version, options.yanked === true ? "" : options.yanked);
    return this.lastSerial();
  }

  /** Upload one file to a release (creating the release if needed). A string is a filename to generate. */
  async addFile(project: string, version: string, file: FileSpec | string): Promise<number> {
    const snapshot = this.#existing(project);
    const release = snapshot.releases.find((candidate) => candidate.version === version);
    const defaults = { requiresPython: release?.files[0]?.requiresPython ?? null, provenance: false };
    const draft = await draftFromSpec(this.#draftContext(), snapshot.name, version, file, defaults);
    return this.#state.addFiles(snapshot.name, version, [draft]);
  }

  /** `remove file <filename>`. The file's URL keeps working, as on PyPI. */
  async removeFile(project: string, filename: string): Promise<number> {
    return this.#state.removeFile(project, filename);
  }

  /** `remove release`. */
  async removeRelease(project: string, version: string): Promise<number> {
    return this.#state.removeRelease(project, version);
  }

  /** `remove project`: its pages answer 404 and it leaves every listing. */
  async removeProject(project: string): Promise<number> {
    return this.#state.removeProject(project);
  }

  /** `yank release`, with an optional reason. */
  async yank(project: string, version: string, reason = ""): Promise<number> {
    return this.#state.yank(project, version, reason);
  }

  /** `unyank release`. */
  async unyank(project: string, version: string): Promise<number> {
    return this.#state.unyank(project, version);
  }

  /** `project quarantined`: page lists no files, status quarantined, absent from `/simple/`, JSON API 404. */
  async quarantineProject(project: string): Promise<number> {
    return this.#state.quarantine(project);
  }

  /** `project quarantine cleared`. */
  async clearQuarantine(project: string): Promise<number> {
    return this.#state.clearQuarantine(project);
  }

  /** Archive (PEP 792 `archived`) or unarchive; no journal row and no serial change, as on PyPI. */
  async archiveProject(project: string, archived = true): Promise<number> {
    return this.#state.setArchived(project, archived);
  }

  /** `add <role> <user>`: bumps the serial without changing any page. */
  async addRole(project: string, role = "Maintainer", user = "someone"): Promise<number> {
    return this.#state.addRole(project, role, user);
  }

  /** Change the display name (same normalized name); no journal row. */
  async renameDisplay(project: string, displayName: string): Promise<number> {
    return this.#state.renameDisplay(project, displayName);
  }

  /** Add a project whose page lists the given entries verbatim (any filename, URL, hashes, size). */
  async addRawProject(spec: RawProjectSpec): Promise<number> {
    return this.#state.createProject(spec.name, "", spec.files);
  }

  /** Answer `path` (with or without query) on a host with this response, before any routing. */
  setRawResponse(path: string, response: RawResponse, host: HostKind = "index"): void {
    this.#rawResponses.set(`${host} ${path}`, response);
  }

  /** Forget every raw response. */
  clearRawResponses(): void {
    this.#rawResponses.clear();
  }

  /** Replace the fault configuration. */
  setFaults(config: FaultConfig): void {
    this.faults.set(config);
  }

  /** Change part of the fault configuration (rules are appended). */
  updateFaults(config: FaultConfig): void {
    this.faults.update(config);
  }

  /** Turn every fault off. */
  clearFaults(): void {
    this.faults.clear();
  }

  #existing(project: string): ProjectSnapshot {
    const snapshot = this.#state.snapshot(project);
    if (!snapshot?.exists) throw new SimulatorError(`No such project: ${project}`);
    return snapshot;
  }

  // ------------------------------------------------------------------ control API over HTTP

  async #control(request: Request, url: URL): Promise<Response> {
    const op = url.pathname.slice("/_test/".length);
    try {
      if (request.method === "GET") return Response.json(this.#controlGet(op, url));
      if (request.method !== "POST") return Response.json({ error: "use GET or POST" }, { status: 405 });
      const text = await request.text();
      const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
      return Response.json(await this.#controlPost(op, body));
    } catch (error) {
      const status = error instanceof SimulatorError || error instanceof SyntaxError ? 400 : 500;
      return Response.json({ error: (error as Error).message }, { status });
    }
  }

  #controlGet(op: string, url: URL): unknown {
    switch (op) {
      case "requests": {
        const filter: RequestFilter = {};
        const params = url.searchParams;
        if (params.has("host")) filter.host = params.get("host") as HostKind;
        if (params.has("method")) filter.method = params.get("method")!;
        if (params.has("prefix")) filter.prefix = params.get("prefix")!;
        if (params.has("rpcMethod")) filter.rpcMethod = params.get("rpcMethod")!;
        if (params.has("status")) filter.status = Number(params.get("status"));
        return this.requests.summary(filter);
      }
      case "faults":
        return this.faults.toJson();
      case "journal":
        return this.journal(Number(url.searchParams.get("since") ?? 0));
      case "state":
        return { lastSerial: this.lastSerial(), projects: this.listProjects() };
      case "project":
        return this.project(url.searchParams.get("name") ?? "");
      default:
        throw new SimulatorError(`Unknown control endpoint: GET /_test/${op}`);
    }
  }

  async #controlPost(op: string, body: Record<string, unknown>): Promise<unknown> {
    const text = (key: string): string => {
      const value = body[key];
      if (typeof value !== "string") throw new SimulatorError(`${op}: "${key}" must be a string`);
      return value;
    };
    const optionalText = (key: string): string | undefined =>
      body[key] === undefined ? undefined : text(key);
    const serial = (value: number) => ({ serial: value });
    switch (op) {
      case "createProject":
        return serial(
          await this.createProject(text("name"), {
            versions: body.versions as string[] | undefined,
            owner: optionalText("owner"),
          }),
        );
      case "addProject":
        return serial(await this.addProject(body as unknown as ProjectSpec));
      case "newRelease": {
        const { project: _project, version: _version, ...options } = body;
        return serial(await this.newRelease(text("project"), text("version"), options as NewReleaseOptions));
      }
      case "addFile":
        return serial(await this.addFile(text("project"), text("version"), body.file as FileSpec | string));
      case "removeFile":
        return serial(await this.removeFile(text("project"), text("filename")));
      case "removeRelease":
        return serial(await this.removeRelease(text("project"), text("version")));
      case "removeProject":
        return serial(await this.removeProject(text("project")));
      case "yank":
        return serial(await this.yank(text("project"), text("version"), optionalText("reason")));
      case "unyank":
        return serial(await this.unyank(text("project"), text("version")));
      case "quarantineProject":
        return serial(await this.quarantineProject(text("project")));
      case "clearQuarantine":
        return serial(await this.clearQuarantine(text("project")));
      case "archiveProject":
        return serial(await this.archiveProject(text("project"), body.archived !== false));
      case "addRole":
        return serial(await this.addRole(text("project"), optionalText("role"), optionalText("user")));
      case "renameDisplay":
        return serial(await this.renameDisplay(text("project"), text("displayName")));
      case "addRawProject":
        return serial(await this.addRawProject(body as unknown as RawProjectSpec));
      case "rawResponse":
        this.setRawResponse(text("path"), body as RawResponse, (optionalText("host") as HostKind) ?? "index");
        return { ok: true };
      case "clearRawResponses":
        this.clearRawResponses();
        return { ok: true };
      case "faults":
      case "updateFaults": {
        const config = {
          ...body,
          rules: rulesFromJson(body.rules as FaultRuleJson[] | undefined),
        } as FaultConfig;
        if (op === "faults") this.setFaults(config);
        else this.updateFaults(config);
        return this.faults.toJson();
      }
      case "clearFaults":
        this.clearFaults();
        return this.faults.toJson();
      case "resetRequests":
        this.requests.reset();
        return { ok: true };
      case "config":
        if (typeof body.changelogCap === "number") this.changelogCap = body.changelogCap;
        return { changelogCap: this.changelogCap };
      default:
        throw new SimulatorError(`Unknown control endpoint: POST /_test/${op}`);
    }
  }

  // ------------------------------------------------------------------ lifecycle

  /** Stop both servers (closing open connections) and remove the temporary work directory. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await Promise.all([this.#servers.index.stop(true), this.#servers.files.stop(true)]);
    if (this.#ownsWorkDir && this.#workDir) rmSync(this.#workDir, { recursive: true, force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/**
 * Start a test upstream on 127.0.0.1 with `projects` generated projects (default 20).
 *
 * @example
 * const upstream = await startTestUpstream({ projects: 50, seed: 3 });
 * try { ... } finally { await upstream.stop(); }
 */
export async function startTestUpstream(options: UpstreamOptions = {}): Promise<TestUpstream> {
  return new TestUpstream(options);
}
