/**
 * `allow-non-https` off (the default) against an https upstream: a file URL, or a
 * redirect, that drops to plain http is refused, while https files are mirrored.
 * The test upstream speaks http only, so a TLS front (a self-signed certificate for
 * 127.0.0.1, trusted through NODE_EXTRA_CA_CERTS) passes requests on to it.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import * as path from "node:path";
import { quoteValue } from "../../src/upstream/hostile.ts";
import { type CliResult, createFixture, type MirrorFixture } from "./harness.ts";
import { escapeToken, expectNothingOutside, expectOneRefusal } from "./hostile-checks.ts";

const TOKEN = escapeToken();
const BODY = "served over https";
const sha256 = (text: string) => new Bun.CryptoHasher("sha256").update(text).digest("hex");

/** A self-signed certificate for 127.0.0.1, or null when openssl is missing. */
function makeCertificate(directory: string): { cert: string; key: string; certPath: string } | null {
  const certPath = path.join(directory, "cert.pem");
  const keyPath = path.join(directory, "key.pem");
  const made = Bun.spawnSync(
    [
      "openssl",
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      keyPath,
      "-out",
      certPath,
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
    ],
    { stderr: "pipe" },
  );
  if (made.exitCode !== 0) return null;
  return { cert: fs.readFileSync(certPath, "utf8"), key: fs.readFileSync(keyPath, "utf8"), certPath };
}

describe("allow-non-https off: plain http file URLs and redirects are refused", () => {
  let fixture: MirrorFixture;
  let front: ReturnType<typeof Bun.serve> | undefined;
  let result: CliResult | undefined;
  let tlsDirectory: string;
  /** Whether the TLS front could not be set up (no openssl): the tests then check nothing. */
  let skipped = false;

  beforeAll(async () => {
    fixture = await createFixture({ upstream: { projects: 1, seed: 3 } });
    tlsDirectory = fs.mkdtempSync(path.join(path.dirname(fixture.root), "bunsnatch-tls-"));
    const certificate = makeCertificate(tlsDirectory);
    if (!certificate) {
      console.warn("skipping the TLS tests: openssl could not make a certificate");
      skipped = true;
      return;
    }
    const upstream = fixture.upstream;
    front = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      tls: { cert: certificate.cert, key: certificate.key },
      async fetch(request) {
        const url = new URL(request.url);
        const origin = url.pathname.startsWith("/packages/") ? upstream.filesUrl : upstream.indexUrl;
        const answer = await fetch(`${origin}${url.pathname}${url.search}`, {
          method: request.method,
          headers: request.headers,
          body: request.method === "POST" ? await request.arrayBuffer() : undefined,
          redirect: "manual",
        });
        return new Response(answer.body, { status: answer.status, headers: answer.headers });
      },
    });
    const httpsUrl = `https://127.0.0.1:${front.port}`;
    const file = (name: string) => ({
      filename: `${name.replaceAll("-", "_")}-1.0.tar.gz`,
      hashes: { sha256: sha256(BODY) },
      size: BODY.length,
    });
    await upstream.addRawProject({
      name: "tls-good",
      files: [{ ...file("tls-good"), url: `${httpsUrl}/packages/aa/bb/tls_good-1.0.tar.gz` }],
    });
    upstream.setRawResponse("/packages/aa/bb/tls_good-1.0.tar.gz", { body: BODY }, "files");
    await upstream.addRawProject({
      name: "tls-plain-http",
      files: [
        { ...file("tls-plain-http"), url: `${upstream.filesUrl}/packages/aa/bb/tls_plain_http-1.0.tar.gz` },
      ],
    });
    await upstream.addRawProject({
      name: "tls-downgrade",
      files: [{ ...file("tls-downgrade"), url: `${httpsUrl}/packages/aa/bb/tls_downgrade-1.0.tar.gz` }],
    });
    upstream.setRawResponse(
      "/packages/aa/bb/tls_downgrade-1.0.tar.gz",
      { status: 302, headers: { location: `${upstream.filesUrl}/packages/aa/bb/${TOKEN}.tar.gz` } },
      "files",
    );
    fs.writeFileSync(
      fixture.configPath,
      [
        "[mirror]",
        `directory = ${fixture.directory}`,
        `master = ${httpsUrl}`,
        "workers = 2",
        "timeout = 5",
        "",
      ].join("\n"),
    );
    result = await fixture.run(["mirror"], { env: { NODE_EXTRA_CA_CERTS: certificate.certPath } });
  }, 30_000);

  afterAll(async () => {
    front?.stop(true);
    await fixture?.close();
    fs.rmSync(tlsDirectory, { recursive: true, force: true });
  });

  test("an https file is mirrored", () => {
    if (skipped) return;
    if (!result) throw new Error("the mirror did not run");
    expect(result.code).toBe(1);
    expect(fs.readFileSync(fixture.at("web/packages/aa/bb/tls_good-1.0.tar.gz"), "utf8")).toBe(BODY);
    expect(fs.existsSync(fixture.at("web/simple/tls-good/index.html"))).toBe(true);
  });

  test("an http file URL is refused: scheme must be https", () => {
    if (skipped || !result) return;
    const url = `${fixture.upstream.filesUrl}/packages/aa/bb/tls_plain_http-1.0.tar.gz`;
    expectOneRefusal(result.stderr, "package: tls-plain-http@", [quoteValue(url), "scheme must be https"]);
    expect(fs.existsSync(fixture.at("web/simple/tls-plain-http"))).toBe(false);
  });

  test("a redirect from https to http is refused: scheme must be https", () => {
    if (skipped || !result) return;
    expectOneRefusal(result.stderr, "package: tls-downgrade@", [TOKEN, "scheme must be https"]);
    expect(fs.existsSync(fixture.at("web/simple/tls-downgrade"))).toBe(false);
    expectNothingOutside(fixture, TOKEN);
  });
});
