/**
 * XML-RPC for PyPI's three mirroring methods (`list_packages_with_serial`,
 * `changelog_last_serial`, `changelog_since_serial`), peers-and-protocol B.2.
 *
 * Answers are decoded with fast-xml-parser set up so it cannot corrupt or
 * expand anything: no entity processing (we decode character references
 * ourselves), no tag-value parsing (`"007"`, `"0x10"`, `"1e5"`, `"true"` stay
 * strings), bodies with `<!DOCTYPE`/`<!ENTITY` refused before parsing. The
 * project list (~61 MB, 700k members at PyPI's size) is never built as a tree:
 * it is scanned as it streams in (see `PackageListScanner`).
 */

import { XMLParser } from "fast-xml-parser";
import { UpstreamError } from "../errors.ts";
import {
  DEFAULT_JSON_MAX_BYTES,
  type HttpClient,
  type HttpStream,
  redactUrl,
  XMLRPC_MAX_BYTES,
} from "./http.ts";

/** A decoded XML-RPC value. Structs are Maps so no upstream key can touch a prototype. */
export type XmlRpcValue = string | number | boolean | null | XmlRpcValue[] | Map<string, XmlRpcValue>;

/** One `changelog_since_serial` event: `[name, version | null, timestamp, action, serial]`. */
export type ChangelogEvent = readonly [
  name: string,
  version: string | null,
  timestamp: number,
  action: string,
  serial: number,
];

/** A `<fault>` answer. `faultCode` -32601 means "method not found". */
export class XmlRpcFaultError extends UpstreamError {
  readonly faultCode: number;
  readonly faultString: string;
  constructor(
    message: string,
    fault: { faultCode: number; faultString: string },
    options: { retryable?: boolean; retryAfterSeconds?: number } = {},
  ) {
    super(message, options);
    this.faultCode = fault.faultCode;
    this.faultString = fault.faultString;
  }
}

/** The part of an XML-RPC client the change feed needs (a fake is enough in tests). */
export interface XmlRpcApi {
  /** Where the calls go, for messages. */
  readonly endpoint: string;
  listPackagesWithSerial(): Promise<Map<string, number>>;
  changelogLastSerial(): Promise<number>;
  changelogSinceSerial(serial: number): Promise<ChangelogEvent[]>;
}

// --- encoding ---------------------------------------------------------------

/** Escapes text for XML element content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}

const XML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};
const METHOD_NAME = /^[A-Za-z0-9_.:/]+$/;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * A `<methodCall>` document, laid out as Python's `xmlrpc.client.dumps` does.
 * Integers outside int32 are sent as `<i8>`.
 *
 * @example encodeMethodCall("changelog_since_serial", [24891357])
 */
export function encodeMethodCall(
  method: string,
  params: readonly (number | string | boolean)[] = [],
): string {
  if (!METHOD_NAME.test(method)) throw new TypeError(`Invalid XML-RPC method name ${JSON.stringify(method)}`);
  const encoded = params.map((param) => `<param>\n<value>${encodeParam(param)}</value>\n</param>\n`).join("");
  return `<?xml version='1.0'?>\n<methodCall>\n<methodName>${method}</methodName>\n<params>\n${encoded}</params>\n</methodCall>\n`;
}

function encodeParam(param: number | string | boolean): string {
  if (typeof param === "boolean") return `<boolean>${param ? 1 : 0}</boolean>`;
  if (typeof param === "string") return `<string>${escapeXml(param)}</string>`;
  if (!Number.isSafeInteger(param)) throw new TypeError(`XML-RPC integer parameter expected, got ${param}`);
  return param >= INT32_MIN && param <= INT32_MAX ? `<int>${param}</int>` : `<i8>${param}</i8>`;
}

// --- text decoding ----------------------------------------------------------

