import { createRng, deriveSeed, shuffle } from '../engine/rng.js';

/** Purpose tag of the random arm's draw, apart from every training stream. */
const SEED_RANDOM_ARM = 0x57d1;

export const DIGITS = 10;

/** Samples per digit 0..9 among `indices`; null without labels. */
export function digitHistogram(labels: Uint8Array | null, indices: readonly number[]): number[] | null {
  if (!labels) return null;
  const h = new Array<number>(DIGITS).fill(0);
  for (const i of indices) h[labels[i]]++;
  return h;
}

/**
 * The random control arm: as many samples as `flagged`, drawn (seeded) from
 * the parent's training images that are not flagged, with exactly the flagged
 * set's digit histogram, so the arms differ in WHICH images go, not in how
 * many of each digit. Without labels the draw is uniform over the pool.
 * Throws when a digit has fewer unflagged images than flagged ones.
 */
export function drawRandomArm(labels: Uint8Array | null, pool: ArrayLike<number>, flagged: readonly number[], seed: number): number[] {
  const flaggedSet = new Set(flagged);
  const candidates = Int32Array.from(Array.from(pool).filter((i) => !flaggedSet.has(i)));
  shuffle(createRng(deriveSeed(seed, SEED_RANDOM_ARM)), candidates);
  const wanted = digitHistogram(labels, flagged);
  if (wanted === null) {
    if (candidates.length < flagged.length)
      throw new Error(`the random arm needs ${flagged.length} unflagged training images, but only ${candidates.length} are left`);
    return Array.from(candidates.subarray(0, flagged.length)).sort((a, b) => a - b);
  }
  const left = [...wanted];
  const out: number[] = [];
  for (const i of candidates) {
    const d = labels![i];
    if (left[d] > 0) {
      left[d]--;
      out.push(i);
    }
  }
  const short = left.map((n, d) => ({ n, d })).filter((x) => x.n > 0);
  if (short.length)
    throw new Error(
      `the random arm cannot match the flagged digits: ${short.map((x) => `digit ${x.d} needs ${wanted[x.d]}, ${wanted[x.d] - x.n} unflagged available`).join('; ')}`,
    );
  return out.sort((a, b) => a - b);
}
