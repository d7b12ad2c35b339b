import * as tf from '@tensorflow/tfjs';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { IMAGE_SIZE, type RunConfig } from '../../../shared/config.js';
import { type Dataset, fillBatch } from '../data/dataset.js';
import { trainingIndices } from '../data/run-indices.js';
import { buildDiscriminator } from '../model/discriminator.js';
import { buildGenerator } from '../model/generator.js';
import { gridPng } from '../png.js';
import { epochQuality } from '../quality/quality.js';
import type { EpochQuality, EpochResult, IterationMetrics, ResumePoint } from '../protocol.js';
import { createRng, deriveSeed, fillNormal, shuffle } from '../rng.js';
import { loadModel, loadOptimizers, verifyCheckpointKind, writeCheckpoint } from './checkpoint.js';
import { type GanModels, type GanOptimizers, type StepOptions, trainStep } from './step.js';

export class NonFiniteLossError extends Error {
  constructor(
    readonly epoch: number,
    readonly iteration: number,
    values: Record<string, number>,
  ) {
    const bad = Object.entries(values)
      .filter(([, v]) => !Number.isFinite(v))
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    super(`training diverged: non-finite loss at epoch ${epoch}, iteration ${iteration} (${bad}); checkpoints of earlier epochs are intact`);
  }
}

export interface TrainHooks {
  onProgress(m: IterationMetrics): void;
  onEpoch(r: EpochResult): void | Promise<void>;
  isCancelled(): boolean;
  /** Lets the caller inject a fault, for tests of the NaN path. */
  transformLosses?(v: { lossD: number; lossG: number }, iteration: number): { lossD: number; lossG: number };
  /** For tests of the full-disk path: true makes that epoch's checkpoint write fail with ENOSPC half way. */
  checkpointFault?(epoch: number): boolean;
  /** Samples for each epoch's G quality (default 1,000): fewer for tests on a software GPU. */
  qualitySamples?: number;
}

export const GRID_SIZE = 64;

const SEED_NOISE = 1;
const SEED_SHUFFLE = 2;
const SEED_FIXED_NOISE = 3;
const SEED_INSTANCE_NOISE = 4;

function pad3(n: number): string {
  return String(n).padStart(3, '0');
}

export function epochCheckpointDir(epoch: number): string {
  return path.join('checkpoints', `epoch-${pad3(epoch)}`);
}

export function epochGridFile(epoch: number): string {
  return path.join('grids', `epoch-${pad3(epoch)}.png`);
}

function createOptimizers(config: RunConfig): GanOptimizers {
  return {
    d: tf.train.adam(config.lrD ?? config.lr, config.beta1, config.beta2),
    g: tf.train.adam(config.lr, config.beta1, config.beta2),
  };
}

async function restore(config: RunConfig, resume: ResumePoint | undefined): Promise<{ models: GanModels; opt: GanOptimizers }> {
  const opt = createOptimizers(config);
  if (!resume) {
    return {
      models: {
        generator: buildGenerator({ nz: config.nz, ngf: config.ngf, seed: config.trainingSeed }),
        discriminator: buildDiscriminator({ arch: config.arch, ndf: config.ndf, seed: config.trainingSeed }),
      },
      opt,
    };
  }
  for (const kind of ['generator', 'discriminator', 'optimizer'] as const) verifyCheckpointKind(resume.dir, kind, resume.sha256[kind]);
  const models = {
    generator: await loadModel(path.join(resume.dir, 'generator', 'model.json')),
    discriminator: await loadModel(path.join(resume.dir, 'discriminator', 'model.json')),
  };
  // Adam creates its slots lazily on the first update; restoring them in the
  // order of the trainable weights matches the order applyGradients uses.
  await loadOptimizers(path.join(resume.dir, 'optimizer.json'), { d: opt.d, g: opt.g });
  return { models, opt };
}

function fixedNoise(config: RunConfig): tf.Tensor4D {
  const z = fillNormal(createRng(deriveSeed(config.seed, SEED_FIXED_NOISE)), new Float32Array(GRID_SIZE * config.nz));
  return tf.tensor4d(z, [GRID_SIZE, 1, 1, config.nz]);
}

/**
 * Draws the fixed-noise samples as PyTorch's DCGAN example does: G in training
 * mode, with batch statistics. Early on, BatchNorm's moving averages are far
 * from those and inference-mode samples come out flat gray. The moving averages
 * are put back afterwards, so drawing the grid leaves G as it was.
 */
export async function renderGrid(G: tf.LayersModel, noise: tf.Tensor4D): Promise<Buffer> {
  const moving = G.layers.filter((l) => l.getClassName() === 'BatchNormalization').flatMap((l) => l.nonTrainableWeights);
  const saved = moving.map((v) => tf.clone(v.read()));
  try {
    const images = tf.tidy(() => G.apply(noise, { training: true }) as tf.Tensor);
    try {
      return gridPng((await images.data()) as Float32Array, GRID_SIZE, IMAGE_SIZE);
    } finally {
      images.dispose();
    }
  } finally {
    moving.forEach((v, i) => v.write(saved[i]));
    tf.dispose(saved);
  }
}

/**
 * G quality at the end of every epoch (the default 1,000 samples), on the same
 * z each time (from the data seed, not the training seed), so the curve is
 * comparable across epochs and across the runs of a study. A failure (a missing classifier, a diverged G) is raised after the
 * epoch is recorded, so the checkpoint just written is not lost.
 */
async function measureQuality(G: tf.LayersModel, config: RunConfig, count?: number): Promise<{ quality: EpochQuality | null; error: Error | null }> {
  try {
    return { quality: await epochQuality(G, { seed: config.seed, nz: config.nz, count }), error: null };
  } catch (err) {
    return { quality: null, error: err instanceof Error ? err : new Error(String(err)) };
  }
}