const CHARACTER_REFERENCE = /&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|(amp|lt|gt|quot|apos));/g;
const NAMED_REFERENCES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/**
 * Decodes the five predefined XML entities and numeric character references;
 * any other `&` (unknown entity, bad reference, a code point XML forbids) is
 * refused with an `Error` naming it.
 *
 * @example decodeXmlText("a&amp;b&#38;&#x41;") // "a&b&A"
 */
export function decodeXmlText(text: string): string {
  if (!text.includes("&")) return text;
  const decoded = text.replace(
    CHARACTER_REFERENCE,
    (reference, hex?: string, decimal?: string, named?: string) => {
      if (named) return NAMED_REFERENCES[named]!;
      const codePoint = hex !== undefined ? Number.parseInt(hex, 16) : Number(decimal);
      if (!isXmlCharacter(codePoint)) {
        throw new Error(`character reference ${reference} names a code point XML forbids`);
      }
      return String.fromCodePoint(codePoint);
    },
  );
  // Every remaining `&` came from a reference we decoded only if the original had none left over.
  const leftover = text.replace(CHARACTER_REFERENCE, "");
  const ampersand = leftover.indexOf("&");
  if (ampersand !== -1) {
    throw new Error(
      `unsupported entity or stray '&' near ${JSON.stringify(leftover.slice(ampersand, ampersand + 12))}`,
    );
  }
  return decoded;
}

function isXmlCharacter(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}

// --- generic response decoding ----------------------------------------------

const DECLARATION_OR_ENTITY = /<!(?:DOCTYPE|ENTITY)/i;
const ARRAY_TAGS = new Set(["value", "member", "param"]);

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (tagName) => ARRAY_TAGS.has(tagName),
});

/** Why an XML-RPC body could not be decoded; the caller adds method and URL. */
export class XmlRpcFormatError extends Error {}

/**
 * Decodes a `<methodResponse>`: the returned value, or an `XmlRpcFaultError` thrown
 * for a `<fault>`. Throws `XmlRpcFormatError` for a body that is not XML-RPC,
 * or that carries a DOCTYPE or entity declaration.
 *
 * @example decodeMethodResponse("<methodResponse><params><param><value><int>7</int></value></param></params></methodResponse>") // 7
 */
export function decodeMethodResponse(xml: string, context = "XML-RPC answer"): XmlRpcValue {
  if (DECLARATION_OR_ENTITY.test(xml)) {
    throw new XmlRpcFormatError("body has a DOCTYPE or ENTITY declaration");
  }
  let document: unknown;
  try {
    document = parser.parse(xml, true);
  } catch (error) {
    throw new XmlRpcFormatError(`not well-formed XML (${firstLine(error)})`);
  }
  const root = field(document, "methodResponse");
  if (root === undefined) throw new XmlRpcFormatError("no <methodResponse> element");
  const fault = field(root, "fault");
  if (fault !== undefined) throw faultError(decodeValue(onlyValue(fault)), context);
  const params = field(root, "params");
  const param = field(params, "param");
  if (!Array.isArray(param) || param.length !== 1) {
    throw new XmlRpcFormatError("expected exactly one <param>");
  }
  return decodeValue(onlyValue(param[0]));
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
}

function field(node: unknown, name: string): unknown {
  if (typeof node !== "object" || node === null || Array.isArray(node)) return undefined;
  return Object.hasOwn(node, name) ? (node as Record<string, unknown>)[name] : undefined;
}

function onlyValue(container: unknown): unknown {
  const values = field(container, "value");
  if (!Array.isArray(values) || values.length !== 1) {
    throw new XmlRpcFormatError("expected exactly one <value>");
  }
  return values[0];
}

function text(node: unknown, what: string): string {
  if (typeof node !== "string") throw new XmlRpcFormatError(`<${what}> must hold text`);
  try {
    return decodeXmlText(node);
  } catch (error) {
    throw new XmlRpcFormatError(`<${what}>: ${firstLine(error)}`);
  }
}

const INTEGER_TEXT = /^[+-]?\d{1,19}$/;

