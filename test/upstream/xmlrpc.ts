/**
 * XML-RPC as PyPI speaks it (B.2): request parsing and response marshalling in the
 * exact layout of Python's `xmlrpc.client.dumps(..., methodresponse=True, allow_none=True)`.
 */
import { XMLParser } from "fast-xml-parser";

/** A value that XML-RPC can carry. */
export type XmlRpcValue = number | string | boolean | null | XmlRpcValue[] | { [key: string]: XmlRpcValue };

/** A parsed `methodCall`. */
export interface XmlRpcCall {
  method: string;
  params: XmlRpcValue[];
}

/** Malformed request body (fault -32700). */
export class XmlRpcParseError extends Error {
  override name = "XmlRpcParseError";
}

/** A fault to answer with: code and string as PyPI sends them. */
export class XmlRpcFault extends Error {
  override name = "XmlRpcFault";
  constructor(
    readonly code: number,
    readonly faultString: string,
  ) {
    super(faultString);
  }
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  processEntities: true,
  ignoreDeclaration: true,
  isArray: (_name, jpathOrMatcher) => {
    const jpath = String(jpathOrMatcher);
    return jpath === "methodCall.params.param" || jpath.endsWith(".member") || jpath.endsWith(".data.value");
  },
});

/** `node[key]` when node is an element (empty elements parse as ""). */
function childOf(node: unknown, key: string): unknown {
  return typeof node === "object" && node !== null ? (node as Record<string, unknown>)[key] : undefined;
}

function decodeValue(node: unknown): XmlRpcValue {
  if (node === undefined || node === null || typeof node === "string")
    return (node as string | undefined) ?? "";
  const element = node as Record<string, unknown>;
  for (const integer of ["int", "i4", "i8"]) {
    if (integer in element) {
      const text = String(element[integer]).trim();
      if (!/^[+-]?\d+$/.test(text)) throw new XmlRpcParseError(`Bad integer: ${text}`);
      return Number.parseInt(text, 10);
    }
  }
  if ("string" in element) return String(element.string ?? "");
  if ("boolean" in element) return String(element.boolean).trim() === "1";
  if ("double" in element) return Number(element.double);
  if ("nil" in element) return null;
  if ("array" in element) {
    const data = childOf(element.array, "data");
    const items = childOf(data, "value");
    return Array.isArray(items) ? items.map(decodeValue) : [];
  }
  if ("struct" in element) {
    const members = childOf(element.struct, "member");
    const result: Record<string, XmlRpcValue> = {};
    if (Array.isArray(members))
      for (const member of members as Record<string, unknown>[])
        result[String(member.name)] = decodeValue(member.value);
    return result;
  }
  throw new XmlRpcParseError(`Unknown value type: ${Object.keys(element).join(",")}`);
}

/** Parse a `methodCall` body. Throws {@link XmlRpcParseError} when it is not one. */
export function parseCall(body: string): XmlRpcCall {
  let document: Record<string, unknown>;
  try {
    document = parser.parse(body, true) as Record<string, unknown>;
  } catch (error) {
    throw new XmlRpcParseError(`Not well formed: ${(error as Error).message}`);
  }
  const call = document.methodCall as Record<string, unknown> | undefined;
  if (!call || typeof call !== "object" || typeof call.methodName !== "string")
    throw new XmlRpcParseError("No methodCall/methodName");
  const list = childOf(call.params, "param");
  const params = Array.isArray(list) ? list.map((param) => decodeValue(childOf(param, "value"))) : [];
  return { method: call.methodName.trim(), params };
}

