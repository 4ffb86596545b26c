/**
 * A digest of the effective filter configuration: the active plugins and their
 * parsed settings (requirements files included, by content). Comments, ordering
 * of list entries and spelling variants that do not change what is filtered do
 * not change it.
 */

import { createHash } from "node:crypto";

/** Bump when a plugin's decisions change for the same settings, so mirrors re-filter. */
export const FILTER_SEMANTICS_VERSION = 1;

/** `sha256:<hex>` of the canonical JSON of the plugins' names and settings. */
export function filterFingerprint(plugins: readonly { name: string; settings: unknown }[]): string {
  const description = {
    semantics: FILTER_SEMANTICS_VERSION,
    plugins: plugins.map((plugin) => ({ name: plugin.name, settings: plugin.settings })),
  };
  return `sha256:${createHash("sha256").update(canonicalJson(description)).digest("hex")}`;
}

/** JSON with object keys sorted, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
