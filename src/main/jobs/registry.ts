import type { ApiEvent, JobInfo } from '../../shared/api.js';
import type { EngineProcess } from './launcher.js';

interface Entry {
  info: JobInfo;
  proc: EngineProcess | null;
  cancelled: boolean;
}

/** The explain and quality jobs of this process, for progress, listing and cancel. */
export class JobRegistry {
  private nextId = 1;
  private readonly jobs = new Map<number, Entry>();

  constructor(private readonly emit: (e: ApiEvent) => void) {}

  add(kind: JobInfo['kind'], runId: number, label: string, total: number): JobInfo {
    const info: JobInfo = { jobId: this.nextId++, kind, runId, status: 'running', done: 0, total, message: null, label };
    this.jobs.set(info.jobId, { info, proc: null, cancelled: false });
    this.emit({ type: 'job', job: { ...info } });
    return { ...info };
  }

  attach(jobId: number, proc: EngineProcess): void {
    const e = this.require(jobId);
    e.proc = proc;
    if (e.cancelled) proc.send({ type: 'cancel' });
  }

  update(jobId: number, patch: Partial<Pick<JobInfo, 'done' | 'total' | 'status' | 'message'>>): JobInfo {
    const e = this.require(jobId);
    Object.assign(e.info, patch);
    this.emit({ type: 'job', job: { ...e.info } });
    return { ...e.info };
  }

  cancel(jobId: number): JobInfo {
    const e = this.require(jobId);
    if (e.info.status === 'running') {
      e.cancelled = true;
      e.proc?.send({ type: 'cancel' });
    }
    return { ...e.info };
  }

  get(jobId: number): JobInfo | null {
    const e = this.jobs.get(jobId);
    return e ? { ...e.info } : null;
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((e) => ({ ...e.info })).reverse();
  }

  hasRunning(runId: number): boolean {
    return [...this.jobs.values()].some((e) => e.info.runId === runId && e.info.status === 'running');
  }

  killAll(): void {
    for (const e of this.jobs.values()) if (e.info.status === 'running') e.proc?.kill();
  }

  private require(jobId: number): Entry {
    const e = this.jobs.get(jobId);
    if (!e) throw new Error(`job ${jobId} does not exist`);
    return e;
  }
}
