/**
 * The two HTTP servers of the test upstream. The index host serves XML-RPC, the simple
 * API, the JSON API and provenance; the files host serves distribution files and their
 * PEP 658 metadata. Both record every request and apply the configured faults.
 */
import type { BunFile } from "bun";
import { buildArtifact } from "./artifacts.ts";
import type { FaultDecision, FaultInjector } from "./faults.ts";
import { normalizeName } from "./names.ts";
import { acceptsProvenance, HTML, negotiateSimple, V1_JSON } from "./negotiate.ts";
import type { Hosts } from "./pages.ts";
import {
  renderIndexHtml,
  renderIndexJson,
  renderJsonApi,
  renderProjectHtml,
  renderProjectJson,
  renderProvenance,
} from "./pages.ts";
import type { HostKind, RequestLog, RequestRecord } from "./requests.ts";
import type { ProjectSnapshot, StoredFile, UpstreamState } from "./state.ts";
import { fileDigests, metadataBytes } from "./state.ts";
import type { XmlRpcCall, XmlRpcValue } from "./xmlrpc.ts";
import {
  DEPRECATED_METHODS,
  encodeFault,
  encodeResponse,
  METHOD_NOT_FOUND,
  parseCall,
  rateLimitFault,
  XmlRpcFault,
} from "./xmlrpc.ts";

/** A response given verbatim for a path (hostile-data tests). */
export interface RawResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Body as base64, for binary content over the HTTP control API. */
  bodyBase64?: string;
}

/** What the servers need from the upstream. */
export interface ServerDeps {
  state: UpstreamState;
  hosts: Hosts;
  faults: FaultInjector;
  requests: RequestLog;
  /** `<host> <path>` → raw response. */
  rawResponses: Map<string, RawResponse>;
  settings: { changelogCap: number };
  /** Handler of the control API under `/_test/` on the index host. */
  control: (request: Request, url: URL) => Promise<Response>;
}

type Body = Uint8Array | BunFile | null;

/** A response before faults are applied. */
interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Body;
}

const encoder = new TextEncoder();
const XMLRPC_PATHS = new Set(["/pypi", "/pypi/", "/RPC2"]);
const CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers": "X-PyPI-Last-Serial",
};

function textReply(status: number, text: string, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { "Content-Type": "text/plain; charset=utf-8", ...headers },
    body: encoder.encode(text),
  };
}

const notFound = (): Reply => textReply(404, "404 Not Found");

function redirect(location: string): Reply {
  return { status: 301, headers: { Location: location, ...CORS }, body: null };
}

/** WebOb `md5_etag`: base64 of the MD5 of the body, without padding, quoted. */
function etagOf(body: Uint8Array): string {
  return `"${new Bun.CryptoHasher("md5").update(body).digest("base64").replace(/=+$/, "")}"`;
}

/** A cacheable page with `X-PyPI-Last-Serial`, `ETag` and conditional GET. */
function pageReply(
  request: Request,
  contentType: string,
  text: string,
  serial: number | null,
  headers: Record<string, string>,
): Reply {
  const body = encoder.encode(text);
  const etag = etagOf(body);
  const common: Record<string, string> = { ...CORS, ...headers, ETag: etag };
  if (serial !== null) common["X-PyPI-Last-Serial"] = String(serial);
  if (request.headers.get("If-None-Match") === etag) return { status: 304, headers: common, body: null };
  return { status: 200, headers: { ...common, "Content-Type": contentType }, body };
}

function contentTypeHeader(mediaType: string): string {
  return mediaType === HTML ? "text/html; charset=utf-8" : mediaType;
}

// ---------------------------------------------------------------- index host

/** Python's xmlrpc layer in Warehouse: non-ASCII → char refs, XML-illegal chars removed. */
function cleanForXml(text: string): string {
  return text
    .replace(/[^\x00-\x7f]/gu, (char) => `&#${char.codePointAt(0)};`)
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, "");
}

