import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAddon } from '../../../src/main/engine/backend/native/addon.js';
import { nativeBuilt, onBoth, randomArray, registerNative, relativeError, skipReason } from './helpers.js';

// The AMX path (bf16 hi + lo, three tile products) must keep float accuracy:
// within 1e-4 relative of tfjs' cpu kernels, like every native kernel. The
// shapes reach its edges: rows, columns and K that are not tile multiples, a
// segment length that is not a multiple of 16 (the gathered path), K over
// several passes, dilation (one segment per tap), a fused epilogue, inputs
// whose magnitudes span six decades, a transposed convolution's phases (C
// rows that are every other pixel: the staged path), G's first layer (a 1x1
// input) and a matrix product.
const TOL = 1e-4;
const load = loadAddon();
const amxSupported = load.ok && load.addon.info().amxSupported;
const why = !nativeBuilt ? skipReason : amxSupported ? '' : 'this CPU or OS has no AMX-BF16 tile units';

interface Case {
  label: string;
  x: [number, number, number, number];
  f: [number, number, number, number];
  stride: number;
  pad: 'same' | 'valid';
  dil?: number;
  range?: number;
  fused?: boolean;
  /** conv2dTranspose of x to this shape with filter f [kh, kw, out channels, x's channels]. */
  transposeTo?: [number, number, number, number];
}

const cases: Case[] = [
  { label: 'D block shape, K in 2 passes', x: [3, 16, 16, 64], f: [4, 4, 64, 128], stride: 2, pad: 'same' },
  { label: 'K of 4096 in 8 passes, 32 rows', x: [2, 8, 8, 256], f: [4, 4, 256, 64], stride: 2, pad: 'same' },
  { label: 'ragged rows, columns and K (segment of 60)', x: [2, 9, 7, 20], f: [3, 3, 20, 35], stride: 1, pad: 'same' },
  { label: 'an odd number of 16-column strips', x: [1, 10, 10, 16], f: [4, 4, 16, 48], stride: 1, pad: 'valid' },
  { label: 'dilation 2', x: [2, 12, 12, 32], f: [3, 3, 32, 40], stride: 1, pad: 'same', dil: 2 },
  { label: 'bias and LeakyReLU fused', x: [2, 16, 16, 32], f: [4, 4, 32, 64], stride: 2, pad: 'same', fused: true },
  { label: 'inputs from -1000 to 1000', x: [2, 8, 8, 32], f: [4, 4, 32, 32], stride: 1, pad: 'same', range: 1000 },
  { label: 'transposed, stride 2 (G block)', x: [3, 8, 8, 64], f: [4, 4, 48, 64], stride: 2, pad: 'same', transposeTo: [3, 16, 16, 48] },
  { label: 'transposed from 1x1 (G first layer)', x: [40, 1, 1, 100], f: [4, 4, 64, 100], stride: 1, pad: 'valid', transposeTo: [40, 4, 4, 64] },
];

const matmulShapes: [number, number, number][] = [[70, 130, 45], [64, 100, 512]];

/** fn with AMX on and off: both within TOL of tfjs' cpu kernels, and rounded differently, so both paths really ran. */
async function expectBothPathsMatch(fn: () => tf.Tensor): Promise<void> {
  if (!load.ok) throw new Error(load.reason);
  load.addon.setAmx(1);
  const { ref, got: amx } = await onBoth(fn);
  load.addon.setAmx(0);
  const { got: fp32 } = await onBoth(fn);
  expect(relativeError(ref[0], amx[0])).toBeLessThan(TOL);
  expect(relativeError(ref[0], fp32[0])).toBeLessThan(TOL);
  expect(amx[0].some((v, k) => v !== fp32[0][k])).toBe(true);
}

describe.skipIf(why !== '')(`AMX convolutions keep float accuracy${why ? ` (skipped: ${why})` : ''}`, () => {
  beforeAll(registerNative);
  afterAll(() => load.ok && load.addon.setAmx(1));

  it.each(cases.map((c, i) => [c.label, c, i] as const))('%s', async (_l, c, i) => {
    const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
    const r = c.range ?? 1;
    const x = randomArray(400 + i, size(c.x), -r, r);
    const f = randomArray(500 + i, size(c.f), -0.1, 0.1);
    const bias = randomArray(600 + i, c.f[3]);
    const conv = () => {
      const xt = tf.tensor4d(x, c.x);
      const ft = tf.tensor4d(f, c.f);
      if (c.transposeTo) return tf.conv2dTranspose(xt, ft, c.transposeTo, c.stride, c.pad);
      return c.fused
        ? tf.fused.conv2d({ x: xt, filter: ft, strides: c.stride, pad: c.pad, bias: tf.tensor1d(bias), activation: 'leakyrelu', leakyreluAlpha: 0.2 })
        : tf.conv2d(xt, ft, c.stride, c.pad, 'NHWC', c.dil ?? 1);
    };
    await expectBothPathsMatch(conv);
  });

  it.each(matmulShapes)('matMul %i x %i times %i columns', async (m, k, n) => {
    const a = randomArray(700 + m, m * k);
    const b = randomArray(800 + n, k * n);
    await expectBothPathsMatch(() => tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])));
  });

  it('reports the path it uses, and can be switched off', () => {
    if (!load.ok) return;
    load.addon.setAmx(0);
    expect(load.addon.info()).toMatchObject({ amxSupported: true, amx: false });
    load.addon.setAmx(1);
    expect(load.addon.info()).toMatchObject({ amxSupported: true, amx: true });
  });
});
