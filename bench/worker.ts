// One backend's measurements, in a process of its own so that its peak RSS is
// its own. Prints one JSON object per line; bench/run.ts collects them.
import * as tf from '@tensorflow/tfjs';
import type { Architecture } from '../src/shared/config.js';
import { initBackend } from '../src/main/engine/backend/choose.js';
import { deepestTargetLayer } from '../src/main/engine/explain/activations.js';
import { createCamExplainer } from '../src/main/engine/explain/methods.js';
import { trainStep } from '../src/main/engine/train/step.js';
import { BATCH, NZ, benchModels, benchOptimizers, disposeModels } from './models.js';
import { medianMs, peakRssMb } from './timing.js';

export interface WorkerResult {
  case: string;
  backend: string;
  width: number;
  ms: number;
  runs: number;
  /** tf.memory().numTensors after the warm-up and after the timed runs: must be equal. */
  tensorsBefore: number;
  tensorsAfter: number;
  peakRssMb: number;
  detail?: string;
}

export interface WorkerOptions {
  backend: string;
  widths: number[];
  archs: Architecture[];
  kinds: ('train' | 'gradcam')[];
  /** Timed iterations per width (warm-up is one iteration, GRADCAM_WARMUP for Grad-CAM). */
  runs: (kind: 'train' | 'gradcam', width: number) => number;
  send: (r: WorkerResult) => void;
}

/** Untimed Grad-CAM batches before the timed ones; bench/reference/dcgan_step.py uses the same. */
const GRADCAM_WARMUP = 5;

function randomImages(): tf.Tensor4D {
  return tf.randomUniform([BATCH, 64, 64, 1], -1, 1, 'float32', 7) as tf.Tensor4D;
}

export async function runWorker(opts: WorkerOptions): Promise<void> {
  const report = await initBackend(opts.backend);
  const detail = report.detail;
  for (const arch of opts.archs) {
    for (const width of opts.widths) {
      if (opts.kinds.includes('train')) {
        const models = benchModels(arch, width);
        const optim = benchOptimizers();
        const real = randomImages();
        const z = tf.randomNormal([BATCH, 1, 1, NZ], 0, 1, 'float32', 8) as tf.Tensor4D;
        const step = () => trainStep(models, optim, real, z);
        await step();
        const before = tf.memory().numTensors;
        const runs = opts.runs('train', width);
        const ms = await medianMs(step, 0, runs);
        opts.send({ case: `train-${arch}`, backend: report.tfBackend, width, ms, runs, tensorsBefore: before, tensorsAfter: tf.memory().numTensors, peakRssMb: peakRssMb(), detail });
        tf.dispose([real, z]);
        optim.d.dispose();
        optim.g.dispose();
        disposeModels(models);
      }
      if (opts.kinds.includes('gradcam')) {
        const models = benchModels(arch, width);
        const images = randomImages();
        // As the explain job does: D prepared once per checkpoint, then batch after batch.
        // Pinned to what bench/reference/dcgan_step.py computes (Grad-CAM at the deepest block),
        // not to the product's default, so the ratio to PyTorch compares the same work.
        const explainer = createCamExplainer(models.discriminator, { method: 'gradcam', layers: [deepestTargetLayer(models.discriminator)] });
        const cam = () => explainer.explain(images);
        // A Grad-CAM batch is short: a few more warm-up runs let the JIT settle,
        // as it has in a job's hundreds of batches (the reference warms up as long).
        for (let i = 0; i < GRADCAM_WARMUP; i++) await cam();
        const before = tf.memory().numTensors;
        const runs = opts.runs('gradcam', width);
        const ms = await medianMs(cam, 0, runs);
        opts.send({ case: `gradcam-${arch}`, backend: report.tfBackend, width, ms, runs, tensorsBefore: before, tensorsAfter: tf.memory().numTensors, peakRssMb: peakRssMb(), detail });
        explainer.dispose();
        images.dispose();
        disposeModels(models);
      }
    }
  }
}
