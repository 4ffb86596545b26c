/**
 * The one HTTP client every upstream request goes through: Bun's native fetch
 * with our User-Agent, an idle timeout (`timeout`: no byte for N s) and a
 * whole-request timeout (`global-timeout`), the `proxy` option, redirects followed
 * by hand so each hop is checked, body size caps, and every failure mapped to an
 * `UpstreamError` with `status` and `retryable` and a one-line message naming the URL.
 */

import packageJson from "../../package.json" with { type: "json" };
import { HostileDataError, UpstreamError } from "../errors.ts";
import { log } from "../log.ts";
import { JsonShapeError, parseJsonLimited } from "./json-safety.ts";
import { parseRetryAfter } from "./retry.ts";

const MIB = 1024 * 1024;
/** Default cap for JSON pages (project pages, JSON API, `/simple/`). */
export const DEFAULT_JSON_MAX_BYTES = 64 * MIB;
/** Cap for XML-RPC answers; `list_packages_with_serial` is ~61 MB at PyPI's size. */
export const XMLRPC_MAX_BYTES = 512 * MIB;
export const DEFAULT_MAX_REDIRECTS = 5;

/** `bunsnatch/0.1.0 (bun 1.4.5, linux x64)`. */
export const USER_AGENT = `bunsnatch/${packageJson.version} (bun ${Bun.version}, ${process.platform} ${process.arch})`;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const RETRYABLE_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);
/** TLS failures: trying again will not help. */
const PERMANENT_NETWORK_CODES = new Set([
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "CERT_NOT_YET_VALID",
]);

type FetchFunction = (input: string | URL, init: BunFetchRequestInit) => Promise<Response>;

export interface HttpClientOptions {
  /** Idle timeout, seconds: abort when no byte arrives for this long. */
  timeoutSeconds: number;
  /** Whole-request timeout, seconds, redirects and body included. */
  globalTimeoutSeconds: number;
  /** Proxy URL; null or absent lets Bun use `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`. */
  proxy?: string | null;
  userAgent?: string;
  maxRedirects?: number;
  /** Replaces `fetch` (tests). */
  fetch?: FetchFunction;
}

export interface RequestOptions {
  /** `Accept` header. */
  accept?: string;
  headers?: Record<string, string>;
  /** Refuse bodies larger than this many (decoded) bytes. */
  maxBytes?: number;
  /**
   * Checks every redirect target before it is followed; throw (a `HostileDataError`)
   * to refuse it. Default: the target must have the same origin as the first URL.
   */
  checkRedirect?: (target: URL, from: URL) => void;
  /**
   * Ask for and keep the bytes exactly as stored (`Accept-Encoding: identity`, no
   * decompression): release files are hashed as they are, never as a server re-encoded them.
   */
  rawBody?: boolean;
}

/** A finished response. `finalUrl` is the URL after redirects. */
export interface HttpResponse<T> {
  body: T;
  status: number;
  headers: Headers;
  finalUrl: string;
}

/** A response whose body has not been read yet (for the download pipeline and the XML-RPC list). */
export interface HttpStream {
  status: number;
  headers: Headers;
  finalUrl: string;
  /** The body in chunks, under the idle/global timeouts and byte cap; failures become `UpstreamError`. */
  chunks(): AsyncGenerator<Uint8Array, void, undefined>;
  /** Stops reading and releases the connection. Call it when the body is not read to the end. */
  cancel(): Promise<void>;
}

/** Why the client aborted a request itself. */
type AbortCause = "idle" | "global" | "cap";

/** URL without credentials, for messages. */
export function redactUrl(url: string | URL): string {
  try {
    const parsed = new URL(String(url));
    if (parsed.username || parsed.password) {
      parsed.username = "";
      parsed.password = "";
    }
    return parsed.href;
  } catch {
    return String(url);
  }
}

function sameOrigin(target: URL, from: URL): void {
  if (target.origin !== from.origin) {
    throw new HostileDataError(
      `Refusing redirect from ${redactUrl(from)} to ${redactUrl(target)}: a redirect must stay on ${from.origin}`,
    );
  }
}

