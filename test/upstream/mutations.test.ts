import { describe, expect, test } from "bun:test";
import { type AnyJson, callXmlRpc } from "./client.ts";
import { type JournalEntry, startTestUpstream, type TestUpstream } from "./index.ts";

const V1_JSON = "application/vnd.pypi.simple.v1+json";

function eventsSince(upstream: TestUpstream, serial: number): [string, string | null, string][] {
  return upstream.journal(serial).map((entry: JournalEntry) => [entry.name, entry.version, entry.action]);
}

async function page(
  upstream: TestUpstream,
  name: string,
): Promise<{ status: number; serial: string | null; body: AnyJson }> {
  const response = await fetch(`${upstream.simpleUrl}${name}/`, { headers: { Accept: V1_JSON } });
  const text = await response.text();
  return {
    status: response.status,
    serial: response.headers.get("X-PyPI-Last-Serial"),
    body: response.status === 200 ? JSON.parse(text) : text,
  };
}

async function listed(upstream: TestUpstream): Promise<string[]> {
  const response = await fetch(upstream.simpleUrl, { headers: { Accept: V1_JSON } });
  return ((await response.json()) as AnyJson).projects.map((project: { name: string }) => project.name);
}

describe("mutations write PyPI's journal rows and move serials", () => {
  test("createProject: create, add Owner, new release, add source file, add py3 file", async () => {
    await using upstream = await startTestUpstream({ projects: 0 });
    const serial = await upstream.createProject("New.Project_1", { versions: ["1.0"] });
    expect(eventsSince(upstream, 0)).toEqual([
      ["New.Project_1", null, "create"],
      ["New.Project_1", null, "add Owner test-owner"],
      ["New.Project_1", "1.0", "new release"],
      ["New.Project_1", "1.0", "add source file new_project_1-1.0.tar.gz"],
      ["New.Project_1", "1.0", "add py3 file new_project_1-1.0-py3-none-any.whl"],
    ]);
    expect(serial).toBe(5);
    expect(upstream.lastSerial()).toBe(5);
    const result = await page(upstream, "new-project-1");
    expect(result.serial).toBe("5");
    expect(result.body.meta["_last-serial"]).toBe(5);
    expect(result.body.versions).toEqual(["1.0"]);
    expect(await listed(upstream)).toEqual(["New.Project_1"]);
  });

  test("newRelease and addFile add releases and files with the python version in the action", async () => {
    await using upstream = await startTestUpstream({ projects: 0 });
    await upstream.createProject("thing", { versions: [] });
    const before = upstream.lastSerial();
    await upstream.newRelease("thing", "2.0b1", {
      tags: ["cp312-cp312-win_amd64"],
      sdist: false,
      requiresPython: ">=3.12",
    });
    await upstream.addFile("Thing", "2.0b1", "thing-2.0b1-py2.py3-none-any.whl");
    expect(eventsSince(upstream, before)).toEqual([
      ["thing", "2.0b1", "new release"],
      ["thing", "2.0b1", "add cp312 file thing-2.0b1-cp312-cp312-win_amd64.whl"],
      ["thing", "2.0b1", "add py2.py3 file thing-2.0b1-py2.py3-none-any.whl"],
    ]);
    const files = upstream.project("thing")!.files;
    expect(files.map((file) => file.filename)).toEqual([
      "thing-2.0b1-cp312-cp312-win_amd64.whl",
      "thing-2.0b1-py2.py3-none-any.whl",
    ]);
    expect(files.every((file) => file.requiresPython === ">=3.12")).toBe(true);
  });

  test("removeFile, removeRelease, removeProject", async () => {
    await using upstream = await startTestUpstream({ projects: 0 });
    await upstream.createProject("gone", { versions: ["1.0", "2.0"] });
    let before = upstream.lastSerial();
    await upstream.removeFile("gone", "gone-2.0.tar.gz");
    expect(eventsSince(upstream, before)).toEqual([["gone", "2.0", "remove file gone-2.0.tar.gz"]]);
    before = upstream.lastSerial();
    await upstream.removeRelease("gone", "1.0");
    expect(eventsSince(upstream, before)).toEqual([["gone", "1.0", "remove release"]]);
    expect((await page(upstream, "gone")).body.versions).toEqual(["2.0"]);
    before = upstream.lastSerial();
    await upstream.removeProject("gone");
    expect(eventsSince(upstream, before)).toEqual([["gone", null, "remove project"]]);
    const removed = await page(upstream, "gone");
    expect(removed.status).toBe(404);
    expect(removed.body).toBe("404 Not Found");
    expect((await fetch(`${upstream.indexUrl}/pypi/gone/json`)).status).toBe(404);
    expect(await listed(upstream)).toEqual([]);
    expect((await callXmlRpc(upstream.xmlrpcUrl, "list_packages_with_serial")).value).toEqual({});
    expect(upstream.lastSerial()).toBe(before + 1);
  });

  test("yank with a reason, then unyank", async () => {
    await using upstream = await startTestUpstream({ projects: 0 });
    await upstream.createProject("yanky", { versions: ["1.0"] });
    const before = upstream.lastSerial();
    await upstream.yank("yanky", "1.0", "oops <b>");
    let body = (await page(upstream, "yanky")).body;
    expect(body.files.every((file: { yanked: unknown }) => file.yanked === "oops <b>")).toBe(true);
    await upstream.unyank("yanky", "1.0");
    body = (await page(upstream, "yanky")).body;
    expect(body.files.every((file: { yanked: unknown }) => file.yanked === false)).toBe(true);
    expect(eventsSince(upstream, before)).toEqual([
      ["yanky", "1.0", "yank release"],
      ["yanky", "1.0", "unyank release"],
    ]);
    expect(body.meta["_last-serial"]).toBe(before + 2);
  });

  test("quarantine: 200 with no files and status quarantined, absent from /simple/, still in XML-RPC, JSON API 404", async () => {
    await using upstream = await startTestUpstream({ projects: 0 });
    await upstream.createProject("Sus-Pkg", { versions: ["1.0"] });
    const before = upstream.lastSerial();
    await upstream.quarantineProject("sus-pkg");
    expect(eventsSince(upstream, before)).toEqual([["Sus-Pkg", null, "project quarantined"]]);
    const result = await page(upstream, "sus-pkg");
    expect(result.status).toBe(200);
    expect(result.body.files).toEqual([]);
    expect(result.body.versions).toEqual([]);
    expect(result.body["project-status"]).toEqual({ status: "quarantined" });
    const html = await (await fetch(`${upstream.simpleUrl}sus-pkg/`)).text();
    expect(html).toContain('<meta name="pypi:project-status" content="quarantined">');
    expect(await listed(upstream)).toEqual([]);
    expect((await callXmlRpc(upstream.xmlrpcUrl, "list_packages_with_serial")).value).toEqual({
      "Sus-Pkg": before + 1,
    });
    expect((await fetch(`${upstream.indexUrl}/pypi/sus-pkg/json`)).status).toBe(404);
    await upstream.clearQuarantine("sus-pkg");
    expect(eventsSince(upstream, before + 1)).toEqual([["Sus-Pkg", null, "project quarantine cleared"]]);
    expect((await page(upstream, "sus-pkg")).body.files).toHaveLength(2);
  });

  test("archive changes the status without a serial; addRole bumps the serial without changing files", async () => {
    await using upstream = await startTestUpstream({ projects: 0 });
    await upstream.createProject("old-thing", { versions: ["1.0"] });
    const serial = upstream.lastSerial();
    await upstream.archiveProject("old-thing");
    expect(upstream.lastSerial()).toBe(serial);
    const archived = await page(upstream, "old-thing");
    expect(archived.body["project-status"]).toEqual({ status: "archived" });
    expect(archived.body.meta["_last-serial"]).toBe(serial);
    await upstream.addRole("old-thing", "Maintainer", "alice");
    expect(eventsSince(upstream, serial)).toEqual([["old-thing", null, "add Maintainer alice"]]);
    const bumped = await page(upstream, "old-thing");
    expect(bumped.body.meta["_last-serial"]).toBe(serial + 1);
    expect(bumped.body.files).toEqual(archived.body.files);
  });

  test("renameDisplay changes the display name in listings only", async () => {
    await using upstream = await startTestUpstream({ projects: 0 });
    await upstream.createProject("foo-bar", { versions: ["1.0"] });
    await upstream.renameDisplay("foo-bar", "Foo.Bar");
    expect(await listed(upstream)).toEqual(["Foo.Bar"]);
    await expect(upstream.renameDisplay("foo-bar", "other")).rejects.toThrow(/does not normalize/);
  });

  test("a removed project can be created again; mutations of unknown projects are refused", async () => {
    await using upstream = await startTestUpstream({ projects: 0 });
    await upstream.createProject("phoenix", { versions: ["1.0"] });
    await upstream.removeProject("phoenix");
    await upstream.createProject("Phoenix", { versions: ["2.0"] });
    expect((await page(upstream, "phoenix")).body.versions).toEqual(["2.0"]);
    await expect(upstream.yank("nobody", "1.0")).rejects.toThrow(/No such project/);
    await expect(upstream.yank("phoenix", "9.0")).rejects.toThrow(/No release/);
  });
});

