import { describe, expect, test } from "bun:test";
import { renderProjectHtml } from "../../src/index/render-html.ts";
import {
  CORE_METADATA_SHA256,
  DEFAULT_OPTIONS,
  fooPage,
  golden,
  projectPage,
  releaseFile,
  sixtyNinePage,
  sixtyNineVariantPage,
} from "./fixtures.ts";

describe("renderProjectHtml: bandersnatch goldens", () => {
  test("the 69 fixture renders byte for byte", async () => {
    expect(renderProjectHtml(sixtyNinePage(), DEFAULT_OPTIONS)).toBe(await golden("69.html"));
  });

  test("the 69 fixture with a yank reason and core-metadata reproduces reference §3.4", async () => {
    const html = renderProjectHtml(sixtyNineVariantPage(), DEFAULT_OPTIONS);
    expect(html).toBe(await golden("69-yanked-core-metadata.html"));
    // The lines quoted in the reference, verbatim.
    expect(html).toContain(
      '    <a href="../../packages/d3/cc/95dc5434362bd333a1fec275231775d748315b26edf1e7e568e6f8660238/69-0.69.tar.gz#sha256=5c11f48399f9b1bca802751513f1f97bff6ce97e6facb576b7729e1351453c10" data-requires-python="&gt;=3.6" data-yanked="broken &lt;release&gt; &amp; &quot;bad&quot;">69-0.69.tar.gz</a><br/>\n',
    );
    expect(html).toContain(
      `    <a href="../../packages/7b/6e/7c4ce77c6ca092e94e19b78282b459e7f8270362da655cbc6a75eeb9cdd7/69-6.9.tar.gz#sha256=0c8deb7c8574787283c3fc08b714ee63fd6752a38d13515a9d8508798d428597" data-requires-python="&gt;=3.6" data-core-metadata="sha256=${CORE_METADATA_SHA256}" data-dist-info-metadata="sha256=${CORE_METADATA_SHA256}">69-6.9.tar.gz</a><br/>\n  </body>\n</html>\n<!--SERIAL 10333928-->`,
    );
  });

  test("test_mirror.py's Foo page: display name in title and h1, files by name, no trailing newline", async () => {
    const html = renderProjectHtml(fooPage("Foo.bar-thing_other"), DEFAULT_OPTIONS);
    expect(html).toBe(await golden("foo.html"));
    expect(html.endsWith("<!--SERIAL 654321-->")).toBe(true);
  });

  test("root_uri makes links absolute", async () => {
    const options = { ...DEFAULT_OPTIONS, rootUri: "https://files.example.org" };
    expect(renderProjectHtml(fooPage("foo"), options)).toBe(await golden("foo-root-uri.html"));
  });

  test("hash-index does not change the page (links stay ../..)", async () => {
    // bandersnatch writes the same bytes to simple/f/foo/index.html.
    expect(renderProjectHtml(fooPage("Foo.bar-thing_other"), DEFAULT_OPTIONS)).toBe(await golden("foo.html"));
  });

  test("a project without files has an empty line where the links go", async () => {
    const html = renderProjectHtml(projectPage(), DEFAULT_OPTIONS);
    expect(html).toBe(await golden("empty.html"));
    expect(html).toContain("<h1>Links for foo</h1>\n\n  </body>");
  });
});

