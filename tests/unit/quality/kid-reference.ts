import { createRng, deriveSeed, shuffle } from '../../../src/main/engine/rng.js';

// KID as plain float64 JS loops, as src/main/engine/quality/kid.ts computed it
// before its kernel matrices moved onto the tfjs backend: the tests' reference
// and bench --final's "before". The same seeded subsets as kid.ts.

const SEED_KID_SUBSETS = 0x41d;

function kernel(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number, dim: number): number {
  let dot = 0;
  for (let k = 0; k < dim; k++) dot += a[i * dim + k] * b[j * dim + k];
  const t = dot / dim + 1;
  return t * t * t;
}

/** Unbiased MMD^2 between the rows `xs` of `x` and `ys` of `y`, cubic kernel, float64. */
export function mmdReference(x: ArrayLike<number>, xs: ArrayLike<number>, y: ArrayLike<number>, ys: ArrayLike<number>, dim: number): number {
  const m = xs.length;
  let kxx = 0;
  let kyy = 0;
  let kxy = 0;
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      kxx += kernel(x, xs[i], x, xs[j], dim);
      kyy += kernel(y, ys[i], y, ys[j], dim);
    }
    for (let j = 0; j < m; j++) kxy += kernel(x, xs[i], y, ys[j], dim);
  }
  return (2 * (kxx + kyy)) / (m * (m - 1)) - (2 * kxy) / (m * m);
}

/** The per-subset MMD^2 values of kernelInceptionDistance with the same options. */
export function kidReference(gen: ArrayLike<number>, n: number, ref: ArrayLike<number>, r: number, dim: number, o: { subsets?: number; subsetSize?: number; seed?: number } = {}): number[] {
  const size = Math.min(o.subsetSize ?? 1000, n, r);
  const rng = createRng(deriveSeed(o.seed ?? 0, SEED_KID_SUBSETS));
  const genIdx = Int32Array.from({ length: n }, (_, i) => i);
  const refIdx = Int32Array.from({ length: r }, (_, i) => i);
  return Array.from({ length: o.subsets ?? 10 }, () => {
    shuffle(rng, genIdx);
    shuffle(rng, refIdx);
    return mmdReference(gen, genIdx.subarray(0, size), ref, refIdx.subarray(0, size), dim);
  });
}
