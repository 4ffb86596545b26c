import { describe, expect, test } from "bun:test";
import { type AnyJson, callXmlRpc } from "./client.ts";
import { startTestUpstream, type TestUpstream } from "./index.ts";

const V1_JSON = "application/vnd.pypi.simple.v1+json";

function sha256(bytes: Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(bytes).digest("hex");
}

async function statuses(urls: string[]): Promise<number[]> {
  const result: number[] = [];
  for (const url of urls) {
    const response = await fetch(url);
    await response.arrayBuffer();
    result.push(response.status);
  }
  return result;
}

describe("status faults", () => {
  test("5xx at rate 1 on the index host fails every index request and no file request", async () => {
    await using upstream = await startTestUpstream({ projects: 2, faults: { index: { error5xx: 1 } } });
    const file = upstream.allFiles()[0]!;
    const page = await fetch(upstream.simpleUrl);
    expect(page.status).toBe(503);
    expect(page.headers.get("X-PyPI-Last-Serial")).toBeNull();
    expect((await fetch(file.url)).status).toBe(200);
    expect(upstream.requests.records.map((record) => record.fault)).toEqual(["5xx", null]);
  });

  test("429 carries Retry-After", async () => {
    await using upstream = await startTestUpstream({
      projects: 1,
      faults: { files: { status429: 1 }, retryAfterSeconds: 7 },
    });
    const response = await fetch(upstream.allFiles()[0]!.url);
    expect(response.status).toBe(429);
    expect(response.headers.get("Retry-After")).toBe("7");
  });

  test("rules fault the first N matching requests (substring or regular expression)", async () => {
    await using upstream = await startTestUpstream({ projects: 2 });
    const [first, second] = upstream.listProjects();
    upstream.setFaults({
      rules: [
        { match: `/simple/${first!.normalized}/`, kind: "5xx", times: 2, status: 502 },
        { match: /\/pypi\/[^/]+\/json$/, kind: "429", times: 1 },
      ],
    });
    const firstUrl = `${upstream.simpleUrl}${first!.normalized}/`;
    const secondUrl = `${upstream.simpleUrl}${second!.normalized}/`;
    expect(await statuses([firstUrl, secondUrl, firstUrl, firstUrl])).toEqual([502, 200, 502, 200]);
    const jsonUrl = `${upstream.indexUrl}/pypi/${second!.normalized}/json`;
    expect(await statuses([jsonUrl, jsonUrl])).toEqual([429, 200]);
    const remaining = upstream.faults.toJson().rules as { remaining: number }[];
    expect(remaining.map((rule) => rule.remaining)).toEqual([0, 0]);
  });

  test("the XML-RPC rate-limit fault is HTTP 200 with fault -32500", async () => {
    await using upstream = await startTestUpstream({ projects: 1 });
    upstream.setFaults({
      rules: [{ match: "/pypi", rpcMethod: "changelog_since_serial", kind: "ratelimit", times: 1 }],
    });
    const limited = await callXmlRpc(upstream.xmlrpcUrl, "changelog_since_serial", [0]);
    expect(limited.status).toBe(200);
    expect(limited.fault?.faultCode).toBe(-32500);
    expect(limited.fault?.faultString).toStartWith("HTTPTooManyRequests: The action could not be performed");
    expect((await callXmlRpc(upstream.xmlrpcUrl, "changelog_last_serial")).value).toBe(upstream.lastSerial());
    expect((await callXmlRpc(upstream.xmlrpcUrl, "changelog_since_serial", [0])).fault).toBeUndefined();
  });
});

