import { afterAll, describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import packageJson from "../../package.json" with { type: "json" };
import { HostileDataError, UpstreamError } from "../../src/errors.ts";
import { redactUrl, USER_AGENT } from "../../src/upstream/http.ts";
import { fileRedirectRule } from "../../src/upstream/url-rules.ts";
import { loopbackRules, serve, testClient } from "./fixtures.ts";

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect((error as Error).message).not.toContain("\n");
    return error as Error;
  }
  throw new Error("expected the request to fail");
}

const encoder = new TextEncoder();

const upstream = serve(async (request, requestBody) => {
  const url = new URL(request.url);
  const path = url.pathname;
  switch (path) {
    case "/json":
      return Response.json({ hello: "world", accept: request.headers.get("accept") });
    case "/ua":
      return new Response(request.headers.get("user-agent"));
    case "/missing":
      return new Response("404 Not Found", { status: 404, statusText: "Not Found" });
    case "/busy":
      return new Response("busy", { status: 503, headers: { "retry-after": "7" } });
    case "/limited":
      return new Response("slow down", {
        status: 429,
        headers: { "retry-after": "Wed, 21 Oct 2099 07:28:00 GMT" },
      });
    case "/bad-request":
      return new Response("no", { status: 400 });
    case "/html":
      return new Response("<!DOCTYPE html><html><body>hi</body></html>", {
        headers: { "content-type": "text/html" },
      });
    case "/garbage":
      return new Response("{nope", { headers: { "content-type": "application/json" } });
    case "/deep":
      return new Response("[".repeat(100_000) + "]".repeat(100_000), {
        headers: { "content-type": "application/json" },
      });
    case "/latin1":
      return new Response(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x7d]));
    case "/big":
      return new Response("x".repeat(2000));
    case "/big-chunked":
      return new Response(
        new ReadableStream({
          async start(controller) {
            for (let index = 0; index < 20; index++) controller.enqueue(encoder.encode("y".repeat(100)));
            controller.close();
          },
        }),
      );
    case "/gzip-bomb":
      return new Response(gzipSync(Buffer.alloc(10_000_000)), { headers: { "content-encoding": "gzip" } });
    case "/stall-headers":
      await Bun.sleep(3000);
      return new Response("late");
    case "/stall-body":
      return new Response(
        new ReadableStream({
          async start(controller) {
            controller.enqueue(encoder.encode("first"));
            await Bun.sleep(3000);
            controller.close();
          },
        }),
      );
    case "/trickle":
      return new Response(
        new ReadableStream({
          async start(controller) {
            for (let index = 0; index < 30; index++) {
              controller.enqueue(encoder.encode("."));
              await Bun.sleep(100);
            }
            controller.close();
          },
        }),
      );
    case "/redirect-same":
      return new Response(null, { status: 301, headers: { location: "/json" } });
    case "/redirect-other":
      return new Response(null, { status: 302, headers: { location: "http://127.0.0.2:9/json" } });
    case "/redirect-no-location":
      return new Response(null, { status: 302 });
    case "/post-307":
      return new Response(null, { status: 307, headers: { location: "/echo" } });
    case "/post-302":
      return new Response(null, { status: 302, headers: { location: "/echo" } });
    case "/echo":
      return new Response(`${request.method}:${requestBody}`);
    default: {
      const loop = /^\/loop\/(\d+)$/.exec(path);
      if (loop)
        return new Response(null, { status: 302, headers: { location: `/loop/${Number(loop[1]) + 1}` } });
      const chain = /^\/chain\/(\d+)$/.exec(path);
      if (chain) {
        const left = Number(chain[1]);
        return left === 0
          ? new Response("end of chain")
          : new Response(null, { status: 307, headers: { location: `/chain/${left - 1}` } });
      }
      return new Response("?", { status: 500 });
    }
  }
});
afterAll(() => upstream.stop());

