import path from 'node:path';
import type { FinalQualityJob, WorkerToHost } from '../protocol.js';
import { loadModel, verifyCheckpointKind } from '../train/checkpoint.js';
import { finalQuality } from './final.js';

/** The final estimate of one checkpoint of G. */
export async function runFinalQualityJob(job: FinalQualityJob, send: (m: WorkerToHost) => void): Promise<'completed'> {
  verifyCheckpointKind(job.dir, 'generator', job.sha256);
  const g = await loadModel(path.join(job.dir, 'generator', 'model.json'));
  try {
    send({ type: 'finalQuality', result: { epoch: job.epoch, ...(await finalQuality(g, { seed: job.seed, nz: job.nz, count: job.count, cacheDir: job.cacheDir })) } });
  } finally {
    g.dispose();
  }
  return 'completed';
}
