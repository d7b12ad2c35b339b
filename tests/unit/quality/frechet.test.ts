import { describe, expect, it } from 'vitest';
import { frechetDistance, type Gaussian, gaussianStats, traceSqrtProduct } from '../../../src/main/engine/quality/frechet.js';
import { matmul, sqrtPsd, symmetricEigen } from '../../../src/main/engine/quality/psd.js';
import { createRng, fillNormal } from '../../../src/main/engine/rng.js';

function randomMatrix(seed: number, rows: number, cols: number): Float64Array {
  return Float64Array.from(fillNormal(createRng(seed), new Float32Array(rows * cols)));
}

/** X X^T / k for an n x k Gaussian X: SPD when k >= n, PSD of rank k otherwise. */
function randomPsd(seed: number, n: number, k: number): Float64Array {
  const x = randomMatrix(seed, n, k);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let m = 0; m < k; m++) s += x[i * k + m] * x[j * k + m];
      out[i * n + j] = s / k;
    }
  return out;
}

function transpose(a: Float64Array, n: number): Float64Array {
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = a[i * n + j];
  return t;
}

/** A random orthogonal matrix: the eigenvectors of a random symmetric matrix. */
function randomOrthogonal(seed: number, n: number): Float64Array {
  return symmetricEigen(randomPsd(seed, n, n + 3), n).vectors;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function gaussian(mean: ArrayLike<number>, cov: Float64Array): Gaussian {
  return { dim: mean.length, count: 0, mean: Float64Array.from(mean), cov };
}

function diagonal(values: number[]): Float64Array {
  const n = values.length;
  const d = new Float64Array(n * n);
  values.forEach((v, i) => (d[i * n + i] = v));
  return d;
}

describe('symmetric eigendecomposition and PSD square root', () => {
  it('reconstructs random symmetric matrices with orthonormal eigenvectors', () => {
    for (const n of [1, 2, 7, 40]) {
      const a = randomPsd(n, n, n + 5);
      for (let i = 0; i < n; i++) a[i * n + i] -= 0.5; // indefinite too
      const { values, vectors } = symmetricEigen(a, n);
      const scaled = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) scaled[i * n + j] = vectors[i * n + j] * values[j];
      expect(maxAbsDiff(matmul(scaled, transpose(vectors, n), n), a)).toBeLessThan(1e-12);
      expect(maxAbsDiff(matmul(transpose(vectors, n), vectors, n), diagonal(new Array(n).fill(1)))).toBeLessThan(1e-12);
    }
  });

  it('squares back to the matrix for random SPD and rank-deficient PSD matrices', () => {
    for (const [n, k] of [
      [3, 10],
      [20, 50],
      [64, 200],
      [30, 8],
    ]) {
      const a = randomPsd(100 + n + k, n, k);
      const r = sqrtPsd(a, n);
      expect(maxAbsDiff(r, transpose(r, n))).toBe(0);
      expect(maxAbsDiff(matmul(r, r, n), a)).toBeLessThan(1e-11);
      expect(Math.min(...symmetricEigen(r, n).values)).toBeGreaterThan(-1e-7);
    }
  });

  it('gives the element-wise root of a diagonal matrix', () => {
    expect(Array.from(sqrtPsd(diagonal([4, 9, 0, 2.25]), 4))).toEqual(Array.from(diagonal([2, 3, 0, 1.5])));
  });

  it('refuses non-square, non-finite and non-symmetric input with a clear message', () => {
    expect(() => sqrtPsd([1, 2, 3], 2)).toThrow(/2x2 matrix needs 4 entries, got 3/);
    expect(() => sqrtPsd([1, NaN, NaN, 1], 2)).toThrow(/entry \(0, 1\) is NaN/);
    expect(() => sqrtPsd([1, 0.5, 0.4, 1], 2)).toThrow(/not symmetric: \(0, 1\) = 0.5 but \(1, 0\) = 0.4/);
  });
});

describe('Gaussian fit', () => {
  it('computes the mean and the unbiased covariance', () => {
    // Three 2-D points: (1, 2), (3, 6), (5, 4).
    const g = gaussianStats([1, 2, 3, 6, 5, 4], 3, 2);
    expect(Array.from(g.mean)).toEqual([3, 4]);
    // var x = (4 + 0 + 4) / 2, var y = (4 + 4 + 0) / 2, cov = (4 + 0 + 0) / 2
    expect(Array.from(g.cov)).toEqual([4, 2, 2, 4]);
  });

  it('refuses fewer than two vectors and a wrong length', () => {
    expect(() => gaussianStats([1, 2], 1, 2)).toThrow(/at least 2 feature vectors/);
    expect(() => gaussianStats([1, 2, 3], 2, 2)).toThrow(/need 4 values, got 3/);
  });
});

