import * as tf from '@tensorflow/tfjs';
import { batchNorm, convInit } from './init.js';

export interface GeneratorOptions {
  nz: number;
  /** ngf: channels of the last hidden block; earlier blocks have 8, 4, 2 times as many. */
  ngf: number;
  seed: number;
}

/**
 * G as the paper lists it: 4 x (ConvTranspose2d, BatchNorm2d, ReLU), then
 * ConvTranspose2d, Tanh. NHWC, no biases; the input is z as [N, 1, 1, nz].
 *
 *   block1  ConvT(nz -> 8ngf,   k4 s1 p0) BN ReLU    1 -> 4
 *   block2  ConvT(8ngf -> 4ngf, k4 s2 p1) BN ReLU    4 -> 8
 *   block3  ConvT(4ngf -> 2ngf, k4 s2 p1) BN ReLU    8 -> 16
 *   block4  ConvT(2ngf -> ngf,  k4 s2 p1) BN ReLU   16 -> 32
 *   out     ConvT(ngf -> 1,     k4 s2 p1) Tanh      32 -> 64
 *
 * tfjs' 'same' padding for k4 s2 pads one pixel each side, which is PyTorch's p1.
 */
export function buildGenerator({ nz, ngf, seed }: GeneratorOptions): tf.LayersModel {
  const z = tf.input({ shape: [1, 1, nz], name: 'z' });
  const widths = [8, 4, 2, 1].map((m) => m * ngf);
  let x: tf.SymbolicTensor = z;
  widths.forEach((filters, i) => {
    const k = i + 1;
    x = tf.layers
      .conv2dTranspose({
        name: `g_block${k}_convt`,
        filters,
        kernelSize: 4,
        strides: k === 1 ? 1 : 2,
        padding: k === 1 ? 'valid' : 'same',
        useBias: false,
        kernelInitializer: convInit(seed, 100 + k),
      })
      .apply(x) as tf.SymbolicTensor;
    x = batchNorm(`g_block${k}_bn`, seed, 100 + k).apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU({ name: `g_block${k}` }).apply(x) as tf.SymbolicTensor;
  });
  x = tf.layers
    .conv2dTranspose({
      name: 'g_out_convt',
      filters: 1,
      kernelSize: 4,
      strides: 2,
      padding: 'same',
      useBias: false,
      kernelInitializer: convInit(seed, 105),
    })
    .apply(x) as tf.SymbolicTensor;
  const image = tf.layers.activation({ name: 'g_out', activation: 'tanh' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: z, outputs: image, name: 'generator' });
}
