import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WasmBackend } from '../../../src/main/engine/backend/wasm-call.js';
import { stridedCopy } from '../../../src/main/engine/backend/wasm-copy.js';
import { registerWasmTrainingKernels } from '../../../src/main/engine/backend/wasm-kernels.js';
import { buildDiscriminator } from '../../../src/main/engine/model/discriminator.js';
import { buildGenerator } from '../../../src/main/engine/model/generator.js';
import { bceWithLogits } from '../../../src/main/engine/train/losses.js';
import { trainStep } from '../../../src/main/engine/train/step.js';
import { createRng, fillNormal } from '../../../src/main/engine/rng.js';

// The composed wasm kernels must give what tfjs' reference 'cpu' backend gives,
// for any shape the conv ops allow, and must not leak tensors or heap memory.

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
type Shape4 = [number, number, number, number];

interface ConvCase {
  x: Shape4;
  f: Shape4;
  strides: [number, number];
  pad: Pad;
}

beforeAll(async () => {
  registerWasmTrainingKernels();
  expect(await tf.setBackend('wasm')).toBe(true);
  expect(await tf.setBackend('cpu')).toBe(true);
});

const rng = createRng(20261128);
const int = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];

function outShape(c: ConvCase): Shape4 {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.f, c.strides, 1, c.pad);
  return info.outShape as Shape4;
}

function randomCase(): ConvCase {
  for (;;) {
    const kh = int(1, 5);
    const kw = pick([kh, int(1, 5)]);
    const c: ConvCase = {
      x: [int(1, 3), int(1, 10), int(1, 10), pick([1, int(1, 6), int(8, 12)])],
      f: [kh, kw, 0, pick([1, int(1, 6), int(8, 12)])],
      strides: pick([[1, 1], [2, 2], [2, 2], [3, 3], [1, 2], [2, 1]] as [number, number][]),
      pad: pick<Pad>(['same', 'valid', 1, [[0, 0], [int(0, 2), int(0, 2)], [int(0, 2), int(0, 2)], [0, 0]]]),
    };
    c.f[2] = c.x[3];
    // tfjs sizes the output of a numeric pad from the filter height and row
    // stride alone, so a numeric pad is only consistent when both are square.
    if (typeof c.pad === 'number' && (c.pad >= kh || kh !== kw || c.strides[0] !== c.strides[1])) continue;
    const [, oh, ow] = outShape(c);
    if (oh >= 1 && ow >= 1) return c;
  }
}

/** The DCGAN layers at width 2 (channels scaled down, shapes as in the models). */
const MODEL_CASES: ConvCase[] = [
  { x: [3, 64, 64, 1], f: [4, 4, 1, 2], strides: [2, 2], pad: 'same' },
  { x: [3, 32, 32, 2], f: [4, 4, 2, 4], strides: [2, 2], pad: 'same' },
  { x: [3, 8, 8, 8], f: [8, 8, 8, 1], strides: [1, 1], pad: 'valid' },
  { x: [3, 4, 4, 16], f: [4, 4, 16, 1], strides: [1, 1], pad: 'valid' },
  { x: [2, 4, 4, 16], f: [4, 4, 16, 10], strides: [1, 1], pad: 'valid' },
  { x: [2, 16, 16, 12], f: [4, 4, 12, 20], strides: [2, 2], pad: 'same' },
];

function data(shape: number[]): Float32Array {
  return fillNormal(rng, new Float32Array(shape.reduce((a, b) => a * b, 1)));
}

/** Runs f on a backend with fresh tensors from the given arrays; returns plain arrays. */
async function on(backend: string, arrays: { shape: number[]; values: Float32Array }[], f: (...t: tf.Tensor[]) => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => f(...arrays.map((a) => tf.tensor(a.values, a.shape))).map((t) => t.dataSync() as Float32Array));
}

function relErr(got: Float32Array, want: Float32Array): number {
  expect(got.length).toBe(want.length);
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return diff / scale;
}

function conv2dGrads(c: ConvCase) {
  return (x: tf.Tensor, f: tf.Tensor, dy: tf.Tensor) => {
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad));
    return g([x, f], dy);
  };
}

function transposeAll(c: ConvCase) {
  // conv2dTranspose maps the conv's output back to its input shape.
  return (y: tf.Tensor, f: tf.Tensor, dx: tf.Tensor) => {
    const run = (a: tf.Tensor, b: tf.Tensor) => tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, c.x, c.strides, c.pad);
    const g = tf.grads(run);
    return [run(y, f), ...g([y, f], dx)];
  };
}