describe('Frechet distance', () => {
  it('is ~0 between a distribution and itself, including a singular covariance', () => {
    for (const [n, k] of [
      [16, 40],
      [64, 20],
    ]) {
      const g = gaussian(randomMatrix(n, 1, n), randomPsd(n + 1, n, k));
      const traceSum = 2 * Array.from({ length: n }, (_, i) => g.cov[i * n + i]).reduce((a, b) => a + b);
      expect(frechetDistance(g, g)).toBeLessThan(1e-6 * traceSum);
    }
  });

  it('equals the closed form for diagonal covariances: |mu1 - mu2|^2 + sum (sqrt s1 - sqrt s2)^2', () => {
    const mu1 = [0, 1, -2, 0.5];
    const mu2 = [1, 1, 0, -0.5];
    const s1 = [1, 4, 0.25, 9];
    const s2 = [4, 1, 0.25, 0];
    const expected =
      mu1.reduce((s, m, i) => s + (m - mu2[i]) ** 2, 0) + s1.reduce((s, v, i) => s + (Math.sqrt(v) - Math.sqrt(s2[i])) ** 2, 0);
    expect(frechetDistance(gaussian(mu1, diagonal(s1)), gaussian(mu2, diagonal(s2)))).toBeCloseTo(expected, 10);
    expect(expected).toBeCloseTo(1 + 4 + 1 + (1 + 1 + 9), 10);
  });

  it('is unchanged by a common rotation (non-diagonal covariances that commute)', () => {
    const n = 12;
    const q = randomOrthogonal(7, n);
    const rotate = (d: Float64Array) => matmul(matmul(q, d, n), transpose(q, n), n);
    const v1 = Array.from({ length: n }, (_, i) => 0.5 + i);
    const v2 = Array.from({ length: n }, (_, i) => (i % 3) * 2);
    const sym = (m: Float64Array) => Float64Array.from(m, (_, idx) => (m[idx] + m[(idx % n) * n + Math.floor(idx / n)]) / 2);
    const closed = v1.reduce((s, v, i) => s + (Math.sqrt(v) - Math.sqrt(v2[i])) ** 2, 0);
    const zeros = new Array(n).fill(0);
    const d = frechetDistance(gaussian(zeros, sym(rotate(diagonal(v1)))), gaussian(zeros, sym(rotate(diagonal(v2)))));
    // v2's zero variances leave eigenvalues at rounding level (~1e-15) whose
    // square roots (~3e-8) add up: the error scale of a singular covariance.
    expect(Math.abs(d - closed)).toBeLessThan(1e-6);
  });

  it('is symmetric and positive for random full covariances', () => {
    const n = 32;
    const a = gaussian(randomMatrix(1, 1, n), randomPsd(2, n, 60));
    const b = gaussian(randomMatrix(3, 1, n), randomPsd(4, n, 45));
    const ab = frechetDistance(a, b);
    expect(ab).toBeGreaterThan(1);
    expect(Math.abs(ab - frechetDistance(b, a))).toBeLessThan(1e-9 * ab);
  });

  it('matches Tr(sqrt(S1 S2)) computed another way: S1 = S2^-1 gives Tr(I) = n', () => {
    const n = 10;
    const s = randomPsd(11, n, 30);
    const { values, vectors } = symmetricEigen(s, n);
    const inv = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let x = 0;
        for (let k = 0; k < n; k++) x += (vectors[i * n + k] * vectors[j * n + k]) / values[k];
        inv[i * n + j] = x;
      }
    const invSym = Float64Array.from(inv, (_, idx) => (inv[idx] + inv[(idx % n) * n + Math.floor(idx / n)]) / 2);
    expect(traceSqrtProduct(s, invSym, n)).toBeCloseTo(n, 8);
  });

  it('refuses Gaussians of different dimensions', () => {
    expect(() => frechetDistance(gaussian([0], diagonal([1])), gaussian([0, 0], diagonal([1, 1])))).toThrow(/dimensions differ \(1 vs 2\)/);
  });
});
