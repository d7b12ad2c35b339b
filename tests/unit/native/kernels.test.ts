import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../../src/main/engine/rng.js';
import { nativeBuilt, onBoth, randomArray, registerNative, relativeError, skipReason } from './helpers.js';

// Every native kernel against tfjs' own 'cpu' kernel on random shapes that
// reach each code path (patch layouts, narrow/wide tiles, stride phases, the
// 1x1 and single-channel special cases): within 1e-4 relative.
const TOL = 1e-4;

type Pad = 'same' | 'valid' | number;
interface ConvCase {
  n: number; h: number; w: number; ci: number; co: number; k: number; stride: number; pad: Pad; dil: number;
}

function convCases(seed: number, count: number): ConvCase[] {
  const rng = createRng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rng() * xs.length)];
  const cases: ConvCase[] = [
    // The DCGAN's own shapes at width 4 (k4 s2 'same', the first layer's 1 channel, the 1x1 head).
    { n: 3, h: 16, w: 16, ci: 1, co: 4, k: 4, stride: 2, pad: 'same', dil: 1 },
    { n: 3, h: 8, w: 8, ci: 4, co: 8, k: 4, stride: 2, pad: 'same', dil: 1 },
    { n: 3, h: 4, w: 4, ci: 32, co: 1, k: 4, stride: 1, pad: 'valid', dil: 1 },
    { n: 2, h: 8, w: 8, ci: 40, co: 48, k: 4, stride: 2, pad: 'same', dil: 1 },
  ];
  while (cases.length < count) {
    const stride = pick([1, 2, 3]);
    cases.push({
      n: 1 + Math.floor(rng() * 3),
      h: 1 + Math.floor(rng() * 11),
      w: 1 + Math.floor(rng() * 11),
      ci: pick([1, 2, 3, 8, 17, 40]),
      co: pick([1, 2, 16, 33, 48]),
      k: pick([1, 2, 3, 4]),
      stride,
      pad: pick<Pad>(['same', 'valid', 1, 2]),
      dil: stride === 1 ? pick([1, 2]) : 1,
    });
  }
  // 'valid' needs the (dilated) kernel to fit.
  return cases.filter((c) => c.pad !== 'valid' || ((c.k - 1) * c.dil + 1 <= c.h && (c.k - 1) * c.dil + 1 <= c.w));
}

const label = (c: ConvCase) => `x[${c.n},${c.h},${c.w},${c.ci}] k${c.k} co${c.co} s${c.stride} ${c.pad} d${c.dil}`;

function outShape(c: ConvCase): number[] {
  return tf.backend_util.computeConv2DInfo([c.n, c.h, c.w, c.ci], [c.k, c.k, c.ci, c.co], c.stride, c.dil, c.pad).outShape as number[];
}