async function compare(c: ConvCase, label: string): Promise<void> {
  const y = outShape(c);
  const x = { shape: c.x, values: data(c.x) };
  const f = { shape: c.f, values: data(c.f) };
  const dy = { shape: y, values: data(y) };
  const want = await on('cpu', [x, f, dy], conv2dGrads(c));
  const got = await on('wasm', [x, f, dy], conv2dGrads(c));
  const dx = { shape: c.x, values: data(c.x) };
  const wantT = await on('cpu', [dy, f, dx], transposeAll(c));
  const gotT = await on('wasm', [dy, f, dx], transposeAll(c));
  const names = ['conv2d dx', 'conv2d dW', 'conv2dTranspose', 'conv2dTranspose dy', 'conv2dTranspose dW'];
  [...got, ...gotT].forEach((g, i) => {
    const e = relErr(g, [...want, ...wantT][i]);
    expect(e, `${label} ${names[i]} ${JSON.stringify(c)}`).toBeLessThan(1e-4);
  });
}

describe('wasm conv gradients match the cpu backend', () => {
  it('on the DCGAN layer shapes', async () => {
    for (const c of MODEL_CASES) await compare(c, 'model');
  });

  it('on 60 random shapes (stride 1/2/3, mixed strides, same/valid/numeric/explicit asymmetric pads, k 1..5, 1 channel)', async () => {
    for (let i = 0; i < 60; i++) await compare(randomCase(), `random #${i}`);
  });
});

describe('wasm replacements of elementwise, reduction and layout kernels match the cpu backend', () => {
  const a = { shape: [3, 5, 4, 6], values: data([3, 5, 4, 6]) };
  const b = { shape: [3, 5, 4, 6], values: data([3, 5, 4, 6]) };
  const ch = { shape: [6], values: data([6]) };
  const cases: [string, { shape: number[]; values: Float32Array }[], (...t: tf.Tensor[]) => tf.Tensor[]][] = [
    ['sum/mean over leading, inner, all and single axes', [a], (x) => [
      tf.sum(x, [0, 1, 2]), tf.mean(x, [0, 1]), tf.sum(x, [0, 1, 2], true), tf.mean(x), tf.sum(x, 0), tf.sum(x, [1, 2]), tf.mean(x, -1), tf.sum(x, [2, 0, 1]),
    ]],
    ['batchNorm with and without scale/offset, rank 2 and 4', [a, ch, ch, ch], (x, m, g, o) => {
      const v = tf.add(tf.abs(m), 0.5);
      return [tf.batchNorm(x, m, v, o, g, 1e-3), tf.batchNorm(x, m, v, undefined, undefined, 1e-5), tf.batchNorm(tf.reshape(x, [60, 6]), m, v, o, g, 1e-5)];
    }],
    // (tfjs itself cannot differentiate a batchNorm without scale: it saves the missing input.)
    ['gradients of batchNorm (all five inputs) and leakyRelu', [a, ch, ch, ch, b], (x, m, g, o, dy) => {
      const v = tf.add(tf.abs(m), 0.5);
      const bn = tf.grads((...t: tf.Tensor[]) => tf.batchNorm(t[0], t[1], t[2], t[3], t[4], 1e-3))([x, m, v, o, g], dy);
      return [...bn, tf.grad((t: tf.Tensor) => tf.leakyRelu(t, 0.2))(x, dy)];
    }],
    ['tile as a broadcast and in general', [a, ch], (x, c) => [tf.tile(tf.reshape(c, [1, 1, 1, 6]), [3, 5, 4, 1]), tf.tile(x, [1, 2, 1, 2]), tf.tile(c, [3])]],
    ['leakyRelu, greater, where, identity', [a, b], (x, y) => [
      tf.leakyRelu(x, 0.2), tf.leakyRelu(x, 1.5), tf.cast(tf.greater(x, 0), 'float32'), tf.cast(tf.greater(x, y), 'float32'),
      tf.cast(tf.greater(x, tf.slice(y, [0, 0, 0, 0], [1, 1, 1, 6])), 'float32'), tf.where(tf.greater(x, y), x, y), tf.clone(x),
    ]],
  ];
  it.each(cases)('%s', async (_name, arrays, f) => {
    const want = await on('cpu', arrays, f);
    const got = await on('wasm', arrays, f);
    got.forEach((g, i) => expect(relErr(g, want[i]), `output ${i}`).toBeLessThan(1e-5));
  });
});

