import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/main/engine/backend/choose.js';
import { buildDiscriminator } from '../../../src/main/engine/model/discriminator.js';
import { buildGenerator } from '../../../src/main/engine/model/generator.js';
import { bceWithLogits } from '../../../src/main/engine/train/losses.js';
import { trainStep, type StepOptions } from '../../../src/main/engine/train/step.js';
import { train } from '../../../src/main/engine/train/trainer.js';
import type { Dataset } from '../../../src/main/engine/data/dataset.js';
import type { EpochResult } from '../../../src/main/engine/protocol.js';
import { presetConfig, type RunConfig } from '../../../src/shared/config.js';
import { tempHome } from '../../helpers/cli.js';

beforeAll(async () => {
  await initBackend();
});

const N = 4;

function models() {
  return {
    generator: buildGenerator({ nz: 8, ngf: 2, seed: 3 }),
    discriminator: buildDiscriminator({ arch: 'paper', ndf: 2, seed: 3 }),
  };
}

async function step(opts: StepOptions) {
  const m = models();
  const opt = { d: tf.train.sgd(0), g: tf.train.sgd(0) };
  const real = tf.randomUniform([N, 64, 64, 1], -1, 1, 'float32', 1) as tf.Tensor4D;
  const z = tf.randomNormal([N, 1, 1, 8], 0, 1, 'float32', 2) as tf.Tensor4D;
  const v = await trainStep(m, opt, real, z, opts);
  return { v, m, real, z };
}

/** A dataset of random blobs: enough to run the trainer, not to learn digits. */
function blobs(count: number): Dataset {
  const pixels = new Uint8Array(count * 28 * 28);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 2654435761) % 251;
  return { id: 'blobs', name: 'blobs', count, rows: 28, cols: 28, pixels, labels: null, source: { images: 'blobs' } };
}

async function trainLosses(config: RunConfig): Promise<{ lossD: number[]; epochs: EpochResult[] }> {
  const lossD: number[] = [];
  const epochs: EpochResult[] = [];
  await train(blobs(16), config, tempHome(), undefined, {
    onProgress: (m) => void lossD.push(m.lossD),
    onEpoch: (r) => void epochs.push(r),
    isCancelled: () => false,
  });
  return { lossD, epochs };
}

const tiny = (over: Partial<RunConfig>): RunConfig => ({ ...presetConfig('quick'), arch: 'paper' as const, limit: null, ngf: 2, ndf: 2, nz: 8, batchSize: 8, epochs: 1, seed: 4, ...over });

describe('stabilisers', () => {
  it("label smoothing: D's loss on real images is BCE against 1 - smoothing", async () => {
    const plain = await step({ realLabel: 1 });
    const smooth = await step({ realLabel: 0.9 });
    const D = smooth.m.discriminator;
    const expected = tf.tidy(() => {
      const fake = smooth.m.generator.apply(smooth.z, { training: true }) as tf.Tensor;
      const realLogits = D.apply(smooth.real, { training: true }) as tf.Tensor;
      const fakeLogits = D.apply(fake, { training: true }) as tf.Tensor;
      return tf.add(bceWithLogits(realLogits, 0.9), bceWithLogits(fakeLogits, 0)).dataSync()[0];
    });
    expect(smooth.v.lossD).toBeCloseTo(expected, 5);
    expect(Math.abs(smooth.v.lossD - plain.v.lossD)).toBeGreaterThan(1e-3);
    // G's target stays "real" = 1: smoothing is one-sided.
    expect(smooth.v.lossG).toBeCloseTo(plain.v.lossG, 6);
  });

  it('instance noise is added to what D sees, and only there', async () => {
    const plain = await step({ realLabel: 1 });
    const zero = tf.zeros([N, 64, 64, 1]) as tf.Tensor4D;
    const none = await step({ realLabel: 1, noise: { real: zero, fakeD: zero, fakeG: zero } });
    expect(none.v).toEqual(plain.v);
    const big = tf.fill([N, 64, 64, 1], 0.5) as tf.Tensor4D;
    const noisy = await step({ realLabel: 1, noise: { real: big, fakeD: zero, fakeG: zero } });
    expect(noisy.v.dx).not.toBeCloseTo(plain.v.dx, 4);
    expect(noisy.v.dgz).toBeCloseTo(plain.v.dgz, 6);
  });

  it('instance noise and a separate D learning rate change training, deterministically', async () => {
    const base = await trainLosses(tiny({}));
    const noisy = await trainLosses(tiny({ instanceNoise: 0.5 }));
    const noisyAgain = await trainLosses(tiny({ instanceNoise: 0.5 }));
    expect(noisyAgain.lossD).toEqual(noisy.lossD);
    expect(noisy.lossD).not.toEqual(base.lossD);
    const slowD = await trainLosses(tiny({ lrD: 1e-5 }));
    // The first D update happens after the first loss is measured.
    expect(slowD.lossD[0]).toBe(base.lossD[0]);
    expect(slowD.lossD.slice(1)).not.toEqual(base.lossD.slice(1));
  });

  it('every epoch carries G quality on the same 1,000 samples', async () => {
    const { epochs } = await trainLosses(tiny({ epochs: 2 }));
    expect(epochs).toHaveLength(2);
    for (const e of epochs) {
      expect(e.quality).not.toBeNull();
      expect(e.quality!.count).toBe(1000);
      expect(e.quality!.classCounts.reduce((a, b) => a + b, 0)).toBe(1000);
      expect(Number.isFinite(e.quality!.fidMnist)).toBe(true);
    }
  });
});
