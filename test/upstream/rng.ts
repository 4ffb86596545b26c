/**
 * Seeded, dependency-free pseudo-randomness for the test upstream. Everything the
 * simulator generates (names, versions, file contents, fault decisions) derives from
 * these, so the same seed always yields the same upstream.
 */

/**
 * A 32-bit FNV-1a hash of the given parts (joined with a separator that names cannot contain).
 *
 * @example hash32("seed", 7, "alpha-1.0.tar.gz") // a stable uint32
 */
export function hash32(...parts: (string | number)[]): number {
  let hash = 0x811c9dc5;
  const text = parts.join("\u001f");
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  // Final avalanche (murmur3 fmix32) so nearby inputs give unrelated outputs.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** A uniform number in [0, 1) derived from the parts; see {@link hash32}. */
export function hashUnit(...parts: (string | number)[]): number {
  return hash32(...parts) / 0x1_0000_0000;
}

/** mulberry32: a small, fast, seedable generator (not cryptographic). */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Next uint32. */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let value = this.#state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return (value ^ (value >>> 14)) >>> 0;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next() / 0x1_0000_0000;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  /** True with probability `probability`. */
  chance(probability: number): boolean {
    return this.float() < probability;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.float() * items.length)];
    if (item === undefined) throw new Error("Rng.pick: empty array");
    return item;
  }
}

/**
 * Fill `target` with deterministic pseudo-random bytes: block `blockIndex` of the stream
 * identified by `key`. Blocks are independent, so any block can be produced on its own.
 */
export function fillPseudoRandom(target: Uint8Array, key: number, blockIndex: number): void {
  const words = new Uint32Array(target.buffer, target.byteOffset, target.byteLength >>> 2);
  let state = hash32(key, blockIndex) | 1;
  for (let index = 0; index < words.length; index++) {
    // xorshift32
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    words[index] = state;
  }
  for (let index = words.length * 4; index < target.byteLength; index++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    target[index] = state & 0xff;
  }
}
