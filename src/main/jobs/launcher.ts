import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { HostToWorker, WorkerToHost } from '../engine/protocol.js';

/** A running engine process, whatever started it (fork or Electron's utilityProcess). */
export interface EngineProcess {
  send(msg: HostToWorker): void;
  onMessage(listener: (msg: WorkerToHost) => void): void;
  /** code null with a signal when killed. */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(): void;
  readonly pid: number | undefined;
}

export type EngineLauncher = () => EngineProcess;

/**
 * Under plain Node the worker is forked; from the TypeScript sources (CLI via
 * tsx, tests) it needs tsx's loader, from a build it is plain JavaScript.
 */
export function workerEntry(): { file: string; execArgv: string[] } {
  const js = fileURLToPath(new URL('./worker.js', import.meta.url));
  if (existsSync(js)) return { file: js, execArgv: [] };
  const ts = fileURLToPath(new URL('../engine/worker.ts', import.meta.url));
  return { file: ts, execArgv: ['--import', 'tsx'] };
}

export const forkLauncher: EngineLauncher = () => {
  const { file, execArgv } = workerEntry();
  const child = fork(file, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  return {
    send: (msg) => {
      if (child.connected) child.send(msg);
    },
    onMessage: (listener) => child.on('message', (m) => listener(m as WorkerToHost)),
    onExit: (listener) => child.on('exit', (code, signal) => listener(code, signal)),
    kill: () => child.kill('SIGKILL'),
    get pid() {
      return child.pid;
    },
  };
};

/**
 * A launcher that remembers the processes it started until they exit, so that
 * a closing router can end the one-shot jobs no registry owns (a step-time
 * estimate, probe picking, a sanity check): a live child keeps its host
 * process from exiting after `serve` got SIGTERM.
 */
export function trackingLauncher(launcher: EngineLauncher): { launch: EngineLauncher; killAll(): void } {
  const live = new Set<EngineProcess>();
  return {
    launch: () => {
      const proc = launcher();
      live.add(proc);
      proc.onExit(() => live.delete(proc));
      return proc;
    },
    killAll: () => {
      for (const proc of live) proc.kill();
    },
  };
}
