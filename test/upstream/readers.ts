/**
 * Independent readers for the archives the simulator writes (zip, gzip'd tar), used by
 * tests to check that wheels and sdists are what they claim. They use node:zlib, not the
 * writer's code path.
 */
import { gunzipSync, inflateRawSync } from "node:zlib";

const decoder = new TextDecoder();

/** Members of a zip archive by name. Throws on anything malformed (bad signature, CRC, sizes). */
export function readZip(bytes: Uint8Array): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = -1;
  for (let offset = bytes.byteLength - 22; offset >= 0; offset--) {
    if (view.getUint32(offset, true) === 0x06054b50) {
      end = offset;
      break;
    }
  }
  if (end < 0) throw new Error("zip: no end of central directory");
  const count = view.getUint16(end + 10, true);
  let cursor = view.getUint32(end + 16, true);
  const members = new Map<string, Uint8Array>();
  for (let index = 0; index < count; index++) {
    if (view.getUint32(cursor, true) !== 0x02014b50) throw new Error(`zip: bad central header at ${cursor}`);
    const method = view.getUint16(cursor + 10, true);
    const crc = view.getUint32(cursor + 16, true);
    const compressedSize = view.getUint32(cursor + 20, true);
    const size = view.getUint32(cursor + 24, true);
    const nameLength = view.getUint16(cursor + 28, true);
    const extraLength = view.getUint16(cursor + 30, true);
    const commentLength = view.getUint16(cursor + 32, true);
    const localOffset = view.getUint32(cursor + 42, true);
    const name = decoder.decode(bytes.subarray(cursor + 46, cursor + 46 + nameLength));
    if (view.getUint32(localOffset, true) !== 0x04034b50)
      throw new Error(`zip: bad local header for ${name}`);
    const dataStart =
      localOffset + 30 + view.getUint16(localOffset + 26, true) + view.getUint16(localOffset + 28, true);
    const stored = bytes.subarray(dataStart, dataStart + compressedSize);
    const data = method === 8 ? new Uint8Array(inflateRawSync(stored)) : method === 0 ? stored : null;
    if (!data) throw new Error(`zip: unsupported method ${method} for ${name}`);
    if (data.byteLength !== size) throw new Error(`zip: size mismatch for ${name}`);
    if (Bun.hash.crc32(data) >>> 0 !== crc) throw new Error(`zip: CRC mismatch for ${name}`);
    members.set(name, data);
    cursor += 46 + nameLength + extraLength + commentLength;
  }
  return members;
}

/** Members of a gzip-compressed ustar archive by name (regular files only). */
export function readTarGz(bytes: Uint8Array): Map<string, Uint8Array> {
  const tar = new Uint8Array(gunzipSync(bytes));
  const members = new Map<string, Uint8Array>();
  for (let offset = 0; offset + 512 <= tar.byteLength; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start: number, length: number) =>
      decoder.decode(header.subarray(start, start + length)).replace(/\0.*$/s, "");
    let checksum = 0;
    for (let index = 0; index < 512; index++) checksum += index >= 148 && index < 156 ? 32 : header[index]!;
    if (checksum !== Number.parseInt(field(148, 8).trim(), 8))
      throw new Error(`tar: bad checksum at ${offset}`);
    if (field(257, 5) !== "ustar") throw new Error("tar: not ustar");
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const size = Number.parseInt(field(124, 12).trim(), 8);
    if (field(156, 1) === "0" || field(156, 1) === "")
      members.set(name, tar.subarray(offset + 512, offset + 512 + size));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return members;
}

/** Text of a member, or throws if absent. */
export function memberText(members: Map<string, Uint8Array>, name: string): string {
  const data = members.get(name);
  if (!data) throw new Error(`missing member ${name}; have ${[...members.keys()].join(", ")}`);
  return decoder.decode(data);
}
