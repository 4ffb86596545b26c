/**
 * PEP 691 content negotiation for `serve`, as PyPI's edge does it (reference
 * B.3.2): `?format=` overrides `Accept`; q-values are honoured; `latest` maps to
 * v1; anything unknown gets HTML (never 406).
 */

export type PageFormat = "json" | "v1_html" | "html";

export const CONTENT_TYPES: Record<PageFormat, string> = {
  json: "application/vnd.pypi.simple.v1+json",
  v1_html: "application/vnd.pypi.simple.v1+html",
  html: "text/html; charset=utf-8",
};

const OFFERS: [string, PageFormat][] = [
  ["application/vnd.pypi.simple.v1+json", "json"],
  ["application/vnd.pypi.simple.latest+json", "json"],
  ["application/vnd.pypi.simple.v1+html", "v1_html"],
  ["application/vnd.pypi.simple.latest+html", "v1_html"],
  ["text/html", "html"],
];

interface MediaRange {
  type: string;
  q: number;
  order: number;
}

function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  header.split(",").forEach((part, order) => {
    const [type, ...parameters] = part.trim().split(";");
    if (!type) return;
    let q = 1;
    for (const parameter of parameters) {
      const [key, value] = parameter.trim().split("=");
      if (key?.trim().toLowerCase() === "q") {
        const parsed = Number(value);
        q = Number.isFinite(parsed) ? Math.min(1, Math.max(0, parsed)) : 0;
      }
    }
    ranges.push({ type: type.trim().toLowerCase(), q, order });
  });
  return ranges;
}

function matches(range: string, offer: string): boolean {
  if (range === "*/*" || range === offer) return true;
  return range.endsWith("/*") && offer.startsWith(range.slice(0, -1));
}

/**
 * The page format for a request: `format` query value first, then the best
 * `Accept` match by q-value (ties: the client's order), else HTML.
 *
 * @example chooseFormat("application/vnd.pypi.simple.v1+json, text/html;q=0.01", null) // "json"
 */
export function chooseFormat(accept: string | null, formatQuery: string | null): PageFormat {
  if (formatQuery) {
    const forced = OFFERS.find(([type]) => type === formatQuery.toLowerCase());
    if (forced) return forced[1];
  }
  if (!accept) return "html";
  let best: { format: PageFormat; q: number; order: number; specific: boolean } | undefined;
  for (const range of parseAccept(accept)) {
    if (range.q <= 0) continue;
    for (const [offer, format] of OFFERS) {
      if (!matches(range.type, offer)) continue;
      const specific = range.type === offer;
      // Wildcards never pick JSON: a client that only says */* gets HTML, as from PyPI.
      if (!specific && format !== "html") continue;
      const better =
        !best ||
        range.q > best.q ||
        (range.q === best.q && specific && !best.specific) ||
        (range.q === best.q && specific === best.specific && range.order < best.order);
      if (better) best = { format, q: range.q, order: range.order, specific };
    }
  }
  return best?.format ?? "html";
}
