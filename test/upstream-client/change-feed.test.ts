import { afterAll, describe, expect, test } from "bun:test";
import { UpstreamError } from "../../src/errors.ts";
import {
  buildSyncPlan,
  collapseChangelog,
  ProjectMap,
  type ProjectSink,
  planFromSimpleIndex,
  planFromXmlRpc,
  streamFromSimpleIndex,
  streamFromXmlRpc,
} from "../../src/upstream/change-feed.ts";
import { type ChangelogEvent, escapeXml, XmlRpcClient } from "../../src/upstream/xmlrpc.ts";
import { captureLog, type Fixture, NO_WAIT, QUICK_RETRY, serve, testClient } from "./fixtures.ts";

const retry = { retry: QUICK_RETRY, retryHooks: NO_WAIT };

// --- a tiny XML-RPC upstream ----------------------------------------------------

function xmlValue(value: unknown): string {
  if (value === null) return "<value><nil/></value>";
  if (typeof value === "number") return `<value><int>${value}</int></value>`;
  if (typeof value === "string") return `<value><string>${escapeXml(value)}</string></value>`;
  if (Array.isArray(value))
    return `<value><array><data>\n${value.map(xmlValue).join("\n")}\n</data></array></value>`;
  const members = Object.entries(value as Record<string, unknown>).map(
    ([name, member]) => `<member>\n<name>${escapeXml(name)}</name>\n${xmlValue(member)}\n</member>`,
  );
  return `<value><struct>\n${members.join("\n")}\n</struct></value>`;
}

function methodResponse(value: unknown): Response {
  return new Response(
    `<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n${xmlValue(value)}\n</param>\n</params>\n</methodResponse>\n`,
    {
      headers: { "content-type": "text/xml" },
    },
  );
}

interface Journal {
  events: ChangelogEvent[];
  /** What list_packages_with_serial answers (may lag the journal: a cached list). */
  list: Record<string, number>;
  pageSize: number;
}

function xmlrpcUpstream(journal: Journal): Fixture & { calls: string[] } {
  const calls: string[] = [];
  const fixture = serve((_request, body) => {
    const method = /<methodName>([^<]*)<\/methodName>/.exec(body)?.[1] ?? "";
    const param = /<int>(-?\d+)<\/int>/.exec(body)?.[1];
    calls.push(param === undefined ? method : `${method}(${param})`);
    switch (method) {
      case "changelog_last_serial":
        return methodResponse(Math.max(0, ...journal.events.map((event) => event[4])));
      case "list_packages_with_serial":
        return methodResponse(journal.list);
      case "changelog_since_serial": {
        const since = Number(param);
        return methodResponse(journal.events.filter((event) => event[4] > since).slice(0, journal.pageSize));
      }
      default:
        return new Response("not found", { status: 404 });
    }
  });
  return Object.assign(fixture, { calls });
}

function event(
  name: string,
  serial: number,
  action = "new release",
  version: string | null = "1.0",
): ChangelogEvent {
  return [name, version, 1_700_000_000 + serial, action, serial];
}

// --- collapseChangelog ------------------------------------------------------------

