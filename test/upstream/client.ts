/**
 * A tiny XML-RPC client for tests that talk to the simulator (independent of the
 * simulator's own marshalling code, apart from encoding the call).
 */
import { XMLParser } from "fast-xml-parser";
import { encodeCall, type XmlRpcValue } from "./xmlrpc.ts";

/** The answer to a call: a value, or a fault. */
export type XmlRpcResult =
  | { value: XmlRpcValue; fault?: undefined }
  | { fault: { faultCode: number; faultString: string }; value?: undefined };

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  processEntities: true,
  ignoreDeclaration: true,
  trimValues: false,
  isArray: (_name, jpath) => {
    const path = String(jpath);
    return path.endsWith(".member") || path.endsWith(".data.value");
  },
});

function decode(node: unknown): XmlRpcValue {
  if (typeof node === "string") return node;
  const element = (node ?? {}) as Record<string, unknown>;
  if ("int" in element) return Number(element.int);
  if ("string" in element) return String(element.string);
  if ("nil" in element) return null;
  if ("boolean" in element) return element.boolean === "1";
  if ("array" in element) {
    const data = (element.array as Record<string, unknown>).data;
    const values = typeof data === "object" && data ? (data as Record<string, unknown>).value : [];
    return Array.isArray(values) ? values.map(decode) : [];
  }
  if ("struct" in element) {
    const result: Record<string, XmlRpcValue> = {};
    const members = (element.struct as Record<string, unknown>).member;
    for (const member of (Array.isArray(members) ? members : []) as Record<string, unknown>[])
      result[String(member.name)] = decode(member.value);
    return result;
  }
  throw new Error(`unexpected XML-RPC value ${JSON.stringify(node)}`);
}

/** Decode a `methodResponse` body. */
export function decodeResponse(body: string): XmlRpcResult {
  const document = parser.parse(body) as { methodResponse: Record<string, unknown> };
  const response = document.methodResponse;
  if ("fault" in response) {
    const fault = decode((response.fault as Record<string, unknown>).value) as Record<string, XmlRpcValue>;
    return { fault: { faultCode: fault.faultCode as number, faultString: fault.faultString as string } };
  }
  const param = ((response.params as Record<string, unknown>).param as Record<string, unknown>).value;
  return { value: decode(param) };
}

/** POST an XML-RPC call and decode the answer. */
export async function callXmlRpc(
  url: string,
  method: string,
  params: XmlRpcValue[] = [],
): Promise<XmlRpcResult & { status: number; text: string }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "text/xml" },
    body: encodeCall(method, params),
  });
  const text = await response.text();
  return { ...decodeResponse(text), status: response.status, text };
}

/** Parsed JSON in test assertions, which walk arbitrary documents. */
// biome-ignore lint/suspicious/noExplicitAny: assertions on arbitrary JSON documents
export type AnyJson = any;
