import { createRng, deriveSeed, shuffle } from '../rng.js';

/** Purpose tag of the subset draws, apart from every noise stream. */
const SEED_KID_SUBSETS = 0x41d;

export interface KidOptions {
  /** Subsets drawn (without replacement within a subset) from each side. */
  subsets?: number;
  /** Vectors per subset and side; capped at the smaller side. */
  subsetSize?: number;
  seed?: number;
}

export interface KidResult {
  /** Mean over subsets of the unbiased MMD^2. */
  kid: number;
  /** Standard deviation over the subsets (n - 1). */
  std: number;
  values: number[];
  subsetSize: number;
}

/** k(x, y) = (x.y / d + 1)^3, the kernel of Binkowski et al. (2018). */
function kernel(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number, dim: number): number {
  let dot = 0;
  const ai = i * dim;
  const bj = j * dim;
  for (let k = 0; k < dim; k++) dot += a[ai + k] * b[bj + k];
  const t = dot / dim + 1;
  return t * t * t;
}

/**
 * Unbiased MMD^2 with the cubic polynomial kernel between the rows `xs` of `x`
 * and the rows `ys` of `y` (equal counts m):
 * [sum_{i!=j} k(x_i,x_j) + sum_{i!=j} k(y_i,y_j)] / (m(m-1)) - 2 sum_{i,j} k(x_i,y_j) / m^2.
 */
export function mmdUnbiased(x: ArrayLike<number>, xs: ArrayLike<number>, y: ArrayLike<number>, ys: ArrayLike<number>, dim: number): number {
  const m = xs.length;
  if (m < 2 || ys.length !== m) throw new RangeError(`mmdUnbiased: need two equal sets of at least 2 rows, got ${m} and ${ys.length}`);
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

/**
 * KID between generated features `gen` (n rows) and reference features `ref`
 * (r rows), both row-major with `dim` columns: the unbiased MMD^2 averaged over
 * seeded subsets, with its spread over them.
 */
export function kernelInceptionDistance(gen: ArrayLike<number>, n: number, ref: ArrayLike<number>, r: number, dim: number, o: KidOptions = {}): KidResult {
  if (gen.length !== n * dim || ref.length !== r * dim) throw new RangeError(`kernelInceptionDistance: feature arrays do not hold ${n} and ${r} rows of ${dim}`);
  const subsets = o.subsets ?? 10;
  const size = Math.min(o.subsetSize ?? 1000, n, r);
  const rng = createRng(deriveSeed(o.seed ?? 0, SEED_KID_SUBSETS));
  const genIdx = Int32Array.from({ length: n }, (_, i) => i);
  const refIdx = Int32Array.from({ length: r }, (_, i) => i);
  const values: number[] = [];
  for (let s = 0; s < subsets; s++) {
    shuffle(rng, genIdx);
    shuffle(rng, refIdx);
    values.push(mmdUnbiased(gen, genIdx.subarray(0, size), ref, refIdx.subarray(0, size), dim));
  }
  const kid = values.reduce((a, b) => a + b, 0) / values.length;
  const std = values.length > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - kid) ** 2, 0) / (values.length - 1)) : 0;
  return { kid, std, values, subsetSize: size };
}
