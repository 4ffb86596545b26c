/**
 * Which URLs the upstream may send us to. A project page names file URLs, and
 * every redirect hop names another; each is checked here before it is fetched
 * or turned into a path under `web/`.
 *
 * Hosts are compared by hostname only, ports ignored: the test upstream serves
 * its index and its files host on `127.0.0.1` with two ports, and a port is no
 * security boundary between two services we already trust by name.
 */

import type { MirrorOptions } from "../config/types.ts";
import { isDotSegment, mirrorPathForUrl, rawPathOf } from "../packaging/paths.ts";
import { refuse } from "./hostile.ts";

/** PyPI serves release files from a host of its own. */
const KNOWN_FILES_HOSTS: Record<string, string> = {
  "pypi.org": "files.pythonhosted.org",
  "test.pypi.org": "test-files.pythonhosted.org",
};

/** The URL rules of one mirror run, derived from `[mirror]`. */
export interface UrlRules {
  /** The index (`master`), parsed. */
  master: URL;
  allowNonHttps: boolean;
  /** Lower-case hostnames release files may come from. */
  fileHosts: ReadonlySet<string>;
}

/**
 * Builds the rules from the mirror options: files may come from the master's
 * host, PyPI's files host when the master is PyPI, `allowed-file-hosts`, and the
 * `download-mirror` host.
 */
export function urlRulesFromOptions(
  options: Pick<MirrorOptions, "master" | "allowNonHttps" | "allowedFileHosts" | "downloadMirror">,
): UrlRules {
  const master = new URL(options.master);
  const fileHosts = new Set<string>([master.hostname]);
  const knownFilesHost = KNOWN_FILES_HOSTS[master.hostname];
  if (knownFilesHost) fileHosts.add(knownFilesHost);
  for (const host of options.allowedFileHosts) fileHosts.add(hostnameOf(host));
  if (options.downloadMirror) fileHosts.add(new URL(options.downloadMirror).hostname);
  return { master, allowNonHttps: options.allowNonHttps, fileHosts };
}

/** `files.example.org`, `files.example.org:8443` or a URL → its lower-case hostname. */
function hostnameOf(entry: string): string {
  const trimmed = entry.trim();
  return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`).hostname;
}

const UNSAFE_RAW_CHARACTER = /[\u0000-\u0020\u007f\\]/;

/**
 * Resolves `reference` (absolute, or relative to `base`) and checks what every URL
 * from upstream must satisfy: written without whitespace, control characters or
 * backslashes (which the URL parser would silently drop or turn into `/`); scheme
 * https (or http with `allow-non-https`); no credentials; no dot segment after the
 * first named path segment, in any percent-encoding. The fragment is removed.
 * Throws `HostileDataError` naming the value and the rule.
 */
export function checkUpstreamUrl(reference: string, rules: UrlRules, base?: string | URL, what = "URL"): URL {
  if (UNSAFE_RAW_CHARACTER.test(reference)) {
    throw refuse(what, reference, "contains whitespace, a control character or a backslash");
  }
  let url: URL;
  try {
    url = base === undefined ? new URL(reference) : new URL(reference, base);
  } catch {
    throw refuse(what, reference, "is not a valid URL");
  }
  if (hasInnerDotSegment(reference)) throw refuse(what, reference, "path has a dot segment");
  const schemeOk = url.protocol === "https:" || (url.protocol === "http:" && rules.allowNonHttps);
  if (!schemeOk) {
    throw refuse(
      what,
      reference,
      rules.allowNonHttps ? "scheme must be https or http" : "scheme must be https",
    );
  }
  if (url.username !== "" || url.password !== "") throw refuse(what, reference, "carries credentials");
  url.hash = "";
  return url;
}

/**
 * Checks a release-file URL (also used for its `.metadata` sibling and for every
 * redirect hop of a download): `checkUpstreamUrl`, then a host from
 * `rules.fileHosts`, then a path under `/packages/` that `mirrorPathForUrl` accepts.
 *
 * @example checkFileUrl("https://files.pythonhosted.org/packages/ab/cd/ef/x-1.0.tar.gz", rules)
 * @example checkFileUrl("https://evil.example/packages/x.tar.gz", rules) // throws HostileDataError
 */
export function checkFileUrl(reference: string, rules: UrlRules, base?: string | URL): URL {
  const url = checkUpstreamUrl(reference, rules, base, "file URL");
  if (!rules.fileHosts.has(url.hostname)) {
    throw refuse("file URL", reference, `host ${url.hostname} is not the index host or an allowed file host`);
  }
  mirrorPathForUrl(url);
  return url;
}

/**
 * The redirect rule for release-file downloads (`RequestOptions.checkRedirect`):
 * every hop must pass `checkFileUrl`.
 *
 * @example await http.open("GET", file.url, { checkRedirect: fileRedirectRule(rules) });
 */
export function fileRedirectRule(rules: UrlRules): (target: URL) => void {
  return (target) => void checkFileUrl(target.href, rules);
}

/**
 * Checks a URL that must stay on the index host (provenance URLs, redirects of
 * index requests): `checkUpstreamUrl`, then the master's hostname.
 */
export function checkIndexUrl(
  reference: string,
  rules: UrlRules,
  base?: string | URL,
  what = "index URL",
): URL {
  const url = checkUpstreamUrl(reference, rules, base, what);
  if (url.hostname !== rules.master.hostname) {
    throw refuse(what, reference, `host ${url.hostname} is not the index host ${rules.master.hostname}`);
  }
  return url;
}

/**
 * Whether the reference's path has `.`/`..` (or `%2e` spellings) after a named
 * segment. Leading `../` of a relative reference are allowed: a mirror of ours
 * writes `../../packages/...` in its pages.
 */
function hasInnerDotSegment(reference: string): boolean {
  const segments = rawPathOf(reference).split("/");
  let seenNamed = false;
  for (const segment of segments) {
    if (isDotSegment(segment)) {
      if (seenNamed) return true;
    } else if (segment !== "") seenNamed = true;
  }
  return false;
}
