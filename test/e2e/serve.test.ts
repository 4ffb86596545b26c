/**
 * `serve`: PEP 691 negotiation over a real mirror, safety of paths, and
 * chaining — a second bunsnatch mirrors from the first one's server
 * (bandersnatch #2098), with `api-method = simple`.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  cliCommand,
  cliEnvironment,
  createFixture,
  isVolatile,
  type MirrorFixture,
  runCli,
  treeOf,
} from "./harness.ts";

describe("serve", () => {
  let fixture: MirrorFixture;
  let server: { kill(): void; exited: Promise<number> };
  let base: string;

  beforeAll(async () => {
    fixture = await createFixture({ upstream: { projects: 6, seed: 4 } });
    expect((await fixture.run(["mirror"])).code).toBe(0);
    const child = Bun.spawn([...cliCommand(), "-c", fixture.configPath, "serve", "--port", "0"], {
      stdout: "ignore",
      stderr: "pipe",
      env: cliEnvironment(),
    });
    server = child;
    const reader = child.stderr.getReader();
    let text = "";
    while (!/http:\/\/127\.0\.0\.1:\d+/.test(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`serve exited: ${text}`);
      text += new TextDecoder().decode(value);
    }
    base = /http:\/\/127\.0\.0\.1:\d+/.exec(text)![0];
    reader.releaseLock();
  });
  afterAll(async () => {
    server.kill();
    await server.exited;
    await fixture.close();
  });

  test("project pages are negotiated, carry Vary and the project's serial; names are normalized by redirect", async () => {
    const project = fixture.upstream.listProjects()[0]!;
    const json = await fetch(`${base}/simple/${project.normalized}/`, {
      headers: { Accept: "application/vnd.pypi.simple.v1+json, text/html;q=0.01" },
    });
    expect(json.headers.get("content-type")).toBe("application/vnd.pypi.simple.v1+json");
    expect(json.headers.get("vary")).toBe("Accept");
    expect(json.headers.get("x-pypi-last-serial")).toBe(String(project.serial));
    expect(((await json.json()) as { name: string }).name).toBe(project.normalized);
    const html = await fetch(`${base}/simple/${project.normalized}/`);
    expect(html.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await html.text()).toBe(
      fs.readFileSync(fixture.at(`web/simple/${project.normalized}/index.html`), "utf8"),
    );
    const redirected = await fetch(`${base}/simple/${project.name.toUpperCase()}`, { redirect: "manual" });
    expect(redirected.status).toBe(301);
  });

  test("files are served; traversal, dot-files and temporary files are not", async () => {
    const file = fixture.upstream.allFiles()[0]!;
    const response = await fetch(`${base}${file.path}`);
    expect(response.status).toBe(200);
    expect(new Bun.CryptoHasher("sha256").update(await response.arrayBuffer()).digest("hex")).toBe(
      file.sha256,
    );
    fs.writeFileSync(path.join(path.dirname(fixture.at(`web${file.path}`)), ".leak.whl.abc.part"), "partial");
    for (const bad of [
      "/packages/../../status",
      "/packages/%2e%2e/%2e%2e/status",
      `${path.dirname(file.path)}/.leak.whl.abc.part`,
      "/simple/../status",
    ]) {
      expect((await fetch(`${base}${bad}`)).status).toBe(404);
    }
  });

  test("a second bunsnatch mirrors from the first one's server and gets the same files and pages", async () => {
    const downstream = fs.mkdtempSync(path.join(fixture.root, "downstream-"));
    const config = path.join(downstream, "bunsnatch.conf");
    fs.writeFileSync(
      config,
      `[mirror]\ndirectory = ${downstream}/mirror\nmaster = ${base}\nallow-non-https = true\napi-method = simple\n`,
    );
    const result = await runCli(["-c", config, "mirror"]);
    expect(result.code).toBe(0);
    const upstreamTree = treeOf(fixture.directory, isVolatile);
    const downstreamTree = treeOf(path.join(downstream, "mirror"), isVolatile);
    for (const [relative, digest] of upstreamTree) {
      if (relative.endsWith(".part")) continue; // the leak planted by the previous test is not served
      if (relative.startsWith("web/packages/") || relative.endsWith("index.html")) {
        expect(downstreamTree.get(relative)).toBe(digest);
      }
    }
    expect(fs.readFileSync(path.join(downstream, "mirror/status"), "utf8")).toBe(
      fs.readFileSync(fixture.at("status"), "utf8"),
    );
  });
});