describe("renderProjectHtml: attributes", () => {
  const file = releaseFile("x-1.0.tar.gz", "/packages/x-1.0.tar.gz");
  const anchorOf = (overrides: Partial<typeof file>, options = DEFAULT_OPTIONS): string => {
    const html = renderProjectHtml(projectPage({ files: [{ ...file, ...overrides }] }), options);
    return html.split("\n").find((line) => line.startsWith("    <a "))!;
  };

  test("no optional attributes: nothing between the href and >", () => {
    expect(anchorOf({})).toBe(
      `    <a href="../../packages/x-1.0.tar.gz#sha256=${file.hashes["sha256"]}">x-1.0.tar.gz</a><br/>`,
    );
  });

  test("an empty requires-python still gives the attribute; null gives none", () => {
    expect(anchorOf({ requiresPython: "" })).toContain(' data-requires-python="">');
    expect(anchorOf({ requiresPython: null })).not.toContain("data-requires-python");
  });

  test("requires-python is html-escaped, quotes included", () => {
    expect(anchorOf({ requiresPython: `>=3.8,!='3.9'` })).toContain(
      ' data-requires-python="&gt;=3.8,!=&#x27;3.9&#x27;"',
    );
  });

  test("yanked without a reason gives an empty data-yanked", () => {
    expect(anchorOf({ yanked: true })).toContain(' data-yanked="">');
    expect(anchorOf({ yanked: "" })).toContain(' data-yanked="">');
    expect(anchorOf({ yanked: false })).not.toContain("data-yanked");
  });

  test("a yank reason with markup cannot break out of the attribute", () => {
    const anchor = anchorOf({ yanked: `"><script>alert('x')</script>` });
    expect(anchor).toContain(' data-yanked="&quot;&gt;&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;">');
    expect(anchor).not.toContain("<script");
  });

  test("attribute order: requires-python, core-metadata pair, yanked", () => {
    const anchor = anchorOf({ requiresPython: ">=3", coreMetadata: { sha256: "cd" }, yanked: "old" });
    expect(anchor).toContain(
      ' data-requires-python="&gt;=3" data-core-metadata="sha256=cd" data-dist-info-metadata="sha256=cd" data-yanked="old">',
    );
  });

  test("core-metadata: true, false or no usable hash emit nothing; the option off emits nothing", () => {
    expect(anchorOf({ coreMetadata: true })).not.toContain("metadata");
    expect(anchorOf({ coreMetadata: false })).not.toContain("metadata");
    expect(anchorOf({ coreMetadata: { blake2b_256: "ee" } })).not.toContain("metadata");
    const off = { ...DEFAULT_OPTIONS, coreMetadata: false };
    expect(anchorOf({ coreMetadata: { sha256: "cd" } }, off)).not.toContain("metadata");
  });

  test("core-metadata algorithm follows digest_name when upstream has it", () => {
    const md5 = { ...DEFAULT_OPTIONS, digestName: "md5" };
    const anchor = anchorOf(
      { hashes: { sha256: "aa", md5: "bb" }, coreMetadata: { sha256: "cd", md5: "ef" } },
      md5,
    );
    expect(anchor).toContain('href="../../packages/x-1.0.tar.gz#md5=bb"');
    expect(anchor).toContain(' data-core-metadata="md5=ef" data-dist-info-metadata="md5=ef"');
  });

  test("an index-only mirror without root_uri links to the upstream URL", () => {
    const options = { ...DEFAULT_OPTIONS, releaseFiles: false };
    expect(anchorOf({}, options)).toContain('href="https://files.example.org/packages/x-1.0.tar.gz#sha256=');
  });

  test("file names and hrefs that would hold markup are escaped (upstream never sends these)", () => {
    const hostile = releaseFile(`a"<b>.whl`, `/packages/a"<b>.whl`);
    const html = renderProjectHtml(projectPage({ displayName: "<i>", files: [hostile] }), DEFAULT_OPTIONS);
    expect(html).toContain('<a href="../../packages/a&quot;&lt;b&gt;.whl#sha256=');
    expect(html).toContain(">a&quot;&lt;b&gt;.whl</a>");
    expect(html).toContain("<title>Links for &lt;i&gt;</title>");
  });
});

describe("renderProjectHtml: order", () => {
  test("files are sorted by name in Python order (Z before _ before a), not by URL or locale", () => {
    const names = ["a-1.0.tar.gz", "_a-1.0.tar.gz", "Z-1.0.tar.gz", "A-1.0.tar.gz", "0-1.0.tar.gz"];
    // URLs in the opposite order, to show the sort key is the file name.
    const files = names.map((name, index) => releaseFile(name, `/packages/${9 - index}/${name}`));
    const html = renderProjectHtml(projectPage({ files }), DEFAULT_OPTIONS);
    const order = [...html.matchAll(/>([^<>]+)<\/a>/g)].map((match) => match[1]);
    expect(order).toEqual(["0-1.0.tar.gz", "A-1.0.tar.gz", "Z-1.0.tar.gz", "_a-1.0.tar.gz", "a-1.0.tar.gz"]);
  });

  test("does not reorder the caller's file list", () => {
    const page = sixtyNinePage();
    const before = page.files.map((file) => file.filename);
    renderProjectHtml(page, DEFAULT_OPTIONS);
    expect(page.files.map((file) => file.filename)).toEqual(before);
  });
});