describe("collapseChangelog", () => {
  test("collapses to normalized name → highest serial, display name from the latest event", () => {
    const collapsed = collapseChangelog([
      event("Foo.Bar", 5),
      event("foo_bar", 9, "add py3 file foo_bar-1.0-py3-none-any.whl"),
      event("baz", 7),
      event("FOO-BAR", 3),
    ]);
    expect([...collapsed.projects]).toEqual([
      ["foo-bar", { displayName: "foo_bar", serial: 9 }],
      ["baz", { displayName: "baz", serial: 7 }],
    ]);
    expect(collapsed.highestSerial).toBe(9);
    expect(collapsed.removals).toEqual([]);
  });

  test("a project whose latest event is `remove project` is not fetched, only removed", () => {
    const collapsed = collapseChangelog([
      event("gone", 1),
      event("gone", 2, "remove file gone-1.0.tar.gz"),
      event("gone", 3, "remove project", null),
    ]);
    expect(collapsed.projects.size).toBe(0);
    expect([...collapsed.removedProjects]).toEqual(["gone"]);
    expect(collapsed.removals).toEqual([
      { kind: "remove project", project: "gone", version: null, filename: null, serial: 3 },
    ]);
  });

  test("a later `create` after `remove project` wins and drops the removal", () => {
    const collapsed = collapseChangelog([
      event("phoenix", 10, "remove project", null),
      event("Phoenix", 11, "create", null),
      event("Phoenix", 12, "add Owner someone", null),
    ]);
    expect(collapsed.projects.get("phoenix")).toEqual({ displayName: "Phoenix", serial: 12 });
    expect(collapsed.removedProjects.size).toBe(0);
    expect(collapsed.removals).toEqual([]);
  });

  test("remove file / remove release / quarantine are recorded; the project is still fetched", () => {
    const collapsed = collapseChangelog([
      event("p", 1, "remove file p-1.0-py3-none-any.whl"),
      event("p", 2, "remove release", "0.9"),
      event("q", 3, "project quarantined", null),
    ]);
    expect(collapsed.projects.get("p")?.serial).toBe(2);
    expect(collapsed.projects.get("q")?.serial).toBe(3);
    expect(collapsed.removals).toEqual([
      { kind: "remove file", project: "p", version: "1.0", filename: "p-1.0-py3-none-any.whl", serial: 1 },
      { kind: "remove release", project: "p", version: "0.9", filename: null, serial: 2 },
      { kind: "project quarantined", project: "q", version: null, filename: null, serial: 3 },
    ]);
  });

  test("re-creating what was removed drops that removal only", () => {
    const collapsed = collapseChangelog([
      event("p", 1, "remove release", "1.0"),
      event("p", 2, "remove release", "2.0"),
      event("p", 3, "new release", "1.0"),
      event("q", 4, "project quarantined", null),
      event("q", 5, "project quarantine cleared", null),
      event("r", 6, "remove file r-1.0.tar.gz"),
      event("r", 7, "add source file r-1.0.tar.gz"),
    ]);
    expect(collapsed.removals.map((removal) => [removal.project, removal.kind, removal.version])).toEqual([
      ["p", "remove release", "2.0"],
    ]);
  });

  test("invalid names and unsafe file names are skipped with a warning; their serial still counts", async () => {
    const { result, lines } = await captureLog(() =>
      collapseChangelog([
        event("<script>alert(1)</script>", 50),
        event("ok", 1, "remove file ../../etc/passwd"),
        event("-bad-", 2),
        event("x".repeat(300), 3),
      ]),
    );
    expect([...result.projects.keys()]).toEqual(["ok"]);
    expect(result.removals).toEqual([]);
    expect(result.highestSerial).toBe(50);
    expect(result.skipped).toBe(4);
    expect(lines).toHaveLength(4);
    expect(lines.find((line) => line.includes("alert"))).toContain('"<script>alert(1)</script>"');
    expect(lines.find((line) => line.includes("passwd"))).toContain("contains '/'");
    expect(lines.find((line) => line.includes("xxxx"))).toContain("longer than 200 characters");
  });

  test("events arriving out of order are applied in serial order", () => {
    const collapsed = collapseChangelog([
      event("p", 9, "create", null),
      event("p", 8, "remove project", null),
    ]);
    expect(collapsed.projects.get("p")?.serial).toBe(9);
    expect(collapsed.removals).toEqual([]);
  });
});

// --- planFromXmlRpc ------------------------------------------------------------------

