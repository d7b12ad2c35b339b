import path from 'node:path';
import type { ApiEvent } from '../../shared/api.js';
import { diskFullMessage, isDiskFull } from '../../shared/disk-full.js';
import type { MetricRow, RunError, RunErrorCode, RunRow } from '../../shared/types.js';
import type { ResumePoint, WorkerToHost } from '../engine/protocol.js';
import type { Database } from '../store/db.js';
import { withRoom } from '../store/disk-reserve.js';
import { discardAfterEpoch, getCheckpoints, lastCompleteEpoch, recordEpoch } from '../store/epochs.js';
import { insertMetrics } from '../store/metrics.js';
import type { HomePaths } from '../store/paths.js';
import { requireRun, setDatasetId, setStatus } from '../store/runs.js';
import type { EngineLauncher, EngineProcess } from './launcher.js';
import { removePartialCheckpoints } from './partial-checkpoints.js';

export class ConflictError extends Error {}

/** How runs stop when their host shuts down (see stopAll). */
export interface RunStop {
  status: 'interrupted' | 'cancelled';
  message: string;
  code?: RunErrorCode;
}

export interface TrainingHandle {
  run: RunRow;
  /** Settles with the run in its final status. */
  finished: Promise<RunRow>;
}

/**
 * Runs training jobs in engine processes and records what they report. The
 * engine never touches the store: everything lands here, in the host, in the
 * order the worker sent it, so the store only ever holds complete epochs.
 */
export class TrainingService {
  private readonly active = new Map<number, { proc: EngineProcess; stop: (how: RunStop) => void }>();
  private readonly cancelReasons = new Map<number, string>();

  constructor(
    private readonly db: Database,
    private readonly paths: HomePaths,
    private readonly launcher: EngineLauncher,
    private readonly emit: (e: ApiEvent) => void,
  ) {}

  isActive(runId: number): boolean {
    return this.active.has(runId);
  }

  /** Starts a queued run, or continues a stopped one from its last complete epoch. */
  start(runId: number): TrainingHandle {
    if (this.active.has(runId)) throw new ConflictError(`run ${runId} is already training in this process`);
    const before = requireRun(this.db, runId);
    if (before.status === 'running') throw new ConflictError(`run ${runId} is running in another process (pid ${before.hostPid})`);
    const last = lastCompleteEpoch(this.db, runId) ?? 0;
    if (last >= before.config.epochs) {
      const run = before.status === 'completed' ? before : setStatus(this.db, runId, 'completed');
      return { run, finished: Promise.resolve(run) };
    }
    const runDir = this.paths.runDir(runId);
    // Nobody else trains this run (its status says so), so any half-written
    // checkpoint folder is from a process that died writing it.
    removePartialCheckpoints(runDir);
    // Metrics of an epoch that never finished are dropped: the resumed run
    // trains that epoch again from its start, with the same batches.
    discardAfterEpoch(this.db, runId, last);
    const resume = last > 0 ? this.resumePoint(runId, last) : undefined;
    const run = setStatus(this.db, runId, 'running', { hostPid: process.pid });
    this.emit({ type: 'runState', run });
    const proc = this.launcher();
    const finished = new Promise<RunRow>((resolve) => {
      let terminal: RunRow | null = null;
      // A stop the host decided (the store is full): recorded once the engine has gone.
      let stopping: RunStop | null = null;
      let reached: { epoch?: number; iteration?: number } = {};
      const finish = (status: RunRow['status'], error?: Omit<RunError, 'at'>) => {
        if (terminal) return;
        terminal = this.record(runId, before, status, error);
        this.emit({ type: 'runState', run: terminal });
      };
      this.active.set(runId, { proc, stop: (how) => finish(how.status, { message: how.message, ...reached, ...(how.code ? { code: how.code } : {}) }) });
      proc.onMessage((msg) => {
        if (terminal || stopping) return;
        if (msg.type === 'progress') {
          const m = msg.metrics[msg.metrics.length - 1];
          reached = { epoch: m.epoch, iteration: m.iteration };
        }
        try {
          this.handle(runId, runDir, msg, finish);
        } catch (err) {
          const message = (err as Error).message;
          if (isDiskFull(err)) stopping = { status: 'interrupted', message: diskFullMessage(message), code: 'disk_full' };
          else finish('failed', { message: `could not record the engine's report: ${message}`, ...reached });
          proc.kill();
        }
      });
      proc.onExit((code, signal) => {
        this.active.delete(runId);
        if (proc.pid !== undefined) removePartialCheckpoints(runDir, proc.pid);
        if (stopping) finish(stopping.status, { message: stopping.message, ...reached, code: stopping.code });
        else if (!terminal) {
          const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
          finish('interrupted', { message: `the engine process ${how}; resume continues from the last complete epoch`, ...reached });
        }
        resolve(terminal!);
      });
    });
    proc.send({ type: 'train', job: { runId, config: run.config, runDir, resume } });
    return { run, finished };
  }

