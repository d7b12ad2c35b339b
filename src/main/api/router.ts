import { EventEmitter } from 'node:events';
import { rmSync, readFileSync } from 'node:fs';
import {
  isMethodName,
  methods,
  type ApiEvent,
  type EpochSummary,
  type MethodName,
  type ParamsOf,
  type ResultOf,
  type RunDetail,
} from '../../shared/api.js';
import { PRESET_CONFIGS } from '../../shared/config.js';
import { formatIssues, parse } from '../../shared/schema.js';
import type { EpochRow } from '../../shared/types.js';
import { estimateEpoch } from '../jobs/estimate.js';
import { forkLauncher, type EngineLauncher } from '../jobs/launcher.js';
import { ConflictError, TrainingService } from '../jobs/training.js';
import { openDatabase, type Database } from '../store/db.js';
import { listEpochs } from '../store/epochs.js';
import { listMetrics } from '../store/metrics.js';
import { homePaths, type HomePaths } from '../store/paths.js';
import { isProcessAlive } from '../store/process-alive.js';
import { createRun, deleteRun, getRun, listRuns, markInterrupted, requireRun, updateRun } from '../store/runs.js';
import { ApiError, notFound } from './errors.js';

export interface Router {
  handle(method: string, params: unknown): Promise<unknown>;
  onEvent(listener: (e: ApiEvent) => void): () => void;
  /** Resolves when the run reaches a final status (for the CLI and tests). */
  waitForRun(id: number): Promise<RunDetail>;
  close(): void;
  readonly home: string;
}

export interface RouterOptions {
  home: string;
  launcher?: EngineLauncher;
}

type Impl = { [M in MethodName]: (p: ParamsOf<M>) => Promise<ResultOf<M>> | ResultOf<M> };

function absoluteEpoch(paths: HomePaths, e: EpochRow): EpochSummary {
  const abs = (p: string | null) => (p === null ? null : paths.fromStored(p));
  return {
    ...e,
    gridPath: abs(e.gridPath),
    checkpoint: { generator: abs(e.checkpoint.generator), discriminator: abs(e.checkpoint.discriminator), optimizer: abs(e.checkpoint.optimizer) },
  };
}

function runDetail(db: Database, paths: HomePaths, id: number): RunDetail {
  const run = getRun(db, id);
  if (!run) throw notFound(`run ${id}`);
  const children = listRuns(db)
    .filter((r) => r.parentId === id)
    .map((r) => ({ id: r.id, name: r.name, status: r.status }));
  return { ...run, epochs: listEpochs(db, id).map((e) => absoluteEpoch(paths, e)), children };
}

/**
 * Implements src/shared/api.ts once, over the store and the engine jobs. Every
 * transport calls `handle`, which validates params against the contract.
 */
export function createRouter({ home, launcher = forkLauncher }: RouterOptions): Router {
  const paths = homePaths(home);
  const db = openDatabase(paths.db);
  markInterrupted(db, isProcessAlive);
  const events = new EventEmitter();
  events.setMaxListeners(100);
  const emit = (e: ApiEvent) => {
    const out = e.type === 'epochDone' ? { ...e, epoch: absoluteEpoch(paths, e.epoch) } : e;
    events.emit('event', out);
  };
  const training = new TrainingService(db, paths, launcher, emit);
  const finishing = new Map<number, Promise<unknown>>();

  const startTraining = (id: number) => {
    try {
      const handle = training.start(id);
      finishing.set(id, handle.finished);
      return handle.run;
    } catch (err) {
      if (err instanceof ConflictError) throw new ApiError('conflict', err.message);
      throw err;
    }
  };

  const impl: Impl = {
    // Loaded on demand: tfjs is heavy and most calls never need it here.
    doctor: async () => ({ ...(await (await import('../engine/backend/choose.js')).initBackend()), home: paths.home }),
    presets: () => PRESET_CONFIGS,
    listRuns: (p) => listRuns(db, p),
    getRun: (p) => runDetail(db, paths, p.id),
    createRun: (p) => {
      const run = createRun(db, { name: p.name, config: p.config });
      emit({ type: 'runState', run });
      return p.start ? startTraining(run.id) : run;
    },
    updateRun: (p) => {
      if (!getRun(db, p.id)) throw notFound(`run ${p.id}`);
      return updateRun(db, p.id, p);
    },
    deleteRun: (p) => {
      const run = getRun(db, p.id);
      if (!run) throw notFound(`run ${p.id}`);
      if (run.status === 'running' || training.isActive(p.id)) throw new ApiError('conflict', `run ${p.id} is training; cancel it first`);
      deleteRun(db, p.id);
      rmSync(paths.runDir(p.id), { recursive: true, force: true });
      return { id: p.id, deleted: true as const };
    },
    duplicateRun: (p) => {
      const src = getRun(db, p.id);
      if (!src) throw notFound(`run ${p.id}`);
      const run = createRun(db, { name: `${src.name} (copy)`, config: src.config, parentId: src.parentId, excluded: src.excluded });
      emit({ type: 'runState', run });
      return run;
    },
    startRun: (p) => {
      const run = getRun(db, p.id);
      if (!run) throw notFound(`run ${p.id}`);
      if (run.status !== 'queued') throw new ApiError('conflict', `run ${p.id} is ${run.status}; use resume to continue it`);
      return startTraining(p.id);
    },
    resumeRun: (p) => {
      const run = getRun(db, p.id);
      if (!run) throw notFound(`run ${p.id}`);
      if (run.status === 'completed') throw new ApiError('conflict', `run ${p.id} is already completed`);
      return startTraining(p.id);
    },
    cancelRun: (p) => {
      const run = getRun(db, p.id);
      if (!run) throw notFound(`run ${p.id}`);
      if (!training.cancel(p.id)) throw new ApiError('conflict', `run ${p.id} is not training in this process`);
      return requireRun(db, p.id);
    },
    getMetrics: (p) => {
      if (!getRun(db, p.id)) throw notFound(`run ${p.id}`);
      return listMetrics(db, p.id, { fromIteration: p.fromIteration, limit: p.limit });
    },
    getGrid: (p) => {
      const epoch = listEpochs(db, p.id).find((e) => e.epoch === p.epoch);
      if (!epoch?.gridPath) throw notFound(`grid of run ${p.id} epoch ${p.epoch}`);
      return { epoch: p.epoch, pngBase64: readFileSync(paths.fromStored(epoch.gridPath)).toString('base64') };
    },
    estimateEpoch: (p) => estimateEpoch(launcher, p.config),
  };

  return {
    home: paths.home,
    async handle(method, params) {
      if (!isMethodName(method)) throw new ApiError('bad_request', `unknown method ${JSON.stringify(method)}`);
      const checked = parse(methods[method].params, params);
      if (!checked.ok) throw new ApiError('bad_request', `${method}: ${formatIssues(checked.issues)}`);
      const fn = impl[method] as (p: unknown) => unknown;
      return await fn(checked.value);
    },
    onEvent(listener) {
      events.on('event', listener);
      return () => events.off('event', listener);
    },
    async waitForRun(id) {
      await finishing.get(id);
      return runDetail(db, paths, id);
    },
    close() {
      training.killAll();
      db.close();
    },
  };
}
