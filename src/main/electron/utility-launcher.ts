import { utilityProcess } from 'electron';
import type { WorkerToHost } from '../engine/protocol.js';
import type { EngineLauncher } from '../jobs/launcher.js';

/**
 * Electron runs the engine in a utilityProcess: a Node child with its own V8
 * heap and memory cage, so training never freezes the window and an engine
 * crash ends only that process.
 */
export function utilityLauncher(workerPath: string): EngineLauncher {
  return () => {
    const child = utilityProcess.fork(workerPath, [], { serviceName: 'GAN Focus engine', stdio: 'inherit' });
    // Messages sent before the process has spawned wait here.
    let spawned = false;
    let killed = false;
    const queue: unknown[] = [];
    child.once('spawn', () => {
      spawned = true;
      for (const m of queue.splice(0)) child.postMessage(m);
    });
    return {
      send(msg) {
        if (spawned) child.postMessage(msg);
        else queue.push(msg);
      },
      onMessage: (listener) => child.on('message', (m) => listener(m as WorkerToHost)),
      // utilityProcess reports a code only; a kill from here is reported as the signal the host expects.
      onExit: (listener) => child.once('exit', (code) => (killed ? listener(null, 'SIGKILL') : listener(code, null))),
      kill() {
        killed = true;
        child.kill();
      },
      get pid() {
        return child.pid;
      },
    };
  };
}