describe("control API over HTTP", () => {
  async function post(upstream: TestUpstream, op: string, body: unknown): Promise<Response> {
    return fetch(`${upstream.indexUrl}/_test/${op}`, { method: "POST", body: JSON.stringify(body) });
  }

  test("mutations over POST /_test/<op> answer the new serial and are not counted as requests", async () => {
    await using upstream = await startTestUpstream({ projects: 0 });
    let response = await post(upstream, "createProject", { name: "remote", versions: ["1.0"] });
    expect((await response.json()) as AnyJson).toEqual({ serial: 5 });
    response = await post(upstream, "newRelease", {
      project: "remote",
      version: "1.1",
      tags: ["py3-none-any"],
    });
    expect((await response.json()) as AnyJson).toEqual({ serial: 8 });
    response = await post(upstream, "yank", { project: "remote", version: "1.0", reason: "bad" });
    expect((await response.json()) as AnyJson).toEqual({ serial: 9 });
    response = await post(upstream, "addFile", {
      project: "remote",
      version: "1.1",
      file: { filename: "remote-1.1.zip", content: "zip?" },
    });
    expect((await response.json()) as AnyJson).toEqual({ serial: 10 });
    response = await post(upstream, "removeProject", { project: "remote" });
    expect((await response.json()) as AnyJson).toEqual({ serial: 11 });
    const journal = (await (await fetch(`${upstream.indexUrl}/_test/journal?since=8`)).json()) as AnyJson;
    expect(journal.map((entry: JournalEntry) => entry.action)).toEqual([
      "yank release",
      "add source file remote-1.1.zip",
      "remove project",
    ]);
    expect(upstream.requests.count()).toBe(0);
  });

  test("errors are 400 with a message", async () => {
    await using upstream = await startTestUpstream({ projects: 0 });
    const response = await post(upstream, "yank", { project: "nothing", version: "1" });
    expect(response.status).toBe(400);
    expect(((await response.json()) as AnyJson).error).toContain("No such project");
    expect((await post(upstream, "noSuchOp", {})).status).toBe(400);
  });

  test("GET /_test/requests counts requests by host, method, prefix and XML-RPC method", async () => {
    await using upstream = await startTestUpstream({ projects: 3 });
    const file = upstream.allFiles()[0]!;
    await fetch(upstream.simpleUrl);
    await fetch(`${upstream.simpleUrl}${file.project}/`);
    await fetch(file.url);
    await fetch(file.url, { method: "HEAD" });
    await callXmlRpc(upstream.xmlrpcUrl, "changelog_last_serial");
    const summary = (await (await fetch(`${upstream.indexUrl}/_test/requests`)).json()) as AnyJson;
    expect(summary.total).toBe(5);
    expect(summary.byHost).toEqual({ index: 3, files: 2 });
    expect(summary.byMethod).toEqual({ GET: 3, HEAD: 1, POST: 1 });
    expect(summary.byPrefix["/simple/"]).toBe(2);
    expect(summary.byPrefix["/packages/"]).toBe(2);
    expect(summary.byRpcMethod).toEqual({ changelog_last_serial: 1 });
    const filtered = (await (
      await fetch(`${upstream.indexUrl}/_test/requests?prefix=/packages/&method=GET`)
    ).json()) as AnyJson;
    expect(filtered.total).toBe(1);
    expect(upstream.requests.countByPrefix("/simple/")).toBe(2);
    expect(upstream.requests.countByMethod("HEAD", "files")).toBe(1);
    await post(upstream, "resetRequests", {});
    expect(upstream.requests.count()).toBe(0);
  });
});