describe("HttpClient basics", () => {
  test("User-Agent is bunsnatch/<version> (bun <version>, <os> <arch>)", async () => {
    expect(USER_AGENT).toBe(
      `bunsnatch/${packageJson.version} (bun ${Bun.version}, ${process.platform} ${process.arch})`,
    );
    const { body } = await testClient().getText(`${upstream.url}/ua`);
    expect(body).toBe(USER_AGENT);
  });

  test("getJson sends Accept and returns body, status, headers, finalUrl and the raw bytes", async () => {
    const response = await testClient().getJson(`${upstream.url}/json`, {
      accept: "application/vnd.pypi.simple.v1+json",
    });
    expect(response.body).toEqual({ hello: "world", accept: "application/vnd.pypi.simple.v1+json" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("json");
    expect(response.finalUrl).toBe(`${upstream.url}/json`);
    expect(new TextDecoder().decode(response.bytes)).toBe(response.text);
  });

  test("redactUrl drops credentials", () => {
    expect(redactUrl("https://user:secret@host/x")).toBe("https://host/x");
  });
});

describe("HttpClient status mapping", () => {
  test("404 carries the status, is not retryable, and names the URL", async () => {
    const error = await failure(testClient().getJson(`${upstream.url}/missing`));
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).status).toBe(404);
    expect((error as UpstreamError).retryable).toBe(false);
    expect(error.message).toBe(`GET ${upstream.url}/missing: HTTP 404 Not Found`);
  });

  test("503 is retryable with Retry-After seconds", async () => {
    const error = (await failure(testClient().getBytes(`${upstream.url}/busy`))) as UpstreamError;
    expect([error.status, error.retryable, error.retryAfterSeconds]).toEqual([503, true, 7]);
  });

  test("429 is retryable with Retry-After as an HTTP date", async () => {
    const error = (await failure(testClient().getBytes(`${upstream.url}/limited`))) as UpstreamError;
    expect(error.status).toBe(429);
    expect(error.retryable).toBe(true);
    expect(error.retryAfterSeconds).toBeGreaterThan(1000);
  });

  test("400 is not retryable", async () => {
    const error = (await failure(testClient().getBytes(`${upstream.url}/bad-request`))) as UpstreamError;
    expect([error.status, error.retryable]).toEqual([400, false]);
  });
});

describe("HttpClient network failures", () => {
  test("connection refused is retryable and names the URL", async () => {
    const error = (await failure(testClient().getBytes("http://127.0.0.1:1/x"))) as UpstreamError;
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.retryable).toBe(true);
    expect(error.status).toBeUndefined();
    expect(error.message).toBe("GET http://127.0.0.1:1/x: connection failed (ECONNREFUSED)");
  });

  test("a reset connection is retryable", async () => {
    const listener = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: { open: (socket) => void socket.end(), data() {} },
    });
    try {
      const error = (await failure(
        testClient().getBytes(`http://127.0.0.1:${listener.port}/`),
      )) as UpstreamError;
      expect(error).toBeInstanceOf(UpstreamError);
      expect(error.retryable).toBe(true);
      expect(error.message).toContain("connection failed");
    } finally {
      listener.stop(true);
    }
  });

  test("idle timeout while waiting for headers", async () => {
    const started = performance.now();
    const error = (await failure(
      testClient({ timeoutSeconds: 0.3 }).getBytes(`${upstream.url}/stall-headers`),
    )) as UpstreamError;
    expect(error.message).toBe(`GET ${upstream.url}/stall-headers: no data for 0.3 s (timeout)`);
    expect(error.retryable).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  test("idle timeout in the middle of the body", async () => {
    const error = (await failure(
      testClient({ timeoutSeconds: 0.3 }).getBytes(`${upstream.url}/stall-body`),
    )) as UpstreamError;
    expect(error.message).toContain("no data for 0.3 s");
    expect(error.retryable).toBe(true);
  });

  test("global timeout even while bytes keep trickling in", async () => {
    const client = testClient({ timeoutSeconds: 1, globalTimeoutSeconds: 0.5 });
    const error = (await failure(client.getBytes(`${upstream.url}/trickle`))) as UpstreamError;
    expect(error.message).toContain("not finished after 0.5 s (global-timeout)");
    expect(error.retryable).toBe(true);
  });
});

describe("HttpClient body caps", () => {
  test("Content-Length over the cap is refused before reading", async () => {
    const error = (await failure(
      testClient().getBytes(`${upstream.url}/big`, { maxBytes: 1000 }),
    )) as UpstreamError;
    expect(error.message).toBe(`GET ${upstream.url}/big: body larger than the 1000 bytes limit`);
    expect(error.retryable).toBe(false);
  });

  test("a chunked body is cut at the cap", async () => {
    const error = await failure(testClient().getBytes(`${upstream.url}/big-chunked`, { maxBytes: 1000 }));
    expect(error.message).toContain("body larger than the 1000 bytes limit");
  });

  test("the cap counts decompressed bytes (gzip bomb)", async () => {
    const error = await failure(
      testClient().getBytes(`${upstream.url}/gzip-bomb`, { maxBytes: 1024 * 1024 }),
    );
    expect(error.message).toContain("body larger than the 1 MiB limit");
  });

  test("exactly at the cap is fine", async () => {
    const { body } = await testClient().getBytes(`${upstream.url}/big`, { maxBytes: 2000 });
    expect(body.length).toBe(2000);
  });

  test("stopping early releases the stream", async () => {
    const stream = await testClient().open("GET", `${upstream.url}/big-chunked`);
    for await (const chunk of stream.chunks()) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    await stream.cancel();
  });
});

