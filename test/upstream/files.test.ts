import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FileView, startTestUpstream, type TestUpstream } from "./index.ts";
import { memberText, readTarGz, readZip } from "./readers.ts";

let upstream: TestUpstream;
let scratch: string;

beforeAll(async () => {
  upstream = await startTestUpstream({ projects: 20, seed: 4 });
  scratch = mkdtempSync(join(tmpdir(), "upstream-files-test-"));
});
afterAll(async () => {
  await upstream.stop();
  rmSync(scratch, { recursive: true, force: true });
});

function hex(algorithm: "sha256" | "md5" | "blake2b256", bytes: Uint8Array): string {
  return new Bun.CryptoHasher(algorithm).update(bytes).digest("hex");
}

function recordHash(bytes: Uint8Array): string {
  return `sha256=${Buffer.from(new Bun.CryptoHasher("sha256").update(bytes).digest()).toString("base64url")}`;
}

async function download(url: string): Promise<{ response: Response; bytes: Uint8Array }> {
  const response = await fetch(url);
  return { response, bytes: new Uint8Array(await response.arrayBuffer()) };
}

describe("generated files", () => {
  test("every file matches its advertised size, sha256, md5 and blake2b, and its URL path is the blake2b", async () => {
    const files = upstream.allFiles();
    expect(files.length).toBeGreaterThan(40);
    for (const file of files) {
      const { response, bytes } = await download(file.url);
      expect(response.status).toBe(200);
      expect(response.headers.get("Content-Length")).toBe(String(file.size));
      expect(bytes.byteLength).toBe(file.size);
      expect(hex("sha256", bytes)).toBe(file.sha256);
      expect(hex("md5", bytes)).toBe(file.md5);
      const blake = hex("blake2b256", bytes);
      expect(blake).toBe(file.blake2b256);
      expect(file.path).toBe(
        `/packages/${blake.slice(0, 2)}/${blake.slice(2, 4)}/${blake.slice(4)}/${file.filename}`,
      );
      expect(file.size).toBeGreaterThan(500);
      expect(file.size).toBeLessThan(16_384);
    }
  });

  test("wheels are valid zips whose RECORD hashes and sizes are right, with METADATA, WHEEL and the package", async () => {
    const wheels = upstream.allFiles().filter((file) => file.filename.endsWith(".whl"));
    for (const wheel of wheels) {
      const members = readZip(await upstream.fileBytes(wheel.filename));
      const [dist, version, ...tagParts] = wheel.filename.slice(0, -4).split("-");
      const distInfo = `${dist}-${version}.dist-info`;
      const record = memberText(members, `${distInfo}/RECORD`).trim().split("\n");
      expect(record.at(-1)).toBe(`${distInfo}/RECORD,,`);
      expect(record.length - 1).toBe(members.size - 1);
      for (const line of record.slice(0, -1)) {
        const [path, hash, size] = line.split(",");
        const data = members.get(path!)!;
        expect(data).toBeDefined();
        expect(hash).toBe(recordHash(data));
        expect(Number(size)).toBe(data.byteLength);
      }
      const metadata = memberText(members, `${distInfo}/METADATA`);
      const project = upstream.project(wheel.project)!;
      expect(metadata).toContain(`\nName: ${project.name}\n`);
      expect(metadata).toContain(`\nVersion: ${wheel.version}\n`);
      if (wheel.requiresPython) expect(metadata).toContain(`\nRequires-Python: ${wheel.requiresPython}\n`);
      const wheelText = memberText(members, `${distInfo}/WHEEL`);
      const [pythons, abis, platforms] = tagParts.join("-").split("-");
      for (const python of pythons!.split("."))
        for (const abi of abis!.split("."))
          for (const platform of platforms!.split("."))
            expect(wheelText).toContain(`Tag: ${python}-${abi}-${platform}\n`);
      const init = [...members.keys()].find((name) => name.endsWith("/__init__.py"))!;
      expect(memberText(members, init)).toContain(`__version__ = "${wheel.version}"`);

      // PEP 658: the .metadata file is the wheel's METADATA, with the advertised sha256.
      const { response, bytes } = await download(wheel.metadataUrl!);
      expect(response.status).toBe(200);
      expect(new TextDecoder().decode(bytes)).toBe(metadata);
      expect(hex("sha256", bytes)).toBe(wheel.metadataSha256!);
    }
  });

  test("sdists are gzip'd ustar archives with PKG-INFO, and have no .metadata", async () => {
    const sdists = upstream.allFiles().filter((file) => file.filename.endsWith(".tar.gz"));
    expect(sdists.length).toBeGreaterThan(5);
    for (const sdist of sdists) {
      const members = readTarGz(await upstream.fileBytes(sdist.filename));
      const base = sdist.filename.slice(0, -".tar.gz".length);
      const pkgInfo = memberText(members, `${base}/PKG-INFO`);
      expect(pkgInfo).toContain(`\nVersion: ${sdist.version}\n`);
      expect(members.has(`${base}/pyproject.toml`)).toBe(true);
      expect(sdist.metadataSha256).toBeNull();
      expect((await fetch(`${sdist.url}.metadata`)).status).toBe(404);
    }
  });

  test("HEAD gives the Content-Length without a body; Range gives 206", async () => {
    const file = upstream.allFiles()[0]!;
    const head = await fetch(file.url, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("Content-Length")).toBe(String(file.size));
    expect((await head.arrayBuffer()).byteLength).toBe(0);
    const whole = await upstream.fileBytes(file.filename);
    const range = await fetch(file.url, { headers: { Range: "bytes=10-19" } });
    expect(range.status).toBe(206);
    expect(range.headers.get("Content-Range")).toBe(`bytes 10-19/${file.size}`);
    expect(new Uint8Array(await range.arrayBuffer())).toEqual(new Uint8Array(whole.subarray(10, 20)));
    const suffix = await fetch(file.url, { headers: { Range: "bytes=-5" } });
    expect(new Uint8Array(await suffix.arrayBuffer())).toEqual(new Uint8Array(whole.subarray(-5)));
  });

  test("a wrong digest path or an unknown file is 404; the index host redirects /packages/ to the files host", async () => {
    const file = upstream.allFiles()[0]!;
    const wrong = file.url.replace(
      /\/packages\/(..)/,
      (_match, first: string) => `/packages/${first === "00" ? "01" : "00"}`,
    );
    expect((await fetch(wrong)).status).toBe(404);
    expect(
      (await fetch(`${upstream.filesUrl}/packages/aa/bb/${"c".repeat(60)}/nothing-1.0.tar.gz`)).status,
    ).toBe(404);
    const redirect = await fetch(`${upstream.indexUrl}${file.path}`, { redirect: "manual" });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get("Location")).toBe(file.url);
  });

  test("a removed file's URL keeps working, as on PyPI", async () => {
    const file = upstream.allFiles().at(-1)!;
    await upstream.removeFile(file.project, file.filename);
    expect(upstream.project(file.project)!.files.map((each) => each.filename)).not.toContain(file.filename);
    const { response, bytes } = await download(file.url);
    expect(response.status).toBe(200);
    expect(hex("sha256", bytes)).toBe(file.sha256);
  });
});

