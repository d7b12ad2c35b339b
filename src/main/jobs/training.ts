import path from 'node:path';
import type { ApiEvent } from '../../shared/api.js';
import type { MetricRow, RunRow } from '../../shared/types.js';
import type { ResumePoint, WorkerToHost } from '../engine/protocol.js';
import type { Database } from '../store/db.js';
import { discardAfterEpoch, getCheckpoints, lastCompleteEpoch, recordEpoch } from '../store/epochs.js';
import { insertMetrics } from '../store/metrics.js';
import type { HomePaths } from '../store/paths.js';
import { requireRun, setDatasetId, setStatus } from '../store/runs.js';
import type { EngineLauncher, EngineProcess } from './launcher.js';

export class ConflictError extends Error {}

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
  private readonly active = new Map<number, EngineProcess>();
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
    // Metrics of an epoch that never finished are dropped: the resumed run
    // trains that epoch again from its start, with the same batches.
    discardAfterEpoch(this.db, runId, last);
    const resume = last > 0 ? this.resumePoint(runId, last) : undefined;
    const run = setStatus(this.db, runId, 'running', { hostPid: process.pid });
    this.emit({ type: 'runState', run });
    const proc = this.launcher();
    this.active.set(runId, proc);
    const runDir = this.paths.runDir(runId);
    const finished = new Promise<RunRow>((resolve) => {
      let terminal: RunRow | null = null;
      const finish = (status: RunRow['status'], error?: { message: string; epoch?: number; iteration?: number }) => {
        if (terminal) return;
        terminal = setStatus(this.db, runId, status, error ? { error } : {});
        this.emit({ type: 'runState', run: terminal });
      };
      proc.onMessage((msg) => {
        try {
          this.handle(runId, runDir, msg, finish);
        } catch (err) {
          finish('failed', { message: `could not record the engine's report: ${(err as Error).message}` });
          proc.kill();
        }
      });
      proc.onExit((code, signal) => {
        this.active.delete(runId);
        if (!terminal) {
          const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
          finish('interrupted', { message: `the engine process ${how}; resume continues from the last complete epoch` });
        }
        resolve(terminal!);
      });
    });
    proc.send({ type: 'train', job: { runId, config: run.config, runDir, resume } });
    return { run, finished };
  }

  /** Asks the engine to stop after the current iteration; `reason` stays with the cancelled run. */
  cancel(runId: number, reason: string): boolean {
    const proc = this.active.get(runId);
    if (!proc) return false;
    this.cancelReasons.set(runId, reason);
    proc.send({ type: 'cancel' });
    return true;
  }

  /** Ends every engine process this host started (on shutdown). */
  killAll(): void {
    for (const p of this.active.values()) p.kill();
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
    finish: (status: RunRow['status'], error?: { message: string; epoch?: number; iteration?: number }) => void,
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
        finish('failed', { message: msg.message, epoch: msg.epoch, iteration: msg.iteration });
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