describe("body faults", () => {
  test("reset aborts the connection mid-body: the client sees a network error", async () => {
    await using upstream = await startTestUpstream({ projects: 1, faults: { files: { reset: 1 } } });
    const file = upstream.allFiles()[0]!;
    const attempt = fetch(file.url).then((response) => response.arrayBuffer());
    await expect(attempt).rejects.toThrow();
    expect(upstream.requests.records[0]!.fault).toBe("reset");
  });

  test("reset works on the index host too", async () => {
    await using upstream = await startTestUpstream({ projects: 3, faults: { index: { reset: 1 } } });
    await expect(fetch(upstream.simpleUrl).then((response) => response.text())).rejects.toThrow();
  });

  test("truncate sends fewer bytes with a matching Content-Length", async () => {
    await using upstream = await startTestUpstream({ projects: 1, faults: { files: { truncate: 1 } } });
    const file = upstream.allFiles()[0]!;
    const response = await fetch(file.url);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(bytes.byteLength).toBeLessThan(file.size);
    expect(bytes.byteLength).toBeGreaterThan(0);
    expect(response.headers.get("Content-Length")).toBe(String(bytes.byteLength));
    expect(bytes).toEqual(
      new Uint8Array((await upstream.fileBytes(file.filename)).subarray(0, bytes.byteLength)),
    );
  });

  test("corrupt sends the same number of bytes with different content", async () => {
    await using upstream = await startTestUpstream({ projects: 1, faults: { files: { corrupt: 1 } } });
    for (const file of upstream.allFiles()) {
      const response = await fetch(file.url);
      const bytes = new Uint8Array(await response.arrayBuffer());
      expect(bytes.byteLength).toBe(file.size);
      expect(response.headers.get("Content-Length")).toBe(String(file.size));
      expect(sha256(bytes)).not.toBe(file.sha256);
    }
  });

  test("corrupt and truncate apply to files served from disk", async () => {
    await using upstream = await startTestUpstream({ projects: 0 });
    await upstream.addProject({
      name: "big",
      releases: [{ version: "1.0", files: [{ filename: "big-1.0.tar.gz", size: 300_000 }] }],
    });
    const file = upstream.file("big-1.0.tar.gz")!;
    upstream.setFaults({
      rules: [
        { match: "big-1.0", kind: "corrupt", times: 1 },
        { match: "big-1.0", kind: "truncate", times: 1 },
      ],
    });
    const corrupt = new Uint8Array(await (await fetch(file.url)).arrayBuffer());
    expect(corrupt.byteLength).toBe(file.size);
    expect(sha256(corrupt)).not.toBe(file.sha256);
    const truncated = await fetch(file.url);
    const bytes = new Uint8Array(await truncated.arrayBuffer());
    expect(bytes.byteLength).toBeLessThan(file.size);
    expect(truncated.headers.get("Content-Length")).toBe(String(bytes.byteLength));
    const clean = new Uint8Array(await (await fetch(file.url)).arrayBuffer());
    expect(sha256(clean)).toBe(file.sha256);
  });

  test("latency delays each request; a slow body trickles at the given rate", async () => {
    await using upstream = await startTestUpstream({ projects: 1, faults: { index: { latencyMs: 120 } } });
    let started = performance.now();
    await (await fetch(upstream.simpleUrl)).text();
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);

    const file = upstream.allFiles()[0]!;
    upstream.setFaults({ files: { bytesPerSecond: 10_000 } });
    started = performance.now();
    const bytes = new Uint8Array(await (await fetch(file.url)).arrayBuffer());
    const elapsed = performance.now() - started;
    expect(sha256(bytes)).toBe(file.sha256);
    expect(elapsed).toBeGreaterThanOrEqual((file.size / 10_000) * 1000 * 0.8);
  });
});

describe("random faults are seeded", () => {
  async function pattern(seed: number, faultSeed: number): Promise<number[]> {
    await using upstream = await startTestUpstream({
      projects: 3,
      seed,
      faults: { seed: faultSeed, index: { error5xx: 0.3, status429: 0.1 } },
    });
    const urls: string[] = [];
    for (let round = 0; round < 20; round++)
      for (const project of upstream.listProjects()) urls.push(`${upstream.simpleUrl}${project.normalized}/`);
    return await statuses(urls);
  }

  test("same seed, same faults; another seed, other faults; rates roughly honoured", async () => {
    const first = await pattern(1, 99);
    const again = await pattern(1, 99);
    const other = await pattern(1, 100);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    const failures = first.filter((status) => status !== 200).length;
    expect(failures).toBeGreaterThan(10);
    expect(failures).toBeLessThan(45);
    expect(first.filter((status) => status === 429).length).toBeGreaterThan(0);
  });
});