describe("explicit files", () => {
  test("large pseudo-random files are streamed once to compute digests, and served with Content-Length", async () => {
    const size = 3 * 1024 * 1024 + 17;
    await upstream.addProject({
      name: "Big.Files",
      releases: [{ version: "1.0", files: [{ filename: "big_files-1.0.tar.gz", size }] }],
    });
    const file = upstream.file("big_files-1.0.tar.gz")!;
    expect(file.size).toBe(size);
    expect(file.metadataSha256).toBeNull();
    const { response, bytes } = await download(file.url);
    expect(response.headers.get("Content-Length")).toBe(String(size));
    expect(bytes.byteLength).toBe(size);
    expect(hex("sha256", bytes)).toBe(file.sha256);
    expect(hex("blake2b256", bytes)).toBe(file.blake2b256);

    // Same seed and filename → same content in another upstream.
    await using other = await startTestUpstream({ projects: 0, seed: 4 });
    await other.addProject({
      name: "Big.Files",
      releases: [{ version: "1.0", files: [{ filename: "big_files-1.0.tar.gz", size }] }],
    });
    expect(other.file("big_files-1.0.tar.gz")!.sha256).toBe(file.sha256);
  });

  test("files from disk are served as they are; explicit bytes too", async () => {
    const path = join(scratch, "disk_file-2.0-py3-none-any.whl");
    const content = new Uint8Array(70_000).map((_, index) => (index * 7) % 251);
    writeFileSync(path, content);
    await upstream.addProject({
      name: "disk-file",
      releases: [
        {
          version: "2.0",
          files: [
            {
              filename: "disk_file-2.0-py3-none-any.whl",
              path,
              metadata: "Metadata-Version: 2.1\nName: disk-file\nVersion: 2.0\n",
            },
            { filename: "disk_file-2.0.tar.gz", content: "not really a tarball" },
          ],
        },
      ],
    });
    const wheel = upstream.file("disk_file-2.0-py3-none-any.whl")!;
    expect(wheel.sha256).toBe(hex("sha256", content));
    const { bytes } = await download(wheel.url);
    expect(bytes).toEqual(content);
    expect(wheel.metadataSha256).toBe(
      hex("sha256", new TextEncoder().encode("Metadata-Version: 2.1\nName: disk-file\nVersion: 2.0\n")),
    );
    const sdist = upstream.file("disk_file-2.0.tar.gz")!;
    expect(new TextDecoder().decode((await download(sdist.url)).bytes)).toBe("not really a tarball");
  });

  test("a filename can never be reused", async () => {
    const file: FileView = upstream.allFiles()[0]!;
    await expect(upstream.addFile(file.project, "9.9", file.filename)).rejects.toThrow(/already exists/);
  });
});
