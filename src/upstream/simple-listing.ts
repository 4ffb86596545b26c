/**
 * A streaming reader of the PEP 691 root listing (`/simple/`, ~40 MB and 800,000
 * entries at PyPI's size): bytes in, one `entry` call per element of `projects`
 * out, without building the document. Decoding matches `JSON.parse` of the whole
 * body after `TextDecoder("utf-8", { fatal: true })` and the nesting cap of
 * `json-safety.ts`: an element is either read directly (the common
 * `{"name": "<plain ASCII>", "_last-serial": <digits>}` in either order) or handed
 * to `JSON.parse` whole (escapes, surrogates, duplicate keys, anything odd), so
 * strings decode exactly as before. The errors rank as the whole-body reading
 * ranked them: invalid UTF-8 anywhere, then nesting deeper than the cap, then the
 * first syntax error (the rest of the body is still read to tell which applies).
 */

import { isUtf8 } from "node:buffer";
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  MAX_JSON_DEPTH,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
} from "./json-safety.ts";

/** What the listing scanner reports per element of `projects`. */
export interface ListingHandlers {
  /** A `projects` array begins; a document that repeats the key starts over (the last one counts, as in `JSON.parse`). */
  projectsStart(): void;
  /**
   * One element of `projects`. For an object, `name` and `lastSerial` are its
   * `name` and `_last-serial` members (undefined when absent); `element` is the
   * parsed element, or undefined when it held exactly a plain name and a serial.
   */
  entry(isObject: boolean, name: unknown, lastSerial: unknown, element: unknown): void;
}

/** The document around the entries, once the body has ended. */
export interface ListingDocument {
  /** Whether the top-level value is an object. */
  isObject: boolean;
  /** The parsed value of the top-level `meta` member (the last one), if any. */
  meta: unknown;
  /** The kind of the top-level `projects` member (the last one). */
  projects: "array" | "other" | "absent";
}

/** Why a listing body was refused; `reason` says which rule. */
export class ListingFormatError extends Error {
  constructor(
    message: string,
    readonly reason: "encoding" | "depth" | "syntax",
    /** Whether the body starts (after whitespace) with `<`: an HTML page rather than JSON. */
    readonly looksLikeMarkup = false,
  ) {
    super(message);
  }
}

const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const BOM = [0xef, 0xbb, 0xbf];
/** Returned by the element fast path: the buffer ends inside the element. */
const NEED_MORE = -1;
/** Returned by the element fast path: the element needs `JSON.parse`. */
const GENERAL = -2;
/** Past this many buffered bytes an unfinished element leaves the fast path (which restarts on every chunk). */
const FAST_PATH_WINDOW = 4096;
/** Enough of the body's start to tell an HTML page. */
const HEAD_BYTES = 1024;

const asciiBytes = (text: string) => new TextEncoder().encode(text);
const NAME_KEY = asciiBytes("name");
const SERIAL_KEY = asciiBytes("_last-serial");
const textDecoder = new TextDecoder();

type State =
  | "document"
  | "key-or-end"
  | "key"
  | "colon"
  | "member"
  | "member-end"
  | "element-or-end"
  | "element"
  | "element-end"
  | "after-document"
  | "failed";

/** Where a value that goes to `JSON.parse` whole is, and what is known of it so far. */
interface PendingValue {
  /** Offset up to which it has been scanned. */
  scanned: number;
  kind: "container" | "string" | "scalar";
  depth: number;
  inString: boolean;
  escaped: boolean;
  /** What completes it: a member's value, a key, an element, or the whole document. */
  role: "member" | "key" | "element" | "document";
}

/**
 * Scans a PEP 691 root listing chunk by chunk.
 *
 * @example
 * const scanner = new SimpleListingScanner({ projectsStart() {}, entry(isObject, name, lastSerial) {} });
 * scanner.push(bytes); // as often as needed
 * const { meta, projects } = scanner.end(); // throws ListingFormatError
 */