describe("hostile-data hooks", () => {
  test("a raw project lists arbitrary entries verbatim", async () => {
    await using upstream = await startTestUpstream({ projects: 0 });
    await upstream.addRawProject({
      name: "evil",
      files: [
        {
          filename: "../../etc/passwd",
          url: "http://127.0.0.1:1/../../etc/passwd",
          hashes: { sha256: "00".repeat(32) },
          size: -5,
          version: "1.0",
          extra: { "x-weird": true },
        },
      ],
    });
    const body = (await page(upstream, "evil")).body;
    expect(body.files).toEqual([
      {
        filename: "../../etc/passwd",
        hashes: { sha256: "00".repeat(32) },
        size: -5,
        url: "http://127.0.0.1:1/../../etc/passwd",
        "x-weird": true,
        yanked: false,
      },
    ]);
    expect(body.versions).toEqual(["1.0"]);
    const html = await (await fetch(`${upstream.simpleUrl}evil/`)).text();
    expect(html).toContain(">../../etc/passwd</a>");
  });

  test("a raw response replaces any path on either host", async () => {
    await using upstream = await startTestUpstream({ projects: 1 });
    upstream.setRawResponse("/simple/", {
      status: 200,
      headers: { "Content-Type": V1_JSON },
      body: "{not json",
    });
    upstream.setRawResponse("/packages/xx/evil.whl", { status: 200, body: "surprise" }, "files");
    const response = await fetch(upstream.simpleUrl, { headers: { Accept: V1_JSON } });
    expect(await response.text()).toBe("{not json");
    expect(await (await fetch(`${upstream.filesUrl}/packages/xx/evil.whl`)).text()).toBe("surprise");
    upstream.clearRawResponses();
    expect((await fetch(upstream.simpleUrl)).status).toBe(200);
  });
});