/** The `UpstreamError` for a non-2xx status: 5xx, 408, 425 and 429 are retryable, other 4xx are not. */
export function statusError(
  method: string,
  url: string | URL,
  status: number,
  statusText: string,
  headers?: Headers,
): UpstreamError {
  const retryAfterSeconds = parseRetryAfter(headers?.get("retry-after"));
  const text = statusText ? ` ${statusText}` : "";
  return new UpstreamError(`${method} ${redactUrl(url)}: HTTP ${status}${text}`, {
    status,
    retryable: RETRYABLE_STATUSES.has(status) || status >= 500,
    retryAfterSeconds,
  });
}

function networkError(
  method: string,
  url: string | URL,
  error: unknown,
  cause: AbortCause | null,
  options: {
    timeoutSeconds: number;
    globalTimeoutSeconds: number;
    maxBytes: number;
  },
): Error {
  if (error instanceof HostileDataError || error instanceof UpstreamError) return error;
  const where = `${method} ${redactUrl(url)}`;
  if (cause === "idle") {
    return new UpstreamError(`${where}: no data for ${options.timeoutSeconds} s (timeout)`, {
      retryable: true,
      cause: error,
    });
  }
  if (cause === "global") {
    return new UpstreamError(
      `${where}: not finished after ${options.globalTimeoutSeconds} s (global-timeout)`,
      {
        retryable: true,
        cause: error,
      },
    );
  }
  if (cause === "cap") {
    return new UpstreamError(`${where}: body larger than the ${formatBytes(options.maxBytes)} limit`, {
      cause: error,
    });
  }
  const code = (error as { code?: unknown } | null)?.code;
  const codeText = typeof code === "string" ? code : error instanceof Error ? error.name : "error";
  const retryable = !(typeof code === "string" && PERMANENT_NETWORK_CODES.has(code));
  return new UpstreamError(`${where}: connection failed (${codeText})`, { retryable, cause: error });
}

function isTimeout(seconds: number): boolean {
  return Number.isFinite(seconds) && seconds > 0;
}

function formatBytes(bytes: number): string {
  if (bytes >= MIB && bytes % MIB === 0) return `${bytes / MIB} MiB`;
  return `${bytes} bytes`;
}

/**
 * HTTP client for one run. Create one and share it: Bun pools connections per host.
 *
 * @example
 * const http = new HttpClient({ timeoutSeconds: 10, globalTimeoutSeconds: 18000 });
 * const { body } = await http.getJson("https://pypi.org/simple/", { accept: "application/vnd.pypi.simple.v1+json" });
 */
export class HttpClient {
  readonly userAgent: string;
  private readonly timeoutSeconds: number;
  private readonly globalTimeoutSeconds: number;
  private readonly proxy: string | null;
  private readonly maxRedirects: number;
  private readonly fetchFunction: FetchFunction;

