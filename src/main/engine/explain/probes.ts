import { IMAGE_SIZE } from '../../../shared/config.js';
import { createRng, deriveSeed, shuffle } from '../rng.js';

// Choosing the probe samples whose CAMs are followed across epochs. The paper
// warns that some samples show the same feature at every epoch, so besides a
// digit-balanced set there is a pick of the samples whose CAM changes most.

const PIXELS = IMAGE_SIZE * IMAGE_SIZE;
/** Keeps the probe stream independent of the run's other seeded streams. */
const PROBE_STREAM = 0x70726f62;

/**
 * `count` of the candidate dataset indices, spread over the digits: the
 * candidates are shuffled with the seed, then taken round-robin over the labels
 * in ascending order (0, 1, ..., 9, 0, 1, ...), skipping labels that run out.
 * Without labels, the first `count` of the shuffle. Same inputs, same picks.
 */
export function stratifiedProbes(labels: Uint8Array | null, candidates: ArrayLike<number>, count = 16, seed = 0): number[] {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`probe count must be a whole number >= 0, got ${count}`);
  const unique = Int32Array.from(new Set(Array.from(candidates)));
  for (const i of unique) {
    if (!Number.isInteger(i) || i < 0 || (labels && i >= labels.length))
      throw new RangeError(`candidate index ${i} is not an image of the dataset${labels ? ` (${labels.length} labels)` : ''}`);
  }
  const order = shuffle(createRng(deriveSeed(seed, PROBE_STREAM)), unique);
  if (!labels) return Array.from(order.subarray(0, count));
  const byLabel = new Map<number, number[]>();
  for (const i of order) {
    const l = labels[i];
    let bucket = byLabel.get(l);
    if (!bucket) byLabel.set(l, (bucket = []));
    bucket.push(i);
  }
  const buckets = [...byLabel.keys()].sort((a, b) => a - b).map((l) => byLabel.get(l)!);
  const picks: number[] = [];
  for (let round = 0; picks.length < count; round++) {
    let took = false;
    for (const b of buckets) {
      if (round < b.length && picks.length < count) {
        picks.push(b[round]);
        took = true;
      }
    }
    if (!took) break;
  }
  return picks;
}

/**
 * Per candidate, how much its CAM changes with training: the mean over
 * consecutive epochs of the mean absolute per-pixel difference of its CAMs.
 * camsByEpoch[e] holds every candidate's CAM at the e-th epoch (in epoch
 * order), packed as candidates x 64 x 64, as computeCams returns them.
 */
export function camChange(camsByEpoch: Float32Array[]): Float64Array {
  if (camsByEpoch.length < 2) throw new RangeError(`CAM change needs at least 2 epochs, got ${camsByEpoch.length}`);
  const size = camsByEpoch[0].length;
  if (size % PIXELS !== 0) throw new RangeError(`camsByEpoch[0] has ${size} values, not a whole number of 64x64 CAMs`);
  camsByEpoch.forEach((c, e) => {
    if (c.length !== size) throw new RangeError(`camsByEpoch[${e}] has ${c.length} values, camsByEpoch[0] has ${size}`);
  });
  const change = new Float64Array(size / PIXELS);
  for (let e = 1; e < camsByEpoch.length; e++) {
    const a = camsByEpoch[e - 1];
    const b = camsByEpoch[e];
    for (let m = 0; m < change.length; m++) {
      let d = 0;
      for (let p = m * PIXELS; p < (m + 1) * PIXELS; p++) d += Math.abs(b[p] - a[p]);
      change[m] += d / PIXELS;
    }
  }
  for (let m = 0; m < change.length; m++) change[m] /= camsByEpoch.length - 1;
  return change;
}

/**
 * The `count` candidates whose CAM changes most across epochs, most first
 * (ties: the earlier candidate). Returns positions in the candidate list and
 * every candidate's change score.
 */
export function informativeProbes(camsByEpoch: Float32Array[], count = 16): { positions: number[]; change: Float64Array } {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`probe count must be a whole number >= 0, got ${count}`);
  const change = camChange(camsByEpoch);
  const positions = Array.from(change.keys())
    .sort((a, b) => change[b] - change[a] || a - b)
    .slice(0, count);
  return { positions, change };
}
