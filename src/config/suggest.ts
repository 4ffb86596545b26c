/**
 * "Did you mean ...?" for misspelt option names.
 */

/** Folds the differences users make without noticing: case, and `-` versus `_`. */
export function foldOptionName(name: string): string {
  return name.toLowerCase().replace(/_/g, "-");
}

/** Edit distance with adjacent transpositions (optimal string alignment). */
export function editDistance(left: string, right: string): number {
  const rows = left.length + 1;
  const columns = right.length + 1;
  const table: number[][] = Array.from({ length: rows }, () => new Array<number>(columns).fill(0));
  for (let row = 0; row < rows; row++) table[row]![0] = row;
  for (let column = 0; column < columns; column++) table[0]![column] = column;
  for (let row = 1; row < rows; row++) {
    for (let column = 1; column < columns; column++) {
      const cost = left[row - 1] === right[column - 1] ? 0 : 1;
      let best = Math.min(
        table[row - 1]![column]! + 1,
        table[row]![column - 1]! + 1,
        table[row - 1]![column - 1]! + cost,
      );
      const transposed =
        row > 1 && column > 1 && left[row - 1] === right[column - 2] && left[row - 2] === right[column - 1];
      if (transposed) best = Math.min(best, table[row - 2]![column - 2]! + 1);
      table[row]![column] = best;
    }
  }
  return table[left.length]![right.length]!;
}

/** Largest edit distance still worth suggesting: short names need a closer match. */
function toleranceFor(name: string): number {
  if (name.length <= 4) return 1;
  if (name.length <= 10) return 2;
  return 3;
}

/**
 * The known name closest to `name`, comparing with case and `-`/`_` folded, or
 * `undefined` when nothing is plausibly meant. Ties go to the earlier candidate.
 *
 * @example
 * closestName("worker", ["workers", "verifiers"]); // "workers"
 * closestName("keep-index-versions", ["keep_index_versions"]); // "keep_index_versions"
 * closestName("colour", ["workers"]); // undefined
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const folded = foldOptionName(name);
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const distance = editDistance(folded, foldOptionName(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= toleranceFor(folded) ? best : undefined;
}