/** Python `xmlrpc.client.escape`: only `&`, `<`, `>`. */
function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function dump(value: XmlRpcValue, out: string[]): void {
  if (value === null) out.push("<value><nil/></value>");
  else if (typeof value === "boolean") out.push(`<value><boolean>${value ? 1 : 0}</boolean></value>\n`);
  else if (typeof value === "number") {
    if (Number.isInteger(value)) out.push(`<value><int>${value}</int></value>\n`);
    else out.push(`<value><double>${value}</double></value>\n`);
  } else if (typeof value === "string") out.push(`<value><string>${escapeXml(value)}</string></value>\n`);
  else if (Array.isArray(value)) {
    out.push("<value><array><data>\n");
    for (const item of value) dump(item, out);
    out.push("</data></array></value>\n");
  } else {
    out.push("<value><struct>\n");
    for (const [key, item] of Object.entries(value)) {
      out.push("<member>\n", `<name>${escapeXml(key)}</name>\n`);
      dump(item, out);
      out.push("</member>\n");
    }
    out.push("</struct></value>\n");
  }
}

/** A `methodResponse` carrying one value. */
export function encodeResponse(value: XmlRpcValue): string {
  const out = ["<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n"];
  dump(value, out);
  out.push("</param>\n</params>\n</methodResponse>\n");
  return out.join("");
}

/** A `methodResponse` carrying a fault. */
export function encodeFault(code: number, faultString: string): string {
  const out = ["<?xml version='1.0'?>\n<methodResponse>\n<fault>\n"];
  dump({ faultCode: code, faultString }, out);
  out.push("</fault>\n</methodResponse>\n");
  return out.join("");
}

/** Encode a call (for tests and scripts that talk to the simulator). */
export function encodeCall(method: string, params: readonly XmlRpcValue[] = []): string {
  const out = [
    `<?xml version='1.0'?>\n<methodCall>\n<methodName>${escapeXml(method)}</methodName>\n<params>\n`,
  ];
  for (const param of params) {
    out.push("<param>\n");
    dump(param, out);
    out.push("</param>\n");
  }
  out.push("</params>\n</methodCall>\n");
  return out.join("");
}

const DEPRECATION_URL = "https://warehouse.pypa.io/api-reference/xml-rpc.html#deprecated-methods";

/** Faults of PyPI's deprecated and removed methods (code -32500), by method name. */
export const DEPRECATED_METHODS: Readonly<Record<string, string>> = {
  changelog: "ValueError: The changelog method has been deprecated, use changelog_since_serial instead.",
  "system.multicall": "ValueError: MultiCall requests have been deprecated, use individual requests instead.",
  package_data: `RuntimeError: This API has been deprecated. See ${DEPRECATION_URL} for more information.`,
  package_urls: `RuntimeError: This API has been deprecated. See ${DEPRECATION_URL} for more information.`,
  top_packages: `RuntimeError: This API has been removed. Use BigQuery instead. See ${DEPRECATION_URL} for more information.`,
  search:
    "RuntimeError: PyPI no longer supports 'pip search' (or XML-RPC search). " +
    `Please use https://pypi.org/search (via a browser) instead. See ${DEPRECATION_URL} for more information.`,
  list_packages: `RuntimeError: PyPI no longer supports the XMLRPC list_packages method. Use Simple API instead. See ${DEPRECATION_URL} for more information.`,
  package_releases: `RuntimeError: PyPI no longer supports the XMLRPC package_releases method. Use JSON or Simple API instead. See ${DEPRECATION_URL} for more information.`,
  release_urls: `RuntimeError: PyPI no longer supports the XMLRPC release_urls method. Use JSON or Simple API instead. See ${DEPRECATION_URL} for more information.`,
  release_data: `RuntimeError: PyPI no longer supports the XMLRPC release_data method. Use JSON or Simple API instead. See ${DEPRECATION_URL} for more information.`,
};

/** Fault of an unknown method. */
export const METHOD_NOT_FOUND = new XmlRpcFault(-32601, "server error; requested method not found");

/** The rate-limit fault (sent with HTTP 200). */
export function rateLimitFault(resetSeconds: number): XmlRpcFault {
  return new XmlRpcFault(
    -32500,
    "HTTPTooManyRequests: The action could not be performed because there were too many requests by the client." +
      ` Limit may reset in ${resetSeconds} seconds.`,
  );
}
