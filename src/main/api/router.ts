import { EventEmitter } from 'node:events';
import { isMethodName, methods, type ApiEvent, type MethodName, type ParamsOf, type ResultOf, type RunDetail } from '../../shared/api.js';
import { formatIssues, parse } from '../../shared/schema.js';
import { forkLauncher, type EngineLauncher } from '../jobs/launcher.js';
import { JobRegistry } from '../jobs/registry.js';
import { TrainingService } from '../jobs/training.js';
import { openDatabase } from '../store/db.js';
import { failOrphanedExplanations } from '../store/explanations.js';
import { homePaths } from '../store/paths.js';
import { isProcessAlive } from '../store/process-alive.js';
import { markInterrupted } from '../store/runs.js';
import { compareMethods } from './compare-methods.js';
import { datasetCache, type RouterContext } from './context.js';
import { ApiError } from './errors.js';
import { explainMethods } from './explain-methods.js';
import { reportMethods } from './report-methods.js';
import { runListMethods } from './run-list.js';
import { absoluteEpoch, runDetail, runMethods } from './run-methods.js';

export interface Router {
  handle(method: string, params: unknown): Promise<unknown>;
  onEvent(listener: (e: ApiEvent) => void): () => void;
  /** Resolves when the run's current training ends (for the CLI and tests). */
  waitForRun(id: number): Promise<RunDetail>;
  /** Resolves when an explain or quality job ends. */
  waitForJob(jobId: number): Promise<ResultOf<'cancelJob'>>;
  close(): void;
  readonly home: string;
}

export interface RouterOptions {
  home: string;
  launcher?: EngineLauncher;
}

type Impl = { [M in MethodName]: (p: ParamsOf<M>) => Promise<ResultOf<M>> | ResultOf<M> };

/**
 * Implements src/shared/api.ts once, over the store and the engine jobs. Every
 * transport calls `handle`, which validates params against the contract.
 */
export function createRouter({ home, launcher = forkLauncher }: RouterOptions): Router {
  const paths = homePaths(home);
  const db = openDatabase(paths.db);
  markInterrupted(db, isProcessAlive);
  failOrphanedExplanations(db, isProcessAlive);
  const events = new EventEmitter();
  events.setMaxListeners(100);
  const emit = (e: ApiEvent) => events.emit('event', e.type === 'epochDone' ? { ...e, epoch: absoluteEpoch(paths, e.epoch) } : e);
  const jobs = new JobRegistry(emit);
  const ctx: RouterContext = {
    db,
    paths,
    launcher,
    emit,
    training: new TrainingService(db, paths, launcher, emit),
    jobs,
    dataset: datasetCache(),
    finishing: new Map(),
  };
  const jobEnds = new Map<number, Promise<ResultOf<'cancelJob'>>>();
  const impl: Impl = { ...runMethods(ctx), ...runListMethods(ctx), ...explainMethods(ctx, jobEnds), ...compareMethods(ctx), ...reportMethods(ctx, () => impl) };

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
      await ctx.finishing.get(id);
      return runDetail(ctx, id);
    },
    async waitForJob(jobId) {
      const end = jobEnds.get(jobId);
      if (!end) throw new ApiError('not_found', `job ${jobId} does not exist`);
      return end;
    },
    close() {
      ctx.training.killAll();
      jobs.killAll();
      db.close();
    },
  };
}