function callXmlRpc(deps: ServerDeps, call: XmlRpcCall): XmlRpcValue {
  const { state } = deps;
  switch (call.method) {
    case "changelog_last_serial":
      return state.lastSerial();
    case "changelog_since_serial": {
      const since = call.params[0];
      if (since === undefined)
        throw new XmlRpcFault(-32602, "client error; serial: Missing required argument");
      if (typeof since !== "number" || !Number.isInteger(since))
        throw new XmlRpcFault(-32602, "client error; serial: Input should be a valid integer");
      return state
        .journalSince(since, deps.settings.changelogCap)
        .map((entry) => [
          entry.name,
          entry.version,
          entry.timestamp,
          cleanForXml(entry.action),
          entry.serial,
        ]);
    }
    case "list_packages_with_serial": {
      const result: Record<string, XmlRpcValue> = {};
      for (const snapshot of state.existingProjects()) result[snapshot.name] = snapshot.lastSerial;
      return result;
    }
    case "package_roles": {
      const snapshot = state.snapshot(String(call.params[0] ?? ""));
      return snapshot?.exists ? [["Owner", "test-owner"]] : [];
    }
    case "user_packages":
      return call.params[0] === "test-owner"
        ? state.existingProjects().map((snapshot) => ["Owner", snapshot.name])
        : [];
    case "browse":
      return [];
    default: {
      const deprecated = DEPRECATED_METHODS[call.method];
      if (deprecated) throw new XmlRpcFault(-32500, deprecated);
      throw METHOD_NOT_FOUND;
    }
  }
}

function xmlReply(text: string): Reply {
  return { status: 200, headers: { "Content-Type": "text/xml" }, body: encoder.encode(text) };
}

function xmlRpcReply(deps: ServerDeps, call: XmlRpcCall | null): Reply {
  if (!call) return xmlReply(encodeFault(-32700, "parse error; not well formed"));
  try {
    return xmlReply(encodeResponse(callXmlRpc(deps, call)));
  } catch (error) {
    if (error instanceof XmlRpcFault) return xmlReply(encodeFault(error.code, error.faultString));
    throw error;
  }
}

interface CachedIndex {
  generation: number;
  format: string;
  text: string;
}

function simpleIndexReply(deps: ServerDeps, request: Request, format: string, cache: CachedIndex[]): Reply {
  const { state } = deps;
  const lastSerial = state.lastSerial() ?? 0;
  let cached = cache.find((entry) => entry.format === format && entry.generation === state.generation);
  if (!cached) {
    const projects = state.existingProjects();
    const text = format === V1_JSON ? renderIndexJson(projects, lastSerial) : renderIndexHtml(projects);
    cached = { generation: state.generation, format, text };
    cache.splice(0, cache.length, ...cache.filter((entry) => entry.format !== format), cached);
  }
  return pageReply(request, contentTypeHeader(format), cached.text, lastSerial, {
    Vary: "Accept",
    "Cache-Control": "max-age=600, public",
  });
}

function simpleProjectReply(deps: ServerDeps, request: Request, url: URL, segment: string): Reply {
  const { state } = deps;
  const current = state.snapshot(segment);
  if (!current) return notFound();
  const normalized = normalizeName(segment);
  if (segment !== normalized)
    return current.exists ? redirect(`/simple/${normalized}/${url.search}`) : notFound();
  const snapshot = state.pageSnapshot(normalized, "simple", deps.faults.staleFetches);
  if (!snapshot?.exists) return notFound();
  const format = negotiateSimple(request.headers.get("Accept"), url.searchParams.get("format"));
  const text =
    format === V1_JSON ? renderProjectJson(deps.hosts, snapshot) : renderProjectHtml(deps.hosts, snapshot);
  return pageReply(request, contentTypeHeader(format), text, snapshot.lastSerial, {
    Vary: "Accept",
    "Cache-Control": "max-age=600, public",
  });
}

function jsonNotFound(): Reply {
  return {
    status: 404,
    headers: { "Content-Type": "application/json", ...CORS },
    body: encoder.encode('{"message": "Not Found"}'),
  };
}

function jsonApiReply(
  deps: ServerDeps,
  request: Request,
  project: string,
  version: string | undefined,
): Reply {
  // The CDN normalizes the project segment: any spelling is served without a redirect (B.4).
  const snapshot = deps.state.pageSnapshot(project, "json", deps.faults.staleFetches);
  if (!snapshot?.exists) return jsonNotFound();
  const text = renderJsonApi(deps.hosts, snapshot, version);
  if (text === null) return jsonNotFound();
  return pageReply(request, "application/json", text, snapshot.lastSerial, {
    "Cache-Control": "max-age=900, public",
  });
}

