/**
 * Content negotiation of the simple API (B.3.2): `?format=` overrides `Accept`; q-values
 * are honoured; anything unacceptable falls back to HTML, never 406.
 */

export const HTML = "text/html";
export const V1_HTML = "application/vnd.pypi.simple.v1+html";
export const V1_JSON = "application/vnd.pypi.simple.v1+json";
const LATEST_HTML = "application/vnd.pypi.simple.latest+html";
const LATEST_JSON = "application/vnd.pypi.simple.latest+json";

/** Values of `?format=` that the edge accepts as an `Accept` override. */
const FORMAT_OVERRIDES = new Set([HTML, V1_HTML, V1_JSON, LATEST_HTML, LATEST_JSON]);

/** Offers in server preference order (ties go to the earlier one, as Warehouse's `acceptable_offers`). */
const OFFERS: readonly { offer: string; answer: string }[] = [
  { offer: HTML, answer: HTML },
  { offer: V1_HTML, answer: V1_HTML },
  { offer: LATEST_HTML, answer: V1_HTML },
  { offer: V1_JSON, answer: V1_JSON },
  { offer: LATEST_JSON, answer: V1_JSON },
];

interface MediaRange {
  type: string;
  subtype: string;
  quality: number;
}

function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of header.split(",")) {
    const [media = "", ...parameters] = part.split(";").map((piece) => piece.trim());
    const [type, subtype] = media.toLowerCase().split("/");
    if (!type || !subtype) continue;
    let quality = 1;
    for (const parameter of parameters) {
      const [key, value] = parameter.split("=").map((piece) => piece.trim());
      if (key?.toLowerCase() === "q" && value !== undefined) {
        const parsed = Number.parseFloat(value);
        quality = Number.isFinite(parsed) ? Math.min(1, Math.max(0, parsed)) : 0;
      }
    }
    ranges.push({ type, subtype, quality });
  }
  return ranges;
}

/** Quality of an offer: the most specific matching range decides (exact > `type/*` > `*\/*`). */
function qualityOf(offer: string, ranges: readonly MediaRange[]): number {
  const [type, subtype] = offer.split("/");
  let best = -1;
  let bestSpecificity = -1;
  for (const range of ranges) {
    let specificity = -1;
    if (range.type === type && range.subtype === subtype) specificity = 2;
    else if (range.type === type && range.subtype === "*") specificity = 1;
    else if (range.type === "*" && range.subtype === "*") specificity = 0;
    if (specificity > bestSpecificity) {
      bestSpecificity = specificity;
      best = range.quality;
    }
  }
  return best;
}

/**
 * The `Content-Type` to answer a simple API request with.
 *
 * @example negotiateSimple("application/vnd.pypi.simple.v1+json, text/html;q=0.01", null) // V1_JSON
 */
export function negotiateSimple(accept: string | null, format: string | null): string {
  const header = format !== null && FORMAT_OVERRIDES.has(format) ? format : (accept ?? "");
  const ranges = parseAccept(header);
  let chosen = HTML;
  let chosenQuality = 0;
  for (const { offer, answer } of OFFERS) {
    const quality = qualityOf(offer, ranges);
    if (quality > chosenQuality) {
      chosen = answer;
      chosenQuality = quality;
    }
  }
  return chosen;
}

/** Whether a provenance request is acceptable (`application/vnd.pypi.integrity.v1+json` or `application/json`). */
export function acceptsProvenance(accept: string | null): boolean {
  if (!accept) return true;
  const ranges = parseAccept(accept);
  return (
    qualityOf("application/vnd.pypi.integrity.v1+json", ranges) > 0 ||
    qualityOf("application/json", ranges) > 0
  );
}