function integer(raw: string, what: string): number {
  if (!INTEGER_TEXT.test(raw)) {
    throw new XmlRpcFormatError(`<${what}> holds ${JSON.stringify(raw.slice(0, 40))}, not an integer`);
  }
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new XmlRpcFormatError(`<${what}> ${raw} is out of range`);
  return value;
}

/** Decodes one `<value>` node as fast-xml-parser produced it. */
function decodeValue(node: unknown, depth = 0): XmlRpcValue {
  if (depth > 32) throw new XmlRpcFormatError("values nest deeper than 32 levels");
  // `<value>text</value>`: a string (XML-RPC's default type).
  if (typeof node === "string") return text(node, "value");
  if (typeof node !== "object" || node === null || Array.isArray(node)) {
    throw new XmlRpcFormatError("malformed <value>");
  }
  const keys = Object.keys(node);
  if (keys.length !== 1) {
    throw new XmlRpcFormatError(`<value> must hold one typed element, found ${JSON.stringify(keys)}`);
  }
  const type = keys[0]!;
  const inner = (node as Record<string, unknown>)[type];
  switch (type) {
    case "int":
    case "i4":
    case "i8":
      return integer(text(inner, type).trim(), type);
    case "boolean": {
      const raw = text(inner, type).trim();
      if (raw !== "0" && raw !== "1") throw new XmlRpcFormatError(`<boolean> holds ${JSON.stringify(raw)}`);
      return raw === "1";
    }
    case "string":
    case "dateTime.iso8601":
    case "base64":
      return text(inner, type);
    case "double": {
      const raw = text(inner, type).trim();
      const value = Number(raw);
      if (raw === "" || !Number.isFinite(value)) {
        throw new XmlRpcFormatError(`<double> holds ${JSON.stringify(raw)}`);
      }
      return value;
    }
    case "nil":
      return null;
    case "array": {
      if (inner === "") throw new XmlRpcFormatError("<array> without <data>");
      const data = field(inner, "data");
      if (data === "") return [];
      if (data === undefined) throw new XmlRpcFormatError("<array> without <data>");
      const values = field(data, "value");
      if (values === undefined) return [];
      if (!Array.isArray(values)) throw new XmlRpcFormatError("malformed <data>");
      return values.map((value) => decodeValue(value, depth + 1));
    }
    case "struct": {
      const struct = new Map<string, XmlRpcValue>();
      if (inner === "") return struct;
      const members = field(inner, "member");
      if (!Array.isArray(members)) throw new XmlRpcFormatError("malformed <struct>");
      for (const member of members) {
        struct.set(text(field(member, "name"), "name"), decodeValue(onlyValue(member), depth + 1));
      }
      return struct;
    }
    default:
      throw new XmlRpcFormatError(`unknown XML-RPC type <${type}>`);
  }
}

const RATE_LIMIT_RESET = /Limit may reset in (\d+) seconds/;

function faultError(fault: XmlRpcValue, context: string): XmlRpcFaultError {
  if (!(fault instanceof Map)) throw new XmlRpcFormatError("<fault> must hold a struct");
  const faultCode = fault.get("faultCode");
  const faultString = fault.get("faultString");
  if (typeof faultCode !== "number" || typeof faultString !== "string") {
    throw new XmlRpcFormatError("<fault> lacks faultCode/faultString");
  }
  // One line, no control characters: the text reaches logs and terminals.
  const oneLine = faultString.replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, " ").trim();
  // PyPI's rate limit arrives as fault -32500 "HTTPTooManyRequests: ... Limit may reset in N seconds."
  const rateLimited = /TooManyRequests/.test(faultString);
  const reset = RATE_LIMIT_RESET.exec(faultString);
  return new XmlRpcFaultError(
    `${context}: XML-RPC fault ${faultCode}: ${oneLine}`,
    { faultCode, faultString },
    { retryable: rateLimited, retryAfterSeconds: reset ? Number(reset[1]) : undefined },
  );
}

