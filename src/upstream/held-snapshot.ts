/**
 * What the mirror holds, loaded once to diff a full upstream listing against
 * (the PEP 691 `/simple/` listing, or `list_packages_with_serial` on a first
 * run). Looking a name up also marks it listed, so the held names the listing
 * lacks (`vanished`) come out at the end without a second set of 800,000 names.
 *
 * The names live in one character pool with an open-addressing hash table over
 * it (typed arrays only): ~45 MB for PyPI's 800,000 names, where a `Map` of
 * strings took ~140 MB of RSS.
 */

/** Empty slot in the hash table. */
const EMPTY = -1;

export class HeldSnapshot {
  /** Every name's UTF-16 code units, one after another. */
  private chars = new Uint16Array(1 << 16);
  private charCount = 0;
  /** Where name `i` starts in `chars`; it ends where name `i + 1` starts. */
  private starts = new Int32Array(1 << 12);
  private hashes = new Int32Array(1 << 12);
  /** Held serial by name; NaN when the holder did not say. */
  private serials = new Float64Array(1 << 12);
  private marks = new Uint8Array(0);
  private count = 0;
  /** Name index by hash, linear probing; always at most half full. */
  private slots = new Int32Array(1 << 13).fill(EMPTY);

  /**
   * @param entries every held name with its serial (undefined: not known here, ask `fallback`)
   * @param fallback serial lookup for names outside `entries`
   */
  constructor(
    entries: Iterable<readonly [name: string, serial: number | undefined]>,
    private readonly fallback?: (name: string) => number | undefined,
  ) {
    for (const [name, serial] of entries) this.insert(name, serial ?? Number.NaN);
    this.marks = new Uint8Array(this.count);
  }

  /** How many projects are held. */
  get size(): number {
    return this.count;
  }

  /**
   * The serial held for `name` (undefined when not held or not known), marking it listed.
   *
   * @example snapshot.listed("requests") // 31415926
   */
  listed(name: string): number | undefined {
    const index = this.find(name, hashOf(name));
    if (index === EMPTY) return this.fallback?.(name);
    this.marks[index] = 1;
    const serial = this.serials[index]!;
    return Number.isNaN(serial) ? this.fallback?.(name) : serial;
  }

  /** The serial held for `name`, without marking it. */
  serialOf(name: string): number | undefined {
    const index = this.find(name, hashOf(name));
    const serial = index === EMPTY ? Number.NaN : this.serials[index]!;
    return Number.isNaN(serial) ? this.fallback?.(name) : serial;
  }

  /** Forgets every mark (the listing is being read again). */
  clearMarks(): void {
    this.marks.fill(0);
  }

  /** Held names never passed to `listed`, sorted. */
  unlisted(): string[] {
    const names: string[] = [];
    for (let index = 0; index < this.count; index++) {
      if (this.marks[index] === 0) names.push(this.nameAt(index));
    }
    return names.sort();
  }

  private insert(name: string, serial: number): void {
    const hash = hashOf(name);
    if (this.find(name, hash) !== EMPTY) return;
    if (this.count + 1 >= this.starts.length) this.growEntries();
    if (this.charCount + name.length > this.chars.length) {
      this.chars = grown(this.chars, this.charCount + name.length);
    }
    for (let offset = 0; offset < name.length; offset++) {
      this.chars[this.charCount + offset] = name.charCodeAt(offset);
    }
    const index = this.count++;
    this.starts[index] = this.charCount;
    this.charCount += name.length;
    this.starts[this.count] = this.charCount;
    this.hashes[index] = hash;
    this.serials[index] = serial;
    if (this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else this.place(index);
  }

  private find(name: string, hash: number): number {
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const index = this.slots[slot]!;
      if (index === EMPTY) return EMPTY;
      if (this.hashes[index] === hash && this.nameEquals(index, name)) return index;
    }
  }

  private nameEquals(index: number, name: string): boolean {
    const start = this.starts[index]!;
    if (this.starts[index + 1]! - start !== name.length) return false;
    for (let offset = 0; offset < name.length; offset++) {
      if (this.chars[start + offset] !== name.charCodeAt(offset)) return false;
    }
    return true;
  }

  private nameAt(index: number): string {
    const units = this.chars.subarray(this.starts[index]!, this.starts[index + 1]!);
    let name = "";
    // In pieces: spreading a very long name into one call would overflow the stack.
    for (let offset = 0; offset < units.length; offset += 4096) {
      name += String.fromCharCode(...units.subarray(offset, offset + 4096));
    }
    return name;
  }

  private place(index: number): void {
    const mask = this.slots.length - 1;
    let slot = this.hashes[index]! & mask;
    while (this.slots[slot] !== EMPTY) slot = (slot + 1) & mask;
    this.slots[slot] = index;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size).fill(EMPTY);
    for (let index = 0; index < this.count; index++) this.place(index);
  }

  private growEntries(): void {
    this.starts = grown(this.starts, this.count + 2);
    this.hashes = grown(this.hashes, this.count + 1);
    this.serials = grown(this.serials, this.count + 1);
  }
}

/** A copy of `array` with room for at least `needed` elements (at least doubled). */
function grown<T extends Uint16Array | Int32Array | Float64Array>(array: T, needed: number): T {
  const next = new (array.constructor as new (length: number) => T)(Math.max(needed, array.length * 2));
  next.set(array);
  return next;
}

/** FNV-1a over UTF-16 code units, as a non-negative 31-bit integer. */
function hashOf(name: string): number {
  let hash = 0x811c9dc5;
  for (let offset = 0; offset < name.length; offset++) {
    hash = Math.imul(hash ^ name.charCodeAt(offset), 0x01000193);
  }
  return (hash ^ (hash >>> 15)) & 0x7fffffff;
}
