import type { JobInfo } from '../../shared/api.js';
import type { RunConfig } from '../../shared/config.js';
import type { CamMethod, CamTarget, KeepCams, SampleSet } from '../../shared/explain.js';
import type { FocusSettings } from '../../shared/focus-settings.js';
import type { Database } from '../store/db.js';
import { withRoom } from '../store/disk-reserve.js';
import { getCheckpoints } from '../store/epochs.js';
import { beginExplanation, finishExplanation, insertFocusBatch, setFaithfulness } from '../store/explanations.js';
import type { HomePaths } from '../store/paths.js';
import { runEngineJob } from './engine-job.js';
import type { EngineLauncher } from './launcher.js';
import type { JobRegistry } from './registry.js';

export interface ExplainRequest {
  runId: number;
  config: RunConfig;
  epochs: number[];
  layers: string[];
  method: CamMethod;
  target: CamTarget;
  samples: SampleSet;
  /** For the probe set: the dataset indices of the probes. */
  probeIndices: number[];
  settings: FocusSettings;
  keepCams: KeepCams;
}

/** Batches of 64 as in the benchmarks; each is one transaction. */
export const EXPLAIN_BATCH = 64;

/**
 * Explains D at the given epochs in an engine process. Each epoch's rows land
 * batch by batch; the explanation is marked complete only after its last batch.
 */
export function startExplain(
  db: Database,
  paths: HomePaths,
  launcher: EngineLauncher,
  registry: JobRegistry,
  req: ExplainRequest,
): { job: JobInfo; finished: Promise<JobInfo> } {
  const epochs = req.epochs.map((epoch) => {
    const d = getCheckpoints(db, req.runId, epoch).find((c) => c.kind === 'discriminator');
    if (!d) throw new Error(`run ${req.runId} has no checkpoint of D at epoch ${epoch}`);
    return { epoch, dir: paths.checkpointDir(req.runId, epoch), sha256: d.sha256 };
  });
  const range = req.epochs.length === 1 ? `epoch ${req.epochs[0]}` : `epochs ${req.epochs[0]}-${req.epochs[req.epochs.length - 1]}`;
  const label = `${req.samples === 'probe' ? 'probe samples' : 'training set'}, ${range}, ${req.method}`;
  const perEpoch = req.samples === 'probe' ? req.probeIndices.length : 0;
  const job = registry.add('explain', req.runId, label, perEpoch * epochs.length);
  const open = new Map<number, number>();
  let done = 0;
  const { proc, outcome } = runEngineJob(
    launcher,
    {
      type: 'explain',
      job: {
        config: req.config,
        epochs,
        layers: req.layers,
        method: req.method,
        target: req.target,
        settings: req.settings,
        samples: req.samples === 'probe' ? { kind: 'indices', indices: req.probeIndices } : { kind: 'train' },
        keepCams: req.keepCams,
        batchSize: EXPLAIN_BATCH,
        // ROAD costs ~30 forward passes per image: the probes, not the training set.
        faithfulness: req.samples === 'probe',
      },
    },
    (msg) => {
      if (msg.type === 'explainEpoch') {
        const row = beginExplanation(
          db,
          { runId: req.runId, epoch: msg.epoch, layers: msg.layers, method: req.method, target: req.target, samples: req.samples, settings: req.settings },
          msg.total,
        );
        open.set(msg.epoch, row.id);
        if (perEpoch === 0) registry.update(job.jobId, { total: msg.total * epochs.length });
      } else if (msg.type === 'explainBatch') {
        insertFocusBatch(db, open.get(msg.epoch)!, msg.rows);
        done += msg.rows.length;
        registry.update(job.jobId, { done });
      } else if (msg.type === 'explainFaithfulness') {
        if (msg.faithfulness) setFaithfulness(db, open.get(msg.epoch)!, msg.faithfulness);
      } else if (msg.type === 'explainEpochDone') {
        finishExplanation(db, open.get(msg.epoch)!, 'complete');
        open.delete(msg.epoch);
      }
    },
  );
  registry.attach(job.jobId, proc);
  const finished = outcome.then((end) => {
    let message = end.status === 'failed' ? end.message : null;
    for (const id of open.values()) {
      try {
        withRoom(paths.home, () => finishExplanation(db, id, end.status === 'failed' ? 'failed' : 'cancelled', end.status === 'failed' ? end.message : undefined));
      } catch (err) {
        // Left 'running' (a full disk, a closed store): the next start marks it failed, its process gone by then.
        message = `${message ?? end.status}; its end could not be recorded (${(err as Error).message})`;
      }
    }
    return registry.update(job.jobId, { status: end.status, message });
  });
  return { job, finished };
}