describe("stale serials (CDN)", () => {
  async function simpleSerial(upstream: TestUpstream, name: string): Promise<[number, number | null]> {
    const response = await fetch(`${upstream.simpleUrl}${name}/`, { headers: { Accept: V1_JSON } });
    if (response.status !== 200) return [response.status, null];
    const body = (await response.json()) as AnyJson;
    expect(response.headers.get("X-PyPI-Last-Serial")).toBe(String(body.meta["_last-serial"]));
    return [200, body.meta["_last-serial"]];
  }

  test("the first K fetches after a change see the previous page and serial, then the new one", async () => {
    await using upstream = await startTestUpstream({ projects: 0, faults: { staleFetches: 2 } });
    await upstream.createProject("cdn-test", { versions: ["1.0"] });
    const created = upstream.lastSerial();
    await upstream.yank("cdn-test", "1.0", "bad");
    const yanked = upstream.lastSerial();
    expect(await simpleSerial(upstream, "cdn-test")).toEqual([200, created]);
    expect(await simpleSerial(upstream, "cdn-test")).toEqual([200, created]);
    expect(await simpleSerial(upstream, "cdn-test")).toEqual([200, yanked]);

    // The JSON API has its own count.
    const json = async () =>
      ((await (await fetch(`${upstream.indexUrl}/pypi/cdn-test/json`)).json()) as AnyJson).last_serial;
    expect(await json()).toBe(created);
    expect(await json()).toBe(created);
    expect(await json()).toBe(yanked);
  });

  test("a new project is first a 404, a removed one first still there", async () => {
    await using upstream = await startTestUpstream({ projects: 0, faults: { staleFetches: 1 } });
    await upstream.createProject("fresh", { versions: ["1.0"] });
    // createProject + newRelease is two changes; the page before the last one had no files.
    upstream.setFaults({ staleFetches: 1 });
    await upstream.createProject("brand-new", { versions: [] });
    expect(await simpleSerial(upstream, "brand-new")).toEqual([404, null]);
    expect((await simpleSerial(upstream, "brand-new"))[0]).toBe(200);
    await upstream.removeProject("fresh");
    const [status] = await simpleSerial(upstream, "fresh");
    expect(status).toBe(200);
    expect((await simpleSerial(upstream, "fresh"))[0]).toBe(404);
  });
});

describe("fault control over HTTP", () => {
  test("POST /_test/faults sets rules (with regular expressions) and GET shows what remains", async () => {
    await using upstream = await startTestUpstream({ projects: 1 });
    const set = await fetch(`${upstream.indexUrl}/_test/faults`, {
      method: "POST",
      body: JSON.stringify({ rules: [{ pattern: "^/simple/$", kind: "5xx", times: 1 }], staleFetches: 0 }),
    });
    expect(set.status).toBe(200);
    expect(await statuses([upstream.simpleUrl, upstream.simpleUrl])).toEqual([503, 200]);
    const state = (await (await fetch(`${upstream.indexUrl}/_test/faults`)).json()) as AnyJson;
    const pattern = /^\/simple\/$/.source;
    expect(state.rules).toEqual([{ kind: "5xx", times: 1, pattern, flags: "", remaining: 0 }]);
    await fetch(`${upstream.indexUrl}/_test/clearFaults`, { method: "POST" });
    expect(((await (await fetch(`${upstream.indexUrl}/_test/faults`)).json()) as AnyJson).rules).toEqual([]);
  });
});
