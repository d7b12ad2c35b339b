import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { IMAGE_SIZE } from '../../../shared/config.js';
import { fillBatch, loadDataset } from '../data/dataset.js';
import type { ProbesJob, WorkerToHost } from '../protocol.js';
import { loadModel, verifyCheckpointKind } from '../train/checkpoint.js';
import { computeCams } from './methods.js';
import { informativeProbes } from './probes.js';

/**
 * The paper saw samples whose CAM shows the same feature at every epoch; such
 * probes say nothing about training. This computes every candidate's CAM at
 * every epoch and keeps those that change most.
 */
export async function runProbeJob(job: ProbesJob, send: (m: WorkerToHost) => void): Promise<'completed'> {
  if (job.epochs.length < 2) throw new Error('informative probes need at least two explained epochs to compare');
  const dataset = loadDataset(job.config.dataset);
  const images = new Float32Array(job.candidates.length * IMAGE_SIZE * IMAGE_SIZE);
  fillBatch(dataset, job.candidates, images);
  const x = tf.tensor4d(images, [job.candidates.length, IMAGE_SIZE, IMAGE_SIZE, 1]);
  const camsByEpoch: Float32Array[] = [];
  try {
    for (const { dir, sha256 } of job.epochs) {
      verifyCheckpointKind(dir, 'discriminator', sha256);
      const d = await loadModel(path.join(dir, 'discriminator', 'model.json'));
      try {
        const r = await computeCams(d, x, { layers: job.layers.length ? job.layers : undefined, method: job.method, target: job.target });
        camsByEpoch.push(r.cams);
      } finally {
        d.dispose();
      }
    }
  } finally {
    x.dispose();
  }
  const { positions, change } = informativeProbes(camsByEpoch, job.count);
  send({ type: 'probes', indices: positions.map((p) => job.candidates[p]), change: positions.map((p) => change[p]) });
  return 'completed';
}
