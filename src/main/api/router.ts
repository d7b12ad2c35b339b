import { EventEmitter } from 'node:events';
import { isMethodName, methods, type ApiEvent, type MethodName, type ParamsOf, type ResultOf, type RunDetail } from '../../shared/api.js';
import { isDiskFull } from '../../shared/disk-full.js';
import { formatIssues, parse } from '../../shared/schema.js';
import type { RunRow } from '../../shared/types.js';
import { forkLauncher, trackingLauncher, type EngineLauncher } from '../jobs/launcher.js';
import { ensureFinalQuality } from '../jobs/final-quality.js';
import { JobRegistry } from '../jobs/registry.js';
import { StudyRunner, type StudyEnd } from '../jobs/study-runner.js';
import { type RunStop, TrainingService } from '../jobs/training.js';
import { openDatabase } from '../store/db.js';
import { keepReserve, withRoom } from '../store/disk-reserve.js';
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
import { studyMethods } from './study-methods.js';
import { absoluteEpoch, runDetail, runMethods } from './run-methods.js';

export interface Router {
  handle(method: string, params: unknown): Promise<unknown>;
  onEvent(listener: (e: ApiEvent) => void): () => void;
  /**
   * Resolves when the run's current training ends (for the CLI and tests),
   * with how it ended even where a full disk kept the store from recording it.
   */
  waitForRun(id: number): Promise<RunDetail>;
  /** Resolves when the study's runner in this process ends (at once, with null, when none runs). */
  waitForStudy(id: number): Promise<StudyEnd | null>;
  /** Resolves when an explain or quality job ends. */
  waitForJob(jobId: number): Promise<ResultOf<'cancelJob'>>;
  /**
   * Stops this process's engines, recording each run still training as `stop`
   * says (by default interrupted: the process hosting it stopped, which
   * `serve --resume-interrupted` continues), then closes the store.
   */
  close(stop?: RunStop): void;
  readonly home: string;
}

export interface RouterOptions {
  home: string;
  launcher?: EngineLauncher;
}

const CLOSED: RunStop = { status: 'interrupted', message: 'the process hosting it shut down during training', code: 'process_stopped' };

function readableWhenFull(write: () => unknown): void {
  try {
    write();
  } catch (err) {
    if (!isDiskFull(err)) throw err;
  }
}

type Impl = { [M in MethodName]: (p: ParamsOf<M>) => Promise<ResultOf<M>> | ResultOf<M> };

/**
 * Implements src/shared/api.ts once, over the store and the engine jobs. Every
 * transport calls `handle`, which validates params against the contract.
 */
export function createRouter({ home, launcher = forkLauncher }: RouterOptions): Router {
  const paths = homePaths(home);
  // Opening needs room for SQLite's WAL index, even to read.
  const db = withRoom(paths.home, () => openDatabase(paths.db));
  keepReserve(paths.home);
  // On a full disk these writes may fail even with the reserve: the store stays
  // readable, and they succeed at the first start with space.
  readableWhenFull(() => withRoom(paths.home, () => markInterrupted(db, isProcessAlive)));
  readableWhenFull(() => withRoom(paths.home, () => failOrphanedExplanations(db, isProcessAlive)));
  const events = new EventEmitter();
  events.setMaxListeners(100);
  const emit = (e: ApiEvent) => events.emit('event', e.type === 'epochDone' ? { ...e, epoch: absoluteEpoch(paths, e.epoch) } : e);
  const jobs = new JobRegistry(emit);
  const training = new TrainingService(db, paths, launcher, emit);
  const finishing = new Map<number, Promise<unknown>>();
  const studies = new StudyRunner({
    db,
    emit,
    train: (runId) => {
      const handle = training.start(runId);
      finishing.set(runId, handle.finished);
      return handle;
    },
    assessFinal: (runId) => ensureFinalQuality(db, paths, launcher, jobs, runId),
  });
  const oneShot = trackingLauncher(launcher);
  const ctx: RouterContext = { db, paths, launcher: oneShot.launch, emit, training, jobs, studies, dataset: datasetCache(), finishing };
  const jobEnds = new Map<number, Promise<ResultOf<'cancelJob'>>>();
  const impl: Impl = { ...runMethods(ctx), ...runListMethods(ctx), ...explainMethods(ctx, jobEnds), ...compareMethods(ctx), ...studyMethods(ctx), ...reportMethods(ctx, () => impl) };

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
      const end = (await ctx.finishing.get(id)) as RunRow | undefined;
      const detail = runDetail(ctx, id);
      return end && end.status !== detail.status ? { ...detail, status: end.status, error: end.error, finishedAt: end.finishedAt } : detail;
    },
    async waitForStudy(id) {
      return (await studies.finished(id)) ?? null;
    },
    async waitForJob(jobId) {
      const end = jobEnds.get(jobId);
      if (!end) throw new ApiError('not_found', `job ${jobId} does not exist`);
      return end;
    },
    close(stop = CLOSED) {
      ctx.training.stopAll(stop);
      jobs.killAll();
      oneShot.killAll();
      db.close();
    },
  };
}
