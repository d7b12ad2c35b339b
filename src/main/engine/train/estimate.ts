import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE, type RunConfig } from '../../../shared/config.js';
import { buildDiscriminator } from '../model/discriminator.js';
import { buildGenerator } from '../model/generator.js';
import { trainStep } from './step.js';

/**
 * Times real training steps of this config's models on random data: the first
 * step (kernel set-up, allocation) is not counted.
 */
export async function measureStepMs(config: RunConfig, steps = 2): Promise<number> {
  const generator = buildGenerator({ nz: config.nz, ngf: config.ngf, seed: config.trainingSeed });
  const discriminator = buildDiscriminator({ arch: config.arch, ndf: config.ndf, seed: config.trainingSeed });
  const opt = { d: tf.train.adam(config.lr, config.beta1, config.beta2), g: tf.train.adam(config.lr, config.beta1, config.beta2) };
  const real = tf.randomUniform([config.batchSize, IMAGE_SIZE, IMAGE_SIZE, 1], -1, 1) as tf.Tensor4D;
  const z = tf.randomNormal([config.batchSize, 1, 1, config.nz]) as tf.Tensor4D;
  try {
    await trainStep({ generator, discriminator }, opt, real, z);
    const t = performance.now();
    for (let i = 0; i < steps; i++) await trainStep({ generator, discriminator }, opt, real, z);
    return (performance.now() - t) / steps;
  } finally {
    tf.dispose([real, z]);
    generator.dispose();
    discriminator.dispose();
    opt.d.dispose();
    opt.g.dispose();
  }
}