function provenanceReply(deps: ServerDeps, request: Request, parts: string[]): Reply {
  const [project = "", version = "", filename = ""] = parts;
  const json = (status: number, value: unknown): Reply => ({
    status,
    headers: { "Content-Type": "application/json" },
    body: encoder.encode(JSON.stringify(value)),
  });
  if (!acceptsProvenance(request.headers.get("Accept")))
    return json(406, { message: "Request not acceptable" });
  const file = deps.state.fileByName(filename);
  const snapshot = deps.state.snapshot(project);
  const isListed = (candidate: StoredFile, owner: ProjectSnapshot) =>
    owner.exists &&
    owner.status !== "quarantined" &&
    owner.releases.some((release) => release.version === version && release.files.includes(candidate));
  if (!file?.provenance || !snapshot || !isListed(file, snapshot))
    return json(404, { message: `No provenance available for ${filename}` });
  return {
    status: 200,
    headers: {
      "Content-Type": "application/vnd.pypi.integrity.v1+json",
      "Cache-Control": "max-age=600, public",
    },
    body: encoder.encode(renderProvenance(snapshot, file)),
  };
}

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

function routeIndex(
  deps: ServerDeps,
  request: Request,
  url: URL,
  call: XmlRpcCall | null,
  cache: CachedIndex[],
): Reply {
  const path = url.pathname;
  if (XMLRPC_PATHS.has(path)) {
    if (request.method !== "POST") return textReply(405, "405 Method Not Allowed");
    return xmlRpcReply(deps, call);
  }
  if (request.method !== "GET" && request.method !== "HEAD") return textReply(405, "405 Method Not Allowed");
  if (path === "/simple") return redirect(`/simple/${url.search}`);
  if (path === "/simple/") {
    const format = negotiateSimple(request.headers.get("Accept"), url.searchParams.get("format"));
    return simpleIndexReply(deps, request, format, cache);
  }
  const simple = /^\/simple\/([^/]+)(\/?)$/.exec(path);
  if (simple) {
    if (!simple[2]) return redirect(`${path}/${url.search}`);
    const segment = decodeSegment(simple[1]!);
    return segment === null ? notFound() : simpleProjectReply(deps, request, url, segment);
  }
  const jsonApi = /^\/pypi\/([^/]+)(?:\/([^/]+))?\/json(\/?)$/.exec(path);
  if (jsonApi) {
    if (jsonApi[3]) return redirect(path.slice(0, -1) + url.search);
    const project = decodeSegment(jsonApi[1]!);
    const version = jsonApi[2] === undefined ? undefined : decodeSegment(jsonApi[2]);
    if (project === null || version === null) return jsonNotFound();
    return jsonApiReply(deps, request, project, version);
  }
  const integrity = /^\/integrity\/([^/]+)\/([^/]+)\/([^/]+)\/provenance$/.exec(path);
  if (integrity) {
    const parts = integrity.slice(1).map((part) => decodeSegment(part ?? "") ?? "");
    return provenanceReply(deps, request, parts);
  }
  if (path.startsWith("/packages/")) return redirect(`${deps.hosts.filesUrl}${path}`);
  return notFound();
}

// ---------------------------------------------------------------- files host

const FILE_PATH = /^\/packages\/([0-9a-f]{2})\/([0-9a-f]{2})\/([0-9a-f]{60})\/([^/]+)$/;
const MAX_IN_MEMORY_CORRUPT = 64 * 1024 * 1024;

function fileBody(file: StoredFile, metadata: boolean): Body {
  if (metadata) return metadataBytes(file);
  switch (file.content.kind) {
    case "generated":
      return buildArtifact(file.content.artifact);
    case "bytes":
      return file.content.bytes;
    case "disk":
      return Bun.file(file.content.path);
  }
}

function bodySize(body: Body): number {
  if (body === null) return 0;
  return body instanceof Uint8Array ? body.byteLength : body.size;
}

function sliceBody(body: Body, start: number, end: number): Body {
  if (body === null) return null;
  return body instanceof Uint8Array ? body.subarray(start, end) : body.slice(start, end);
}

/** Apply a `Range: bytes=...` header (one range) to a file reply. */
function applyRange(request: Request, reply: Reply): Reply {
  const header = request.headers.get("Range");
  const match = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!match || reply.status !== 200 || (match[1] === "" && match[2] === "")) return reply;
  const size = bodySize(reply.body);
  let start: number;
  let end: number; // inclusive
  if (match[1] === "") {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (start >= size || start > end)
    return { status: 416, headers: { "Content-Range": `bytes */${size}` }, body: null };
  return {
    status: 206,
    headers: { ...reply.headers, "Content-Range": `bytes ${start}-${end}/${size}` },
    body: sliceBody(reply.body, start, end + 1),
  };
}

