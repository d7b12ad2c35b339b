import * as tf from '@tensorflow/tfjs';
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

/** Sum of all entries of an m x m matrix, and of its diagonal, in float64. */
function sums(k: Float32Array, m: number): { all: number; diagonal: number } {
  let all = 0;
  let diagonal = 0;
  for (let i = 0; i < k.length; i++) all += k[i];
  for (let i = 0; i < m; i++) diagonal += k[i * m + i];
  return { all, diagonal };
}

/**
 * Unbiased MMD^2 with the cubic polynomial kernel k(x, y) = (x.y / d + 1)^3
 * (Binkowski et al. 2018) between the m rows of `x` and of `y` (row-major, d
 * columns): [sum_{i!=j} k(x_i,x_j) + sum_{i!=j} k(y_i,y_j)] / (m(m-1)) - 2 sum_{i,j} k(x_i,y_j) / m^2.
 * The kernel matrices are products on the active backend, in float32; their
 * sums are taken in float64, because the three terms are large and nearly
 * cancel, so float32 sums of a million entries would swamp the difference.
 */
export async function mmdUnbiased(x: Float32Array, y: Float32Array, m: number, dim: number): Promise<number> {
  if (m < 2 || x.length !== m * dim || y.length !== m * dim) throw new RangeError(`mmdUnbiased: need two sets of m >= 2 rows of ${dim}, got m = ${m} with ${x.length} and ${y.length} values`);
  const matrices = tf.tidy(() => {
    const a = tf.tensor2d(x, [m, dim]);
    const b = tf.tensor2d(y, [m, dim]);
    const kernel = (p: tf.Tensor2D, q: tf.Tensor2D) => {
      const t = tf.matMul(p, q, false, true).div(dim).add(1);
      return t.square().mul(t);
    };
    return [kernel(a, a), kernel(b, b), kernel(a, b)];
  });
  try {
    const [kxx, kyy, kxy] = (await Promise.all(matrices.map((t) => t.data()))).map((k) => sums(k as Float32Array, m));
    return (kxx.all - kxx.diagonal + kyy.all - kyy.diagonal) / (m * (m - 1)) - (2 * kxy.all) / (m * m);
  } finally {
    tf.dispose(matrices);
  }
}

/** Rows `idx` of the row-major `source`, packed. */
function gather(source: ArrayLike<number>, idx: Int32Array, dim: number): Float32Array {
  const out = new Float32Array(idx.length * dim);
  for (let k = 0; k < idx.length; k++) for (let j = 0; j < dim; j++) out[k * dim + j] = source[idx[k] * dim + j];
  return out;
}

/**
 * KID between generated features `gen` (n rows) and reference features `ref`
 * (r rows), both row-major with `dim` columns: the unbiased MMD^2 averaged over
 * seeded subsets, with its spread over them.
 */
export async function kernelInceptionDistance(gen: ArrayLike<number>, n: number, ref: ArrayLike<number>, r: number, dim: number, o: KidOptions = {}): Promise<KidResult> {
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
    values.push(await mmdUnbiased(gather(gen, genIdx.subarray(0, size), dim), gather(ref, refIdx.subarray(0, size), dim), size, dim));
  }
  const kid = values.reduce((a, b) => a + b, 0) / values.length;
  const std = values.length > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - kid) ** 2, 0) / (values.length - 1)) : 0;
  return { kid, std, values, subsetSize: size };
}