describe("planFromXmlRpc: later runs", () => {
  const journal: Journal = {
    pageSize: 3,
    list: {},
    events: [
      event("alpha", 101),
      event("Beta", 102),
      event("alpha", 103, "add py3 file alpha-1.0-py3-none-any.whl"),
      event("gamma", 104, "remove project", null),
      event("delta", 105, "remove file delta-0.1.tar.gz"),
      event("beta", 106, "yank release"),
      event("epsilon", 107),
    ],
  };
  const upstream = xmlrpcUpstream(journal);
  afterAll(() => upstream.stop());

  test("reads changelog pages while they come back full, from the last serial seen", async () => {
    const api = new XmlRpcClient(testClient(), `${upstream.url}/pypi`);
    upstream.calls.length = 0;
    const plan = await planFromXmlRpc(api, { currentSerial: 100, pageSize: 3, ...retry });
    expect(upstream.calls).toEqual([
      "changelog_since_serial(100)",
      "changelog_since_serial(103)",
      "changelog_since_serial(106)",
    ]);
    expect(plan.targetSerial).toBe(107);
    expect([...plan.projects]).toEqual([
      ["alpha", { displayName: "alpha", serial: 103 }],
      ["beta", { displayName: "beta", serial: 106 }],
      ["delta", { displayName: "delta", serial: 105 }],
      ["epsilon", { displayName: "epsilon", serial: 107 }],
    ]);
    expect(plan.removals.map((removal) => `${removal.kind}:${removal.project}`)).toEqual([
      "remove project:gamma",
      "remove file:delta",
    ]);
    expect(plan.vanished).toEqual([]);
  });

  test("no events: targetSerial stays at currentSerial", async () => {
    const api = new XmlRpcClient(testClient(), `${upstream.url}/pypi`);
    const plan = await planFromXmlRpc(api, { currentSerial: 500, pageSize: 3, ...retry });
    expect(plan).toEqual({ targetSerial: 500, projects: new Map(), removals: [], vanished: [] });
  });

  test("a full page that does not advance is an error, not an endless loop", async () => {
    const stuck = {
      endpoint: "fake",
      listPackagesWithSerial: async () => new Map(),
      changelogLastSerial: async () => 5,
      changelogSinceSerial: async () => [event("a", 1), event("b", 2)],
    };
    await expect(planFromXmlRpc(stuck, { currentSerial: 10, pageSize: 2, ...retry })).rejects.toThrow(
      "did not advance",
    );
  });
});

describe("planFromXmlRpc: first run", () => {
  test("a fresh list: every project at its listed serial, no changelog call, vanished from held names", async () => {
    const journal: Journal = {
      pageSize: 50_000,
      events: [event("A", 1), event("b", 2), event("c", 3)],
      list: { A: 1, b: 2, c: 3, "not valid!": 2 },
    };
    const upstream = xmlrpcUpstream(journal);
    try {
      const api = new XmlRpcClient(testClient(), `${upstream.url}/pypi`);
      const { result: plan, lines } = await captureLog(() =>
        planFromXmlRpc(api, { currentSerial: 0, heldNames: ["a", "old-project"], ...retry }),
      );
      expect(upstream.calls).toEqual(["changelog_last_serial", "list_packages_with_serial"]);
      expect(plan.targetSerial).toBe(3);
      expect([...plan.projects.keys()]).toEqual(["a", "b", "c"]);
      expect(plan.projects.get("a")).toEqual({ displayName: "A", serial: 1 });
      expect(plan.vanished).toEqual(["old-project"]);
      expect(lines.some((line) => line.includes('"not valid!"'))).toBe(true);
    } finally {
      upstream.stop();
    }
  });

  test("a cached list behind the journal is caught up from the changelog, removals included", async () => {
    const journal: Journal = {
      pageSize: 2,
      // The list was cached at serial 3; events 4-7 happened since.
      list: { a: 1, b: 2, c: 3 },
      events: [
        event("a", 1),
        event("b", 2),
        event("c", 3),
        event("b", 4, "remove project", null),
        event("D", 5, "create", null),
        event("a", 6, "remove release", "1.0"),
        event("e", 7, "remove project", null),
      ],
    };
    const upstream = xmlrpcUpstream(journal);
    try {
      const api = new XmlRpcClient(testClient(), `${upstream.url}/pypi`);
      const plan = await planFromXmlRpc(api, { currentSerial: 0, pageSize: 2, ...retry });
      expect(upstream.calls).toEqual([
        "changelog_last_serial",
        "list_packages_with_serial",
        "changelog_since_serial(3)",
        "changelog_since_serial(5)",
        "changelog_since_serial(7)",
      ]);
      expect(plan.targetSerial).toBe(7);
      expect([...plan.projects]).toEqual([
        ["a", { displayName: "a", serial: 6 }],
        ["c", { displayName: "c", serial: 3 }],
        ["d", { displayName: "D", serial: 5 }],
      ]);
      expect(plan.removals.map((removal) => `${removal.kind}:${removal.project}:${removal.serial}`)).toEqual([
        "remove project:b:4",
        "remove release:a:6",
        "remove project:e:7",
      ]);
    } finally {
      upstream.stop();
    }
  });

  test("an empty project list is refused", async () => {
    const upstream = xmlrpcUpstream({ pageSize: 10, list: {}, events: [] });
    try {
      const api = new XmlRpcClient(testClient(), `${upstream.url}/pypi`);
      await expect(planFromXmlRpc(api, { currentSerial: 0, ...retry })).rejects.toThrow(
        "returned no projects",
      );
    } finally {
      upstream.stop();
    }
  });
});

