import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { inferenceStages, planStages, type InferenceStages } from '../../../src/main/engine/explain/inference-stages.js';
import { buildTinyD, setBatchNormStats } from './tiny-d.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function maxRelativeError(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  let scale = 0;
  for (const v of x) scale = Math.max(scale, Math.abs(v));
  let err = 0;
  for (let i = 0; i < x.length; i++) err = Math.max(err, Math.abs(x[i] - y[i]));
  return err / Math.max(scale, 1e-12);
}

/** Runs the stages, returning the output of every stage by its layer name. */
function runStages(model: tf.LayersModel, keep: string[], x: tf.Tensor, differentiable: boolean): Map<string, tf.Tensor> {
  const { stages, dispose } = inferenceStages(planStages(model.layers.slice(1), new Set(keep)));
  const out = new Map<string, tf.Tensor>();
  stages.reduce((t, s) => {
    const y = differentiable ? s.differentiable(t) : s.forward(t);
    out.set(s.layer, y);
    return y;
  }, x);
  dispose();
  return out;
}

/** The same layers' outputs as tfjs Layers computes them in inference mode. */
function layerOutputs(model: tf.LayersModel, names: string[], x: tf.Tensor): tf.Tensor[] {
  const sub = tf.model({ inputs: model.inputs, outputs: names.map((n) => model.getLayer(n).output as tf.SymbolicTensor) });
  const y = sub.predict(x);
  return Array.isArray(y) ? y : [y];
}

describe('inferenceStages: D as fused stages', () => {
  it('folds BatchNorm and the activation into the convolution, with the Layers outputs at every kept layer', () => {
    const D = buildTinyD({ channels: 3, blocks: 4 });
    setBatchNormStats(D);
    const x = tf.randomUniform([2, 64, 64, 1], -1, 1, 'float32', 4);
    for (const keep of [['block3'], ['block2_conv', 'block4'], ['block2_bn', 'block3_conv'], ['block1', 'block2', 'block3', 'block4']]) {
      tf.tidy(() => {
        const { stages, dispose } = inferenceStages(planStages(D.layers.slice(1), new Set(keep)));
        dispose();
        // Nothing is fused across a kept layer: each ends a stage.
        for (const k of keep) expect(stages.map((s) => s.layer)).toContain(k);
        // Unkept blocks take one stage each (conv + BN + LeakyReLU); the head and the flatten one each.
        if (keep.length === 1) expect(stages.map((s) => s.layer)).toEqual(['block1', 'block2', 'block3', 'block4', 'head', 'logit']);
        const names = [...keep, 'logit'];
        const want = layerOutputs(D, names, x);
        for (const differentiable of [false, true]) {
          const got = runStages(D, keep, x, differentiable);
          names.forEach((n, i) => expect(maxRelativeError(want[i], got.get(n)!), `${n} (${keep.join(', ')}, differentiable ${differentiable})`).toBeLessThan(1e-5));
        }
      });
    }
    x.dispose();
  });

  it('keeps the folded weights until dispose, which frees them and never D\'s own', () => {
    const D = buildTinyD({ channels: 3, blocks: 3 });
    setBatchNormStats(D);
    const x = tf.randomUniform([2, 64, 64, 1], -1, 1, 'float32', 5);
    const before = tf.memory().numTensors;
    // Made inside a scope that ends: the folded weights must outlive it.
    let made!: InferenceStages;
    tf.tidy(() => {
      made = inferenceStages(planStages(D.layers.slice(1), new Set(['block3'])));
    });
    const folded = tf.memory().numTensors - before;
    expect(folded).toBe(2 * 2); // blocks 2 and 3: a filter and a bias each; block 1 has no BatchNorm
    const run = () => tf.tidy(() => made.stages.reduce((t, s) => s.forward(t), x as tf.Tensor).dataSync());
    const first = run();
    expect(run()).toEqual(first);
    made.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const want = layerOutputs(D, ['logit'], x)[0];
    expect(Array.from(want.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([want, x]);
  });

  it('handles convolutions with a bias and a ReLU, and applies other layers as they are', () => {
    const input = tf.input({ shape: [16, 16, 2] });
    const seeded = (seed: number) => tf.initializers.randomNormal({ mean: 0, stddev: 0.5, seed });
    let t = tf.layers.conv2d({ name: 'c1', filters: 4, kernelSize: 3, padding: 'same', useBias: true, kernelInitializer: seeded(1), biasInitializer: seeded(2) }).apply(input) as tf.SymbolicTensor;
    t = tf.layers.reLU({ name: 'r1' }).apply(t) as tf.SymbolicTensor;
    t = tf.layers.conv2d({ name: 'c2', filters: 4, kernelSize: 3, strides: 2, useBias: true, kernelInitializer: seeded(3), biasInitializer: seeded(4) }).apply(t) as tf.SymbolicTensor;
    t = tf.layers.batchNormalization({ name: 'bn2', center: false }).apply(t) as tf.SymbolicTensor;
    t = tf.layers.activation({ name: 'a2', activation: 'relu' }).apply(t) as tf.SymbolicTensor;
    t = tf.layers.maxPooling2d({ name: 'pool', poolSize: 2 }).apply(t) as tf.SymbolicTensor;
    t = tf.layers.conv2d({ name: 'c3', filters: 2, kernelSize: 3, activation: 'tanh', kernelInitializer: seeded(5) }).apply(t) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: t });
    // No beta (center: false): gamma, moving mean, moving variance.
    const stats = [tf.tensor1d([0.5, 1.5, 1, 2]), tf.tensor1d([0.3, -0.2, 0, 0.1]), tf.tensor1d([0.5, 2, 1, 1.5])];
    model.getLayer('bn2').setWeights(stats);
    tf.dispose(stats);
    const x = tf.randomUniform([3, 16, 16, 2], -1, 1, 'float32', 9);
    tf.tidy(() => {
      const { stages, dispose } = inferenceStages(planStages(model.layers.slice(1), new Set(['pool'])));
      dispose();
      // A conv with its own non-linear activation is left to its layer.
      expect(stages.map((s) => s.layer)).toEqual(['r1', 'a2', 'pool', 'c3']);
      for (const differentiable of [false, true]) {
        const got = runStages(model, ['pool'], x, differentiable);
        const want = layerOutputs(model, ['pool', 'c3'], x);
        expect(maxRelativeError(want[0], got.get('pool')!)).toBeLessThan(1e-5);
        expect(maxRelativeError(want[1], got.get('c3')!)).toBeLessThan(1e-5);
      }
    });
    x.dispose();
  });
});
