import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { nativeBuilt, onBoth, randomArray, registerNative, relativeError, skipReason } from './helpers.js';

// The native backend replaces the gradients of FusedBatchNorm, Mean, Sum,
// LeakyRelu, Relu, Tanh and Square with fused kernels: the weight gradients of
// a conv / transposed-conv / BatchNorm model must equal tfjs' own.
describe.skipIf(!nativeBuilt)(`native gradients match tfjs${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  beforeAll(registerNative);

  it('weight gradients of a small conv, transposed-conv and BatchNorm model in training mode', async () => {
    const x = randomArray(1, 4 * 16 * 16 * 3);
    const w1 = randomArray(2, 4 * 4 * 3 * 8, -0.3, 0.3);
    const w2 = randomArray(3, 4 * 4 * 5 * 8, -0.3, 0.3);
    const w3 = randomArray(4, 3 * 3 * 5 * 1, -0.3, 0.3);
    const { ref, got } = await onBoth(() => {
      const v1 = tf.variable(tf.tensor4d(w1, [4, 4, 3, 8]));
      const v2 = tf.variable(tf.tensor4d(w2, [4, 4, 5, 8]));
      const v3 = tf.variable(tf.tensor4d(w3, [3, 3, 5, 1]));
      const bn1 = tf.layers.batchNormalization({ axis: -1, epsilon: 1e-5, gammaInitializer: 'ones' });
      const bn2 = tf.layers.batchNormalization({ axis: -1, epsilon: 1e-5, gammaInitializer: tf.initializers.constant({ value: 1.3 }) });
      bn1.build([4, 8, 8, 8]);
      bn2.build([4, 16, 16, 5]);
      const f = () => {
        let h = tf.conv2d(tf.tensor4d(x, [4, 16, 16, 3]), v1, 2, 'same');
        h = bn1.apply(h, { training: true }) as tf.Tensor4D;
        h = tf.leakyRelu(h, 0.2);
        h = tf.conv2dTranspose(h, v2, [4, 16, 16, 5], 2, 'same');
        h = bn2.apply(h, { training: true }) as tf.Tensor4D;
        h = tf.relu(h);
        const y = tf.tanh(tf.conv2d(h, v3, 1, 'same'));
        return tf.add(tf.mean(tf.square(y)), tf.sum(y)) as tf.Scalar;
      };
      const vars = [v1, v2, v3, ...bn1.trainableWeights.map((w) => w.read() as tf.Variable), ...bn2.trainableWeights.map((w) => w.read() as tf.Variable)];
      const { value, grads } = tf.variableGrads(f, vars);
      const out = [value, ...vars.map((v) => grads[v.name])];
      tf.dispose([v1, v2, v3]);
      for (const w of [...bn1.weights, ...bn2.weights]) w.dispose();
      return out;
    });
    expect(ref.length).toBe(8);
    ref.forEach((r, k) => expect(relativeError(r, got[k]), `output ${k}`).toBeLessThan(1e-4));
  });

  it('falls back to tfjs\' gradient for a batch norm it does not fuse (one mean for all channels)', async () => {
    const x = randomArray(5, 2 * 3 * 3 * 4);
    const { ref, got } = await onBoth(() =>
      tf.grad((t: tf.Tensor) => {
        const m = tf.moments(t);
        const stat = (s: tf.Tensor) => tf.reshape(s, [1]);
        return tf.sum(tf.square(tf.batchNorm(t, stat(m.mean), stat(m.variance), tf.fill([1], 0.1), tf.fill([1], 1.5), 1e-3)));
      })(tf.tensor4d(x, [2, 3, 3, 4])),
    );
    expect(relativeError(ref[0], got[0])).toBeLessThan(1e-4);
  });

  it('second-order gradients still work (tfjs\' own engine path) and match cpu', async () => {
    const x = randomArray(6, 50, -2, 2);
    const { ref, got } = await onBoth(() => {
      const f = (t: tf.Tensor) => tf.sum(tf.mul(tf.tanh(t), tf.square(t)));
      return tf.grad((t: tf.Tensor) => tf.sum(tf.grad(f)(t)))(tf.tensor1d(x));
    });
    expect(relativeError(ref[0], got[0])).toBeLessThan(1e-4);
  });

  it('frees every intermediate of the backward pass and keeps the returned gradients', async () => {
    await tf.setBackend('native-cpu');
    const w = tf.variable(tf.tensor4d(randomArray(7, 3 * 3 * 2 * 4, -0.5, 0.5), [3, 3, 2, 4]));
    const x = tf.tensor4d(randomArray(8, 2 * 6 * 6 * 2), [2, 6, 6, 2]);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.leakyRelu(tf.conv2d(x, w, 1, 'same'), 0.2))) as tf.Scalar, [w]);
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(grads[w.name].shape).toEqual([3, 3, 2, 4]);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    tf.dispose([value, grads[w.name], w, x]);
  });

  it('BatchNorm moments whose centred tensor is not saved: first and second order match cpu', async () => {
    const x = randomArray(9, 3 * 4 * 4 * 5);
    const f = (t: tf.Tensor) => {
      const m = tf.moments(t, [0, 1, 2]);
      return tf.sum(tf.mul(tf.batchNorm(t, m.mean, m.variance, tf.fill([5], 0.1), tf.fill([5], 1.2), 1e-3), tf.sin(t)));
    };
    const { ref, got } = await onBoth(() => [tf.grad(f)(tf.tensor4d(x, [3, 4, 4, 5])), tf.grad((t: tf.Tensor) => tf.sum(tf.grad(f)(t)))(tf.tensor4d(x, [3, 4, 4, 5]))]);
    expect(relativeError(ref[0], got[0]), 'first order').toBeLessThan(1e-4);
    expect(relativeError(ref[1], got[1]), 'second order').toBeLessThan(1e-3);
  });
});
