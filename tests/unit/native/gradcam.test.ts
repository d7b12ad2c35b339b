import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { NATIVE_BACKEND } from '../../../src/main/engine/backend/native.js';
import { computeCams } from '../../../src/main/engine/explain/methods.js';
import { buildDiscriminator } from '../../../src/main/engine/model/discriminator.js';
import { setBatchNormStats } from '../explain/tiny-d.js';
import { nativeBuilt, nativeOutputs, randomArray, registerNative, relativeError, skipReason } from './helpers.js';

// Grad-CAM of the app's D on the native backend (fused conv stages with the
// bias and LeakyReLU in the conv kernel) against tfjs' cpu backend.
async function cams(backend: string, arch: 'paper' | 'dcgan5', layers?: string[]) {
  await tf.setBackend(backend);
  const D = buildDiscriminator({ arch, ndf: 8, seed: 5 });
  setBatchNormStats(D);
  const images = tf.tensor4d(randomArray(31, 6 * 64 * 64), [6, 64, 64, 1]);
  const before = tf.memory().numTensors;
  const r = await computeCams(D, images, { layers });
  const leaked = tf.memory().numTensors - before;
  images.dispose();
  D.dispose();
  return { ...r, leaked };
}

describe.skipIf(!nativeBuilt)(`native Grad-CAM matches cpu${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  beforeAll(registerNative);

  it.each([
    ['paper', undefined],
    ['dcgan5', undefined],
    ['dcgan5', ['block2_bn', 'block3']],
  ] as ['paper' | 'dcgan5', string[] | undefined][])('same CAMs and logits (%s, layers %j)', async (arch, layers) => {
    const ref = await cams('cpu', arch, layers);
    const outputsBefore = nativeOutputs();
    const got = await cams(NATIVE_BACKEND, arch, layers);
    expect(nativeOutputs()).toBeGreaterThan(outputsBefore);
    expect(got.leaked).toBe(0);
    expect(relativeError(ref.scores, got.scores)).toBeLessThan(1e-4);
    expect(relativeError(ref.cams, got.cams)).toBeLessThan(1e-4);
  });
});
