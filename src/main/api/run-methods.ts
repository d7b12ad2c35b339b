import { readFileSync, rmSync } from 'node:fs';
import type { EpochSummary, RunDetail } from '../../shared/api.js';
import { PRESET_CONFIGS } from '../../shared/config.js';
import type { EpochRow } from '../../shared/types.js';
import { estimateEpoch } from '../jobs/estimate.js';
import { ConflictError } from '../jobs/training.js';
import { listEpochs } from '../store/epochs.js';
import { listMetrics } from '../store/metrics.js';
import type { HomePaths } from '../store/paths.js';
import { copyProbes } from '../store/probes.js';
import { createRun, deleteRun, getRun, listRuns, requireRun, updateRun } from '../store/runs.js';
import type { MethodGroup, RouterContext } from './context.js';
import { ApiError, notFound } from './errors.js';
import { requireTrainable, trainingImagesOf } from './training-images.js';

export type RunMethodNames =
  | 'doctor'
  | 'presets'
  | 'getRun'
  | 'createRun'
  | 'updateRun'
  | 'deleteRun'
  | 'duplicateRun'
  | 'startRun'
  | 'resumeRun'
  | 'cancelRun'
  | 'getMetrics'
  | 'getGrid'
  | 'estimateEpoch';

export function absoluteEpoch(paths: HomePaths, e: EpochRow): EpochSummary {
  const abs = (p: string | null) => (p === null ? null : paths.fromStored(p));
  return {
    ...e,
    gridPath: abs(e.gridPath),
    checkpoint: { generator: abs(e.checkpoint.generator), discriminator: abs(e.checkpoint.discriminator), optimizer: abs(e.checkpoint.optimizer) },
  };
}

export function runDetail(ctx: Pick<RouterContext, 'db' | 'paths' | 'dataset'>, id: number): RunDetail {
  const { db, paths } = ctx;
  const run = getRun(db, id);
  if (!run) throw notFound(`run ${id}`);
  const children = listRuns(db)
    .filter((r) => r.parentId === id)
    .map((r) => ({ id: r.id, name: r.name, status: r.status }));
  return { ...run, trainingImages: trainingImagesOf(ctx, run.config), epochs: listEpochs(db, id).map((e) => absoluteEpoch(paths, e)), children };
}

export function existingRun(ctx: RouterContext, id: number) {
  const run = getRun(ctx.db, id);
  if (!run) throw notFound(`run ${id}`);
  return run;
}

export function startTraining(ctx: RouterContext, id: number) {
  try {
    const handle = ctx.training.start(id);
    ctx.finishing.set(id, handle.finished);
    return handle.run;
  } catch (err) {
    if (err instanceof ConflictError) throw new ApiError('conflict', err.message);
    throw err;
  }
}

export function runMethods(ctx: RouterContext): MethodGroup<RunMethodNames> {
  const { db, paths } = ctx;
  return {
    // Loaded on demand: tfjs is heavy and most calls never need it here.
    doctor: async () => ({ ...(await (await import('../engine/backend/choose.js')).initBackend()), home: paths.home }),
    presets: () => PRESET_CONFIGS,
    getRun: (p) => runDetail(ctx, p.id),
    createRun: (p) => {
      requireTrainable(ctx, p.config, 'this run');
      const run = createRun(db, { name: p.name, config: p.config, tags: p.tags });
      ctx.emit({ type: 'runState', run });
      return p.start ? startTraining(ctx, run.id) : run;
    },
    updateRun: (p) => {
      existingRun(ctx, p.id);
      const run = updateRun(db, p.id, p);
      ctx.emit({ type: 'runState', run });
      return run;
    },
    deleteRun: (p) => {
      const run = existingRun(ctx, p.id);
      if (run.status === 'running' || ctx.training.isActive(p.id) || ctx.jobs.hasRunning(p.id))
        throw new ApiError('conflict', `run ${p.id} is busy (training or being explained); cancel it first`);
      const detached = listRuns(db)
        .filter((r) => r.parentId === p.id)
        .map((r) => ({ id: r.id, name: r.name }));
      deleteRun(db, p.id);
      rmSync(paths.runDir(p.id), { recursive: true, force: true });
      for (const c of detached) ctx.emit({ type: 'runState', run: requireRun(db, c.id) });
      return { id: p.id, deleted: true as const, detached };
    },
    duplicateRun: (p) => {
      const src = existingRun(ctx, p.id);
      requireTrainable(ctx, src.config, `a copy of run ${p.id}`);
      // Tags say what kind of run it is, so the copy keeps them; notes are about the original's outcome, so it gets its own.
      const run = createRun(db, {
        name: `${src.name} (copy)`,
        config: src.config,
        parentId: src.parentId,
        excluded: src.excluded,
        tags: src.tags,
        notes: `Duplicated from run #${src.id} "${src.name}".`,
      });
      // Same probes as the original, so their CAMs compare row by row (even where the original's were picked by hand).
      copyProbes(db, src.id, run.id);
      ctx.emit({ type: 'runState', run });
      return run;
    },
    startRun: (p) => {
      const run = existingRun(ctx, p.id);
      if (run.status !== 'queued') throw new ApiError('conflict', `run ${p.id} is ${run.status}; use resume to continue it`);
      requireTrainable(ctx, run.config, `run ${p.id}`, 'conflict');
      return startTraining(ctx, p.id);
    },
    resumeRun: (p) => {
      const run = existingRun(ctx, p.id);
      if (run.status === 'completed') throw new ApiError('conflict', `run ${p.id} is already completed`);
      requireTrainable(ctx, run.config, `run ${p.id}`, 'conflict');
      return startTraining(ctx, p.id);
    },
    cancelRun: (p) => {
      existingRun(ctx, p.id);
      if (!ctx.training.cancel(p.id, p.reason ?? 'on request')) throw new ApiError('conflict', `run ${p.id} is not training in this process`);
      return requireRun(db, p.id);
    },
    getMetrics: (p) => {
      existingRun(ctx, p.id);
      return listMetrics(db, p.id, { fromIteration: p.fromIteration, limit: p.limit });
    },
    getGrid: (p) => {
      const epoch = listEpochs(db, p.id).find((e) => e.epoch === p.epoch);
      if (!epoch?.gridPath) throw notFound(`grid of run ${p.id} epoch ${p.epoch}`);
      return { epoch: p.epoch, pngBase64: readFileSync(paths.fromStored(epoch.gridPath)).toString('base64') };
    },
    estimateEpoch: (p) => estimateEpoch(ctx.launcher, p.config, requireTrainable(ctx, p.config, 'this run')),
  };
}