function routeFiles(deps: ServerDeps, request: Request, url: URL): Reply {
  if (request.method !== "GET" && request.method !== "HEAD") return textReply(405, "405 Method Not Allowed");
  const match = FILE_PATH.exec(url.pathname);
  const requested = match ? decodeSegment(match[4]!) : null;
  if (!match || requested === null) return notFound();
  let file = deps.state.fileByName(requested);
  let metadata = false;
  if (!file && requested.endsWith(".metadata")) {
    file = deps.state.fileByName(requested.slice(0, -".metadata".length));
    metadata = file?.metadata != null;
    if (!metadata) file = null;
  }
  if (!file) return notFound();
  const digests = fileDigests(file);
  if (`${match[1]}${match[2]}${match[3]}` !== digests.blake2b256) return notFound();
  const body = fileBody(file, metadata);
  const reply: Reply = {
    status: 200,
    headers: {
      "Content-Type": "application/octet-stream",
      "Cache-Control": "max-age=365000000, immutable, public",
      "Accept-Ranges": "bytes",
      "Last-Modified": new Date(file.uploadTime.seconds * 1000).toUTCString(),
      ETag: `"${metadata ? new Bun.CryptoHasher("md5").update(body as Uint8Array).digest("hex") : digests.md5}"`,
    },
    body,
  };
  return applyRange(request, reply);
}

// ---------------------------------------------------------------- faults and delivery

const STATUS_TEXT: Readonly<Record<number, string>> = {
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

function statusFault(decision: FaultDecision, retryAfter: number): Reply {
  const status = decision.kind === "429" ? 429 : decision.status;
  const text = `${status} ${STATUS_TEXT[status] ?? "Error"}`;
  return textReply(status, text, status === 429 ? { "Retry-After": String(retryAfter) } : {});
}

async function bodyBytes(body: Body): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0);
  return body instanceof Uint8Array ? body : new Uint8Array(await body.arrayBuffer());
}

function corruptInPlace(bytes: Uint8Array, from: number, offset: number): void {
  // Flip up to 16 bytes starting at `from` (absolute offset), where they fall in this chunk.
  for (let index = Math.max(from, offset); index < Math.min(from + 16, offset + bytes.byteLength); index++)
    bytes[index - offset]! ^= 0xa5;
}

async function* chunksOf(body: Body, limit: number): AsyncGenerator<Uint8Array> {
  if (body === null || limit <= 0) return;
  if (body instanceof Uint8Array) {
    for (let offset = 0; offset < Math.min(limit, body.byteLength); offset += 16_384)
      yield body.subarray(offset, Math.min(offset + 16_384, limit, body.byteLength));
    return;
  }
  let sent = 0;
  for await (const chunk of body.slice(0, limit).stream()) {
    yield chunk;
    sent += chunk.byteLength;
    if (sent >= limit) return;
  }
}

/**
 * A streamed body: `limit` bytes of `body`, optionally corrupted at `corruptAt`, at most
 * `bytesPerSecond`, then either a clean end or an aborted connection (`reset`).
 */
function streamBody(
  body: Body,
  options: { limit: number; bytesPerSecond: number; reset: boolean; corruptAt: number | null },
): ReadableStream<Uint8Array> {
  const source = chunksOf(body, options.limit);
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await source.next();
      if (next.done) {
        if (options.reset) {
          await Bun.sleep(10); // let the bytes sent so far reach the client
          controller.error(undefined); // aborts the connection without logging
        } else controller.close();
        return;
      }
      let chunk = next.value;
      if (options.corruptAt !== null) {
        chunk = new Uint8Array(chunk);
        corruptInPlace(chunk, options.corruptAt, offset);
      }
      offset += chunk.byteLength;
      if (options.bytesPerSecond > 0) {
        const step = Math.max(1, Math.floor(options.bytesPerSecond / 20));
        for (let start = 0; start < chunk.byteLength; start += step) {
          controller.enqueue(chunk.subarray(start, start + step));
          await Bun.sleep((Math.min(step, chunk.byteLength - start) / options.bytesPerSecond) * 1000);
        }
      } else controller.enqueue(chunk);
    },
    async cancel() {
      await source.return(undefined);
    },
  });
}

