import { matmul, sqrtPsd, symmetricEigen } from './psd.js';

/** A Gaussian fitted to feature vectors: mean and unbiased covariance (dim x dim, row-major). */
export interface Gaussian {
  dim: number;
  count: number;
  mean: Float64Array;
  cov: Float64Array;
}

/** Fits a Gaussian to `count` row-major feature vectors of length `dim`, in float64, two-pass. */
export function gaussianStats(features: ArrayLike<number>, count: number, dim: number): Gaussian {
  if (!Number.isInteger(count) || count < 2) throw new RangeError(`gaussianStats: need at least 2 feature vectors, got ${count}`);
  if (features.length !== count * dim) throw new RangeError(`gaussianStats: ${count} vectors of ${dim} need ${count * dim} values, got ${features.length}`);
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++) for (let j = 0; j < dim; j++) mean[j] += features[i * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= count;
  const cov = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < dim; j++) row[j] = features[i * dim + j] - mean[j];
    for (let j = 0; j < dim; j++) {
      const rj = row[j];
      if (rj === 0) continue;
      for (let k = j; k < dim; k++) cov[j * dim + k] += rj * row[k];
    }
  }
  for (let j = 0; j < dim; j++) {
    for (let k = j; k < dim; k++) {
      const c = cov[j * dim + k] / (count - 1);
      cov[j * dim + k] = c;
      cov[k * dim + j] = c;
    }
  }
  return { dim, count, mean, cov };
}

/**
 * Tr(sqrt(S1 S2)) for symmetric PSD S1, S2. S1 S2 is not symmetric, but it is
 * similar to sqrt(S1) S2 sqrt(S1), which is symmetric PSD: the trace of the
 * root is the sum of the square roots of that matrix's eigenvalues (rounding
 * negatives taken as zero).
 */
export function traceSqrtProduct(s1: ArrayLike<number>, s2: ArrayLike<number>, n: number): number {
  const r = sqrtPsd(s1, n);
  const m = matmul(matmul(r, s2, n), r, n);
  // Rounding leaves m a hair off symmetric; its exact value is symmetric.
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const avg = (m[i * n + j] + m[j * n + i]) / 2;
      m[i * n + j] = avg;
      m[j * n + i] = avg;
    }
  let sum = 0;
  for (const x of symmetricEigen(m, n).values) sum += Math.sqrt(Math.max(x, 0));
  return sum;
}

/**
 * Frechet distance between two Gaussians:
 * ||mu1 - mu2||^2 + Tr(S1 + S2 - 2 sqrt(S1 S2)). It is >= 0 in exact
 * arithmetic; rounding can leave a tiny negative, reported as 0.
 */
export function frechetDistance(a: Gaussian, b: Gaussian): number {
  if (a.dim !== b.dim) throw new RangeError(`frechetDistance: dimensions differ (${a.dim} vs ${b.dim})`);
  const n = a.dim;
  let meanTerm = 0;
  for (let i = 0; i < n; i++) meanTerm += (a.mean[i] - b.mean[i]) ** 2;
  let traces = 0;
  for (let i = 0; i < n; i++) traces += a.cov[i * n + i] + b.cov[i * n + i];
  return Math.max(0, meanTerm + traces - 2 * traceSqrtProduct(a.cov, b.cov, n));
}
