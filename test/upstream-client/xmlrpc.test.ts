import { afterAll, describe, expect, test } from "bun:test";
import { UpstreamError } from "../../src/errors.ts";
import {
  decodeMethodResponse,
  decodeXmlText,
  encodeMethodCall,
  PackageListScanner,
  XmlRpcClient,
  XmlRpcFaultError,
  XmlRpcFormatError,
  type XmlRpcValue,
} from "../../src/upstream/xmlrpc.ts";
import { serve, testClient } from "./fixtures.ts";

const hasPython = Bun.which("python3") !== null;

/** Runs python3 with `script`, returning stdout. */
function python(script: string): string {
  const result = Bun.spawnSync(["python3", "-c", script]);
  if (result.exitCode !== 0) throw new Error(result.stderr.toString());
  return result.stdout.toString();
}

function response(valueXml: string): string {
  return `<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value>${valueXml}</value>\n</param>\n</params>\n</methodResponse>\n`;
}

function fault(code: number, message: string): string {
  return `<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n<value><int>${code}</int></value>\n</member>\n<member>\n<name>faultString</name>\n<value><string>${message}</string></value>\n</member>\n</struct></value>\n</fault>\n</methodResponse>\n`;
}

function listBody(members: [string, string][]): string {
  const inner = members.map(
    ([name, serial]) => `<member>\n<name>${name}</name>\n<value><int>${serial}</int></value>\n</member>\n`,
  );
  return response(`<struct>\n${inner.join("")}</struct>`);
}

function scan(body: string, chunkSize = 1 << 16): Map<string, number> {
  const bytes = new TextEncoder().encode(body);
  const scanner = new PackageListScanner();
  for (let offset = 0; offset < bytes.length; offset += chunkSize)
    scanner.push(bytes.subarray(offset, offset + chunkSize));
  return scanner.end();
}

describe("encodeMethodCall", () => {
  test("lays out the call as Python's xmlrpc.client.dumps does", () => {
    const expected =
      "<?xml version='1.0'?>\n<methodCall>\n<methodName>changelog_since_serial</methodName>\n<params>\n<param>\n<value><int>24891357</int></value>\n</param>\n</params>\n</methodCall>\n";
    expect(encodeMethodCall("changelog_since_serial", [24891357])).toBe(expected);
  });

  test.if(hasPython)("is byte-identical to python3 for ints and escaped strings", () => {
    const ours = encodeMethodCall("m", [7, "a<b>&'\"c", -1]);
    const theirs = python(
      `import sys, xmlrpc.client; sys.stdout.write(xmlrpc.client.dumps((7, "a<b>&'\\"c", -1), "m"))`,
    );
    // Python escapes only & < > in text; ours also escapes quotes, which XML reads the same.
    expect(decodeXmlText(ours)).toBe(decodeXmlText(theirs));
    expect(encodeMethodCall("m", [])).toBe(
      python(`import sys, xmlrpc.client; sys.stdout.write(xmlrpc.client.dumps((), "m"))`),
    );
  });

  test("escapes markup in strings and refuses bad method names and non-integers", () => {
    expect(encodeMethodCall("m", ["<x>&"])).toContain("<string>&lt;x&gt;&amp;</string>");
    expect(encodeMethodCall("m", [2 ** 40])).toContain("<i8>1099511627776</i8>");
    expect(() => encodeMethodCall("m<x>", [])).toThrow(TypeError);
    expect(() => encodeMethodCall("m", [1.5])).toThrow(TypeError);
  });
});

describe("decodeXmlText", () => {
  test("decodes the five entities and numeric references", () => {
    expect(decodeXmlText("a&amp;b&lt;c&gt;d&quot;e&apos;f&#38;&#x41;&#x1F600;")).toBe("a&b<c>d\"e'f&A😀");
  });

  test("refuses other entities, stray ampersands and forbidden code points", () => {
    for (const text of ["&foo;", "a & b", "&#0;", "&#xD800;", "&#x110000;", "&amp", "&#;"]) {
      expect(() => decodeXmlText(text)).toThrow();
    }
  });
});

