/**
 * Tiny loopback servers and helpers for the upstream client tests.
 */

import { setLogSink } from "../../src/log.ts";
import { HttpClient } from "../../src/upstream/http.ts";
import type { RetryPolicy } from "../../src/upstream/retry.ts";
import { type UrlRules, urlRulesFromOptions } from "../../src/upstream/url-rules.ts";

export interface Fixture {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Requests seen, in order. */
  requests: { method: string; path: string; headers: Headers; body: string }[];
  stop(): void;
}

/** Starts a Bun.serve on 127.0.0.1 with `handler`; every request is recorded. */
export function serve(handler: (request: Request, body: string) => Response | Promise<Response>): Fixture {
  const requests: Fixture["requests"] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 30,
    async fetch(request) {
      const body = await request.text();
      const url = new URL(request.url);
      requests.push({
        method: request.method,
        path: url.pathname + url.search,
        headers: request.headers,
        body,
      });
      return handler(request, body);
    },
  });
  const url = `http://127.0.0.1:${server.port}`;
  return { url, port: server.port!, requests, stop: () => server.stop(true) };
}

/** A client with short timeouts for tests. */
export function testClient(overrides: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}): HttpClient {
  return new HttpClient({ timeoutSeconds: 5, globalTimeoutSeconds: 20, ...overrides });
}

/** URL rules for a loopback master; files on the same host (any port). */
export function loopbackRules(
  master: string,
  extra: Partial<Parameters<typeof urlRulesFromOptions>[0]> = {},
): UrlRules {
  return urlRulesFromOptions({
    master,
    allowNonHttps: true,
    allowedFileHosts: [],
    downloadMirror: null,
    ...extra,
  });
}

/** No waiting between retries in tests. */
export const NO_WAIT = { sleep: async () => {} };
export const QUICK_RETRY: RetryPolicy = {
  attempts: 3,
  baseSeconds: 0.001,
  capSeconds: 0.001,
  maxRetryAfterSeconds: 1,
};

/** Captures log lines for the duration of `body`. */
export async function captureLog<T>(body: () => Promise<T> | T): Promise<{ result: T; lines: string[] }> {
  const lines: string[] = [];
  const previous = setLogSink((line) => lines.push(line));
  try {
    return { result: await body(), lines };
  } finally {
    setLogSink(previous);
  }
}

/** A valid 64-hex sha256 derived from a seed. */
export function fakeSha256(seed: string): string {
  return new Bun.CryptoHasher("sha256").update(seed).digest("hex");
}
