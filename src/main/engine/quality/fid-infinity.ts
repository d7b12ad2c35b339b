import { createRng, deriveSeed, shuffle } from '../rng.js';
import { frechetDistance, gaussianStats, type Gaussian } from './frechet.js';

const SEED_FID_SUBSETS = 0xf1d;

/** Least-squares line y = a + b x; returns the intercept a and slope b. */
export function linearFit(xs: readonly number[], ys: readonly number[]): { intercept: number; slope: number } {
  const n = xs.length;
  if (n < 2 || ys.length !== n) throw new RangeError(`linearFit: need at least 2 points, got ${n}`);
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  if (sxx === 0) throw new RangeError('linearFit: all x are equal');
  const slope = sxy / sxx;
  return { intercept: my - slope * mx, slope };
}

/**
 * FID extrapolated to infinite samples (Chong & Forsyth, CVPR 2020): FID_N of
 * seeded random subsets of N generated feature rows at each of `sizes`,
 * against the reference Gaussian, fitted by a line in 1/N and read at 1/N = 0.
 */
export function fidInfinity(
  gen: Float32Array,
  n: number,
  dim: number,
  reference: Gaussian,
  sizes: readonly number[],
  seed = 0,
): { fidInfinity: number; points: { n: number; fid: number }[] } {
  const rng = createRng(deriveSeed(seed, SEED_FID_SUBSETS));
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  const rows = new Float32Array(Math.max(...sizes) * dim);
  const points = sizes.map((size) => {
    if (size > n || size <= dim) throw new RangeError(`fidInfinity: a subset of ${size} needs more than ${dim} and at most ${n} rows`);
    shuffle(rng, idx);
    for (let k = 0; k < size; k++) rows.set(gen.subarray(idx[k] * dim, (idx[k] + 1) * dim), k * dim);
    return { n: size, fid: frechetDistance(gaussianStats(rows.subarray(0, size * dim), size, dim), reference) };
  });
  const fit = linearFit(
    points.map((p) => 1 / p.n),
    points.map((p) => p.fid),
  );
  return { fidInfinity: fit.intercept, points };
}
