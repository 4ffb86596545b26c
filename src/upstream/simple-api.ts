/**
 * Constants and checks shared by every reader of the PEP 691 simple API.
 */

import { UpstreamError } from "../errors.ts";
import { quoteValue } from "./hostile.ts";

/** PEP 691 JSON media type (sent as `Accept`). */
export const SIMPLE_JSON = "application/vnd.pypi.simple.v1+json";

/**
 * PEP 629/691 `meta.api-version`: `"<major>.<minor>"` with major 1. A greater
 * major version must fail; a greater minor is fine. Throws `UpstreamError`.
 *
 * @example checkApiVersion("1.4", "GET https://pypi.org/simple/") // ok
 * @example checkApiVersion("2.0", "GET …") // throws
 */
export function checkApiVersion(value: unknown, where: string): void {
  if (typeof value !== "string" || !/^\d+\.\d+$/.test(value)) {
    throw new UpstreamError(`${where}: meta.api-version ${quoteValue(value)} is not "<major>.<minor>"`);
  }
  const major = Number(value.split(".")[0]);
  if (major !== 1) {
    throw new UpstreamError(
      `${where}: simple API version ${value} is not supported (major version must be 1)`,
    );
  }
}
