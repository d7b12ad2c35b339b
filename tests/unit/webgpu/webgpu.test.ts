import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NATIVE_BACKEND } from '../../../src/main/engine/backend/native.js';
import type { Dataset } from '../../../src/main/engine/data/dataset.js';
import { computeCams } from '../../../src/main/engine/explain/methods.js';
import { buildDiscriminator } from '../../../src/main/engine/model/discriminator.js';
import { buildGenerator } from '../../../src/main/engine/model/generator.js';
import type { EpochResult, IterationMetrics } from '../../../src/main/engine/protocol.js';
import { loadModel, loadOptimizers, writeCheckpoint } from '../../../src/main/engine/train/checkpoint.js';
import { trainStep } from '../../../src/main/engine/train/step.js';
import { train } from '../../../src/main/engine/train/trainer.js';
import { presetConfig, type RunConfig } from '../../../src/shared/config.js';
import { CAM_METHODS, type CamMethod } from '../../../src/shared/explain.js';
import { tempHome } from '../../helpers/cli.js';
import { setBatchNormStats } from '../explain/tiny-d.js';
import { nativeBuilt, randomArray, registerNative, relativeError } from '../native/helpers.js';
import { OPT_IN_REASON, skipReason, suiteOptedIn, valuesOn, WEBGPU, webgpuReady } from './helpers.js';

// The app's own G and D on tfjs-backend-webgpu (Dawn), against tfjs' cpu
// backend. Small on purpose: CI runs this on lavapipe, a CPU rasteriser that
// compiles every shader with LLVM. One file, so each shader is compiled once.

/** Deterministic pixels: enough to train on, not to learn digits. */
function blobs(count: number): Dataset {
  const pixels = new Uint8Array(count * 28 * 28);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 2654435761) % 251;
  return { id: 'blobs', name: 'blobs', count, rows: 28, cols: 28, pixels, labels: null, source: { images: 'blobs' } };
}

const config: RunConfig = { ...presetConfig('quick'), arch: 'paper', limit: null, ngf: 8, ndf: 8, nz: 16, batchSize: 8, epochs: 1, seed: 4 };

async function trainOneEpoch(backend: string): Promise<{ steps: IterationMetrics[]; epoch: EpochResult; runDir: string }> {
  await tf.setBackend(backend);
  const steps: IterationMetrics[] = [];
  const epochs: EpochResult[] = [];
  const runDir = tempHome();
  await train(blobs(16), config, runDir, undefined, {
    onProgress: (m) => void steps.push(m),
    onEpoch: (r) => void epochs.push(r),
    isCancelled: () => false,
    qualitySamples: 100,
  });
  return { steps, epoch: epochs[0], runDir };
}

function close(a: number, b: number, tol: number): boolean {
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a));
}