describe("planFromXmlRpc: an upstream without XML-RPC", () => {
  const cases: [string, () => Response][] = [
    ["404", () => new Response("404 Not Found", { status: 404 })],
    ["405", () => new Response("no", { status: 405 })],
    [
      "an HTML page",
      () =>
        new Response("<!DOCTYPE html><html><body>Simple index</body></html>", {
          headers: { "content-type": "text/html" },
        }),
    ],
    ["garbage XML", () => new Response("<methodResponse><params>")],
    [
      "fault -32601",
      () =>
        new Response(
          "<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>-32601</int></value></member><member><name>faultString</name><value><string>server error; requested method not found</string></value></member></struct></value></fault></methodResponse>",
        ),
    ],
  ];
  for (const [what, answer] of cases) {
    test(`${what} → one line suggesting api-method = simple`, async () => {
      const upstream = serve(answer);
      try {
        const api = new XmlRpcClient(testClient(), `${upstream.url}/pypi`);
        for (const currentSerial of [0, 10]) {
          const error = (await planFromXmlRpc(api, { currentSerial, ...retry }).catch(
            (caught: unknown) => caught,
          )) as Error;
          expect(error).toBeInstanceOf(UpstreamError);
          expect(error.message).toStartWith(`${upstream.url}/pypi does not answer XML-RPC (`);
          expect(error.message).toEndWith("set api-method = simple in [mirror] for this upstream");
          expect(error.message).not.toContain("\n");
        }
      } finally {
        upstream.stop();
      }
    });
  }

  test("5xx is retried, not mistaken for a missing XML-RPC", async () => {
    let calls = 0;
    const upstream = serve(() =>
      calls++ < 2
        ? new Response("busy", { status: 503 })
        : methodResponse([["a", "1.0", 1, "new release", 11]]),
    );
    try {
      const api = new XmlRpcClient(testClient(), `${upstream.url}/pypi`);
      const plan = await planFromXmlRpc(api, { currentSerial: 10, ...retry });
      expect(calls).toBe(3);
      expect(plan.targetSerial).toBe(11);
    } finally {
      upstream.stop();
    }
  });

  test("5xx that persists stays a retryable HTTP error", async () => {
    const upstream = serve(() => new Response("busy", { status: 502 }));
    try {
      const api = new XmlRpcClient(testClient(), `${upstream.url}/pypi`);
      const error = (await planFromXmlRpc(api, { currentSerial: 10, ...retry }).catch(
        (caught: unknown) => caught,
      )) as UpstreamError;
      expect(error.status).toBe(502);
      expect(error.retryable).toBe(true);
      expect(error.message).not.toContain("api-method");
    } finally {
      upstream.stop();
    }
  });
});

