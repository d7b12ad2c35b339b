import * as tf from '@tensorflow/tfjs';
import type { Architecture } from '../src/shared/config.js';
import { buildDiscriminator } from '../src/main/engine/model/discriminator.js';
import { buildGenerator } from '../src/main/engine/model/generator.js';
import type { GanModels, GanOptimizers } from '../src/main/engine/train/step.js';

export const BATCH = 64;
export const NZ = 100;

/** The app's own G and D (src/main/engine/model), so the benchmark measures what training runs. */
export function benchModels(arch: Architecture, width: number): GanModels {
  return {
    generator: buildGenerator({ nz: NZ, ngf: width, seed: 1 }),
    discriminator: buildDiscriminator({ arch, ndf: width, seed: 1 }),
  };
}

export function benchOptimizers(): GanOptimizers {
  return { d: tf.train.adam(2e-4, 0.5, 0.999), g: tf.train.adam(2e-4, 0.5, 0.999) };
}

export function disposeModels(m: GanModels): void {
  m.generator.dispose();
  m.discriminator.dispose();
}