/**
 * Instance noise of one iteration: its std falls linearly from
 * config.instanceNoise at the first iteration to 0 after the last, drawn from
 * (training seed, iteration) so a resumed run sees the same noise.
 */
function instanceNoise(config: RunConfig, iteration: number, totalIterations: number, buf: Float32Array): StepOptions['noise'] {
  const std = config.instanceNoise * (1 - (iteration - 1) / totalIterations);
  if (!(std > 0)) return undefined;
  const rng = createRng(deriveSeed(config.trainingSeed, iteration, SEED_INSTANCE_NOISE));
  const draw = () => {
    fillNormal(rng, buf);
    for (let i = 0; i < buf.length; i++) buf[i] *= std;
    return tf.tensor4d(buf, [config.batchSize, IMAGE_SIZE, IMAGE_SIZE, 1]);
  };
  return { real: draw(), fakeD: draw(), fakeG: draw() };
}

/** What a full disk throws, for the test hook (GAN_FOCUS_FAULT_ENOSPC_AT in the worker). */
function injectedEnospc(): never {
  throw Object.assign(new Error('ENOSPC: no space left on device, write (injected for a test)'), { code: 'ENOSPC' });
}

/** Writes next to the file, then renames: a full disk leaves the old file or none, never a truncated one. */
function writeFileWhole(file: string, data: Buffer): void {
  const tmp = `${file}.partial-${process.pid}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Trains from the epoch after `resume` (or from scratch) to config.epochs.
 * Every random draw of training is derived from (training seed, epoch,
 * purpose), so a resumed run sees the same batches and noise as one that
 * never stopped; the images themselves come from the data seed.
 */
export async function train(
  dataset: Dataset,
  config: RunConfig,
  runDir: string,
  resume: ResumePoint | undefined,
  hooks: TrainHooks,
): Promise<'completed' | 'cancelled'> {
  const indices = trainingIndices(dataset, config);
  const batches = Math.floor(indices.length / config.batchSize);
  if (batches < 1)
    throw new Error(`the run has ${indices.length} training images, fewer than one batch of ${config.batchSize}`);
  const { models, opt } = await restore(config, resume);
  const noise = fixedNoise(config);
  const pixels = IMAGE_SIZE * IMAGE_SIZE;
  const realBuf = new Float32Array(config.batchSize * pixels);
  const zBuf = new Float32Array(config.batchSize * config.nz);
  const noiseBuf = new Float32Array(config.batchSize * pixels);
  const startEpoch = (resume?.epoch ?? 0) + 1;
  try {
    for (let epoch = startEpoch; epoch <= config.epochs; epoch++) {
      const started = performance.now();
      const order = shuffle(createRng(deriveSeed(config.trainingSeed, epoch, SEED_SHUFFLE)), Int32Array.from(indices));
      const noiseRng = createRng(deriveSeed(config.trainingSeed, epoch, SEED_NOISE));
      const sums = { lossD: 0, lossG: 0, dx: 0, dgz: 0 };
      for (let b = 0; b < batches; b++) {
        if (hooks.isCancelled()) return 'cancelled';
        const iteration = (epoch - 1) * batches + b + 1;
        fillBatch(dataset, order.subarray(b * config.batchSize, (b + 1) * config.batchSize), realBuf);
        fillNormal(noiseRng, zBuf);
        const real = tf.tensor4d(realBuf, [config.batchSize, IMAGE_SIZE, IMAGE_SIZE, 1]);
        const z = tf.tensor4d(zBuf, [config.batchSize, 1, 1, config.nz]);
        const instance = instanceNoise(config, iteration, config.epochs * batches, noiseBuf);
        let v;
        try {
          v = await trainStep(models, opt, real, z, { realLabel: 1 - config.labelSmoothing, noise: instance });
        } finally {
          tf.dispose([real, z, ...(instance ? Object.values(instance) : [])]);
        }
        const losses = hooks.transformLosses ? hooks.transformLosses(v, iteration) : v;
        const values = { ...v, ...losses };
        if (!Number.isFinite(values.lossD) || !Number.isFinite(values.lossG))
          throw new NonFiniteLossError(epoch, iteration, { Loss_D: values.lossD, Loss_G: values.lossG });
        sums.lossD += values.lossD;
        sums.lossG += values.lossG;
        sums.dx += values.dx;
        sums.dgz += values.dgz;
        hooks.onProgress({ epoch, iteration, batch: b + 1, batches, ...values });
        await yieldToEventLoop();
      }
      const grid = epochGridFile(epoch);
      mkdirSync(path.join(runDir, path.dirname(grid)), { recursive: true });
      writeFileWhole(path.join(runDir, grid), await renderGrid(models.generator, noise));
      const checkpointDir = epochCheckpointDir(epoch);
      const fault = hooks.checkpointFault?.(epoch) ? injectedEnospc : undefined;
      const files = await writeCheckpoint(path.join(runDir, checkpointDir), models, { d: opt.d, g: opt.g }, fault);
      const { quality, error } = await measureQuality(models.generator, config, hooks.qualitySamples);
      await hooks.onEpoch({
        epoch,
        lossD: sums.lossD / batches,
        lossG: sums.lossG / batches,
        dx: sums.dx / batches,
        dgz: sums.dgz / batches,
        seconds: (performance.now() - started) / 1000,
        iterations: batches,
        grid,
        checkpointDir,
        files,
        quality,
      });
      if (error) throw new Error(`G quality could not be measured at epoch ${epoch} (${error.message}); the epoch's checkpoint is saved`);
    }
    return 'completed';
  } finally {
    tf.dispose([noise]);
    models.generator.dispose();
    models.discriminator.dispose();
    opt.d.dispose();
    opt.g.dispose();
  }
}
