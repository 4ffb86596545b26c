/**
 * A small read-only HTTP server for a mirror's `web/` tree, for air-gapped and
 * quick use: PEP 691 content negotiation (`Vary: Accept`), `X-PyPI-Last-Serial`
 * from the ledger so another bunsnatch can mirror from it, redirects to
 * normalized names, and no way out of `web/` (no dot-files, no temp files, no
 * directory listings).
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { projectDirectory } from "../index/layout.ts";
import { normalizeName } from "../packaging/names.ts";
import { CONTENT_TYPES, chooseFormat, type PageFormat } from "./negotiate.ts";

export interface ServeOptions {
  /** The mirror's `web/` directory. */
  webRoot: string;
  hashIndex: boolean;
  hostname: string;
  port: number;
  /** Serial of a project (normalized name), or of the whole mirror for the root (undefined). */
  serialOf: (project: string | undefined) => number | undefined;
}

const PAGE_FILES: Record<PageFormat, string> = {
  json: "index.v1_json",
  v1_html: "index.v1_html",
  html: "index.html",
};

function notFound(): Response {
  return new Response("404 Not Found", { status: 404, headers: { "Content-Type": "text/plain" } });
}

/** Whether every segment of a URL path is one we serve (no dot-files, traversal or control characters). */
function safeSegments(pathname: string): string[] | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  const segments = decoded.split("/").filter((segment) => segment !== "");
  const unsafe = segments.some(
    (segment) => segment.startsWith(".") || segment.includes("\\") || /[\u0000-\u001f\u007f]/.test(segment),
  );
  return unsafe ? undefined : segments;
}

function contentTypeOf(filePath: string): string {
  if (filePath.endsWith(".metadata")) return "text/plain; charset=utf-8";
  if (filePath.endsWith(".whl") || filePath.endsWith(".zip")) return "application/zip";
  if (filePath.endsWith(".tar.gz") || filePath.endsWith(".tgz")) return "application/gzip";
  return "application/octet-stream";
}

function regularFile(filePath: string): boolean {
  try {
    return fs.statSync(filePath).isFile();
  } catch {
    return false;
  }
}

/** Answers one request (exported for tests). */
export function handleRequest(request: Request, options: ServeOptions): Response {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return new Response("405 Method Not Allowed", { status: 405, headers: { Allow: "GET, HEAD" } });
  }
  const url = new URL(request.url);
  const segments = safeSegments(url.pathname);
  if (!segments) return notFound();

  if (segments[0] === "simple") {
    if (segments.length > 2) return notFound();
    if (!url.pathname.endsWith("/")) return redirect(`${url.pathname}/${url.search}`);
    const project = segments[1];
    if (project !== undefined && normalizeName(project) !== project) {
      return redirect(`/simple/${normalizeName(project)}/${url.search}`);
    }
    const format = chooseFormat(request.headers.get("accept"), url.searchParams.get("format"));
    const directory = project === undefined ? "simple" : projectDirectory(project, options.hashIndex);
    const filePath = path.join(options.webRoot, directory, PAGE_FILES[format]);
    if (!regularFile(filePath)) return notFound();
    const headers: Record<string, string> = { "Content-Type": CONTENT_TYPES[format], Vary: "Accept" };
    const serial = options.serialOf(project);
    if (serial !== undefined) headers["X-PyPI-Last-Serial"] = String(serial);
    return new Response(Bun.file(filePath), { headers });
  }

  if (segments[0] === "packages" && segments.length > 1) {
    const filePath = path.join(options.webRoot, ...segments);
    if (!regularFile(filePath)) return notFound();
    return new Response(Bun.file(filePath), {
      headers: {
        "Content-Type": contentTypeOf(filePath),
        "Cache-Control": "max-age=365000000, immutable, public",
      },
    });
  }

  // JSON API copies: /pypi/<name>/json and /json/<name> (json = true).
  const jsonPath =
    segments[0] === "pypi" && segments.length === 3 && segments[2] === "json"
      ? path.join(options.webRoot, "pypi", normalizeName(segments[1]!), "json")
      : segments[0] === "json" && segments.length === 2
        ? path.join(options.webRoot, "json", normalizeName(segments[1]!))
        : undefined;
  if (jsonPath && regularFile(jsonPath)) {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    const serial = options.serialOf(normalizeName(segments[1]!));
    if (serial !== undefined) headers["X-PyPI-Last-Serial"] = String(serial);
    return new Response(Bun.file(jsonPath), { headers });
  }
  if (url.pathname === "/") return redirect("/simple/");
  return notFound();
}

function redirect(location: string): Response {
  return new Response(null, { status: 301, headers: { Location: location } });
}

/** Starts the server; resolves to it (call `stop()` to end). */
export function startServer(options: ServeOptions): ReturnType<typeof Bun.serve> {
  return Bun.serve({
    hostname: options.hostname,
    port: options.port,
    fetch: (request) => handleRequest(request, options),
  });
}
