import type { JobInfo } from '../../shared/api.js';
import type { Database } from '../store/db.js';
import { getCheckpoints } from '../store/epochs.js';
import type { HomePaths } from '../store/paths.js';
import { saveQuality } from '../store/quality.js';
import { runEngineJob } from './engine-job.js';
import type { EngineLauncher } from './launcher.js';
import type { JobRegistry } from './registry.js';

/** Scores G at the given epochs (class coverage, FID-MNIST) in an engine process. */
export function startQuality(
  db: Database,
  paths: HomePaths,
  launcher: EngineLauncher,
  registry: JobRegistry,
  req: { runId: number; nz: number; epochs: number[]; count: number; seed: number },
): { job: JobInfo; finished: Promise<JobInfo> } {
  const epochs = req.epochs.map((epoch) => {
    const g = getCheckpoints(db, req.runId, epoch).find((c) => c.kind === 'generator');
    if (!g) throw new Error(`run ${req.runId} has no checkpoint of G at epoch ${epoch}`);
    return { epoch, dir: paths.checkpointDir(req.runId, epoch), sha256: g.sha256 };
  });
  const job = registry.add('quality', req.runId, `G quality on ${req.count} samples, ${epochs.length} epoch(s)`, epochs.length);
  let done = 0;
  const { proc, outcome } = runEngineJob(
    launcher,
    { type: 'quality', job: { epochs, nz: req.nz, count: req.count, seed: req.seed } },
    (msg) => {
      if (msg.type !== 'qualityEpoch') return;
      saveQuality(db, req.runId, msg);
      registry.update(job.jobId, { done: ++done });
    },
  );
  registry.attach(job.jobId, proc);
  const finished = outcome.then((end) => registry.update(job.jobId, { status: end.status, message: end.status === 'failed' ? end.message : null }));
  return { job, finished };
}
