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
 * the parent's training images with exactly the flagged set's digit histogram,
 * so the arms differ in WHICH images go, not in how many of each digit. Unflagged
 * images are taken first; where a digit has fewer unflagged images than flagged
 * ones (on a learned dcgan5, 79% of the 1s can be flagged at 8x8: thin strokes
 * leave most of any CAM off the digit), the rest of that digit is drawn from its
 * flagged images, so the control still removes as many of each digit, and the
 * overlap with the flagged arm is what a uniform draw could not avoid.
 * Without labels the draw is uniform over the pool.
 */
export function drawRandomArm(labels: Uint8Array | null, pool: ArrayLike<number>, flagged: readonly number[], seed: number): number[] {
  const flaggedSet = new Set(flagged);
  const rng = createRng(deriveSeed(seed, SEED_RANDOM_ARM));
  const all = Array.from(pool);
  const unflagged = Int32Array.from(all.filter((i) => !flaggedSet.has(i)));
  const inPoolFlagged = Int32Array.from(all.filter((i) => flaggedSet.has(i)));
  shuffle(rng, unflagged);
  shuffle(rng, inPoolFlagged);
  const wanted = digitHistogram(labels, flagged);
  if (wanted === null) {
    const order = [...unflagged, ...inPoolFlagged];
    return order.slice(0, flagged.length).sort((a, b) => a - b);
  }
  const left = [...wanted];
  const out: number[] = [];
  for (const i of [...unflagged, ...inPoolFlagged]) {
    const d = labels![i];
    if (left[d] > 0) {
      left[d]--;
      out.push(i);
    }
  }
  return out.sort((a, b) => a - b);
}