  constructor(options: HttpClientOptions) {
    this.timeoutSeconds = options.timeoutSeconds;
    this.globalTimeoutSeconds = options.globalTimeoutSeconds;
    this.proxy = options.proxy ?? null;
    this.userAgent = options.userAgent ?? USER_AGENT;
    this.maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
    this.fetchFunction = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /**
   * Sends a request and returns once the headers of the final (non-redirect)
   * response are in. Non-2xx statuses throw `statusError` (with `status`, so 404 is
   * recognisable); redirect targets go through `checkRedirect`.
   */
  async open(
    method: "GET" | "POST",
    url: string,
    options: RequestOptions & { body?: string; contentType?: string } = {},
  ): Promise<HttpStream> {
    const maxBytes = options.maxBytes ?? DEFAULT_JSON_MAX_BYTES;
    const limits = {
      timeoutSeconds: this.timeoutSeconds,
      globalTimeoutSeconds: this.globalTimeoutSeconds,
      maxBytes,
    };
    const controller = new AbortController();
    let abortCause: AbortCause | null = null;
    const abort = (cause: AbortCause) => {
      if (abortCause === null) abortCause = cause;
      controller.abort(new Error(`aborted (${cause})`));
    };
    // A non-positive or non-finite timeout disables that timer.
    const globalTimer = isTimeout(this.globalTimeoutSeconds)
      ? setTimeout(() => abort("global"), this.globalTimeoutSeconds * 1000)
      : undefined;
    // The idle timer is armed once and re-armed only when it fires: `touch` (once per
    // body chunk, ~16k times per GiB) just records the time.
    const idleMs = this.timeoutSeconds * 1000;
    let idleTimer: ReturnType<typeof setTimeout> | undefined;
    let lastActivity = 0;
    let timersStopped = false;
    const checkIdle = () => {
      const idleFor = performance.now() - lastActivity;
      if (idleFor < idleMs) {
        idleTimer = setTimeout(checkIdle, idleMs - idleFor);
        return;
      }
      timersStopped = true;
      abort("idle");
    };
    const touch = () => {
      lastActivity = performance.now();
      if (idleTimer === undefined && !timersStopped && isTimeout(this.timeoutSeconds)) {
        idleTimer = setTimeout(checkIdle, idleMs);
      }
    };
    const stopTimers = () => {
      timersStopped = true;
      clearTimeout(globalTimer);
      clearTimeout(idleTimer);
    };

    const headers: Record<string, string> = { "User-Agent": this.userAgent, ...options.headers };
    if (options.accept) headers["Accept"] = options.accept;
    if (options.contentType) headers["Content-Type"] = options.contentType;
    if (options.rawBody) headers["Accept-Encoding"] = "identity";
    const checkRedirect = options.checkRedirect ?? sameOrigin;

    let currentUrl = new URL(url);
    let response: Response;
    try {
      for (let hop = 0; ; hop++) {
        touch();
        response = await this.fetchFunction(currentUrl, {
          method,
          headers,
          body: method === "POST" ? options.body : undefined,
          redirect: "manual",
          signal: controller.signal,
          proxy: this.proxy ?? undefined,
          decompress: !options.rawBody,
          // Bun's own idle timer as a backstop, a little later than ours so ours names the cause.
          timeout: isTimeout(this.timeoutSeconds) ? this.timeoutSeconds * 1000 + 1000 : false,
        });
        touch();
        if (!REDIRECT_STATUSES.has(response.status)) break;
        await response.body?.cancel().catch(() => {});
        const location = response.headers.get("location");
        if (!location) {
          const where = `${method} ${redactUrl(currentUrl)}`;
          throw new UpstreamError(`${where}: HTTP ${response.status} without a Location header`, {
            status: response.status,
          });
        }
        if (hop >= this.maxRedirects) {
          throw new UpstreamError(`${method} ${redactUrl(url)}: more than ${this.maxRedirects} redirects`, {
            status: response.status,
          });
        }
        if (method === "POST" && response.status !== 307 && response.status !== 308) {
          const where = `POST ${redactUrl(currentUrl)}`;
          throw new UpstreamError(
            `${where}: HTTP ${response.status} redirect would turn the POST into a GET`,
            {
              status: response.status,
            },
          );
        }
        let target: URL;
        try {
          target = new URL(location, currentUrl);
        } catch {
          throw new HostileDataError(
            `Refusing redirect from ${redactUrl(currentUrl)} to ${JSON.stringify(location)}: not a valid URL`,
          );
        }
        checkRedirect(target, currentUrl);
        log.debug(`${method} ${redactUrl(currentUrl)} → ${response.status} ${redactUrl(target)}`);
        currentUrl = target;
      }
    } catch (error) {
      stopTimers();
      throw networkError(method, currentUrl, error, abortCause, limits);
    }

    const finalUrl = currentUrl.href;
    if (response.status < 200 || response.status > 299) {
      stopTimers();
      await response.body?.cancel().catch(() => {});
      throw statusError(method, finalUrl, response.status, response.statusText, response.headers);
    }
    const declaredLength = Number(response.headers.get("content-length") ?? Number.NaN);
    if (Number.isFinite(declaredLength) && declaredLength > maxBytes) {
      stopTimers();
      await response.body?.cancel().catch(() => {});
      throw networkError(method, finalUrl, null, "cap", limits);
    }

    const body = response.body;
    let finished = false;
    const finish = async (cancelBody: boolean) => {
      if (finished) return;
      finished = true;
      stopTimers();
      if (cancelBody) await body?.cancel().catch(() => {});
    };
    return {
      status: response.status,
      headers: response.headers,
      finalUrl,
      cancel: () => finish(true),
      async *chunks() {
        if (!body) {
          await finish(false);
          return;
        }
        const reader = body.getReader();
        let received = 0;
        let complete = false;
        try {
          while (true) {
            const { done, value } = await reader.read();
            if (done) {
              complete = true;
              break;
            }
            touch();
            received += value.byteLength;
            if (received > maxBytes) {
              abort("cap");
              throw new Error("body over the cap");
            }
            yield value;
          }
        } catch (error) {
          complete = true;
          await reader.cancel().catch(() => {});
          throw networkError(method, finalUrl, error, abortCause, limits);
        } finally {
          // The consumer stopped early (break/return): release the connection.
          if (!complete) await reader.cancel().catch(() => {});
          reader.releaseLock();
          await finish(false);
        }
      },
    };
  }

  /** GET, whole body as bytes. */
  async getBytes(url: string, options: RequestOptions = {}): Promise<HttpResponse<Uint8Array>> {
    const stream = await this.open("GET", url, options);
    return { ...meta(stream), body: await collect(stream) };
  }

  /** GET, whole body as UTF-8 text (invalid UTF-8 is an error). */
  async getText(url: string, options: RequestOptions = {}): Promise<HttpResponse<string>> {
    const response = await this.getBytes(url, options);
    return { ...response, body: decodeUtf8(response.body, "GET", response.finalUrl) };
  }

  /**
   * GET and parse JSON (nesting capped, see `json-safety.ts`). `bytes` is the body as
   * received. An HTML answer or a body that is not JSON is a non-retryable `UpstreamError`.
   */
  async getJson(
    url: string,
    options: RequestOptions & { maxDepth?: number } = {},
  ): Promise<HttpResponse<unknown> & { bytes: Uint8Array; text: string }> {
    const response = await this.getBytes(url, { accept: "application/json", ...options });
    const text = decodeUtf8(response.body, "GET", response.finalUrl);
    return { ...response, bytes: response.body, text, body: parseJsonBody(text, response, options.maxDepth) };
  }

  /** POST an XML body (XML-RPC); whole answer as text. */
  async postXml(url: string, xmlBody: string, options: RequestOptions = {}): Promise<HttpResponse<string>> {
    const stream = await this.openXml(url, xmlBody, options);
    const bytes = await collect(stream);
    return { ...meta(stream), body: decodeUtf8(bytes, "POST", stream.finalUrl) };
  }

  /** POST an XML body (XML-RPC) and return the answer unread, for streaming decoders. */
  openXml(url: string, xmlBody: string, options: RequestOptions = {}): Promise<HttpStream> {
    return this.open("POST", url, {
      accept: "text/xml",
      maxBytes: XMLRPC_MAX_BYTES,
      ...options,
      body: xmlBody,
      contentType: "text/xml",
    });
  }
}

function meta(stream: HttpStream): Omit<HttpResponse<never>, "body"> {
  return { status: stream.status, headers: stream.headers, finalUrl: stream.finalUrl };
}

async function collect(stream: HttpStream): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of stream.chunks()) {
    parts.push(chunk);
    total += chunk.byteLength;
  }
  if (parts.length === 1) return parts[0]!;
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.byteLength;
  }
  return joined;
}

/** UTF-8 to text; invalid bytes are an `UpstreamError` naming the URL. */
export function decodeUtf8(bytes: Uint8Array, method: string, url: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new UpstreamError(`${method} ${redactUrl(url)}: body is not valid UTF-8`);
  }
}

function looksLikeHtml(text: string, contentType: string | null): boolean {
  return /html/i.test(contentType ?? "") || /^\s*</.test(text);
}

function parseJsonBody(text: string, response: HttpResponse<unknown>, maxDepth: number | undefined): unknown {
  const where = `GET ${redactUrl(response.finalUrl)}`;
  const contentType = response.headers.get("content-type");
  try {
    return parseJsonLimited(text, { maxDepth });
  } catch (error) {
    if (error instanceof JsonShapeError) throw new UpstreamError(`${where}: ${error.message}`);
    if (looksLikeHtml(text, contentType)) {
      throw new UpstreamError(`${where}: answered ${contentType ?? "HTML"}, not JSON`);
    }
    throw new UpstreamError(`${where}: body is not valid JSON (${(error as Error).message})`);
  }
}