/** Turn a reply into a response, applying the body faults of the decision. */
async function deliver(reply: Reply, decision: FaultDecision, method: string): Promise<Response> {
  const { body } = reply;
  const headers = new Headers(reply.headers);
  const kind = decision.kind;
  const bodyFault = kind === "truncate" || kind === "corrupt" || kind === "reset";
  if (method === "HEAD" || body === null || (!bodyFault && decision.bytesPerSecond <= 0))
    return new Response(body, { status: reply.status, headers });
  const size = bodySize(body);
  if (kind === "truncate") {
    const kept = size === 0 ? 0 : Math.min(size - 1, Math.floor(size * (0.1 + 0.8 * decision.amount)));
    const truncated = sliceBody(body, 0, kept);
    if (decision.bytesPerSecond <= 0) return new Response(truncated, { status: reply.status, headers });
    return new Response(
      streamBody(truncated, {
        limit: kept,
        bytesPerSecond: decision.bytesPerSecond,
        reset: false,
        corruptAt: null,
      }),
      { status: reply.status, headers },
    );
  }
  const corruptAt =
    kind === "corrupt" ? Math.min(Math.floor(size * decision.amount), Math.max(0, size - 16)) : null;
  if (kind === "corrupt" && decision.bytesPerSecond <= 0 && size <= MAX_IN_MEMORY_CORRUPT) {
    const bytes = new Uint8Array(await bodyBytes(body));
    corruptInPlace(bytes, corruptAt ?? 0, 0);
    return new Response(bytes, { status: reply.status, headers });
  }
  // Streamed: Bun.serve sends these chunked (it drops Content-Length on streams, oven-sh/bun#10507).
  const limit = kind === "reset" ? Math.floor(size / 2) : size;
  return new Response(
    streamBody(body, { limit, bytesPerSecond: decision.bytesPerSecond, reset: kind === "reset", corruptAt }),
    { status: reply.status, headers },
  );
}

function rawReply(deps: ServerDeps, host: HostKind, url: URL): Reply | null {
  const raw =
    deps.rawResponses.get(`${host} ${url.pathname}${url.search}`) ??
    deps.rawResponses.get(`${host} ${url.pathname}`);
  if (!raw) return null;
  const body =
    raw.bodyBase64 !== undefined
      ? new Uint8Array(Buffer.from(raw.bodyBase64, "base64"))
      : encoder.encode(raw.body ?? "");
  return { status: raw.status ?? 200, headers: raw.headers ?? {}, body };
}

async function handle(
  deps: ServerDeps,
  host: HostKind,
  request: Request,
  route: (url: URL, call: XmlRpcCall | null, record: RequestRecord) => Reply,
): Promise<Response> {
  const url = new URL(request.url);
  if (host === "index" && url.pathname.startsWith("/_test/")) return deps.control(request, url);
  const record = deps.requests.add(host, request.method, url.pathname + url.search);
  let call: XmlRpcCall | null = null;
  if (host === "index" && request.method === "POST" && XMLRPC_PATHS.has(url.pathname)) {
    try {
      call = parseCall(await request.text());
      record.rpcMethod = call.method;
    } catch {
      call = null;
    }
  }
  const decision = deps.faults.decide(host, request.method, record.path, record.rpcMethod);
  if (decision.latencyMs > 0) await Bun.sleep(decision.latencyMs);
  let reply: Reply;
  if (decision.kind === "5xx" || decision.kind === "429")
    reply = statusFault(decision, deps.faults.retryAfterSeconds);
  else if (decision.kind === "ratelimit")
    reply = call
      ? xmlReply(encodeFault(-32500, rateLimitFault(deps.faults.retryAfterSeconds).faultString))
      : statusFault({ ...decision, kind: "429" }, deps.faults.retryAfterSeconds);
  else reply = rawReply(deps, host, url) ?? route(url, call, record);
  record.status = reply.status;
  record.fault = decision.kind;
  return deliver(reply, decision, request.method);
}

/** Start the index and files servers on 127.0.0.1. */
export function startServers(
  deps: ServerDeps,
  ports: { index: number; files: number },
): { index: ReturnType<typeof Bun.serve>; files: ReturnType<typeof Bun.serve> } {
  const cache: CachedIndex[] = [];
  const onError = (error: Error) => textReply(500, `500 Internal Server Error: ${error.message}`);
  const asResponse = (reply: Reply) =>
    new Response(reply.body, { status: reply.status, headers: reply.headers });
  const files = Bun.serve({
    hostname: "127.0.0.1",
    port: ports.files,
    idleTimeout: 120,
    development: false,
    error: (error) => asResponse(onError(error)),
    fetch: (request) => handle(deps, "files", request, (url) => routeFiles(deps, request, url)),
  });
  const index = Bun.serve({
    hostname: "127.0.0.1",
    port: ports.index,
    idleTimeout: 120,
    development: false,
    error: (error) => asResponse(onError(error)),
    fetch: (request) =>
      handle(deps, "index", request, (url, call) => routeIndex(deps, request, url, call, cache)),
  });
  return { index, files };
}