describe.skipIf(!nativeBuilt)(`native kernels match tfjs cpu kernels${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  beforeAll(registerNative);

  const cases = convCases(11, 40);

  it.each(cases.map((c, i) => [label(c), c, i] as const))('conv2d, conv2dTranspose and the filter gradient: %s', async (_l, c, i) => {
    const out = outShape(c);
    if (out.some((d) => d <= 0)) return;
    const x = randomArray(100 + i, c.n * c.h * c.w * c.ci);
    const f = randomArray(200 + i, c.k * c.k * c.ci * c.co);
    const dy = randomArray(300 + i, out.reduce((a, b) => a * b, 1));
    const { ref, got } = await onBoth(() => {
      const xt = tf.tensor4d(x, [c.n, c.h, c.w, c.ci]);
      const ft = tf.tensor4d(f, [c.k, c.k, c.ci, c.co]);
      const dyt = tf.tensor4d(dy, out as [number, number, number, number]);
      const y = tf.conv2d(xt, ft, c.stride, c.pad, 'NHWC', c.dil);
      const results: tf.Tensor[] = [y];
      if (c.dil === 1) {
        results.push(tf.conv2dTranspose(dyt, ft, [c.n, c.h, c.w, c.ci], c.stride, c.pad));
        results.push(tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xt, w as tf.Tensor4D, c.stride, c.pad), dyt)))(ft));
      }
      return results;
    });
    ref.forEach((r, k) => expect(relativeError(r, got[k]), `output ${k}`).toBeLessThan(TOL));
  });

  // The conv kernel applies a per-channel bias and relu/leakyrelu to each tile
  // as it is produced; other activations and biases go through a separate pass.
  it.each([
    ['the GEMM path', [2, 9, 9, 5], [3, 3, 5, 20], 2, 'same'],
    // 4 x 4 x 96: K is summed in chunks, and the epilogue must wait for the last.
    ['the GEMM path, K in several passes', [2, 8, 8, 96], [4, 4, 96, 40], 2, 'same'],
    ['the small-patch path (1 input channel)', [2, 16, 16, 1], [4, 4, 1, 8], 2, 'same'],
    ['the small-patch path, 32 channels at a time and a rest of 16', [2, 20, 20, 1], [4, 4, 1, 80], 2, 'same'],
    ['the single-output path (co = 1)', [3, 8, 8, 6], [8, 8, 6, 1], 1, 'valid'],
  ] as [string, [number, number, number, number], [number, number, number, number], number, 'same' | 'valid'][])(
    'fused conv2d with bias and activations on %s',
    async (_l, xs, fs, strides, pad) => {
      const x = randomArray(1, xs.reduce((a, b) => a * b, 1));
      const f = randomArray(2, fs.reduce((a, b) => a * b, 1));
      const b = randomArray(3, fs[3]);
      for (const withBias of [true, false]) {
        for (const activation of ['linear', 'relu', 'leakyrelu', 'relu6', 'sigmoid', 'elu'] as const) {
          // elu is left to the JS kernel.
          const { ref, got } = await onBoth(
            () =>
              tf.fused.conv2d({
                x: tf.tensor4d(x, xs),
                filter: tf.tensor4d(f, fs),
                strides,
                pad,
                bias: withBias ? tf.tensor1d(b) : undefined,
                activation,
                leakyreluAlpha: 0.3,
              }),
            activation !== 'elu',
          );
          expect(relativeError(ref[0], got[0]), `${activation}, bias ${withBias}`).toBeLessThan(TOL);
        }
      }
    },
  );

  it.each([
    [[5, 7], [7, 3], false, false],
    [[7, 5], [7, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[2, 4, 40, 33], [2, 4, 33, 17], false, false],
    [[3, 40, 33], [1, 33, 70], false, false],
    [[1, 6, 5], [4, 6, 9], true, false],
    // One output column (Grad-CAM's weighted sum): the matrix-vector path.
    [[64, 16, 128], [64, 128, 1], false, false],
    [[3, 9, 37], [3, 1, 37], false, true],
    [[2, 5, 21], [1, 21, 1], false, false],
    [[4, 300, 1000], [4, 1000, 1], false, false],
  ] as [number[], number[], boolean, boolean][])('matMul %j x %j (transpose a %s, b %s)', async (as, bs, ta, tb) => {
    const a = randomArray(5, as.reduce((p, q) => p * q, 1));
    const b = randomArray(6, bs.reduce((p, q) => p * q, 1));
    const { ref, got } = await onBoth(() => tf.matMul(tf.tensor(a, [...as]), tf.tensor(b, [...bs]), ta, tb));
    expect(relativeError(ref[0], got[0])).toBeLessThan(TOL);
  });

  it.each([
    [[4, 5, 6, 7], [7]],
    [[4, 5, 6, 7], [4, 5, 6, 7]],
    [[4, 5, 6, 7], []],
    [[1, 5, 1, 7], [4, 1, 6, 1]],
    [[3], [2, 3]],
    [[6, 1], [6, 5]],
  ] as [number[], number[]][])('binary ops broadcast %j with %j', async (as, bs) => {
    const a = randomArray(7, as.reduce((p, q) => p * q, 1));
    const b = randomArray(8, bs.reduce((p, q) => p * q, 1), 0.5, 2);
    for (const op of [tf.add, tf.sub, tf.mul, tf.div, tf.squaredDifference]) {
      const { ref, got } = await onBoth(() => [op(tf.tensor(a, [...as]), tf.tensor(b, [...bs])), op(tf.tensor(b, [...bs]), tf.tensor(a, [...as]))]);
      expect(relativeError(ref[0], got[0]), op.name).toBeLessThan(TOL);
      expect(relativeError(ref[1], got[1]), op.name).toBeLessThan(TOL);
    }
  });

  it('unary ops', async () => {
    const x = randomArray(9, 5000, -8, 8);
    const pos = randomArray(10, 5000, 0.01, 8);
    const ops: [string, (t: tf.Tensor) => tf.Tensor, Float32Array][] = [
      ['neg', tf.neg, x], ['square', tf.square, x], ['sqrt', tf.sqrt, pos], ['rsqrt', tf.rsqrt, pos], ['exp', tf.exp, x],
      ['log', tf.log, pos], ['abs', tf.abs, x], ['relu', tf.relu, x], ['leakyRelu', (t) => tf.leakyRelu(t, 0.2), x],
      ['tanh', tf.tanh, x], ['sigmoid', tf.sigmoid, x], ['step', (t) => tf.step(t, 0.3), x], ['reciprocal', tf.reciprocal, pos],
      ['log1p', tf.log1p, pos], ['relu6', tf.relu6, x],
    ];
    for (const [name, op, input] of ops) {
      const { ref, got } = await onBoth(() => op(tf.tensor1d(input)));
      expect(relativeError(ref[0], got[0]), name).toBeLessThan(TOL);
    }
  });

  it.each([
    [[4, 5, 6, 7], [0, 1, 2], false],
    [[4, 5, 6, 7], [3], true],
    [[4, 5, 6, 7], [1, 2], false],
    [[4, 5, 6, 7], [0, 2], true],
    [[4, 1, 6, 7], [0, 2], false],
    [[300000], [0], false],
    [[3, 70000], [1], false],
  ] as [number[], number[], boolean][])('reductions of %j over %j (keepDims %s)', async (shape, axes, keepDims) => {
    const x = randomArray(12, shape.reduce((p, q) => p * q, 1));
    // Axes [0, 2] of a 4-D tensor with no unit dims are not one block: the JS kernel runs them.
    const native = !(shape.length === 4 && shape[1] !== 1 && axes.join() === '0,2');
    for (const op of [tf.sum, tf.mean, tf.max, tf.min]) {
      const { ref, got } = await onBoth(() => op(tf.tensor(x, [...shape]), [...axes], keepDims), native);
      expect(relativeError(ref[0], got[0]), op.name).toBeLessThan(TOL);
    }
  });

  it('batch norm with per-channel and scalar parameters', async () => {
    const x = randomArray(13, 3 * 4 * 5 * 6);
    const p = (s: number) => randomArray(s, 6, 0.5, 1.5);
    const { ref, got } = await onBoth(() => {
      const xt = tf.tensor4d(x, [3, 4, 5, 6]);
      return [
        tf.batchNorm(xt, tf.tensor1d(p(1)), tf.tensor1d(p(2)), tf.tensor1d(p(3)), tf.tensor1d(p(4)), 1e-3),
        tf.batchNorm(xt, tf.tensor1d(p(1)), tf.tensor1d(p(2))),
        tf.batchNorm(xt, tf.scalar(0.3), tf.scalar(2), tf.scalar(0.1), tf.scalar(1.5), 1e-5),
      ];
    });
    ref.forEach((r, k) => expect(relativeError(r, got[k]), `case ${k}`).toBeLessThan(TOL));
  });

  it.each([
    [false, false],
    [false, true],
    [true, false],
  ])('resize bilinear (alignCorners %s, halfPixelCenters %s)', async (alignCorners, halfPixelCenters) => {
    const x = randomArray(15, 3 * 4 * 5 * 2);
    const { ref, got } = await onBoth(() => [
      tf.image.resizeBilinear(tf.tensor4d(x, [3, 4, 5, 2]), [9, 13], alignCorners, halfPixelCenters),
      tf.image.resizeBilinear(tf.tensor4d(x, [3, 4, 5, 2]), [2, 3], alignCorners, halfPixelCenters),
    ]);
    ref.forEach((r, k) => expect(relativeError(r, got[k]), `case ${k}`).toBeLessThan(TOL));
  });

  it('binary ops on a float32 tensor cast from bool (stored as bytes by tfjs)', async () => {
    const a = randomArray(16, 64 * 40);
    const { ref, got } = await onBoth(() => {
      const t = tf.tensor2d(a, [64, 40]);
      return tf.add(t, tf.cast(tf.greater(tf.max(t, 1, true), 0.5), 'float32'));
    });
    expect(relativeError(ref[0], got[0])).toBeLessThan(TOL);
  });

  it('tile', async () => {
    const x = randomArray(14, 2 * 3 * 4);
    const { ref, got } = await onBoth(() => [tf.tile(tf.tensor3d(x, [2, 3, 4]), [3, 1, 2]), tf.tile(tf.tensor3d(x, [2, 3, 4]).reshape([1, 1, 24]), [5, 4, 1])]);
    ref.forEach((r, k) => expect(relativeError(r, got[k]), `case ${k}`).toBeLessThan(TOL));
  });
});