// --- streaming scan of list_packages_with_serial ------------------------------

const PROLOG = /^\s*(?:<\?xml[^>]*\?>)?\s*<methodResponse>\s*/y;
const STRUCT_START = /<params>\s*<param>\s*<value>\s*<struct>/y;
const EMPTY_STRUCT =
  /<params>\s*<param>\s*<value>\s*<struct\s*\/>\s*<\/value>\s*<\/param>\s*<\/params>\s*<\/methodResponse>\s*$/y;
const STRUCT_END = /^\s*<\/struct>\s*<\/value>\s*<\/param>\s*<\/params>\s*<\/methodResponse>\s*$/;
/** Longer than any well-formed member can be; past this without one complete the body is malformed. */
const MAX_MEMBER_BYTES = 64 * 1024;
const MAX_PROLOG_BYTES = 4096;
const MAX_FAULT_BYTES = 1024 * 1024;

/** Returned by the byte matchers: the chunk ended inside the construct. */
const NEED_MORE = -1;
/** Returned by the byte matchers: the bytes are something else. */
const MISMATCH = -2;

const asciiBytes = (text: string) => new TextEncoder().encode(text);
const MEMBER_OPEN = asciiBytes("<member>");
const MEMBER_CLOSE = asciiBytes("</member>");
const NAME_OPEN = asciiBytes("<name>");
const NAME_CLOSE = asciiBytes("</name>");
const VALUE_OPEN = asciiBytes("<value>");
const VALUE_CLOSE = asciiBytes("</value>");
const INT_TAGS = ["int", "i4", "i8"].map((tag) => ({
  tag,
  open: asciiBytes(`<${tag}>`),
  close: asciiBytes(`</${tag}>`),
}));
const LESS_THAN = 0x3c;

function isXmlSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function skipSpace(bytes: Uint8Array, position: number): number {
  while (position < bytes.length && isXmlSpace(bytes[position]!)) position++;
  return position;
}

/** Position after `literal` at `position`, or NEED_MORE / MISMATCH. */
function matchLiteral(bytes: Uint8Array, position: number, literal: Uint8Array): number {
  for (let index = 0; index < literal.length; index++) {
    if (position + index >= bytes.length) return NEED_MORE;
    if (bytes[position + index] !== literal[index]) return MISMATCH;
  }
  return position + literal.length;
}

const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Scans a `list_packages_with_serial` answer chunk by chunk without building a
 * tree or keeping the body: bytes are matched against exactly
 * `<member><name>…</name><value><int>…</int></value></member>` (whitespace between
 * tags allowed, `<i4>`/`<i8>` too), one member after another, so anything out of
 * that shape is an error rather than something silently skipped. Names get only
 * character references decoded (`decodeXmlText`). Memory stays at the size of the
 * resulting Map plus one partial member. (A regular expression over decoded text
 * was as fast but peaked ~80 MB higher: JavaScriptCore substrings pin their parent chunk.)
 *
 * @example
 * const scanner = new PackageListScanner();
 * scanner.push(bytes); // as often as needed
 * const serials = scanner.end(); // Map<display name, serial>
 */
export class PackageListScanner {
  private pending: Buffer = Buffer.alloc(0);
  private state: "prolog" | "members" | "fault" | "done" = "prolog";
  private consumed = 0;
  private readonly serials = new Map<string, number>();

  /** Feeds the next piece of the body. Throws `XmlRpcFormatError` as soon as the body goes wrong. */
  push(chunk: Uint8Array): void {
    this.pending =
      this.pending.length === 0
        ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
        : Buffer.concat([this.pending, chunk]);
    this.advance(false);
  }

