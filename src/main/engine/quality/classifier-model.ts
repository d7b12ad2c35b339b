import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE } from '../../../shared/config.js';
import { deriveSeed } from '../rng.js';

/** The penultimate layer whose activations FID-MNIST compares. */
export const FEATURE_LAYER = 'features';
export const FEATURE_DIM = 128;
export const NUM_CLASSES = 10;

/**
 * A small MNIST CNN that reads G's output space directly (64x64x1 in [-1, 1]),
 * so generated images need no rescaling before they are judged:
 *
 *   c1  conv 5x5 s2 -> 16  ReLU   64 -> 32
 *   c2  conv 5x5 s2 -> 32  ReLU   32 -> 16
 *   c3  conv 3x3 s2 -> 64  ReLU   16 -> 8
 *   c4  conv 3x3 s2 -> 64  ReLU    8 -> 4
 *   flatten (1024) -> dense 128 ReLU 'features' -> dense 10 softmax
 *
 * c4 shrinks the map before the dense layer so the weights stay under 1 MB.
 * No dropout: training stays a deterministic function of the seed.
 */
export function buildClassifier(seed: number): tf.LayersModel {
  const init = (i: number) => tf.initializers.glorotUniform({ seed: deriveSeed(seed, i) });
  const input = tf.input({ shape: [IMAGE_SIZE, IMAGE_SIZE, 1], name: 'image' });
  let x: tf.SymbolicTensor = input;
  const convs: [number, number][] = [
    [16, 5],
    [32, 5],
    [64, 3],
    [64, 3],
  ];
  convs.forEach(([filters, kernelSize], i) => {
    x = tf.layers
      .conv2d({ name: `c${i + 1}`, filters, kernelSize, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(i + 1) })
      .apply(x) as tf.SymbolicTensor;
  });
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ name: FEATURE_LAYER, units: FEATURE_DIM, activation: 'relu', kernelInitializer: init(5) }).apply(x) as tf.SymbolicTensor;
  const probs = tf.layers.dense({ name: 'probs', units: NUM_CLASSES, activation: 'softmax', kernelInitializer: init(6) }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: probs, name: 'mnist_classifier' });
}