describe('a DCGAN training step on wasm', () => {
  it('gives the cpu backend\'s gradients for every weight of G and D', async () => {
    const z = { shape: [4, 1, 1, 8], values: data([4, 1, 1, 8]) };
    const real = { shape: [4, 64, 64, 1], values: data([4, 64, 64, 1]) };
    const grads = async (backend: string) => {
      await tf.setBackend(backend);
      const g = buildGenerator({ nz: 8, ngf: 2, seed: 3 });
      const d = buildDiscriminator({ arch: 'dcgan5', ndf: 2, seed: 3 });
      const zt = tf.tensor(z.values, z.shape);
      const rt = tf.tensor(real.values, real.shape);
      const vars = [...g.trainableWeights, ...d.trainableWeights].map((w) => w.read() as tf.Variable);
      const { grads: gr } = tf.variableGrads(() => {
        const fake = g.apply(zt, { training: true }) as tf.Tensor;
        const lossD = tf.add(bceWithLogits(d.apply(rt, { training: true }) as tf.Tensor, 1), bceWithLogits(d.apply(fake, { training: true }) as tf.Tensor, 0));
        return tf.add(lossD, bceWithLogits(d.apply(fake, { training: true }) as tf.Tensor, 1)) as tf.Scalar;
      }, vars);
      const out = vars.map((v) => [v.name, gr[v.name].dataSync() as Float32Array] as const);
      tf.dispose([zt, rt, ...Object.values(gr)]);
      g.dispose();
      d.dispose();
      return out;
    };
    const want = await grads('cpu');
    const got = await grads('wasm');
    expect(got.length).toBe(want.length);
    // A gradient that nearly cancels (a BatchNorm gamma summed over the batch)
    // keeps only float32 rounding noise of its terms; it is judged against 1% of
    // the largest gradient of the model instead of its own tiny size.
    const maxAbs = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const floor = 0.01 * Math.max(...want.map(([, w]) => maxAbs(w)));
    got.forEach(([name, g], i) => {
      const w = want[i][1];
      const diff = maxAbs(g.map((v, j) => v - w[j]));
      expect(diff / Math.max(maxAbs(w), floor), name).toBeLessThan(1e-4);
    });
  });
});

describe('strided block copies on the wasm heap', () => {
  it('transpose like tf.transpose and accumulate, for single floats and for blocks with a 16-byte body and a tail', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as WasmBackend;
    for (const c of [1, 4, 5, 9]) {
      const x = tf.tensor(data([3, 7, c]), [3, 7, c]);
      const out = backend.makeOutput([7, 3, c], 'float32');
      stridedCopy(backend, out, 0, x, 0, [{ count: 7, dst: 3 * c, src: c }, { count: 3, dst: c, src: 7 * c }], c);
      expect(Array.from(backend.typedArrayFromHeap(out))).toEqual(Array.from(tf.transpose(x, [1, 0, 2]).dataSync()));
      // Accumulating the same blocks again doubles them.
      stridedCopy(backend, out, 0, x, 0, [{ count: 7, dst: 3 * c, src: c }, { count: 3, dst: c, src: 7 * c }], c, true);
      expect(Array.from(backend.typedArrayFromHeap(out))).toEqual(Array.from(tf.mul(tf.transpose(x, [1, 0, 2]), 2).dataSync()));
      backend.disposeData(out.dataId);
      x.dispose();
    }
  });
});

describe('wasm training kernels free what they allocate', () => {
  it('keeps tensor count and heap data flat over repeated gradient steps', async () => {
    await tf.setBackend('wasm');
    const c = MODEL_CASES[1];
    const x = tf.tensor(data(c.x), c.x);
    const f = tf.tensor(data(c.f), c.f);
    const dy = tf.tensor(data(outShape(c)), outShape(c));
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const step = () => tf.tidy(() => transposeAll(c)(dy, f, x).concat(conv2dGrads(c)(x, f, dy)).forEach((t) => t.dataSync()));
    step();
    const tensors = tf.memory().numTensors;
    const ids = backend.numDataIds();
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(backend.numDataIds()).toBe(ids);
    tf.dispose([x, f, dy]);
  });

  it('keeps tensors, backend data and the wasm heap flat over DCGAN training steps', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as { numDataIds(): number; wasm: { HEAPU8: Uint8Array } };
    const models = { generator: buildGenerator({ nz: 8, ngf: 2, seed: 1 }), discriminator: buildDiscriminator({ arch: 'dcgan5', ndf: 2, seed: 1 }) };
    const opt = { d: tf.train.adam(2e-4, 0.5), g: tf.train.adam(2e-4, 0.5) };
    const real = tf.tensor(data([4, 64, 64, 1]), [4, 64, 64, 1]) as tf.Tensor4D;
    const z = tf.tensor(data([4, 1, 1, 8]), [4, 1, 1, 8]) as tf.Tensor4D;
    for (let i = 0; i < 2; i++) await trainStep(models, opt, real, z);
    const before = [tf.memory().numTensors, backend.numDataIds(), backend.wasm.HEAPU8.buffer.byteLength];
    for (let i = 0; i < 3; i++) await trainStep(models, opt, real, z);
    expect([tf.memory().numTensors, backend.numDataIds(), backend.wasm.HEAPU8.buffer.byteLength]).toEqual(before);
  });
});
