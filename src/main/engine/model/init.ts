import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../rng.js';

// DCGAN's initialisation (Radford et al.; PyTorch's weights_init): conv weights
// N(0, 0.02), BatchNorm gamma N(1, 0.02), beta 0. Each layer gets its own seed
// derived from the run seed so that a run is reproducible.

export function convInit(seed: number, layerIndex: number) {
  return tf.initializers.randomNormal({ mean: 0, stddev: 0.02, seed: deriveSeed(seed, layerIndex, 1) });
}

export function gammaInit(seed: number, layerIndex: number) {
  return tf.initializers.randomNormal({ mean: 1, stddev: 0.02, seed: deriveSeed(seed, layerIndex, 2) });
}

/** PyTorch's BatchNorm2d defaults: momentum 0.1 (Keras counts it as 0.9), eps 1e-5. */
export function batchNorm(name: string, seed: number, layerIndex: number): tf.layers.Layer {
  return tf.layers.batchNormalization({
    name,
    axis: -1,
    momentum: 0.9,
    epsilon: 1e-5,
    gammaInitializer: gammaInit(seed, layerIndex),
    betaInitializer: 'zeros',
  });
}