describe("decodeMethodResponse", () => {
  test("numeric-looking names stay strings", () => {
    for (const text of ["123", "0x10", "1e5", "007", "true", "-0", " 12 "]) {
      expect(decodeMethodResponse(response(`<string>${text}</string>`))).toBe(text.trim());
      expect(decodeMethodResponse(response(text))).toBe(text.trim());
    }
  });

  test("types: int, i4, i8, boolean, double, nil, empty string, bare text", () => {
    expect(decodeMethodResponse(response("<int>42</int>"))).toBe(42);
    expect(decodeMethodResponse(response("<i4>-7</i4>"))).toBe(-7);
    expect(decodeMethodResponse(response("<i8>9007199254740991</i8>"))).toBe(9007199254740991);
    expect(decodeMethodResponse(response("<boolean>1</boolean>"))).toBe(true);
    expect(decodeMethodResponse(response("<double>1.5</double>"))).toBe(1.5);
    expect(decodeMethodResponse(response("<nil/>"))).toBeNull();
    expect(decodeMethodResponse(response("<string></string>"))).toBe("");
    expect(decodeMethodResponse(response("<string/>"))).toBe("");
    expect(decodeMethodResponse(response("plain"))).toBe("plain");
  });

  test("one-element arrays stay arrays; structs are Maps; nesting works", () => {
    expect(decodeMethodResponse(response("<array><data><value><int>1</int></value></data></array>"))).toEqual(
      [1],
    );
    expect(decodeMethodResponse(response("<array><data></data></array>"))).toEqual([]);
    expect(decodeMethodResponse(response("<array><data/></array>"))).toEqual([]);
    const struct = decodeMethodResponse(
      response(
        "<struct><member><name>__proto__</name><value><array><data><value>x</value></data></array></value></member></struct>",
      ),
    );
    expect(struct).toBeInstanceOf(Map);
    expect((struct as Map<string, XmlRpcValue>).get("__proto__")).toEqual(["x"]);
    expect(Object.prototype).not.toHaveProperty("x");
  });

  test("character references in strings are decoded, markup in names is kept as text", () => {
    expect(
      decodeMethodResponse(response("<string>&lt;script&gt;alert(1)&lt;/script&gt; &amp;&#x263A;</string>")),
    ).toBe("<script>alert(1)</script> &☺");
  });

  test("DOCTYPE and ENTITY declarations are refused before parsing", () => {
    const billionLaughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>${response("<string>&lol2;</string>")}`;
    expect(() => decodeMethodResponse(billionLaughs)).toThrow(XmlRpcFormatError);
    expect(() => decodeMethodResponse(`<!doctype x>${response("1")}`)).toThrow("DOCTYPE");
    expect(() => decodeMethodResponse(response('<string><!ENTITY x "y"></string>'))).toThrow("ENTITY");
  });

  test("unknown entities, malformed XML and wrong shapes are refused", () => {
    expect(() => decodeMethodResponse(response("<string>&xxe;</string>"))).toThrow(XmlRpcFormatError);
    expect(() => decodeMethodResponse("<methodResponse><params><param><value><int>1</int>")).toThrow(
      XmlRpcFormatError,
    );
    expect(() => decodeMethodResponse("<html><body>Not here</body></html>")).toThrow("no <methodResponse>");
    expect(() => decodeMethodResponse(response("<int>1e5</int>"))).toThrow("not an integer");
    expect(() => decodeMethodResponse(response("<int>99999999999999999999</int>"))).toThrow();
    expect(() => decodeMethodResponse(response("<boolean>yes</boolean>"))).toThrow();
    expect(() => decodeMethodResponse(response("<foo>1</foo>"))).toThrow("unknown XML-RPC type");
    expect(() => decodeMethodResponse(response("<int>1</int><string>2</string>"))).toThrow();
  });

  test("faults become XmlRpcFaultError with code and string in the message", () => {
    try {
      decodeMethodResponse(fault(-32601, "server error; requested method not found"), "m at u");
      throw new Error("no fault");
    } catch (error) {
      expect(error).toBeInstanceOf(XmlRpcFaultError);
      const faultError = error as XmlRpcFaultError;
      expect(faultError.faultCode).toBe(-32601);
      expect(faultError.message).toBe(
        "m at u: XML-RPC fault -32601: server error; requested method not found",
      );
      expect(faultError.retryable).toBe(false);
    }
  });

  test("PyPI's rate-limit fault is retryable after the announced time", () => {
    const text =
      "HTTPTooManyRequests: The action could not be performed because there were too many requests by the client. Limit may reset in 42 seconds.";
    const error = (() => {
      try {
        decodeMethodResponse(fault(-32500, text));
      } catch (caught) {
        return caught as XmlRpcFaultError;
      }
    })()!;
    expect(error.retryable).toBe(true);
    expect(error.retryAfterSeconds).toBe(42);
  });

  test.if(hasPython)("decodes what Python's xmlrpc marshals", () => {
    const body = python(
      `import sys, xmlrpc.client; sys.stdout.write(xmlrpc.client.dumps(([["pkg", None, 1725534675, "remove release", 24891358], ["<a&b>", "1.0", 1, "add py3 file x.whl", 2]],), methodresponse=True, allow_none=True))`,
    );
    expect(decodeMethodResponse(body)).toEqual([
      ["pkg", null, 1725534675, "remove release", 24891358],
      ["<a&b>", "1.0", 1, "add py3 file x.whl", 2],
    ]);
  });
});

describe("PackageListScanner", () => {
  const members: [string, string][] = [
    ["requests", "100"],
    ["123", "5"],
    ["0x10", "6"],
    ["1e5", "7"],
    ["007", "8"],
    ["true", "9"],
    ["a&amp;b&#60;", "10"],
    ["Zope.Interface", "+11"],
  ];

  test("reads names and serials; numeric-looking names stay strings", () => {
    const serials = scan(listBody(members));
    expect([...serials]).toEqual([
      ["requests", 100],
      ["123", 5],
      ["0x10", 6],
      ["1e5", 7],
      ["007", 8],
      ["true", 9],
      ["a&b<", 10],
      ["Zope.Interface", 11],
    ]);
  });

  test("gives the same result whatever the chunk boundaries", () => {
    const body = listBody(members)
      .replace("<int>100</int>", "<i4>100</i4>")
      .replace("<name>123", "<name>é123");
    const expected = scan(body);
    for (let chunkSize = 1; chunkSize <= 40; chunkSize++) expect(scan(body, chunkSize)).toEqual(expected);
    expect(expected.get("é123")).toBe(5);
  });

  test.if(hasPython)("reads Python's marshalling of a dict", () => {
    const body = python(
      `import sys, xmlrpc.client; sys.stdout.write(xmlrpc.client.dumps(({"foo": 1, "Bar_baz": 22, "123": 3, "a&b": 4},), methodresponse=True))`,
    );
    expect([...scan(body, 7)]).toEqual([
      ["foo", 1],
      ["Bar_baz", 22],
      ["123", 3],
      ["a&b", 4],
    ]);
  });

  test("an empty struct is an empty map", () => {
    expect(scan(response("<struct/>")).size).toBe(0);
    expect(scan(response("<struct></struct>")).size).toBe(0);
  });

  test("refuses anything out of shape, naming the position", () => {
    const good = listBody(members);
    const broken = [
      good.replace("<value><int>5</int></value>", "<value><string>5</string></value>"),
      good.replace("<name>1e5</name>", "<name>1e5</name><extra/>"),
      good.replace("</member>", "</member>text"),
      good.replace("<int>6</int>", "<int>6.5</int>"),
      good.replace("<int>6</int>", "<int>-6</int>"),
      good.replace("<int>6</int>", "<int>99999999999999999</int>"),
      good.replace("<name>true</name>", "<name>&xxe;</name>"),
      good.replace("</struct>", "</struct><member/>"),
      good.slice(0, good.length - 40),
      good.slice(0, 30),
      `<!DOCTYPE x [<!ENTITY e "e">]>${good}`,
      "<html><body>hello</body></html>",
      "",
    ];
    for (const body of broken) {
      expect(() => scan(body)).toThrow(XmlRpcFormatError);
    }
    expect(() => scan(good.slice(0, good.length - 40))).toThrow("body ends early");
    expect(() => scan(good.replace("</member>", "</member>text"))).toThrow(/unexpected content at byte \d+/);
  });

  test("a name that never ends is refused past 64 KiB instead of buffering forever", () => {
    const scanner = new PackageListScanner();
    scanner.push(
      new TextEncoder().encode("<methodResponse><params><param><value><struct>\n<member>\n<name>"),
    );
    const filler = new TextEncoder().encode("a".repeat(16 * 1024));
    expect(() => {
      for (let index = 0; index < 10; index++) scanner.push(filler);
    }).toThrow(XmlRpcFormatError);
  });

  test("a fault answer is thrown as XmlRpcFaultError", () => {
    expect(() => scan(fault(-32500, "RuntimeError: nope"))).toThrow(XmlRpcFaultError);
  });
});

describe("XmlRpcClient over HTTP", () => {
  const calls: string[] = [];
  const upstream = serve((request, body) => {
    const method = /<methodName>([^<]*)<\/methodName>/.exec(body)?.[1] ?? "";
    calls.push(method);
    const path = new URL(request.url).pathname;
    if (path === "/html/pypi")
      return new Response("<!DOCTYPE html><html></html>", { headers: { "content-type": "text/html" } });
    if (path === "/bad-events/pypi")
      return new Response(
        response("<array><data><value><array><data><value>x</value></data></array></value></data></array>"),
      );
    switch (method) {
      case "list_packages_with_serial":
        return new Response(
          listBody([
            ["Foo", "3"],
            ["bar", "4"],
          ]),
          { headers: { "content-type": "text/xml" } },
        );
      case "changelog_last_serial":
        return new Response(response("<int>77</int>"));
      case "changelog_since_serial": {
        const since = Number(/<int>(\d+)<\/int>/.exec(body)?.[1]);
        return new Response(
          response(
            `<array><data><value><array><data><value><string>Foo</string></value><value><nil/></value><value><int>1700000000</int></value><value><string>remove project</string></value><value><int>${since + 1}</int></value></data></array></value></data></array>`,
          ),
        );
      }
      default:
        return new Response(fault(-32601, "server error; requested method not found"));
    }
  });
  afterAll(() => upstream.stop());
  const client = new XmlRpcClient(testClient(), `${upstream.url}/pypi`);

  test("listPackagesWithSerial", async () => {
    expect([...(await client.listPackagesWithSerial())]).toEqual([
      ["Foo", 3],
      ["bar", 4],
    ]);
  });

  test("changelogLastSerial and changelogSinceSerial", async () => {
    expect(await client.changelogLastSerial()).toBe(77);
    expect(await client.changelogSinceSerial(10)).toEqual([["Foo", null, 1700000000, "remove project", 11]]);
    expect(upstream.requests.at(-1)?.headers.get("content-type")).toBe("text/xml");
  });

  test("unknown methods are faults", async () => {
    await expect(client.call("nope")).rejects.toBeInstanceOf(XmlRpcFaultError);
  });

  test("an HTML answer is a non-retryable UpstreamError caused by a format error", async () => {
    const html = new XmlRpcClient(testClient(), `${upstream.url}/html/pypi`);
    for (const call of [() => html.changelogLastSerial(), () => html.listPackagesWithSerial()]) {
      const error = (await call().catch((caught: unknown) => caught)) as UpstreamError;
      expect(error).toBeInstanceOf(UpstreamError);
      expect(error.retryable).toBe(false);
      expect(error.cause).toBeInstanceOf(XmlRpcFormatError);
      expect(error.message).toContain(`at ${upstream.url}/html/pypi`);
    }
  });

  test("malformed changelog events are refused as a whole page", async () => {
    const bad = new XmlRpcClient(testClient(), `${upstream.url}/bad-events/pypi`);
    await expect(bad.changelogSinceSerial(1)).rejects.toThrow("event 0 is not a 5-element array");
  });
});

describe("XmlRpcClient body caps", () => {
  test("tree-decoded answers have a smaller cap than the streamed list", async () => {
    const big = `<?xml version='1.0'?>\n<methodResponse><params><param><value><string>${"x".repeat(5000)}</string></value></param></params></methodResponse>`;
    const upstream = serve(() => new Response(big));
    try {
      const client = new XmlRpcClient(testClient(), `${upstream.url}/pypi`, {
        maxBytes: 1000,
        listMaxBytes: 100,
      });
      await expect(client.call("changelog_last_serial")).rejects.toThrow(
        "body larger than the 1000 bytes limit",
      );
      await expect(client.listPackagesWithSerial()).rejects.toThrow("body larger than the 100 bytes limit");
    } finally {
      upstream.stop();
    }
  });
});