describe("HttpClient bodies that are not what was asked for", () => {
  test("HTML instead of JSON", async () => {
    const error = await failure(testClient().getJson(`${upstream.url}/html`));
    expect(error.message).toBe(`GET ${upstream.url}/html: answered text/html, not JSON`);
  });

  test("invalid JSON", async () => {
    const error = await failure(testClient().getJson(`${upstream.url}/garbage`));
    expect(error.message).toContain("body is not valid JSON");
  });

  test("JSON nested 100,000 deep is refused before parsing", async () => {
    const error = await failure(testClient().getJson(`${upstream.url}/deep`));
    expect(error.message).toContain("nests deeper than 64 levels");
  });

  test("invalid UTF-8", async () => {
    const error = await failure(testClient().getText(`${upstream.url}/latin1`));
    expect(error.message).toContain("not valid UTF-8");
  });
});

describe("HttpClient redirects", () => {
  test("same-origin redirects are followed and finalUrl reports the end", async () => {
    const response = await testClient().getJson(`${upstream.url}/redirect-same`);
    expect(response.finalUrl).toBe(`${upstream.url}/json`);
  });

  test("by default a redirect to another origin is refused as hostile", async () => {
    const error = await failure(testClient().getJson(`${upstream.url}/redirect-other`));
    expect(error).toBeInstanceOf(HostileDataError);
    expect(error.message).toContain("http://127.0.0.2:9/json");
  });

  test("every hop goes through the caller's rule", async () => {
    const hops: string[] = [];
    const { body } = await testClient().getText(`${upstream.url}/chain/3`, {
      checkRedirect: (target) => void hops.push(new URL(target).pathname),
    });
    expect(body).toBe("end of chain");
    expect(hops).toEqual(["/chain/2", "/chain/1", "/chain/0"]);
    const refused = await failure(
      testClient().getText(`${upstream.url}/chain/3`, {
        checkRedirect: (target) => {
          if (target.pathname === "/chain/1") throw new HostileDataError("no /chain/1");
        },
      }),
    );
    expect(refused.message).toBe("no /chain/1");
  });

  test("at most 5 redirects", async () => {
    expect((await testClient().getText(`${upstream.url}/chain/5`)).body).toBe("end of chain");
    const error = await failure(testClient().getText(`${upstream.url}/loop/0`));
    expect(error.message).toContain("more than 5 redirects");
  });

  test("a redirect without Location is an error", async () => {
    const error = await failure(testClient().getText(`${upstream.url}/redirect-no-location`));
    expect(error.message).toContain("without a Location header");
  });

  test("POST follows 307 with its body and refuses 302", async () => {
    const { body } = await testClient().postXml(`${upstream.url}/post-307`, "<x/>");
    expect(body).toBe("POST:<x/>");
    const error = await failure(testClient().postXml(`${upstream.url}/post-302`, "<x/>"));
    expect(error.message).toContain("would turn the POST into a GET");
  });
});

describe("HttpClient proxy", () => {
  test("the proxy option sends requests through the proxy", async () => {
    const proxy = serve((request) => new Response(`proxied ${request.url}`));
    try {
      const client = testClient({ proxy: proxy.url });
      const { body } = await client.getText("http://127.0.0.1:1/through-proxy");
      expect(body).toContain("proxied");
      expect(body).toContain("/through-proxy");
    } finally {
      proxy.stop();
    }
  });
});

describe("HttpClient with the file redirect rule", () => {
  test("a download may be redirected to an allowed file host, not elsewhere", async () => {
    const files = serve((request) => {
      const path = new URL(request.url).pathname;
      if (path === "/packages/aa/moved-1.0.tar.gz")
        return new Response(null, { status: 302, headers: { location: "/packages/bb/moved-1.0.tar.gz" } });
      if (path === "/packages/aa/evil-1.0.tar.gz")
        return new Response(null, {
          status: 302,
          headers: { location: "http://localhost:1/packages/x/evil-1.0.tar.gz" },
        });
      if (path === "/packages/aa/escape-1.0.tar.gz")
        return new Response(null, { status: 302, headers: { location: "/etc/passwd" } });
      return new Response("file bytes");
    });
    try {
      const rules = loopbackRules("http://127.0.0.1:1");
      const checkRedirect = fileRedirectRule(rules);
      const { body, finalUrl } = await testClient().getText(`${files.url}/packages/aa/moved-1.0.tar.gz`, {
        checkRedirect,
      });
      expect([body, new URL(finalUrl).pathname]).toEqual(["file bytes", "/packages/bb/moved-1.0.tar.gz"]);
      await expect(
        testClient().getText(`${files.url}/packages/aa/evil-1.0.tar.gz`, { checkRedirect }),
      ).rejects.toThrow("host localhost");
      await expect(
        testClient().getText(`${files.url}/packages/aa/escape-1.0.tar.gz`, { checkRedirect }),
      ).rejects.toThrow("/packages/");
    } finally {
      files.stop();
    }
  });

  test("a timeout of 0 disables that timer", async () => {
    const { body } = await testClient({ timeoutSeconds: 0, globalTimeoutSeconds: 0 }).getText(
      `${upstream.url}/ua`,
    );
    expect(body).toBe(USER_AGENT);
  });
});
