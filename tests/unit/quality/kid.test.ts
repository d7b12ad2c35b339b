import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/main/engine/backend/choose.js';
import { createRng, fillNormal } from '../../../src/main/engine/rng.js';
import { fidInfinity, linearFit } from '../../../src/main/engine/quality/fid-infinity.js';
import { fidSizes } from '../../../src/main/engine/quality/final.js';
import { gaussianStats } from '../../../src/main/engine/quality/frechet.js';
import { kernelInceptionDistance, mmdUnbiased } from '../../../src/main/engine/quality/kid.js';
import { kidReference } from './kid-reference.js';

/** The unbiased MMD^2 written as the paper's matrix form: means of the off-diagonal blocks. */
function mmdByMatrices(x: number[][], y: number[][]): number {
  const d = x[0].length;
  const k = (a: number[], b: number[]) => (a.reduce((s, v, i) => s + v * b[i], 0) / d + 1) ** 3;
  const m = x.length;
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) {
      if (i !== j) {
        xx += k(x[i], x[j]);
        yy += k(y[i], y[j]);
      }
      xy += k(x[i], y[j]);
    }
  return xx / (m * (m - 1)) + yy / (m * (m - 1)) - (2 * xy) / (m * m);
}

/** Classifier-like features: post-ReLU, most of them zero or small, a few large. */
function features(seed: number, rows: number, dim: number, shift = 0): Float32Array {
  return fillNormal(createRng(seed), new Float32Array(rows * dim)).map((v, i) => Math.max(0, 1.5 * v + shift + ((i % dim) % 7) / 7));
}

// The kernel matrices are products on whichever backend the engine would pick
// here (native-cpu where its addon is built).
beforeAll(async () => {
  await initBackend();
});

describe('KID', () => {
  it('matches a hand computation: x = (0, 1), y = (1, 2) in one dimension gives 1 + 27 - 18.5 = 9.5', async () => {
    expect(await mmdUnbiased(Float32Array.of(0, 1), Float32Array.of(1, 2), 2, 1)).toBeCloseTo(9.5, 12);
  });

  it('matches the matrix form on fixed 3-d features', async () => {
    const x = [
      [0.1, 0.5, -0.2],
      [1.2, 0.3, 0.0],
      [-0.4, 0.9, 0.7],
      [0.0, -1.1, 0.2],
    ];
    const y = [
      [0.3, 0.1, 0.1],
      [0.8, -0.2, 0.5],
      [-1.0, 0.4, 0.3],
      [0.6, 0.6, -0.6],
    ];
    // Float32 kernel entries of about 1: agreement to float32 rounding.
    expect(await mmdUnbiased(Float32Array.from(x.flat()), Float32Array.from(y.flat()), 4, 3)).toBeCloseTo(mmdByMatrices(x, y), 6);
  });

  it('matches the float64 JS loops subset by subset on fixed 128-d features, for close and for distant samples, and leaves no tensor behind', async () => {
    const dim = 128;
    const ref = features(11, 900, dim);
    for (const shift of [0, 0.5]) {
      const gen = features(12, 700, dim, shift);
      const before = tf.memory().numTensors;
      const got = await kernelInceptionDistance(gen, 700, ref, 900, dim, { subsets: 2, subsetSize: 300, seed: 5 });
      expect(tf.memory().numTensors).toBe(before);
      const want = kidReference(gen, 700, ref, 900, dim, { subsets: 2, subsetSize: 300, seed: 5 });
      // The three terms are about 5 to 9 here and cancel to 0.004 for the
      // closest samples. A float32 running sum of the 90,000 cross entries is
      // already off by up to 4e-6 of itself (3e-5 absolute): the float64 sums
      // are what keep within 1e-5.
      got.values.forEach((v, k) => expect(Math.abs(v - want[k])).toBeLessThan(1e-5 * Math.max(1, Math.abs(want[k]))));
      expect(got.subsetSize).toBe(300);
    }
  });

  it('is about zero for two samples of one distribution and clearly positive for shifted ones, with a spread over subsets', async () => {
    const dim = 8;
    const a = fillNormal(createRng(1), new Float32Array(600 * dim));
    const b = fillNormal(createRng(2), new Float32Array(600 * dim));
    const same = await kernelInceptionDistance(a, 600, b, 600, dim, { subsets: 5, subsetSize: 200 });
    const shifted = await kernelInceptionDistance(a.map((v) => v + 0.5), 600, b, 600, dim, { subsets: 5, subsetSize: 200 });
    expect(same.values).toHaveLength(5);
    expect(same.std).toBeGreaterThan(0);
    expect(Math.abs(same.kid)).toBeLessThan(3 * same.std);
    expect(shifted.kid).toBeGreaterThan(10 * Math.abs(same.kid) + 3 * shifted.std);
    expect(await kernelInceptionDistance(a, 600, b, 600, dim, { subsets: 5, subsetSize: 200 })).toEqual(same);
  });
});

describe('FID extrapolated to infinite samples', () => {
  it('fits a line exactly', () => {
    const xs = [1 / 1000, 1 / 2000, 1 / 5000];
    expect(linearFit(xs, xs.map((x) => 3 + 700 * x))).toEqual({ intercept: expect.closeTo(3, 10), slope: expect.closeTo(700, 6) });
  });

  it('removes the small-sample bias: samples of the reference distribution extrapolate to about 0, below FID_1000', () => {
    const dim = 16;
    const n = 5000;
    const gen = fillNormal(createRng(3), new Float32Array(n * dim));
    const reference = gaussianStats(fillNormal(createRng(4), new Float32Array(50_000 * dim)), 50_000, dim);
    const r = fidInfinity(gen, n, dim, reference, fidSizes(n));
    expect(r.points.map((p) => p.n)).toEqual([1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000]);
    expect(r.points[0].fid).toBeGreaterThan(r.points.at(-1)!.fid);
    expect(Math.abs(r.fidInfinity)).toBeLessThan(r.points[0].fid / 3);
  });
});