// --- planFromSimpleIndex ----------------------------------------------------------------

function simpleListing(document: unknown, headers: Record<string, string> = {}): () => Response {
  return () =>
    new Response(JSON.stringify(document), {
      headers: { "content-type": "application/vnd.pypi.simple.v1+json", ...headers },
    });
}

describe("planFromSimpleIndex", () => {
  const listing = {
    meta: { "api-version": "1.4", "_last-serial": 120 },
    projects: [
      { name: "Alpha", "_last-serial": 100 },
      { name: "beta", "_last-serial": 90 },
      { name: "gamma", "_last-serial": 110 },
      { name: "new_one", "_last-serial": 50 },
      { name: "<b>x</b>", "_last-serial": 5 },
      { name: "bad-serial", "_last-serial": -1 },
      { name: "no-serial" },
      { "_last-serial": 3 },
      "just a string",
    ],
  };

  test("diffs _last-serial against what we hold; vanished = held names the listing lacks", async () => {
    const upstream = serve(simpleListing(listing));
    try {
      const held = new Map([
        ["alpha", 90],
        ["beta", 90],
        ["gamma", 110],
        ["removed-upstream", 10],
      ]);
      const { result: plan, lines } = await captureLog(() =>
        planFromSimpleIndex(testClient(), upstream.url, {
          currentSerial: 95,
          heldSerial: (name) => held.get(name),
          heldNames: held.keys(),
          ...retry,
        }),
      );
      expect(upstream.requests[0]?.path).toBe("/simple/");
      expect(upstream.requests[0]?.headers.get("accept")).toBe("application/vnd.pypi.simple.v1+json");
      // alpha: 100 > held 90; beta: 90 = held; gamma: 110 = held; new_one: 50 < currentSerial 95 (not held).
      expect([...plan.projects]).toEqual([["alpha", { displayName: "Alpha", serial: 100 }]]);
      expect(plan.vanished).toEqual(["removed-upstream"]);
      expect(plan.targetSerial).toBe(120);
      expect(plan.removals).toEqual([]);
      expect(lines).toHaveLength(5);
      expect(lines.join("\n")).toContain('"<b>x</b>"');
    } finally {
      upstream.stop();
    }
  });

  test("first run: everything with a serial above 0", async () => {
    const upstream = serve(simpleListing(listing));
    try {
      const { result: plan } = await captureLog(() =>
        planFromSimpleIndex(testClient(), upstream.url, { currentSerial: 0, ...retry }),
      );
      expect([...plan.projects.keys()]).toEqual(["alpha", "beta", "gamma", "new-one"]);
      expect(plan.targetSerial).toBe(120);
    } finally {
      upstream.stop();
    }
  });

  test("targetSerial is max(currentSerial, meta, project serials); the header stands in for meta", async () => {
    const upstream = serve(
      simpleListing(
        { meta: { "api-version": "1.1" }, projects: [{ name: "a", "_last-serial": 7 }] },
        { "x-pypi-last-serial": "9" },
      ),
    );
    try {
      expect(
        (await planFromSimpleIndex(testClient(), upstream.url, { currentSerial: 3, ...retry })).targetSerial,
      ).toBe(9);
      expect(
        (await planFromSimpleIndex(testClient(), upstream.url, { currentSerial: 30, ...retry })).targetSerial,
      ).toBe(30);
    } finally {
      upstream.stop();
    }
  });

  const failures: [string, () => Response, string][] = [
    [
      "an HTML answer",
      () =>
        new Response("<!DOCTYPE html><html><body><a href='/simple/a/'>a</a></body></html>", {
          headers: { "content-type": "text/html" },
        }),
      "needs an index serving PEP 691 JSON",
    ],
    [
      "no _last-serial anywhere",
      simpleListing({ meta: { "api-version": "1.0" }, projects: [] }),
      "has no meta._last-serial",
    ],
    [
      "no per-project serials (a bandersnatch mirror)",
      simpleListing({
        meta: { "api-version": "1.0", "_last-serial": 5 },
        projects: [{ name: "a" }, { name: "b" }],
      }),
      "no project in the listing has a _last-serial",
    ],
    [
      "api-version 2.0",
      simpleListing({ meta: { "api-version": "2.0", "_last-serial": 5 }, projects: [] }),
      "version 2.0 is not supported",
    ],
    ["not a listing", simpleListing({ hello: 1 }), "not a PEP 691 project listing"],
  ];
  for (const [what, answer, message] of failures) {
    test(`${what} is a clear UpstreamError`, async () => {
      const upstream = serve(answer);
      try {
        const error = (await planFromSimpleIndex(testClient(), upstream.url, {
          currentSerial: 0,
          ...retry,
        }).catch((caught: unknown) => caught)) as Error;
        expect(error).toBeInstanceOf(UpstreamError);
        expect(error.message).toContain(message);
        expect(error.message).not.toContain("\n");
      } finally {
        upstream.stop();
      }
    });
  }

  test("an empty listing while we hold projects is refused", async () => {
    const upstream = serve(
      simpleListing({ meta: { "api-version": "1.0", "_last-serial": 5 }, projects: [] }),
    );
    try {
      await expect(
        planFromSimpleIndex(testClient(), upstream.url, { currentSerial: 4, heldNames: ["a"], ...retry }),
      ).rejects.toThrow("refusing to treat all 1 held projects as vanished");
    } finally {
      upstream.stop();
    }
  });

  test("many bad entries: a warning line each up to 50, then one summary", async () => {
    const projects = [
      { name: "good", "_last-serial": 1 },
      ...Array.from({ length: 80 }, (_, index) => ({ name: `bad name ${index}`, "_last-serial": 1 })),
    ];
    const upstream = serve(simpleListing({ meta: { "api-version": "1.0", "_last-serial": 5 }, projects }));
    try {
      const { result: plan, lines } = await captureLog(() =>
        planFromSimpleIndex(testClient(), upstream.url, { currentSerial: 0, ...retry }),
      );
      expect([...plan.projects.keys()]).toEqual(["good"]);
      expect(lines).toHaveLength(51);
      expect(lines.at(-1)).toContain("30 more entries skipped (80 in all)");
    } finally {
      upstream.stop();
    }
  });
});