  /** Ends the body; returns display name → serial, or throws (fault, truncation, malformed tail). */
  end(context = "list_packages_with_serial"): Map<string, number> {
    this.advance(true);
    if (this.state === "fault") {
      let text: string;
      try {
        text = utf8.decode(this.pending);
      } catch {
        throw new XmlRpcFormatError("fault answer is not valid UTF-8");
      }
      decodeMethodResponse(text, context);
      throw new XmlRpcFormatError("<fault> without a fault");
    }
    if (this.state !== "done") {
      throw new XmlRpcFormatError(`body ends early, after ${this.consumed + this.pending.length} bytes`);
    }
    return this.serials;
  }

  private advance(atEnd: boolean): void {
    if (this.state === "prolog") this.readProlog(atEnd);
    if (this.state === "members") this.readMembers(atEnd);
    if (this.state === "fault" && this.pending.length > MAX_FAULT_BYTES) {
      throw new XmlRpcFormatError(`fault answer longer than ${MAX_FAULT_BYTES} bytes`);
    }
  }

  private readProlog(atEnd: boolean): void {
    // windows-1252 decodes one byte to one character, so string offsets are byte offsets here.
    const head = latin1.decode(this.pending.subarray(0, MAX_PROLOG_BYTES * 2));
    if (DECLARATION_OR_ENTITY.test(head)) {
      throw new XmlRpcFormatError("body has a DOCTYPE or ENTITY declaration");
    }
    PROLOG.lastIndex = 0;
    if (!PROLOG.exec(head)) {
      if (atEnd || head.length > MAX_PROLOG_BYTES) throw new XmlRpcFormatError("no <methodResponse> element");
      return;
    }
    const position = PROLOG.lastIndex;
    if (head.startsWith("<fault>", position)) {
      this.state = "fault";
      return;
    }
    STRUCT_START.lastIndex = position;
    if (STRUCT_START.exec(head)) {
      this.consume(STRUCT_START.lastIndex);
      this.state = "members";
      return;
    }
    EMPTY_STRUCT.lastIndex = position;
    if (atEnd && EMPTY_STRUCT.exec(head)) {
      this.consume(this.pending.length);
      this.state = "done";
      return;
    }
    if (atEnd || head.length - position > MAX_PROLOG_BYTES) {
      throw new XmlRpcFormatError("answer is not a struct of names to serials");
    }
  }

  private readMembers(atEnd: boolean): void {
    const bytes = this.pending;
    let position = 0;
    while (true) {
      const next = this.readMember(bytes, position);
      if (next < 0) break;
      position = next;
    }
    this.consume(position);
    if (atEnd) {
      const tail = latin1.decode(this.pending.subarray(0, MAX_PROLOG_BYTES));
      if (!tail.includes("</methodResponse>")) {
        throw new XmlRpcFormatError(
          `body ends early, after ${this.consumed + this.pending.length} bytes and ${this.serials.size} members`,
        );
      }
      if (!STRUCT_END.test(tail)) throw this.malformed(0);
      this.consume(this.pending.length);
      this.state = "done";
    } else if (this.pending.length > MAX_MEMBER_BYTES) throw this.malformed(0);
  }

