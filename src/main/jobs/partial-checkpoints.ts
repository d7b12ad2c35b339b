import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

// The engine writes each checkpoint folder (and grid) as `<name>.partial-<pid>`
// and renames it when complete. A process killed while writing, or stopped by
// a full disk, leaves that behind: never used, and on a full disk it holds the
// space the next try needs.
const FOLDERS = ['checkpoints', 'grids'];

/** Removes a run's half-written files: all of them, or only those of one engine process. */
export function removePartialCheckpoints(runDir: string, pid?: number): string[] {
  const pattern = pid === undefined ? /\.partial-\d+$/ : new RegExp(`\\.partial-${pid}$`);
  const removed: string[] = [];
  for (const folder of FOLDERS) {
    const dir = path.join(runDir, folder);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names.filter((n) => pattern.test(n))) {
      rmSync(path.join(dir, name), { recursive: true, force: true });
      removed.push(path.join(folder, name));
    }
  }
  return removed;
}
