import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  activationsAndGradients,
  CamError,
  prepareGradCam,
  defaultTargetLayer,
  spatialLayerNames,
  targetLayer,
} from '../../../src/main/engine/explain/activations.js';
import { computeCams } from '../../../src/main/engine/explain/methods.js';
import { buildDiscriminator } from '../../../src/main/engine/model/discriminator.js';
import { createRng } from '../../../src/main/engine/rng.js';
import { buildTinyD, setBatchNormStats } from './tiny-d.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/**
 * D after block2, written out with plain tf ops from D's weights (BatchNorm
 * with its moving statistics): an implementation independent of the code under
 * test, to differentiate numerically.
 */
function tailAfterBlock2(D: tf.LayersModel, a: tf.Tensor4D): tf.Tensor1D {
  return tf.tidy(() => {
    const [k3] = D.getLayer('block3_conv').getWeights();
    const [gamma, beta, mean, variance] = D.getLayer('block3_bn').getWeights();
    const [kh] = D.getLayer('head').getWeights();
    const conv = tf.conv2d(a, k3 as tf.Tensor4D, 2, 'same');
    const bn = tf.add(tf.mul(tf.div(tf.sub(conv, mean), tf.sqrt(tf.add(variance, 1e-5))), gamma), beta);
    const act = tf.leakyRelu(bn, 0.2);
    return tf.reshape(tf.conv2d(act as tf.Tensor4D, kh as tf.Tensor4D, 1, 'valid'), [-1]) as tf.Tensor1D;
  });
}

describe('activationsAndGradients: dScore/dA', () => {
  it('matches central finite differences of an independent tail, per image, in inference mode', () => {
    const D = buildTinyD({ channels: 3, blocks: 3 });
    setBatchNormStats(D);
    const x = tf.randomUniform([2, 64, 64, 1], -1, 1, 'float32', 21) as tf.Tensor4D;
    const { logits, perLayer } = activationsAndGradients(D, x, ['block2']);
    const [{ activations: A, gradients: G }] = perLayer;
    expect(A.shape).toEqual([2, 16, 16, 3]);
    expect(G.shape).toEqual(A.shape);

    // The tail reproduces D from A, so A is block2's output and the BN is in inference mode.
    const tail = tailAfterBlock2(D, A);
    const full = D.predict(x) as tf.Tensor;
    Array.from(tail.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(full.dataSync()[i], 5));
    Array.from(logits.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(full.dataSync()[i], 5));

    const a = A.dataSync() as Float32Array;
    const g = G.dataSync() as Float32Array;
    const rng = createRng(5);
    const h = 5e-3;
    let checked = 0;
    for (let t = 0; t < 40; t++) {
      const i = Math.floor(rng() * a.length);
      const image = Math.floor(i / (16 * 16 * 3));
      const score = (delta: number) => {
        const moved = a.slice();
        moved[i] += delta;
        const At = tf.tensor4d(moved, [2, 16, 16, 3]);
        const s = tailAfterBlock2(D, At);
        const v = s.dataSync()[image];
        tf.dispose([At, s]);
        return v;
      };
      const fd = (score(h) - score(-h)) / (2 * h);
      expect(Math.abs(fd - g[i])).toBeLessThan(2e-3 + 1e-2 * Math.abs(g[i]));
      if (Math.abs(g[i]) > 1e-3) checked++;
    }
    expect(checked).toBeGreaterThan(20);
    tf.dispose([x, logits, A, G, tail, full]);
    D.dispose();
  });

  it('target "fake" negates the gradient and leaves the logits as they are', () => {
    const D = buildTinyD({ channels: 2, blocks: 4 });
    setBatchNormStats(D);
    const x = tf.randomUniform([3, 64, 64, 1], -1, 1, 'float32', 22) as tf.Tensor4D;
    const real = activationsAndGradients(D, x, ['block3', 'block4'], 'real');
    const fake = activationsAndGradients(D, x, ['block3', 'block4'], 'fake');
    expect(Array.from(fake.logits.dataSync())).toEqual(Array.from(real.logits.dataSync()));
    for (const k of [0, 1]) {
      const r = real.perLayer[k].gradients.dataSync();
      const f = fake.perLayer[k].gradients.dataSync();
      expect(Array.from(f)).toEqual(Array.from(r, (v) => -v));
    }
    tf.dispose([x, real.logits, fake.logits, ...[real, fake].flatMap((s) => s.perLayer.flatMap((p) => [p.activations, p.gradients]))]);
    D.dispose();
  });

  it('after an affine tail (the deepest block) gives one gradient for the batch, autodiff\'s for every image, computed once', () => {
    const D = buildTinyD({ channels: 3, blocks: 3 });
    setBatchNormStats(D);
    const x = tf.randomUniform([3, 64, 64, 1], -1, 1, 'float32', 23) as tf.Tensor4D;
    const [kh] = D.getLayer('head').getWeights();
    const before = tf.memory().numTensors;
    const prepared = prepareGradCam(D, ['block3']);
    const folded = tf.memory().numTensors - before;
    expect(folded).toBe(2 * 2); // blocks 2 and 3: a filter and a bias each
    for (const target of ['real', 'fake'] as const) {
      const out = prepared.activationsAndGradients(x, target);
      const [{ activations: A, gradients: G }] = out.perLayer;
      // Autodiff of the head, written out from its weights, at these very activations.
      const sign = target === 'real' ? 1 : -1;
      const want = tf.tidy(() => tf.grad((a: tf.Tensor) => tf.mul(tf.sum(tf.conv2d(a as tf.Tensor4D, kh as tf.Tensor4D, 1, 'valid')), sign))(A));
      // One gradient for the batch, [1, h, w, C], that is each image's.
      expect(G.shape).toEqual([1, ...A.shape.slice(1)]);
      const g = G.dataSync();
      want.dataSync().forEach((v, i) => expect(g[i % g.length]).toBeCloseTo(v, 6));
      tf.dispose([want, out.logits, A, G]);
    }
    // The constant gradients (one per target) live with the prepared D, and go with it.
    expect(tf.memory().numTensors).toBe(before + folded + 2);
    prepared.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x]);
    D.dispose();
  });

  it('leaves exactly the returned tensors', () => {
    const D = buildTinyD({ channels: 2, blocks: 3 });
    const x = tf.zeros([1, 64, 64, 1]) as tf.Tensor4D;
    tf.dispose(activationsAndGradients(D, x, ['block1']).logits); // warm the cache
    const before = tf.memory().numTensors;
    const out = activationsAndGradients(D, x, ['block1', 'block3']);
    expect(tf.memory().numTensors).toBe(before + 1 + 2 * 2);
    tf.dispose([out.logits, ...out.perLayer.flatMap((p) => [p.activations, p.gradients])]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    D.dispose();
  });
});