export class SimpleListingScanner {
  /** Bytes received and not yet consumed, from `start` to `filled`. */
  private buffer = new Uint8Array(64 * 1024);
  /** The same memory as a Buffer, for `toString` without a copy. */
  private view = Buffer.from(this.buffer.buffer);
  /** First byte not consumed yet (where a pending value starts, if there is one). */
  private start = 0;
  private filled = 0;
  /** Bytes dropped from the front of the buffer so far (for offsets in messages). */
  private dropped = 0;
  private state: State = "document";
  private pending: PendingValue | null = null;
  private key = "";
  private readonly document: ListingDocument = { isObject: false, meta: undefined, projects: "absent" };
  private syntaxError: string | null = null;
  private readonly utf8 = new Utf8Check();
  private readonly nesting = new NestingDepth(MAX_JSON_DEPTH);
  private head: Uint8Array = new Uint8Array(0);
  private total = 0;

  constructor(private readonly handlers: ListingHandlers) {}

  /** Feeds the next piece of the body. Never throws for bad content: `end` reports it. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.head.length < HEAD_BYTES) {
      this.head = concatBytes(this.head, chunk.subarray(0, HEAD_BYTES - this.head.length));
    }
    this.total += chunk.length;
    this.utf8.push(chunk);
    this.nesting.push(chunk);
    if (!this.utf8.valid || this.nesting.exceeded || this.state === "failed") {
      // Only the checks that outrank a syntax error still need the bytes.
      this.state = "failed";
      this.buffer = new Uint8Array(0);
      this.view = Buffer.from(this.buffer.buffer);
      this.start = this.filled = 0;
      return;
    }
    this.append(chunk);
    this.advance(false);
  }

  /** Ends the body; returns the document around the entries, or throws `ListingFormatError`. */
  end(): ListingDocument {
    this.utf8.end();
    if (!this.utf8.valid) throw new ListingFormatError("body is not valid UTF-8", "encoding");
    if (this.nesting.exceeded) {
      throw new ListingFormatError(`JSON nests deeper than ${MAX_JSON_DEPTH} levels`, "depth");
    }
    if (this.state !== "failed") this.advance(true);
    if (this.state !== "failed" && this.state !== "after-document") {
      this.fail(this.total === 0 ? "the body is empty" : `the body ends early, after ${this.total} bytes`);
    }
    if (this.syntaxError !== null) {
      const head = textDecoder.decode(this.head);
      throw new ListingFormatError(this.syntaxError, "syntax", /^\s*</.test(head));
    }
    return this.document;
  }

  // --- buffer -----------------------------------------------------------------

  /** Appends `chunk`, first dropping the consumed front (bytes before `start`) when room is needed. */
  private append(chunk: Uint8Array): void {
    const kept = this.filled - this.start;
    if (this.filled + chunk.length > this.buffer.length) {
      if (kept + chunk.length > this.buffer.length) {
        const grown = new Uint8Array(Math.max(kept + chunk.length, this.buffer.length * 2));
        grown.set(this.buffer.subarray(this.start, this.filled));
        this.buffer = grown;
        this.view = Buffer.from(grown.buffer);
      } else {
        this.buffer.copyWithin(0, this.start, this.filled);
      }
      this.shift(this.start);
    }
    this.buffer.set(chunk, this.filled);
    this.filled += chunk.length;
  }

  /** Moves every offset after dropping `count` bytes from the front. */
  private shift(count: number): void {
    this.dropped += count;
    this.start -= count;
    this.filled -= count;
    if (this.pending) this.pending.scanned -= count;
  }

  // --- grammar ------------------------------------------------------------------

