import path from 'node:path';
import { FINAL_SAMPLES } from '../../shared/study.js';
import type { Database } from '../store/db.js';
import { getCheckpoints } from '../store/epochs.js';
import type { HomePaths } from '../store/paths.js';
import { requireRun } from '../store/runs.js';
import { getFinalQuality, saveFinalQuality } from '../store/studies.js';
import { runEngineJob } from './engine-job.js';
import type { EngineLauncher } from './launcher.js';
import type { JobRegistry } from './registry.js';

/**
 * Measures a completed run's final estimate (KID, FID-infinity, coverage on
 * FINAL_SAMPLES samples of its last epoch) in an engine process and stores it;
 * does nothing when it is already stored. Rejects with the engine's reason.
 */
export async function ensureFinalQuality(db: Database, paths: HomePaths, launcher: EngineLauncher, registry: JobRegistry, runId: number): Promise<void> {
  const run = requireRun(db, runId);
  const epoch = run.config.epochs;
  if (getFinalQuality(db, runId, epoch, FINAL_SAMPLES)) return;
  const g = getCheckpoints(db, runId, epoch).find((c) => c.kind === 'generator');
  if (!g) throw new Error(`run ${runId} has no checkpoint of G at epoch ${epoch}`);
  const job = registry.add('quality', runId, `final estimate: KID and FID-infinity on ${FINAL_SAMPLES} samples, epoch ${epoch}`, 1);
  const { proc, outcome } = runEngineJob(
    launcher,
    { type: 'finalQuality', job: { epoch, dir: paths.checkpointDir(runId, epoch), sha256: g.sha256, nz: run.config.nz, seed: run.config.seed, count: FINAL_SAMPLES, cacheDir: path.join(paths.home, 'cache') } },
    (msg) => {
      if (msg.type !== 'finalQuality') return;
      saveFinalQuality(db, runId, msg.result);
      registry.update(job.jobId, { done: 1 });
    },
  );
  registry.attach(job.jobId, proc);
  const end = await outcome;
  registry.update(job.jobId, { status: end.status, message: end.status === 'failed' ? end.message : null });
  if (end.status !== 'completed') throw new Error(`the final estimate of run ${runId} ${end.status === 'failed' ? `failed: ${end.message}` : 'was cancelled'}`);
}
