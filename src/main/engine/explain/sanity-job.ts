import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { IMAGE_SIZE } from '../../../shared/config.js';
import { fillBatch, loadDataset } from '../data/dataset.js';
import type { SanityJob, WorkerToHost } from '../protocol.js';
import { loadModel, verifyCheckpointKind } from '../train/checkpoint.js';
import { computeCams, resolveLayers } from './methods.js';
import { cascadingRandomisation } from './sanity.js';

/** The cascading randomisation check of one checkpoint's CAMs on the given samples (the probes). */
export async function runSanityJob(job: SanityJob, send: (m: WorkerToHost) => void): Promise<'completed'> {
  const dataset = loadDataset(job.config.dataset);
  for (const i of job.indices) if (!(i >= 0 && i < dataset.count)) throw new Error(`sample index ${i} is outside the dataset (${dataset.count} images)`);
  const images = new Float32Array(job.indices.length * IMAGE_SIZE * IMAGE_SIZE);
  fillBatch(dataset, job.indices, images);
  verifyCheckpointKind(job.checkpoint.dir, 'discriminator', job.checkpoint.sha256);
  const d = await loadModel(path.join(job.checkpoint.dir, 'discriminator', 'model.json'));
  const x = tf.tensor4d(images, [job.indices.length, IMAGE_SIZE, IMAGE_SIZE, 1]);
  try {
    const layers = resolveLayers(d, job.layers.length ? job.layers : undefined);
    const camsOf = async (D: tf.LayersModel) => (await computeCams(D, x, { layers, method: job.method, target: job.target })).cams;
    const { stages, verdict } = await cascadingRandomisation(d, images, camsOf, job.settings, layers, job.seed);
    send({ type: 'sanity', layers, stages, verdict });
  } finally {
    x.dispose();
    d.dispose();
  }
  return 'completed';
}