/** A sink that records every call, for the streaming contract. */
function recordingSink(): ProjectSink & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    add: (name, displayName, serial) => calls.push(`add ${name} ${displayName} ${serial}`),
    remove: (name) => calls.push(`remove ${name}`),
    reset: () => calls.push("reset"),
  };
}

describe("planFromSimpleIndex: the listing is scanned as it streams in", () => {
  const meta = { "api-version": "1.4", "_last-serial": 9 };

  test("names with JSON escapes decode as JSON.parse decodes them", async () => {
    const body = `{"meta":${JSON.stringify(meta)},"projects":[{"name":"Na\\u006De","_last-serial":5},{"name":"x\\ud800","_last-serial":5}]}`;
    const upstream = serve(
      () => new Response(body, { headers: { "content-type": "application/vnd.pypi.simple.v1+json" } }),
    );
    try {
      const { result: plan, lines } = await captureLog(() =>
        planFromSimpleIndex(testClient(), upstream.url, { currentSerial: 0, ...retry }),
      );
      expect([...plan.projects]).toEqual([["name", { displayName: "Name", serial: 5 }]]);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`Skipping project name ${JSON.stringify("x\ud800")}`);
    } finally {
      upstream.stop();
    }
  });

  test("a body cut mid-listing is retried from scratch: the sink starts over, nothing doubles", async () => {
    const body = JSON.stringify({
      meta,
      projects: [
        { name: "a", "_last-serial": 5 },
        { name: "b", "_last-serial": 6 },
      ],
    });
    const head = `HTTP/1.1 200 OK\r\ncontent-type: application/vnd.pypi.simple.v1+json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n`;
    let attempts = 0;
    // The first answer stops after the first project: the connection drops mid-body.
    const listener = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        data(socket) {
          attempts++;
          if (attempts > 1) {
            socket.end(head + body);
            return;
          }
          socket.write(head + body.slice(0, body.indexOf("}", body.indexOf('"a"')) + 2));
          setTimeout(() => socket.end(), 100);
        },
      },
    });
    try {
      const sink = recordingSink();
      const { result: outcome } = await captureLog(() =>
        streamFromSimpleIndex(
          testClient(),
          `http://127.0.0.1:${listener.port}`,
          { currentSerial: 0, ...retry },
          sink,
        ),
      );
      expect(attempts).toBe(2);
      const lastReset = sink.calls.lastIndexOf("reset");
      expect(sink.calls.slice(0, lastReset)).toContain("add a a 5");
      expect(sink.calls.slice(lastReset)).toEqual(["reset", "add a a 5", "add b b 6"]);
      expect(outcome).toEqual({ targetSerial: 9, removals: [], vanished: [] });
    } finally {
      listener.stop(true);
    }
  });

  test("a listing refused whole logs none of its entry warnings", async () => {
    const upstream = serve(simpleListing({ projects: [{ name: "bad name", "_last-serial": 1 }] }));
    try {
      const { result: error, lines } = await captureLog(() =>
        planFromSimpleIndex(testClient(), upstream.url, { currentSerial: 0, ...retry }).catch(
          (caught: unknown) => caught,
        ),
      );
      expect((error as Error).message).toContain("not a PEP 691 project listing");
      expect(lines).toEqual([]);
    } finally {
      upstream.stop();
    }
  });

  test("held entries streamed once give the same plan as a lookup per name", async () => {
    const listing = {
      meta,
      projects: [
        { name: "Alpha", "_last-serial": 8 },
        { name: "beta", "_last-serial": 3 },
        { name: "new", "_last-serial": 7 },
        { name: "alpha", "_last-serial": 8 },
      ],
    };
    const upstream = serve(simpleListing(listing));
    const held = new Map([
      ["alpha", 4],
      ["beta", 3],
      ["gone", 2],
      ["also-gone", 1],
    ]);
    try {
      const viaLookups = await planFromSimpleIndex(testClient(), upstream.url, {
        currentSerial: 5,
        heldSerial: (name) => held.get(name),
        heldNames: held.keys(),
        ...retry,
      });
      const viaEntries = await planFromSimpleIndex(testClient(), upstream.url, {
        currentSerial: 5,
        heldEntries: () => held.entries(),
        ...retry,
      });
      expect(viaEntries).toEqual(viaLookups);
      expect([...viaEntries.projects]).toEqual([
        ["alpha", { displayName: "Alpha", serial: 8 }],
        ["new", { displayName: "new", serial: 7 }],
      ]);
      expect(viaEntries.vanished).toEqual(["also-gone", "gone"]);
    } finally {
      upstream.stop();
    }
  });

  const bodies: [what: string, body: () => Response, message: string][] = [
    [
      "a truncated body",
      () => new Response(`{"meta":${JSON.stringify(meta)},"projects":[{"name":"a"`),
      "body is not valid JSON (the body ends early, after",
    ],
    [
      "invalid UTF-8 in a name",
      () =>
        new Response(
          new Uint8Array([
            ...new TextEncoder().encode('{"meta":{},"projects":[{"name":"'),
            0xff,
            0x22,
            0x7d,
            0x5d,
            0x7d,
          ]),
        ),
      "body is not valid UTF-8",
    ],
    [
      "nesting deeper than 64 levels",
      () =>
        new Response(`{"meta":${JSON.stringify(meta)},"x":${"[".repeat(80)}${"]".repeat(80)},"projects":[]}`),
      "JSON nests deeper than 64 levels",
    ],
    [
      "an HTML page served as JSON",
      () =>
        new Response("<html><body>mirror</body></html>", { headers: { "content-type": "application/json" } }),
      "answered application/json, not JSON; api-method = simple needs an index serving PEP 691 JSON",
    ],
  ];
  for (const [what, body, message] of bodies) {
    test(`${what} is refused as the whole-body reading refused it`, async () => {
      const upstream = serve(body);
      try {
        const error = (await planFromSimpleIndex(testClient(), upstream.url, {
          currentSerial: 0,
          ...retry,
        }).catch((caught: unknown) => caught)) as UpstreamError;
        expect(error).toBeInstanceOf(UpstreamError);
        expect(error.message).toContain(`GET ${upstream.url}/simple/: ${message}`);
        expect(error.retryable).toBe(false);
        expect(upstream.requests).toHaveLength(1);
      } finally {
        upstream.stop();
      }
    });
  }
});