  /** Consumes as much of the buffer as forms complete pieces; `atEnd` once no more bytes come. */
  private advance(atEnd: boolean): void {
    while (this.state !== "failed") {
      if (this.pending) {
        if (!this.finishPending(atEnd)) return;
        continue;
      }
      const position = this.skipSpace(this.start);
      if (position >= this.filled) {
        this.start = position;
        return;
      }
      const byte = this.buffer[position]!;
      switch (this.state) {
        case "document": {
          if (this.dropped === 0 && position === 0 && byte === BOM[0]) {
            // TextDecoder drops a leading byte order mark, so JSON.parse never saw one.
            if (this.filled < 3 && !atEnd) return;
            if (this.filled >= 3 && this.buffer[1] === BOM[1] && this.buffer[2] === BOM[2]) {
              this.start = 3;
              continue;
            }
          }
          if (byte === OPEN_BRACE) {
            this.document.isObject = true;
            this.start = position + 1;
            this.state = "key-or-end";
          } else {
            this.beginValue(position, "document");
          }
          break;
        }
        case "key-or-end":
        case "key": {
          if (byte === CLOSE_BRACE && this.state === "key-or-end") {
            this.start = position + 1;
            this.state = "after-document";
          } else if (byte === QUOTE) {
            this.beginValue(position, "key");
          } else {
            this.fail(`expected a member name at byte ${this.offset(position)}`);
          }
          break;
        }
        case "colon": {
          if (byte !== COLON) {
            this.fail(`expected ":" at byte ${this.offset(position)}`);
            break;
          }
          this.start = position + 1;
          this.state = "member";
          break;
        }
        case "member": {
          if (this.key === "projects" && byte === OPEN_BRACKET) {
            this.document.projects = "array";
            this.handlers.projectsStart();
            this.start = position + 1;
            this.state = "element-or-end";
          } else {
            this.beginValue(position, "member");
          }
          break;
        }
        case "member-end": {
          if (byte === COMMA) this.state = "key";
          else if (byte === CLOSE_BRACE) this.state = "after-document";
          else {
            this.fail(`expected "," or "}" at byte ${this.offset(position)}`);
            break;
          }
          this.start = position + 1;
          break;
        }
        case "element-or-end":
        case "element": {
          if (byte === CLOSE_BRACKET && this.state === "element-or-end") {
            this.start = position + 1;
            this.state = "member-end";
            break;
          }
          const after = byte === OPEN_BRACE ? this.readPlainElement(position) : GENERAL;
          if (after >= 0) {
            this.start = after;
            this.state = "element-end";
          } else if (after === NEED_MORE && !atEnd && this.filled - position <= FAST_PATH_WINDOW) {
            this.start = position;
            return;
          } else {
            this.beginValue(position, "element");
          }
          break;
        }
        case "element-end": {
          if (byte === COMMA) this.state = "element";
          else if (byte === CLOSE_BRACKET) this.state = "member-end";
          else {
            this.fail(`expected "," or "]" at byte ${this.offset(position)}`);
            break;
          }
          this.start = position + 1;
          break;
        }
        case "after-document":
          this.fail(`unexpected content after the document at byte ${this.offset(position)}`);
          break;
      }
    }
  }

  private beginValue(position: number, role: PendingValue["role"]): void {
    const byte = this.buffer[position]!;
    let kind: PendingValue["kind"];
    if (byte === OPEN_BRACE || byte === OPEN_BRACKET) kind = "container";
    else if (byte === QUOTE) kind = "string";
    else if (
      byte === MINUS ||
      (byte >= ZERO && byte <= NINE) ||
      byte === 0x74 ||
      byte === 0x66 ||
      byte === 0x6e
    ) {
      kind = "scalar"; // a number, true, false or null
    } else {
      this.fail(`unexpected ${describeByte(byte)} at byte ${this.offset(position)}`);
      return;
    }
    if (role === "key" && kind !== "string") {
      this.fail(`expected a member name at byte ${this.offset(position)}`);
      return;
    }
    this.start = position;
    this.pending = {
      scanned: position + 1,
      kind,
      depth: kind === "container" ? 1 : 0,
      inString: kind === "string",
      escaped: false,
      role,
    };
  }

  /** Scans the pending value on; once complete, parses it and moves on. Returns false to wait for bytes. */
  private finishPending(atEnd: boolean): boolean {
    const pending = this.pending!;
    const end = this.scanValue(pending);
    if (end < 0) {
      if (!atEnd) return false;
      if (pending.kind !== "scalar") {
        this.fail(`the body ends early, after ${this.total} bytes`);
        return true;
      }
    }
    const valueEnd = end < 0 ? this.filled : end;
    let value: unknown;
    try {
      value = JSON.parse(this.view.toString("utf8", this.start, valueEnd));
    } catch (error) {
      this.fail(`${(error as Error).message} in the value at byte ${this.offset(this.start)}`);
      return true;
    }
    this.pending = null;
    this.start = valueEnd;
    switch (pending.role) {
      case "key":
        this.key = value as string;
        this.state = "colon";
        break;
      case "member":
        if (this.key === "meta") this.document.meta = value;
        if (this.key === "projects") this.document.projects = "other";
        this.state = "member-end";
        break;
      case "element": {
        const isObject = typeof value === "object" && value !== null && !Array.isArray(value);
        const record = value as Record<string, unknown>;
        this.handlers.entry(
          isObject,
          isObject ? record["name"] : undefined,
          isObject ? record["_last-serial"] : undefined,
          value,
        );
        this.state = "element-end";
        break;
      }
      case "document":
        this.state = "after-document";
        break;
    }
    return true;
  }

