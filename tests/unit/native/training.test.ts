import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDiscriminator } from '../../../src/main/engine/model/discriminator.js';
import { buildGenerator } from '../../../src/main/engine/model/generator.js';
import { type StepValues, trainStep } from '../../../src/main/engine/train/step.js';
import { NATIVE_BACKEND } from '../../../src/main/engine/backend/native.js';
import { nativeBuilt, randomArray, registerNative, skipReason } from './helpers.js';

// A tiny run of the app's own DCGAN (width 4, batch 8, both D variants) on the
// native backend and on tfjs' cpu backend from the same weights: the losses
// of every iteration agree, and no tensor leaks on the native path.
async function run(backend: string, arch: 'paper' | 'dcgan5', steps: number): Promise<{ values: StepValues[]; leaked: number }> {
  await tf.setBackend(backend);
  const G = buildGenerator({ nz: 16, ngf: 4, seed: 3 });
  const D = buildDiscriminator({ arch, ndf: 4, seed: 3 });
  const opt = { d: tf.train.adam(2e-4, 0.5, 0.999), g: tf.train.adam(2e-4, 0.5, 0.999) };
  const values: StepValues[] = [];
  let baseline = 0;
  for (let i = 0; i < steps; i++) {
    const real = tf.tensor4d(randomArray(10 + i, 8 * 64 * 64), [8, 64, 64, 1]);
    const z = tf.tensor4d(randomArray(20 + i, 8 * 16, -2, 2), [8, 1, 1, 16]);
    values.push(await trainStep({ generator: G, discriminator: D }, opt, real, z));
    tf.dispose([real, z]);
    if (i === 0) baseline = tf.memory().numTensors;
  }
  const leaked = tf.memory().numTensors - baseline;
  G.dispose();
  D.dispose();
  opt.d.dispose();
  opt.g.dispose();
  return { values, leaked };
}

describe.skipIf(!nativeBuilt)(`native training matches cpu${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  beforeAll(registerNative);

  it.each(['dcgan5', 'paper'] as const)('same losses over 3 iterations (%s)', async (arch) => {
    const ref = await run('cpu', arch, 3);
    const got = await run(NATIVE_BACKEND, arch, 3);
    expect(got.leaked).toBe(0);
    for (let i = 0; i < ref.values.length; i++) {
      for (const key of ['lossD', 'lossG', 'dx', 'dgz'] as const) {
        const a = ref.values[i][key];
        const b = got.values[i][key];
        expect(Math.abs(a - b), `iteration ${i} ${key}: cpu ${a}, native ${b}`).toBeLessThan(1e-4 * Math.max(1, Math.abs(a)));
      }
    }
  });
});
