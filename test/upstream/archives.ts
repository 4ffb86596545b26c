/**
 * Minimal, deterministic writers for the archive formats Python packaging uses: zip
 * (wheels) and gzip-compressed ustar (sdists). No dependencies: Bun's raw deflate and CRC-32.
 */

const encoder = new TextEncoder();

/** One member of a zip archive. */
export interface ZipEntry {
  name: string;
  data: Uint8Array | string;
}

/** DOS date of 1980-01-01 (the zip epoch); every member gets it, so archives are reproducible. */
const DOS_DATE_1980 = (0 << 9) | (1 << 5) | 1;
/** Unix mode 0644 for a regular file, in the high half of the external attributes. */
const UNIX_FILE_ATTRIBUTES = (0o100644 << 16) >>> 0;

/**
 * Build a zip archive. Members are deflated when that makes them smaller, stored otherwise.
 *
 * @example buildZip([{ name: "pkg/__init__.py", data: "x = 1\n" }])
 */
export function buildZip(entries: readonly ZipEntry[]): Uint8Array {
  const localParts: Uint8Array[] = [];
  const centralParts: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = encoder.encode(entry.name);
    const data = typeof entry.data === "string" ? encoder.encode(entry.data) : entry.data;
    const crc = Bun.hash.crc32(data) >>> 0;
    const deflated = Bun.deflateSync(data as Uint8Array<ArrayBuffer>);
    const useDeflate = deflated.byteLength < data.byteLength;
    const stored = useDeflate ? deflated : data;
    const method = useDeflate ? 8 : 0;
    const flags = /[^\x20-\x7e]/.test(entry.name) ? 0x0800 : 0; // bit 11: UTF-8 name

    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);
    local.setUint16(6, flags, true);
    local.setUint16(8, method, true);
    local.setUint16(10, 0, true);
    local.setUint16(12, DOS_DATE_1980, true);
    local.setUint32(14, crc, true);
    local.setUint32(18, stored.byteLength, true);
    local.setUint32(22, data.byteLength, true);
    local.setUint16(26, name.byteLength, true);
    local.setUint16(28, 0, true);

    const central = new DataView(new ArrayBuffer(46));
    central.setUint32(0, 0x02014b50, true);
    central.setUint16(4, 0x031e, true); // made by: Unix, zip 3.0
    central.setUint16(6, 20, true);
    central.setUint16(8, flags, true);
    central.setUint16(10, method, true);
    central.setUint16(12, 0, true);
    central.setUint16(14, DOS_DATE_1980, true);
    central.setUint32(16, crc, true);
    central.setUint32(20, stored.byteLength, true);
    central.setUint32(24, data.byteLength, true);
    central.setUint16(28, name.byteLength, true);
    central.setUint32(38, UNIX_FILE_ATTRIBUTES, true);
    central.setUint32(42, offset, true);

    localParts.push(new Uint8Array(local.buffer), name, stored);
    centralParts.push(new Uint8Array(central.buffer), name);
    offset += 30 + name.byteLength + stored.byteLength;
  }
  const centralSize = centralParts.reduce((sum, part) => sum + part.byteLength, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, entries.length, true);
  end.setUint16(10, entries.length, true);
  end.setUint32(12, centralSize, true);
  end.setUint32(16, offset, true);
  return concatBytes([...localParts, ...centralParts, new Uint8Array(end.buffer)]);
}

/** One regular file in a tar archive. */
export interface TarEntry {
  name: string;
  data: Uint8Array | string;
}

/** Fixed modification time of every tar member (2024-01-01T00:00:00Z), for reproducible sdists. */
const TAR_MTIME = 1_704_067_200;

/**
 * Build a POSIX ustar archive (uncompressed) of regular files, with mode 0644 and a fixed mtime.
 * Names longer than 100 bytes are split into the ustar prefix field.
 */
export function buildTar(entries: readonly TarEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    const data = typeof entry.data === "string" ? encoder.encode(entry.data) : entry.data;
    parts.push(tarHeader(entry.name, data.byteLength), data);
    const padding = (512 - (data.byteLength % 512)) % 512;
    if (padding > 0) parts.push(new Uint8Array(padding));
  }
  parts.push(new Uint8Array(1024)); // two zero blocks end the archive
  return concatBytes(parts);
}

function tarHeader(path: string, size: number): Uint8Array {
  const header = new Uint8Array(512);
  let name = path;
  let prefix = "";
  if (encoder.encode(path).byteLength > 100) {
    const split = path.lastIndexOf("/", 155);
    if (split <= 0) throw new Error(`Tar member name too long: ${path}`);
    prefix = path.slice(0, split);
    name = path.slice(split + 1);
  }
  const put = (text: string, at: number, length: number) => {
    header.set(encoder.encode(text).subarray(0, length), at);
  };
  const octal = (value: number, length: number) => `${value.toString(8).padStart(length - 1, "0")}\0`;
  put(name, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(TAR_MTIME, 12), 136, 12);
  put("        ", 148, 8); // checksum field counts as spaces while summing
  put("0", 156, 1);
  put("ustar\u000000", 257, 8);
  put("root", 265, 32);
  put("root", 297, 32);
  put(prefix, 345, 155);
  let checksum = 0;
  for (const byte of header) checksum += byte;
  put(`${checksum.toString(8).padStart(6, "0")}\0 `, 148, 8);
  return header;
}

/** gzip (RFC 1952) with mtime 0 and no file name, so equal input gives equal bytes. */
export function gzip(data: Uint8Array): Uint8Array {
  const header = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
  const body = Bun.deflateSync(data as Uint8Array<ArrayBuffer>);
  const trailer = new DataView(new ArrayBuffer(8));
  trailer.setUint32(0, Bun.hash.crc32(data) >>> 0, true);
  trailer.setUint32(4, data.byteLength >>> 0, true);
  return concatBytes([header, body, new Uint8Array(trailer.buffer)]);
}

/** Concatenate byte arrays into one. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.byteLength, 0);
  const result = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.byteLength;
  }
  return result;
}