  /** Reads one member at `start` into the map; returns the position after it, or NEED_MORE / MISMATCH. */
  private readMember(bytes: Buffer, start: number): number {
    let position = matchLiteral(bytes, skipSpace(bytes, start), MEMBER_OPEN);
    if (position < 0) return position;
    position = matchLiteral(bytes, skipSpace(bytes, position), NAME_OPEN);
    if (position < 0) return this.checked(position, start);
    const nameStart = position;
    const nameEnd = bytes.indexOf(LESS_THAN, nameStart);
    if (nameEnd === -1) return NEED_MORE;
    position = matchLiteral(bytes, nameEnd, NAME_CLOSE);
    if (position < 0) return this.checked(position, start);
    position = matchLiteral(bytes, skipSpace(bytes, position), VALUE_OPEN);
    if (position < 0) return this.checked(position, start);
    position = skipSpace(bytes, position);
    let closeTag: Uint8Array | undefined;
    let tagName = "int";
    for (const { tag, open, close } of INT_TAGS) {
      const after = matchLiteral(bytes, position, open);
      if (after === NEED_MORE) return NEED_MORE;
      if (after >= 0) {
        position = after;
        closeTag = close;
        tagName = tag;
        break;
      }
    }
    if (!closeTag) return this.checked(MISMATCH, start);
    const digitsStart = skipSpace(bytes, position);
    const digitsEnd = bytes.indexOf(LESS_THAN, digitsStart);
    if (digitsEnd === -1) return NEED_MORE;
    const serial = parseSerial(bytes, digitsStart, digitsEnd);
    if (serial === null) {
      throw new XmlRpcFormatError(
        `member at byte ${this.consumed + start} has a <${tagName}> that is not a serial`,
      );
    }
    position = matchLiteral(bytes, digitsEnd, closeTag);
    if (position < 0) return this.checked(position, start);
    position = matchLiteral(bytes, skipSpace(bytes, position), VALUE_CLOSE);
    if (position < 0) return this.checked(position, start);
    position = matchLiteral(bytes, skipSpace(bytes, position), MEMBER_CLOSE);
    if (position < 0) return this.checked(position, start);
    this.serials.set(this.decodeName(bytes, nameStart, nameEnd, start), serial);
    return position;
  }

  /** NEED_MORE passes through; a mismatch inside a member is an error. */
  private checked(result: number, start: number): number {
    if (result === MISMATCH) throw this.malformed(start);
    return result;
  }

  private decodeName(bytes: Buffer, nameStart: number, nameEnd: number, start: number): string {
    // Buffer#toString(encoding, start, end) makes the string without a view object per member.
    const name = bytes.toString("utf8", nameStart, nameEnd);
    if (name.includes("\uFFFD")) {
      throw new XmlRpcFormatError(
        `member at byte ${this.consumed + start} has a name that is not valid UTF-8`,
      );
    }
    if (!name.includes("&")) return name;
    try {
      return decodeXmlText(name);
    } catch (error) {
      throw new XmlRpcFormatError(`member name ${JSON.stringify(name.slice(0, 80))}: ${firstLine(error)}`);
    }
  }

  private consume(count: number): void {
    if (count === 0) return;
    this.consumed += count;
    // Copy the small tail so the big chunk it came from can be freed.
    this.pending = Buffer.from(this.pending.subarray(count));
  }

  private malformed(offset: number): XmlRpcFormatError {
    const near = latin1.decode(this.pending.subarray(offset, offset + 60)).trim();
    return new XmlRpcFormatError(
      `unexpected content at byte ${this.consumed + offset} (${JSON.stringify(near)}), after ${this.serials.size} members`,
    );
  }
}

/** Digits (optional `+`, trailing whitespace) in `bytes[start, end)` as a safe integer, or null. No allocation. */
function parseSerial(bytes: Uint8Array, start: number, end: number): number | null {
  while (end > start && isXmlSpace(bytes[end - 1]!)) end--;
  if (start < end && bytes[start] === 0x2b) start++;
  if (start === end || end - start > 16) return null;
  let value = 0;
  for (let index = start; index < end; index++) {
    const digit = bytes[index]! - 0x30;
    if (digit < 0 || digit > 9) return null;
    value = value * 10 + digit;
  }
  return Number.isSafeInteger(value) ? value : null;
}

// --- client -----------------------------------------------------------------

export interface XmlRpcClientOptions {
  /** Cap for answers decoded as a tree (a full changelog page is ~15–30 MB). Default 64 MiB. */
  maxBytes?: number;
  /** Cap for the streamed `list_packages_with_serial` answer (~61 MB at PyPI's size). Default 512 MiB. */
  listMaxBytes?: number;
}

/**
 * The three mirroring methods over an `HttpClient`. Errors are `UpstreamError`s
 * naming method and endpoint; faults are `XmlRpcFaultError`s; a body that is not
 * XML-RPC is a non-retryable `UpstreamError`.
 *
 * @example
 * const rpc = new XmlRpcClient(http, "https://pypi.org/pypi");
 * const events = await rpc.changelogSinceSerial(24891357);
 */