// Lavapipe compiles each of the file's ~120 pipelines with LLVM on first use:
// ~40 s of CPU for the first training step on a fresh machine, and far more
// wall time on a loaded one (docs/webgpu.md), hence the long timeout.
describe.skipIf(!webgpuReady || !suiteOptedIn)(`webgpu matches the CPU backends${skipReason || !suiteOptedIn ? ` (skipped: ${skipReason || OPT_IN_REASON})` : ''}`, { timeout: 900_000 }, () => {
  beforeAll(async () => {
    if (nativeBuilt) await registerNative();
  });

  it('trains one epoch as the CPU backends do: losses of every iteration, G quality, grid and checkpoint', async () => {
    // native-cpu matches cpu to 1e-4 (tests/unit/native/training.test.ts) and takes seconds where cpu takes minutes.
    const ref = await trainOneEpoch(nativeBuilt ? NATIVE_BACKEND : 'cpu');
    const got = await trainOneEpoch(WEBGPU);
    expect(got.steps.length).toBe(2);
    for (let i = 0; i < ref.steps.length; i++)
      for (const k of ['lossD', 'lossG', 'dx', 'dgz'] as const)
        expect(close(ref.steps[i][k], got.steps[i][k], 1e-3), `iteration ${i + 1} ${k}: CPU ${ref.steps[i][k]}, webgpu ${got.steps[i][k]}`).toBe(true);
    const [q, r] = [got.epoch.quality!, ref.epoch.quality!];
    expect(q.count).toBe(100);
    expect(close(r.fidMnist, q.fidMnist, 1e-2), `FID-MNIST CPU ${r.fidMnist}, webgpu ${q.fidMnist}`).toBe(true);
    expect(close(r.meanConfidence, q.meanConfidence, 1e-2)).toBe(true);
    expect(got.epoch.files.map((f) => f.kind)).toEqual(['generator', 'discriminator', 'optimizer']);
  });

  it.each(CAM_METHODS.map((m) => [m]))('Grad-CAM (%s) gives the cpu backend\'s CAMs and logits', async (method: CamMethod) => {
    const cams = async (backend: string, layers?: string[]) => {
      await tf.setBackend(backend);
      const D = buildDiscriminator({ arch: 'paper', ndf: 8, seed: 5 });
      setBatchNormStats(D);
      // Batch 8, as in training: lavapipe compiles a shader per shape, and these share them.
      const images = tf.tensor4d(randomArray(31, 8 * 64 * 64), [8, 64, 64, 1]);
      const before = tf.memory().numTensors;
      try {
        const r = await computeCams(D, images, { method, layers });
        expect(tf.memory().numTensors).toBe(before);
        return r;
      } finally {
        images.dispose();
        D.dispose();
      }
    };
    // Two layers (the multi-layer average) for one method: every method shares that code.
    for (const layers of method === 'gradcam' ? [undefined, ['block2_bn', 'block3']] : [undefined]) {
      const ref = await cams('cpu', layers);
      const got = await cams(WEBGPU, layers);
      expect(relativeError(ref.scores, got.scores)).toBeLessThan(1e-3);
      expect(relativeError(ref.cams, got.cams), `${method} at ${got.layers.join('+')}`).toBeLessThan(1e-3);
    }
  });

  it('a checkpoint written on webgpu loads on cpu and native-cpu: the same D outputs, and training goes on', async () => {
    await tf.setBackend(WEBGPU);
    const models = {
      generator: buildGenerator({ nz: config.nz, ngf: config.ngf, seed: 8 }),
      discriminator: buildDiscriminator({ arch: 'paper', ndf: config.ndf, seed: 8 }),
    };
    const opt = { d: tf.train.adam(2e-4, 0.5, 0.999), g: tf.train.adam(2e-4, 0.5, 0.999) };
    const probe = randomArray(41, 8 * 64 * 64);
    const z = randomArray(42, 8 * config.nz, -2, 2);
    const real = tf.tensor4d(randomArray(43, 8 * 64 * 64), [8, 64, 64, 1]);
    const noise = tf.tensor4d(z, [8, 1, 1, config.nz]);
    // One step, so BatchNorm's moving statistics and Adam's slots are not at their start.
    await trainStep(models, opt, real, noise);
    tf.dispose([real, noise]);
    const dir = path.join(tempHome(), 'epoch-001');
    await writeCheckpoint(dir, models, { d: opt.d, g: opt.g });
    const [expected] = await valuesOn(WEBGPU, () => models.discriminator.predict(tf.tensor4d(probe, [8, 64, 64, 1])) as tf.Tensor);
    models.generator.dispose();
    models.discriminator.dispose();
    opt.d.dispose();
    opt.g.dispose();

    const backends = ['cpu'];
    if (nativeBuilt) backends.push(NATIVE_BACKEND);
    for (const backend of backends) {
      await tf.setBackend(backend);
      const loaded = {
        generator: await loadModel(path.join(dir, 'generator', 'model.json')),
        discriminator: await loadModel(path.join(dir, 'discriminator', 'model.json')),
      };
      const [got] = await valuesOn(backend, () => loaded.discriminator.predict(tf.tensor4d(probe, [8, 64, 64, 1])) as tf.Tensor);
      expect(relativeError(expected, got), `D outputs on ${backend}`).toBeLessThan(1e-4);
      const opt2 = { d: tf.train.adam(2e-4, 0.5, 0.999), g: tf.train.adam(2e-4, 0.5, 0.999) };
      await loadOptimizers(path.join(dir, 'optimizer.json'), opt2);
      // One step on the fastest CPU backend at hand: the pure-JS one takes minutes on a busy machine.
      if (backend === backends.at(-1)) {
        const x = tf.tensor4d(probe, [8, 64, 64, 1]);
        const zz = tf.tensor4d(z, [8, 1, 1, config.nz]);
        const step = await trainStep(loaded, opt2, x, zz);
        tf.dispose([x, zz]);
        expect(Number.isFinite(step.lossD) && Number.isFinite(step.lossG)).toBe(true);
      }
      loaded.generator.dispose();
      loaded.discriminator.dispose();
      opt2.d.dispose();
      opt2.g.dispose();
    }
  });
});