describe('target layers', () => {
  it("defaults to the product D's measured layer, and a foreign D to its deepest block with a map larger than 1x1", () => {
    expect(defaultTargetLayer(buildDiscriminator({ arch: 'paper', ndf: 2, seed: 1 }))).toBe('block1');
    expect(defaultTargetLayer(buildDiscriminator({ arch: 'dcgan5', ndf: 2, seed: 1 }))).toBe('block2');
    expect(defaultTargetLayer(buildTinyD({ channels: 2, blocks: 3 }))).toBe('block3');
    expect(defaultTargetLayer(buildTinyD({ channels: 2, blocks: 4 }))).toBe('block4');
  });

  it('refuses a 1x1 layer, explaining that its CAM is constant', async () => {
    const D = buildTinyD({ channels: 2, blocks: 4 });
    const x = tf.zeros([1, 64, 64, 1]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    await expect(computeCams(D, x, { layers: ['head'] })).rejects.toThrow(CamError);
    await expect(computeCams(D, x, { layers: ['block4', 'head'] })).rejects.toThrow(
      /layer "head" has a 1x1 map: a CAM from it is the same constant for every pixel/,
    );
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('names the valid layers when a name is unknown or not a feature map', () => {
    const D = buildTinyD({ channels: 2, blocks: 3 });
    const valid = 'block1_conv, block1, block2_conv, block2_bn, block2, block3_conv, block3_bn, block3';
    expect(spatialLayerNames(D).join(', ')).toBe(valid);
    expect(() => targetLayer(D, 'block9')).toThrow(`D has no layer "block9"; valid target layers: ${valid}`);
    expect(() => targetLayer(D, 'logit')).toThrow(`layer "logit" outputs [null,1], not a feature map [N, h, w, C]; valid target layers: ${valid}`);
  });

  it('refuses a D that is not a plain chain after the target', () => {
    const input = tf.input({ shape: [64, 64, 1] });
    const b1 = tf.layers.conv2d({ name: 'block1', filters: 2, kernelSize: 4, strides: 2, padding: 'same' }).apply(input) as tf.SymbolicTensor;
    const b2 = tf.layers.conv2d({ name: 'block2', filters: 2, kernelSize: 4, strides: 2, padding: 'same' }).apply(b1) as tf.SymbolicTensor;
    const skip = tf.layers.maxPooling2d({ name: 'skip', poolSize: 2 }).apply(b1) as tf.SymbolicTensor;
    const merged = tf.layers.add({ name: 'merged' }).apply([b2, skip]) as tf.SymbolicTensor;
    const head = tf.layers.conv2d({ name: 'head', filters: 1, kernelSize: 16 }).apply(merged) as tf.SymbolicTensor;
    const logit = tf.layers.flatten({ name: 'logit' }).apply(head) as tf.SymbolicTensor;
    const D = tf.model({ inputs: input, outputs: logit });
    const x = tf.zeros([1, 64, 64, 1]) as tf.Tensor4D;
    expect(() => activationsAndGradients(D, x, ['block2'])).toThrow(/D is not a plain chain after "block2": layer "\w+" takes its input from/);
    // After the merge it is a chain again, so that layer works.
    const out = activationsAndGradients(D, x, ['merged']);
    expect(out.perLayer[0].gradients.shape).toEqual([1, 16, 16, 2]);
    tf.dispose([x, out.logits, out.perLayer[0].activations, out.perLayer[0].gradients]);
  });

  it('refuses a D with more than one logit per image', () => {
    const input = tf.input({ shape: [64, 64, 1] });
    const b1 = tf.layers.conv2d({ name: 'block1', filters: 2, kernelSize: 4, strides: 2, padding: 'same' }).apply(input) as tf.SymbolicTensor;
    const out = tf.layers.flatten({ name: 'logit' }).apply(b1) as tf.SymbolicTensor;
    const D = tf.model({ inputs: input, outputs: out });
    const x = tf.zeros([1, 64, 64, 1]) as tf.Tensor4D;
    expect(() => activationsAndGradients(D, x, ['block1'])).toThrow('D must output one logit per image, shape [N, 1]; its output is [null,2048]');
    x.dispose();
  });
});
