import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { IMAGE_SIZE } from '../../../shared/config.js';
import { fillBatch, loadDataset } from '../data/dataset.js';
import type { FocusSample } from '../../../shared/explain.js';
import type { ExplainJob, WorkerToHost } from '../protocol.js';
import { loadModel, verifyCheckpointKind } from '../train/checkpoint.js';
import { trainingIndices } from '../data/run-indices.js';
import { baselineRatios } from './baseline.js';
import { camFaithfulness } from './faithfulness-d.js';
import { measureFocusBatch, quantizeCam } from './focus.js';
import { createCamExplainer, type CamExplainer } from './methods.js';

/**
 * Explains D at each requested epoch on the requested samples, in batches, and
 * reports each batch as it is done so the host can store it and a cancel
 * loses at most one batch. Each row carries its baseline ratio; with
 * `faithfulness`, the epoch's CAMs are scored by ROAD after its last batch.
 */
export async function runExplainJob(job: ExplainJob, send: (m: WorkerToHost) => void, cancelled: () => boolean): Promise<'completed' | 'cancelled'> {
  const dataset = loadDataset(job.config.dataset);
  const indices = job.samples.kind === 'train' ? Array.from(trainingIndices(dataset, job.config)) : job.samples.indices;
  for (const i of indices) if (!(i >= 0 && i < dataset.count)) throw new Error(`sample index ${i} is outside the dataset (${dataset.count} images)`);
  const pixels = IMAGE_SIZE * IMAGE_SIZE;
  const keep = (flagged: boolean) => job.keepCams === 'all' || (job.keepCams === 'flagged' && flagged);
  for (const { epoch, dir, sha256 } of job.epochs) {
    verifyCheckpointKind(dir, 'discriminator', sha256);
    const d = await loadModel(path.join(dir, 'discriminator', 'model.json'));
    let explainer: CamExplainer | undefined;
    try {
      explainer = createCamExplainer(d, { layers: job.layers.length ? job.layers : undefined, method: job.method, target: job.target });
      let announced = false;
      const kept = { images: [] as Float32Array[], cams: [] as Float32Array[], ids: [] as number[] };
      for (let start = 0; start < indices.length; start += job.batchSize) {
        if (cancelled()) return 'cancelled';
        const batch = indices.slice(start, start + job.batchSize);
        const images = new Float32Array(batch.length * pixels);
        fillBatch(dataset, batch, images);
        const x = tf.tensor4d(images, [batch.length, IMAGE_SIZE, IMAGE_SIZE, 1]);
        let result;
        try {
          result = await explainer.explain(x);
        } finally {
          x.dispose();
        }
        if (!announced) {
          announced = true;
          send({ type: 'explainEpoch', epoch, layers: result.layers, total: indices.length });
        }
        const focus = measureFocusBatch(result.cams, images, job.settings);
        const baselines = baselineRatios(images, job.settings, explainer.grids);
        if (job.faithfulness) {
          kept.images.push(images);
          kept.cams.push(result.cams);
          kept.ids.push(...batch);
        }
        const rows: FocusSample[] = batch.map((index, k) => ({
          index,
          digit: dataset.labels ? dataset.labels[index] : null,
          ...focus[k],
          baselineRatio: baselines[k],
          score: result.scores[k],
          cam: keep(focus[k].flagged) ? quantizeCam(result.cams.subarray(k * pixels, (k + 1) * pixels)) : null,
        }));
        send({ type: 'explainBatch', epoch, rows });
        await new Promise((r) => setImmediate(r));
      }
      if (job.faithfulness && kept.ids.length > 0) {
        if (cancelled()) return 'cancelled';
        const faithfulness = await camFaithfulness(d, concat(kept.images), concat(kept.cams), explainer.grids, {
          target: job.target,
          maskLevel: job.settings.maskLevel,
          seed: job.config.seed,
          ids: kept.ids,
        });
        send({ type: 'explainFaithfulness', epoch, faithfulness });
      }
      send({ type: 'explainEpochDone', epoch });
    } finally {
      explainer?.dispose();
      d.dispose();
    }
  }
  return 'completed';
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
