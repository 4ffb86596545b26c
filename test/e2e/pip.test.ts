/**
 * A real pip (Debian's python3-pip) installs from a mirror we made, served by
 * plain static file servers (Python's http.server, and nginx when installed),
 * with the page's sha256 checked: a corrupted file is refused.
 */

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { normalizeName } from "../../src/packaging/names.ts";
import {
  directoryFor,
  installableProjects,
  isolatedPipEnvironment,
  PYTHON,
  pipAvailable,
  pipInstall,
  runCommand,
} from "../support/pip.ts";
import { createFixture, type MirrorFixture } from "./harness.ts";

const hasPip = pipAvailable();
const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((candidate) => fs.existsSync(candidate));
if (!hasPip)
  console.warn(
    "e2e/pip.test.ts: skipped, `/usr/bin/python3 -m pip` is missing (apt-get install python3-pip)",
  );

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.end();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    await Bun.sleep(50);
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

/** `python3 -m http.server` over `web/`: no content negotiation, so pip gets the HTML pages. */
async function startPythonServer(webRoot: string) {
  const port = await freePort();
  const child = Bun.spawn(
    [PYTHON, "-m", "http.server", "--bind", "127.0.0.1", "--directory", webRoot, String(port)],
    {
      stdout: "ignore",
      stderr: "ignore",
    },
  );
  await waitForPort(port);
  return { url: `http://127.0.0.1:${port}`, stop: () => stopChild(child) };
}

async function stopChild(child: ReturnType<typeof Bun.spawn>): Promise<void> {
  child.kill();
  await child.exited;
}

/** nginx with bandersnatch's banderx negotiation map, bound to loopback. */
async function startNginx(webRoot: string, scratch: string) {
  const port = await freePort();
  const prefix = path.join(scratch, "nginx");
  fs.mkdirSync(path.join(prefix, "logs"), { recursive: true });
  // Workers run as the test's user: the scratch directories are private (0700).
  const user = process.getuid?.() === 0 ? "user root;" : "";
  const config = `
${user}
daemon off;
pid ${prefix}/nginx.pid;
error_log ${prefix}/logs/error.log;
events {}
http {
  access_log off;
  client_body_temp_path ${prefix}/body; proxy_temp_path ${prefix}/proxy; fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi; scgi_temp_path ${prefix}/scgi;
  map $http_accept $mirror_suffix {
    default ".html";
    "~*application/vnd\\.pypi\\.simple\\.v1\\+json" ".v1_json";
    "~*application/vnd\\.pypi\\.simple\\.v1\\+html" ".v1_html";
    "~*text/html" ".html";
  }
  server {
    listen 127.0.0.1:${port};
    root ${webRoot};
    location /simple/ {
      index index$mirror_suffix;
      types { application/vnd.pypi.simple.v1+json v1_json; application/vnd.pypi.simple.v1+html v1_html; text/html html; }
      try_files $uri$mirror_suffix $uri $uri/ =404;
    }
  }
}`;
  const configPath = path.join(prefix, "nginx.conf");
  fs.writeFileSync(configPath, config);
  const child = Bun.spawn([NGINX!, "-c", configPath, "-p", prefix], { stdout: "ignore", stderr: "pipe" });
  await waitForPort(port);
  return { url: `http://127.0.0.1:${port}`, stop: () => stopChild(child) };
}

describe.skipIf(!hasPip)("pip installs from the mirror", () => {
  let fixture: MirrorFixture;
  let candidates: { name: string; version: string }[];

  beforeAll(async () => {
    fixture = await createFixture({ upstream: { projects: 20, seed: 1 } });
    expect((await fixture.run(["mirror"])).code).toBe(0);
    candidates = installableProjects(fixture.upstream);
    expect(candidates.length).toBeGreaterThan(2);
    // From here on the upstream must not be needed at all.
    await fixture.upstream.stop();
  });
  afterAll(() => fixture.close());

  test("through python's http.server: installs, imports; a corrupted file is refused by its sha256", async () => {
    const server = await startPythonServer(fixture.at("web"));
    try {
      const [good, corrupted] = candidates;
      const target = path.join(fixture.root, directoryFor(good!.name));
      const install = await pipInstall(`${server.url}/simple/`, target, good!.name);
      expect(install.output).toContain(`Successfully installed ${good!.name}-${good!.version}`);
      const module = fs.readdirSync(target).find((entry) => !entry.includes(".") && entry !== "bin")!;
      const check = await runCommand([PYTHON, "-c", `import ${module} as m; print(m.__version__)`], {
        ...isolatedPipEnvironment(),
        PYTHONPATH: target,
      });
      expect(check.output.trim()).toBe(good!.version);

      const wheel = fixture.upstream
        .project(corrupted!.name)!
        .files.find(
          (file) => file.version === corrupted!.version && file.filename.endsWith("-none-any.whl"),
        )!;
      const wheelPath = fixture.at(`web${wheel.path}`);
      const bytes = fs.readFileSync(wheelPath);
      bytes[bytes.length - 10]! ^= 0xff;
      fs.writeFileSync(wheelPath, bytes);
      const refused = await pipInstall(
        `${server.url}/simple/`,
        path.join(fixture.root, "refused"),
        `${corrupted!.name}==${corrupted!.version}`,
      );
      expect(refused.code).not.toBe(0);
      expect(refused.output).toMatch(/HASHES|hash/i);
    } finally {
      await server.stop();
    }
  }, 60_000);

  test.skipIf(!NGINX)(
    "through nginx with PEP 691 negotiation: pip takes the JSON pages and installs",
    async () => {
      const server = await startNginx(fixture.at("web"), fixture.root);
      try {
        const json = await fetch(`${server.url}/simple/${normalizeName(candidates[2]!.name)}/`, {
          headers: { Accept: "application/vnd.pypi.simple.v1+json" },
        });
        expect(json.headers.get("content-type")).toBe("application/vnd.pypi.simple.v1+json");
        const candidate = candidates[2]!;
        const target = path.join(fixture.root, "nginx-target");
        const install = await pipInstall(`${server.url}/simple/`, target, candidate.name);
        expect(install.output).toContain(`Successfully installed ${candidate.name}-${candidate.version}`);
      } finally {
        await server.stop();
      }
    },
    60_000,
  );
});
