import { randomBytes } from 'node:crypto';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDiskFull } from '../../shared/disk-full.js';

/**
 * A little space held back in the home folder. When the disk fills during a
 * run, every write fails, including the one that records why the run stopped;
 * giving this space back lets that one write through, so the run reads as
 * interrupted by a full disk instead of 'running' with no process. Random
 * bytes, so a compressing file system keeps the space too.
 */
export const RESERVE_FILE = 'gan-focus.reserve';
const RESERVE_BYTES = 256 * 1024;

/**
 * Puts the reserve back where it is missing. Where it cannot (no room, a home
 * opened read-only) the home still opens: the reserve only helps a later stop.
 */
export function keepReserve(home: string): void {
  const file = join(home, RESERVE_FILE);
  if (existsSync(file)) return;
  try {
    writeFileSync(file, randomBytes(RESERVE_BYTES));
  } catch {
    rmSync(file, { force: true });
  }
}

/**
 * Runs a store write; if it fails for a full disk, gives the reserve back and
 * tries once more. The reserve returns at the next start with room for it.
 */
export function withRoom<T>(home: string, write: () => T): T {
  try {
    return write();
  } catch (err) {
    const file = join(home, RESERVE_FILE);
    if (!isDiskFull(err) || !existsSync(file)) throw err;
    rmSync(file, { force: true });
    return write();
  }
}
