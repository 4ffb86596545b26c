import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { callXmlRpc } from "./client.ts";
import { startTestUpstream, type TestUpstream } from "./index.ts";

let upstream: TestUpstream;

beforeAll(async () => {
  upstream = await startTestUpstream({ projects: 20, seed: 3 });
});
afterAll(async () => {
  await upstream.stop();
});

describe("XML-RPC mirroring methods", () => {
  test("list_packages_with_serial maps display names to last serials", async () => {
    const result = await callXmlRpc(upstream.xmlrpcUrl, "list_packages_with_serial");
    const expected = Object.fromEntries(
      upstream.listProjects().map((project) => [project.name, project.serial]),
    );
    expect(result.value).toEqual(expected);
  });

  test("each project's serial is the id of its newest journal row", () => {
    const newest = new Map<string, number>();
    for (const entry of upstream.journal()) newest.set(entry.name, entry.serial);
    for (const project of upstream.listProjects()) expect(project.serial).toBe(newest.get(project.name)!);
  });

  test("changelog_last_serial is the newest journal id", async () => {
    const result = await callXmlRpc(upstream.xmlrpcUrl, "changelog_last_serial");
    expect(result.value).toBe(upstream.lastSerial());
    expect(upstream.lastSerial()).toBe(upstream.journal().at(-1)!.serial);
  });

  test("changelog_since_serial returns [name, version|nil, timestamp, action, serial] after the serial, ascending", async () => {
    const since = 10;
    const result = await callXmlRpc(upstream.xmlrpcUrl, "changelog_since_serial", [since]);
    const rows = result.value as [string, string | null, number, string, number][];
    const journal = upstream.journal(since);
    expect(rows).toHaveLength(journal.length);
    expect(rows.map((row) => row[4])).toEqual(journal.map((entry) => entry.serial));
    expect(rows[0]![4]).toBe(since + 1);
    for (let index = 1; index < rows.length; index++) {
      expect(rows[index]![4]).toBeGreaterThan(rows[index - 1]![4]);
      expect(rows[index]![2]).toBeGreaterThanOrEqual(rows[index - 1]![2]);
    }
    expect(rows.find((row) => row[3] === "create")![1]).toBeNull();
    expect(result.text).toContain("<value><nil/></value>");
    const actions = new Set(rows.map((row) => row[3].replace(/ file .*$/, " file")));
    for (const action of [
      "create",
      "add Owner test-owner",
      "new release",
      "add source file",
      "add py3 file",
      "yank release",
    ])
      expect(actions).toContain(action);
  });

  test("changelog_since_serial is capped (configurable) and pages cleanly", async () => {
    upstream.changelogCap = 7;
    try {
      const seen: number[] = [];
      let since = 0;
      for (;;) {
        const rows = (await callXmlRpc(upstream.xmlrpcUrl, "changelog_since_serial", [since]))
          .value as unknown[][];
        expect(rows.length).toBeLessThanOrEqual(7);
        if (rows.length === 0) break;
        for (const row of rows) seen.push(row[4] as number);
        since = rows.at(-1)![4] as number;
      }
      expect(seen).toEqual(upstream.journal().map((entry) => entry.serial));
    } finally {
      upstream.changelogCap = 50_000;
    }
  });

  test("changelog_since_serial past the end is empty", async () => {
    const result = await callXmlRpc(upstream.xmlrpcUrl, "changelog_since_serial", [upstream.lastSerial()]);
    expect(result.value).toEqual([]);
  });

  test("strings are XML-escaped and round-trip", async () => {
    await upstream.addRawProject({
      name: "escape-me",
      files: [{ filename: "a&b<c>.tar.gz", url: "https://example.invalid/x", hashes: {} }],
    });
    const result = await callXmlRpc(upstream.xmlrpcUrl, "changelog_since_serial", [
      upstream.lastSerial() - 1,
    ]);
    expect(result.text).toContain("add source file a&amp;b&lt;c&gt;.tar.gz");
    expect((result.value as unknown[][])[0]![3]).toBe("add source file a&b<c>.tar.gz");
  });

  test("/pypi/ and /RPC2 answer too, as text/xml", async () => {
    for (const path of ["/pypi/", "/RPC2"]) {
      const result = await callXmlRpc(`${upstream.indexUrl}${path}`, "changelog_last_serial");
      expect(result.value).toBe(upstream.lastSerial());
    }
    const response = await fetch(upstream.xmlrpcUrl, {
      method: "POST",
      body: "<methodCall><methodName>changelog_last_serial</methodName></methodCall>",
    });
    expect(response.headers.get("Content-Type")).toBe("text/xml");
    expect(await response.text()).toStartWith(
      "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><int>",
    );
  });

  test("calls are recorded with their method names", async () => {
    upstream.requests.reset();
    await callXmlRpc(upstream.xmlrpcUrl, "changelog_last_serial");
    await callXmlRpc(upstream.xmlrpcUrl, "list_packages_with_serial");
    expect(upstream.requests.countRpc("changelog_last_serial")).toBe(1);
    expect(upstream.requests.countRpc("list_packages_with_serial")).toBe(1);
    expect(upstream.requests.count({ method: "POST", prefix: "/pypi" })).toBe(2);
  });
});

describe("XML-RPC faults", () => {
  test("an unknown method is -32601", async () => {
    const result = await callXmlRpc(upstream.xmlrpcUrl, "no_such_method");
    expect(result.status).toBe(200);
    expect(result.fault).toEqual({
      faultCode: -32601,
      faultString: "server error; requested method not found",
    });
  });

  const deprecated: [string, string][] = [
    [
      "changelog",
      "ValueError: The changelog method has been deprecated, use changelog_since_serial instead.",
    ],
    [
      "system.multicall",
      "ValueError: MultiCall requests have been deprecated, use individual requests instead.",
    ],
    [
      "package_releases",
      "RuntimeError: PyPI no longer supports the XMLRPC package_releases method. Use JSON or Simple API instead. See https://warehouse.pypa.io/api-reference/xml-rpc.html#deprecated-methods for more information.",
    ],
    [
      "list_packages",
      "RuntimeError: PyPI no longer supports the XMLRPC list_packages method. Use Simple API instead. See https://warehouse.pypa.io/api-reference/xml-rpc.html#deprecated-methods for more information.",
    ],
    [
      "package_urls",
      "RuntimeError: This API has been deprecated. See https://warehouse.pypa.io/api-reference/xml-rpc.html#deprecated-methods for more information.",
    ],
  ];
  for (const [method, faultString] of deprecated) {
    test(`deprecated ${method} is -32500 with PyPI's message`, async () => {
      const result = await callXmlRpc(upstream.xmlrpcUrl, method, [0]);
      expect(result.fault).toEqual({ faultCode: -32500, faultString });
    });
  }

  test("a non-integer serial is -32602; a malformed body is -32700", async () => {
    const bad = await callXmlRpc(upstream.xmlrpcUrl, "changelog_since_serial", ["12"]);
    expect(bad.fault).toEqual({
      faultCode: -32602,
      faultString: "client error; serial: Input should be a valid integer",
    });
    const response = await fetch(upstream.xmlrpcUrl, { method: "POST", body: "<methodCall><oops" });
    const text = await response.text();
    expect(text).toContain("<int>-32700</int>");
  });
});
