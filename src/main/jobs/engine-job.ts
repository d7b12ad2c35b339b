import type { HostToWorker, WorkerToHost } from '../engine/protocol.js';
import type { EngineLauncher, EngineProcess } from './launcher.js';

export type JobOutcome = { status: 'completed' | 'cancelled' } | { status: 'failed'; message: string };

/**
 * Runs one non-training job in its own engine process: hands every message to
 * `onMessage` and settles once with how the job ended, whether the worker said
 * so or died.
 */
export function runEngineJob(
  launcher: EngineLauncher,
  request: Exclude<HostToWorker, { type: 'cancel' }>,
  onMessage: (msg: WorkerToHost) => void,
): { proc: EngineProcess; outcome: Promise<JobOutcome> } {
  const proc = launcher();
  const outcome = new Promise<JobOutcome>((resolve) => {
    let settled: JobOutcome | null = null;
    proc.onMessage((msg) => {
      if (settled) return;
      try {
        if (msg.type === 'done') settled = { status: msg.status };
        else if (msg.type === 'failed') settled = { status: 'failed', message: msg.message };
        else onMessage(msg);
      } catch (err) {
        settled = { status: 'failed', message: `could not record the engine's report: ${(err as Error).message}` };
        proc.kill();
      }
    });
    proc.onExit((code, signal) => {
      resolve(settled ?? { status: 'failed', message: `the engine process ${signal ? `was killed (${signal})` : `exited with code ${code}`}` });
    });
  });
  proc.send(request);
  return { proc, outcome };
}