describe("streaming a plan into a ProjectSink", () => {
  test("ProjectMap keeps the highest serial per name, the first of equals; remove and reset forget", () => {
    const projects = new ProjectMap();
    projects.add("a", "A", 5);
    projects.add("a", "a", 5);
    projects.add("b", "B", 1);
    projects.add("b", "b", 2);
    projects.add("c", "C", 1);
    projects.remove("c");
    expect([...projects.projects]).toEqual([
      ["a", { displayName: "A", serial: 5 }],
      ["b", { displayName: "b", serial: 2 }],
    ]);
    projects.reset();
    expect(projects.projects.size).toBe(0);
  });

  test("an XML-RPC first run adds the list, then the catch-up, then withdraws what the journal removed", async () => {
    const journal: Journal = {
      pageSize: 50_000,
      list: { a: 1, B: 2 },
      events: [
        event("a", 1),
        event("B", 2),
        event("B", 3, "remove project", null),
        event("c", 4, "create", null),
      ],
    };
    const upstream = xmlrpcUpstream(journal);
    try {
      const api = new XmlRpcClient(testClient(), `${upstream.url}/pypi`);
      const sink = recordingSink();
      const { result: outcome } = await captureLog(() =>
        streamFromXmlRpc(
          api,
          {
            currentSerial: 0,
            heldEntries: () => [
              ["a", 1],
              ["old", 1],
            ],
            ...retry,
          },
          sink,
        ),
      );
      expect(sink.calls).toEqual(["add a a 1", "add b B 2", "add c c 4", "remove b"]);
      expect(outcome.targetSerial).toBe(4);
      expect(outcome.vanished).toEqual(["old"]);
      expect(outcome.removals.map((removal) => removal.kind)).toEqual(["remove project"]);
    } finally {
      upstream.stop();
    }
  });
});

describe("buildSyncPlan", () => {
  test("dispatches on api-method; xmlrpc talks to {master}/pypi", async () => {
    const upstream = serve((request, body) => {
      if (new URL(request.url).pathname === "/pypi" && body.includes("changelog_since_serial"))
        return methodResponse([]);
      if (new URL(request.url).pathname === "/simple/")
        return simpleListing({
          meta: { "api-version": "1.0", "_last-serial": 8 },
          projects: [{ name: "a", "_last-serial": 8 }],
        })();
      return new Response("no", { status: 404 });
    });
    try {
      const viaXmlRpc = await buildSyncPlan(
        { apiMethod: "xmlrpc", master: `${upstream.url}/` },
        testClient(),
        { currentSerial: 4, ...retry },
      );
      expect(viaXmlRpc.targetSerial).toBe(4);
      const viaSimple = await buildSyncPlan({ apiMethod: "simple", master: upstream.url }, testClient(), {
        currentSerial: 4,
        ...retry,
      });
      expect(viaSimple.targetSerial).toBe(8);
      expect([...viaSimple.projects.keys()]).toEqual(["a"]);
    } finally {
      upstream.stop();
    }
  });
});
