/**
 * Whether a process with this pid exists. Signal 0 checks without sending;
 * EPERM means it exists but belongs to another user. A pid reused by an
 * unrelated process reads as alive, so a stale run then stays 'running' until
 * that process ends.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