  /** Asks the engine to stop after the current iteration; `reason` stays with the cancelled run. */
  cancel(runId: number, reason: string): boolean {
    const entry = this.active.get(runId);
    if (!entry) return false;
    this.cancelReasons.set(runId, reason);
    entry.proc.send({ type: 'cancel' });
    return true;
  }

  /**
   * Ends every engine process this host started (on shutdown), first recording
   * how each run stopped: the exit reports arrive after the store has closed.
   */
  stopAll(how: RunStop): void {
    for (const { proc, stop } of this.active.values()) {
      stop(how);
      proc.kill();
    }
  }

  /**
   * Records how a run ended. When the store cannot take it (a full disk even
   * after the reserve went, or a store already closed) the caller still gets
   * the final row; the next start marks the run interrupted, as its process
   * is gone by then.
   */
  private record(runId: number, before: RunRow, status: RunRow['status'], error?: Omit<RunError, 'at'>): RunRow {
    try {
      return withRoom(this.paths.home, () => setStatus(this.db, runId, status, error ? { error } : {}));
    } catch {
      const at = new Date().toISOString();
      let current = before;
      try {
        current = requireRun(this.db, runId);
      } catch {
        // the store is closed: what was read at the start stands in
      }
      return { ...current, status, finishedAt: at, error: error ? { ...error, at } : null };
    }
  }

  private resumePoint(runId: number, epoch: number): ResumePoint {
    const rows = getCheckpoints(this.db, runId, epoch);
    const sha256 = Object.fromEntries(rows.map((r) => [r.kind, r.sha256])) as ResumePoint['sha256'];
    return { epoch, dir: this.paths.checkpointDir(runId, epoch), sha256 };
  }

  private handle(
    runId: number,
    runDir: string,
    msg: WorkerToHost,
    finish: (status: RunRow['status'], error?: Omit<RunError, 'at'>) => void,
  ): void {
    switch (msg.type) {
      case 'ready':
        this.emit({ type: 'runState', run: setStatus(this.db, runId, 'running', { backend: msg.backend.chosen, hostPid: process.pid }) });
        break;
      case 'dataset':
        setDatasetId(this.db, runId, msg.datasetId);
        break;
      case 'progress': {
        const rows: MetricRow[] = msg.metrics.map(({ epoch, iteration, lossD, lossG, dx, dgz }) => ({ epoch, iteration, lossD, lossG, dx, dgz }));
        insertMetrics(this.db, runId, rows);
        const last = msg.metrics[msg.metrics.length - 1];
        this.emit({ type: 'progress', runId, metrics: rows, batches: last.batches, epochs: requireRun(this.db, runId).config.epochs });
        break;
      }
      case 'epoch': {
        const r = msg.result;
        const stored = (rel: string) => this.paths.toStored(path.join(runDir, rel));
        const row = recordEpoch(
          this.db,
          runId,
          { epoch: r.epoch, lossD: r.lossD, lossG: r.lossG, dx: r.dx, dgz: r.dgz, seconds: r.seconds, iterations: r.iterations, gridPath: stored(r.grid) },
          r.files.map((f) => ({ kind: f.kind, path: stored(path.join(r.checkpointDir, f.file)), sha256: f.sha256, bytes: f.bytes })),
          r.quality,
        );
        this.emit({ type: 'epochDone', runId, epoch: row });
        break;
      }
      case 'failed':
        // A full disk is no fault of the run: it continues once there is space.
        if (msg.code === 'disk_full')
          finish('interrupted', { message: diskFullMessage(msg.message), epoch: msg.epoch, iteration: msg.iteration, code: 'disk_full' });
        else finish('failed', { message: msg.message, epoch: msg.epoch, iteration: msg.iteration });
        break;
      case 'done': {
        const reason = this.cancelReasons.get(runId);
        this.cancelReasons.delete(runId);
        finish(msg.status, msg.status === 'cancelled' ? { message: reason ?? 'on request' } : undefined);
        break;
      }
    }
  }
}
