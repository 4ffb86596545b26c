/**
 * Hash algorithm names: PyPI/hashlib spelling ↔ Bun.CryptoHasher spelling.
 */

import type { SupportedCryptoAlgorithms } from "bun";

const HASHER_NAMES: Record<string, SupportedCryptoAlgorithms> = {
  sha256: "sha256",
  sha1: "sha1",
  sha224: "sha224",
  sha384: "sha384",
  sha512: "sha512",
  md5: "md5",
  blake2b_256: "blake2b256",
};

/** The Bun hasher for a hashlib-style name, or undefined when we cannot compute it. */
export function hasherName(algorithm: string): SupportedCryptoAlgorithms | undefined {
  return HASHER_NAMES[algorithm.toLowerCase()];
}

export function isSupportedDigest(algorithm: string): boolean {
  return hasherName(algorithm) !== undefined;
}

/** Computes several digests over one stream of chunks. */
export class MultiHasher {
  private readonly hashers: [string, Bun.CryptoHasher][];

  constructor(algorithms: Iterable<string>) {
    const unique = new Set<string>(["sha256"]);
    for (const algorithm of algorithms) if (hasherName(algorithm)) unique.add(algorithm.toLowerCase());
    this.hashers = [...unique].map((algorithm) => [algorithm, new Bun.CryptoHasher(hasherName(algorithm)!)]);
  }

  update(chunk: Uint8Array): void {
    for (const [, hasher] of this.hashers) hasher.update(chunk);
  }

  /** algorithm → lower-case hex. */
  digests(): Record<string, string> {
    const result: Record<string, string> = {};
    for (const [algorithm, hasher] of this.hashers) result[algorithm] = hasher.digest("hex");
    return result;
  }
}

/** The first expected digest that does not match, or undefined when all that we can compute match. */
export function findDigestMismatch(
  expected: Record<string, string>,
  actual: Record<string, string>,
): { algorithm: string; expected: string; actual: string } | undefined {
  for (const [algorithm, value] of Object.entries(expected)) {
    const got = actual[algorithm.toLowerCase()];
    if (got !== undefined && got !== value.toLowerCase()) return { algorithm, expected: value, actual: got };
  }
  return undefined;
}
