import * as tf from '@tensorflow/tfjs';
import type { Architecture } from '../../../shared/config.js';
import { IMAGE_SIZE } from '../../../shared/config.js';
import { batchNorm, convInit } from './init.js';

export interface DiscriminatorOptions {
  arch: Architecture;
  /** ndf: channels of the first block; each later block doubles them. */
  ndf: number;
  seed: number;
}

/**
 * D as the paper lists it, NHWC, no biases (as in PyTorch's DCGAN):
 *
 *   block1  Conv2d(1 -> ndf,     k4 s2 p1) LeakyReLU(0.2)         64 -> 32
 *   block2  Conv2d(ndf -> 2ndf,  k4 s2 p1) BatchNorm LeakyReLU    32 -> 16
 *   block3  Conv2d(2ndf -> 4ndf, k4 s2 p1) BatchNorm LeakyReLU    16 -> 8
 *   head    paper:  Conv2d(4ndf -> 1, k8 s1 p0)                     8 -> 1
 *           dcgan5: block4 Conv2d(4ndf -> 8ndf, k4 s2 p1) BN LReLU 8 -> 4,
 *                   then Conv2d(8ndf -> 1, k4 s1 p0)                4 -> 1
 *
 * The output is the pre-sigmoid logit [N, 1]: the loss applies the sigmoid, and
 * Grad-CAM targets the logit (the sigmoid saturates and flattens gradients).
 * Layer names are stable because Grad-CAM targets them: `block{k}` is the
 * output of block k.
 */
export function buildDiscriminator({ arch, ndf, seed }: DiscriminatorOptions): tf.LayersModel {
  const blocks = arch === 'paper' ? 3 : 4;
  const input = tf.input({ shape: [IMAGE_SIZE, IMAGE_SIZE, 1], name: 'image' });
  let x: tf.SymbolicTensor = input;
  for (let k = 1; k <= blocks; k++) {
    x = tf.layers
      .conv2d({
        name: `block${k}_conv`,
        filters: ndf * 2 ** (k - 1),
        kernelSize: 4,
        strides: 2,
        padding: 'same',
        useBias: false,
        kernelInitializer: convInit(seed, k),
      })
      .apply(x) as tf.SymbolicTensor;
    if (k > 1) x = batchNorm(`block${k}_bn`, seed, k).apply(x) as tf.SymbolicTensor;
    x = tf.layers.leakyReLU({ name: `block${k}`, alpha: 0.2 }).apply(x) as tf.SymbolicTensor;
  }
  const side = x.shape[1] as number;
  x = tf.layers
    .conv2d({
      name: 'head',
      filters: 1,
      kernelSize: side,
      strides: 1,
      padding: 'valid',
      useBias: false,
      kernelInitializer: convInit(seed, blocks + 1),
    })
    .apply(x) as tf.SymbolicTensor;
  const logit = tf.layers.flatten({ name: 'logit' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logit, name: `discriminator_${arch}` });
}

/** Names of D's blocks, shallow to deep (the Grad-CAM target candidates). */
export function blockNames(d: tf.LayersModel): string[] {
  return d.layers.map((l) => l.name).filter((n) => /^block\d+$/.test(n));
}
