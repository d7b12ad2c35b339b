import path from 'node:path';
import type { QualityJob, WorkerToHost } from '../protocol.js';
import { loadModel, verifyCheckpointKind } from '../train/checkpoint.js';
import { epochQuality } from './quality.js';

/** Scores G at each requested epoch; each epoch's numbers are sent as soon as they exist. */
export async function runQualityJob(job: QualityJob, send: (m: WorkerToHost) => void, cancelled: () => boolean): Promise<'completed' | 'cancelled'> {
  for (const { epoch, dir, sha256 } of job.epochs) {
    if (cancelled()) return 'cancelled';
    verifyCheckpointKind(dir, 'generator', sha256);
    const g = await loadModel(path.join(dir, 'generator', 'model.json'));
    try {
      send({ type: 'qualityEpoch', epoch, ...(await epochQuality(g, { count: job.count, seed: job.seed, nz: job.nz })) });
    } finally {
      g.dispose();
    }
  }
  return 'completed';
}
