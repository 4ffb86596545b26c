import { expect, test } from "bun:test";
import { join } from "node:path";
import type { AnyJson } from "./client.ts";

const ROOT = join(import.meta.dir, "..", "..");

test("scripts/upstream.ts prints both URLs, serves, is driven over HTTP, and stops on SIGTERM", async () => {
  const child = Bun.spawn(
    [process.execPath, "run", "scripts/upstream.ts", "--projects", "3", "--seed", "9", "--json"],
    {
      cwd: ROOT,
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  try {
    const reader = child.stdout.getReader();
    let output = "";
    while (!output.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      output += new TextDecoder().decode(value);
    }
    const { index, files } = JSON.parse(output) as { index: string; files: string };
    expect(index).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(files).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const listing = (await (
      await fetch(`${index}/simple/`, { headers: { Accept: "application/vnd.pypi.simple.v1+json" } })
    ).json()) as AnyJson;
    expect(listing.projects).toHaveLength(3);
    const created = await fetch(`${index}/_test/createProject`, {
      method: "POST",
      body: JSON.stringify({ name: "from-outside", versions: ["1.0"] }),
    });
    expect(((await created.json()) as AnyJson).serial).toBe(listing.meta["_last-serial"] + 5);
    expect((await fetch(`${index}/simple/from-outside/`)).status).toBe(200);
  } finally {
    child.kill("SIGTERM");
  }
  expect(await child.exited).toBe(0);
});