  /** The offset just after the pending value, or -1 when the buffer ends first (state kept for the next call). */
  private scanValue(pending: PendingValue): number {
    const bytes = this.buffer;
    const end = this.filled;
    let position = pending.scanned;
    if (pending.kind === "scalar") {
      while (position < end && isScalarByte(bytes[position]!)) position++;
      pending.scanned = position;
      return position < end ? position : -1;
    }
    let { depth, inString, escaped } = pending;
    while (position < end) {
      const byte = bytes[position++]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (byte === BACKSLASH) escaped = true;
        else if (byte === QUOTE) {
          inString = false;
          if (pending.kind === "string") {
            pending.scanned = position;
            return position;
          }
        }
      } else if (byte === QUOTE) inString = true;
      else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
      else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        if (--depth === 0) {
          pending.scanned = position;
          return position;
        }
      }
    }
    pending.scanned = position;
    pending.depth = depth;
    pending.inString = inString;
    pending.escaped = escaped;
    return -1;
  }

  /**
   * Reads `{"name": "<plain>", "_last-serial": <digits>}` (either order, any JSON
   * whitespace) at `position` and reports it; returns the offset after it, NEED_MORE,
   * or GENERAL for anything else (escapes, non-ASCII, other members, other numbers).
   */
  private readPlainElement(position: number): number {
    const bytes = this.buffer;
    let name: string | undefined;
    let serial = -1;
    let at = position + 1;
    for (let member = 0; member < 2; member++) {
      at = this.skipSpace(at);
      if (member === 1) {
        if (at >= this.filled) return NEED_MORE;
        if (bytes[at] !== COMMA) return GENERAL;
        at = this.skipSpace(at + 1);
      }
      if (at >= this.filled) return NEED_MORE;
      if (bytes[at] !== QUOTE) return GENERAL;
      const keyEnd = this.plainStringEnd(at + 1);
      if (keyEnd < 0) return keyEnd;
      const isName = sameBytes(bytes, at + 1, keyEnd, NAME_KEY);
      if (!isName && !sameBytes(bytes, at + 1, keyEnd, SERIAL_KEY)) return GENERAL;
      at = this.skipSpace(keyEnd + 1);
      if (at >= this.filled) return NEED_MORE;
      if (bytes[at] !== COLON) return GENERAL;
      at = this.skipSpace(at + 1);
      if (at >= this.filled) return NEED_MORE;
      if (isName) {
        if (name !== undefined || bytes[at] !== QUOTE) return GENERAL;
        const nameEnd = this.plainStringEnd(at + 1);
        if (nameEnd < 0) return nameEnd;
        name = this.view.toString("latin1", at + 1, nameEnd);
        at = nameEnd + 1;
      } else {
        if (serial !== -1) return GENERAL;
        const digitsEnd = this.plainIntegerEnd(at);
        if (digitsEnd < 0) return digitsEnd;
        serial = 0;
        for (let index = at; index < digitsEnd; index++) serial = serial * 10 + (bytes[index]! - ZERO);
        at = digitsEnd;
      }
    }
    at = this.skipSpace(at);
    if (at >= this.filled) return NEED_MORE;
    if (bytes[at] !== CLOSE_BRACE) return GENERAL;
    this.handlers.entry(true, name, serial, undefined);
    return at + 1;
  }

  /** Offset of the closing quote of a string of printable ASCII without escapes starting at `position`. */
  private plainStringEnd(position: number): number {
    const bytes = this.buffer;
    for (let index = position; index < this.filled; index++) {
      const byte = bytes[index]!;
      if (byte === QUOTE) return index;
      if (byte < 0x20 || byte > 0x7f || byte === BACKSLASH) return GENERAL;
    }
    return NEED_MORE;
  }

  /** Offset after a JSON integer of 1–15 digits (safe, no sign, no leading zero) at `position`. */
  private plainIntegerEnd(position: number): number {
    const bytes = this.buffer;
    let index = position;
    while (index < this.filled && bytes[index]! >= ZERO && bytes[index]! <= NINE) index++;
    if (index >= this.filled) return NEED_MORE;
    const digits = index - position;
    if (digits === 0 || digits > 15 || (digits > 1 && bytes[position] === ZERO)) return GENERAL;
    if (isScalarByte(bytes[index]!)) return GENERAL; // a fraction or an exponent
    return index;
  }

  private skipSpace(position: number): number {
    const bytes = this.buffer;
    while (position < this.filled && isJsonSpace(bytes[position]!)) position++;
    return position;
  }

  private offset(position: number): number {
    return this.dropped + position;
  }

  private fail(message: string): void {
    this.syntaxError ??= `body is not valid JSON (${message})`;
    this.state = "failed";
    this.pending = null;
  }
}

function isJsonSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** Bytes a number or a literal can hold. */
function isScalarByte(byte: number): boolean {
  return (
    (byte >= ZERO && byte <= NINE) ||
    (byte >= 0x61 && byte <= 0x7a) ||
    (byte >= 0x41 && byte <= 0x5a) ||
    byte === MINUS ||
    byte === 0x2b ||
    byte === 0x2e
  );
}

function sameBytes(bytes: Uint8Array, start: number, end: number, expected: Uint8Array): boolean {
  if (end - start !== expected.length) return false;
  for (let index = 0; index < expected.length; index++) {
    if (bytes[start + index] !== expected[index]) return false;
  }
  return true;
}

function describeByte(byte: number): string {
  return byte >= 0x20 && byte < 0x7f
    ? JSON.stringify(String.fromCharCode(byte))
    : `byte 0x${byte.toString(16)}`;
}

function concatBytes(left: Uint8Array, right: Uint8Array): Uint8Array {
  const joined = new Uint8Array(left.length + right.length);
  joined.set(left);
  joined.set(right, left.length);
  return joined;
}

/** UTF-8 validity of a byte stream (`TextDecoder` `fatal` semantics), checked chunk by chunk. */
export class Utf8Check {
  valid = true;
  /** The start of a sequence the last chunk cut off. */
  private carry: Uint8Array = new Uint8Array(0);

  push(chunk: Uint8Array): void {
    if (!this.valid) return;
    let from = 0;
    if (this.carry.length > 0) {
      const needed = sequenceLength(this.carry[0]!) - this.carry.length;
      const taken = chunk.subarray(0, needed);
      const joined = concatBytes(this.carry, taken);
      if (taken.length < needed) {
        if (!taken.every(isContinuation)) this.valid = false;
        this.carry = joined;
        return;
      }
      if (!isUtf8(joined)) {
        this.valid = false;
        return;
      }
      from = taken.length;
      this.carry = new Uint8Array(0);
    }
    const cut = incompleteTail(chunk, from);
    if (!isUtf8(chunk.subarray(from, cut))) this.valid = false;
    else this.carry = chunk.slice(cut);
  }

  /** No more bytes: a sequence left open is invalid. */
  end(): void {
    if (this.carry.length > 0) this.valid = false;
  }
}

function isContinuation(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}

/** Bytes in a sequence with this lead byte (1 for bytes that cannot lead one: `isUtf8` refuses those). */
function sequenceLength(lead: number): number {
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  return 1;
}

/** Where a multi-byte sequence cut off by the end of `bytes` starts (`bytes.length` when none is). */
function incompleteTail(bytes: Uint8Array, from: number): number {
  for (let index = bytes.length - 1; index >= Math.max(from, bytes.length - 3); index--) {
    const byte = bytes[index]!;
    if (isContinuation(byte)) continue;
    return sequenceLength(byte) > bytes.length - index ? index : bytes.length;
  }
  return bytes.length;
}

/**
 * The deepest nesting of a byte stream, counted exactly as `jsonNestingDepth`
 * counts it (brackets outside strings, any syntax), chunk by chunk.
 */
export class NestingDepth {
  exceeded = false;
  private depth = 0;
  private inString = false;
  private escaped = false;

  constructor(private readonly limit: number) {}

  push(chunk: Uint8Array): void {
    if (this.exceeded) return;
    let { depth, inString, escaped } = this;
    for (let index = 0; index < chunk.length; index++) {
      if (escaped) {
        escaped = false;
        continue;
      }
      const byte = chunk[index]!;
      if (inString) {
        if (byte === BACKSLASH) escaped = true;
        else if (byte === QUOTE) inString = false;
      } else if (byte === QUOTE) inString = true;
      else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
        if (++depth > this.limit) {
          this.exceeded = true;
          return;
        }
      } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) depth--;
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
  }
}