export class XmlRpcClient implements XmlRpcApi {
  constructor(
    private readonly http: HttpClient,
    readonly endpoint: string,
    private readonly options: XmlRpcClientOptions = {},
  ) {}

  /** Calls `method` and decodes the whole answer as a tree (for small answers). */
  async call(method: string, params: readonly (number | string | boolean)[] = []): Promise<XmlRpcValue> {
    // A tree costs ~25× the body in memory: keep the cap far below the streamed list's.
    const response = await this.http.postXml(this.endpoint, encodeMethodCall(method, params), {
      maxBytes: this.options.maxBytes ?? DEFAULT_JSON_MAX_BYTES,
    });
    const context = this.context(method);
    try {
      return decodeMethodResponse(response.body, context);
    } catch (error) {
      throw this.wrap(error, context);
    }
  }

  /** `list_packages_with_serial()`: display name → last serial, scanned as it streams in. */
  async listPackagesWithSerial(): Promise<Map<string, number>> {
    const method = "list_packages_with_serial";
    const context = this.context(method);
    const stream: HttpStream = await this.http.openXml(this.endpoint, encodeMethodCall(method), {
      maxBytes: this.options.listMaxBytes ?? XMLRPC_MAX_BYTES,
    });
    const scanner = new PackageListScanner();
    try {
      for await (const chunk of stream.chunks()) scanner.push(chunk);
      return scanner.end(context);
    } catch (error) {
      await stream.cancel();
      throw this.wrap(error, context);
    }
  }

  /** `changelog_last_serial()`: the newest journal serial. */
  async changelogLastSerial(): Promise<number> {
    const method = "changelog_last_serial";
    const value = await this.call(method);
    if (typeof value !== "number" || value < 0) {
      throw new UpstreamError(
        `${this.context(method)}: expected a non-negative integer, got ${describe(value)}`,
      );
    }
    return value;
  }

  /** `changelog_since_serial(serial)`: events with a serial above `serial`, ascending (PyPI: at most 50,000). */
  async changelogSinceSerial(serial: number): Promise<ChangelogEvent[]> {
    const method = "changelog_since_serial";
    const value = await this.call(method, [serial]);
    const context = this.context(method);
    if (!Array.isArray(value)) {
      throw new UpstreamError(`${context}: expected an array, got ${describe(value)}`);
    }
    return value.map((event, index) => toChangelogEvent(event, index, context));
  }

  private context(method: string): string {
    return `${method} at ${redactUrl(this.endpoint)}`;
  }

  private wrap(error: unknown, context: string): Error {
    if (error instanceof XmlRpcFormatError) {
      return new UpstreamError(`${context}: ${error.message}`, { cause: error });
    }
    return error as Error;
  }
}

function describe(value: XmlRpcValue): string {
  if (value instanceof Map) return "a struct";
  if (Array.isArray(value)) return "an array";
  return JSON.stringify(value)?.slice(0, 60) ?? String(value);
}

function toChangelogEvent(event: XmlRpcValue, index: number, context: string): ChangelogEvent {
  const bad = (rule: string) => new UpstreamError(`${context}: event ${index} ${rule}`);
  if (!Array.isArray(event) || event.length !== 5) throw bad("is not a 5-element array");
  const [name, version, timestamp, action, serial] = event;
  if (typeof name !== "string") throw bad("has a non-string name");
  if (version !== null && typeof version !== "string") {
    throw bad("has a version that is neither string nor nil");
  }
  if (typeof timestamp !== "number") throw bad("has a non-integer timestamp");
  if (typeof action !== "string") throw bad("has a non-string action");
  if (typeof serial !== "number" || serial < 0) throw bad("has a bad serial");
  return [name, version, timestamp, action, serial];
}
