import type { ApiEvent } from '../../shared/api.js';
import type { RunRow } from '../../shared/types.js';
import type { Database } from '../store/db.js';
import { requireRun } from '../store/runs.js';
import { requireStudy, studyRuns } from '../store/studies.js';
import type { TrainingHandle } from './training.js';

/** What the runner needs from the rest of the host. */
export interface StudyHost {
  db: Database;
  emit(e: ApiEvent): void;
  /** Starts (or continues from its last complete epoch) one run: the same path as startRun/resumeRun. */
  train(runId: number): TrainingHandle;
  /** Measures a completed run's final estimate when it is missing; resolves once stored. */
  assessFinal(runId: number): Promise<void>;
}

export interface StudyEnd {
  studyId: number;
  /** Why the runner stopped: every run done, a run that did not complete, or a cancel. */
  reason: 'completed' | 'run-stopped' | 'cancelled' | 'error';
  message: string | null;
}

/**
 * Trains a study's runs one after another, each as an ordinary run job
 * (config in, checkpoints and quality out): nothing is shared between runs
 * but the store. A run that stops (killed, failed, cancelled) stops the study;
 * `resume` starts the runner again, which skips completed runs and continues
 * an interrupted one from its last complete epoch.
 */
export class StudyRunner {
  private readonly active = new Map<number, { cancelled: boolean; current: number | null; done: Promise<StudyEnd> }>();

  constructor(private readonly host: StudyHost) {}

  isActive(studyId: number): boolean {
    return this.active.has(studyId);
  }

  /** Settles when the study's runner ends; null when none is running in this process. */
  finished(studyId: number): Promise<StudyEnd> | null {
    return this.active.get(studyId)?.done ?? null;
  }

  start(studyId: number): Promise<StudyEnd> {
    const existing = this.active.get(studyId);
    if (existing) return existing.done;
    requireStudy(this.host.db, studyId);
    const entry = { cancelled: false, current: null as number | null, done: Promise.resolve<StudyEnd>({ studyId, reason: 'completed', message: null }) };
    entry.done = this.loop(studyId, entry).finally(() => {
      this.active.delete(studyId);
      this.host.emit({ type: 'study', studyId });
    });
    this.active.set(studyId, entry);
    this.host.emit({ type: 'study', studyId });
    return entry.done;
  }

  /** Stops after the run in training stops; returns that run's id, or null when none was training. */
  cancel(studyId: number): { wasActive: boolean; runId: number | null } {
    const e = this.active.get(studyId);
    if (!e) return { wasActive: false, runId: null };
    e.cancelled = true;
    return { wasActive: true, runId: e.current };
  }

  private async loop(studyId: number, entry: { cancelled: boolean; current: number | null }): Promise<StudyEnd> {
    // Starting synchronously would emit before start() has registered the entry.
    await Promise.resolve();
    try {
      for (const link of studyRuns(this.host.db, studyId)) {
        if (entry.cancelled) return { studyId, reason: 'cancelled', message: 'on request' };
        let run: RunRow = requireRun(this.host.db, link.runId);
        if (run.status !== 'completed') {
          const handle = this.host.train(link.runId);
          entry.current = link.runId;
          this.host.emit({ type: 'study', studyId });
          run = await handle.finished;
          entry.current = null;
          if (run.status !== 'completed')
            return { studyId, reason: entry.cancelled ? 'cancelled' : 'run-stopped', message: `run ${run.id} ${run.status}${run.error ? `: ${run.error.message}` : ''}` };
        }
        await this.host.assessFinal(link.runId);
        this.host.emit({ type: 'study', studyId });
      }
      return { studyId, reason: 'completed', message: null };
    } catch (err) {
      return { studyId, reason: 'error', message: (err as Error).message };
    }
  }
}
