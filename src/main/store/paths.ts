import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, posix, relative, resolve, sep, win32 } from 'node:path';

export const DB_FILE = 'gan-focus.db';

// Paths stored in the database are relative to home and use '/', so a home
// folder can be moved or copied to another machine.
const epochName = (epoch: number) => `epoch-${String(epoch).padStart(3, '0')}`;

export const layout = {
  db: DB_FILE,
  runs: 'runs',
  runDir: (id: number) => `runs/${id}`,
  checkpointDir: (runId: number, epoch: number) => `runs/${runId}/checkpoints/${epochName(epoch)}`,
  gridPath: (runId: number, epoch: number) => `runs/${runId}/grids/${epochName(epoch)}.png`,
};

export interface HomePaths {
  home: string;
  db: string;
  runs: string;
  /** Not created: used to list or delete a run's files. */
  runDir(id: number): string;
  /** Created on demand: it is where an epoch's checkpoint files are written. */
  checkpointDir(runId: number, epoch: number): string;
  /** Its folder is created on demand. */
  gridPath(runId: number, epoch: number): string;
  /** The stored (home-relative, '/') form of a path inside home. */
  toStored(absolute: string): string;
  /** The absolute path of a stored path. */
  fromStored(stored: string): string;
}

export function homePaths(home: string): HomePaths {
  const root = resolve(home);
  const abs = (rel: string) => join(root, ...rel.split('/'));
  return {
    home: root,
    db: abs(layout.db),
    runs: abs(layout.runs),
    runDir: (id) => abs(layout.runDir(id)),
    checkpointDir: (runId, epoch) => ensureDir(abs(layout.checkpointDir(runId, epoch))),
    gridPath: (runId, epoch) => {
      const rel = layout.gridPath(runId, epoch);
      ensureDir(abs(posix.dirname(rel)));
      return abs(rel);
    },
    toStored(absolute) {
      const rel = relative(root, resolve(absolute));
      if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
        throw new Error(`${absolute} is not inside the home folder ${root}`);
      }
      return rel.split(sep).join('/');
    },
    fromStored(stored) {
      assertStoredPath(stored, 'stored path');
      return abs(stored);
    },
  };
}

/** Refuses a path that would not resolve inside home: absolute, or climbing out with '..'. */
export function assertStoredPath(path: string, label: string): void {
  if (typeof path !== 'string' || path === '') throw new Error(`${label} must be a non-empty path relative to the home folder`);
  if (posix.isAbsolute(path) || win32.isAbsolute(path) || path.includes('\\') || path.split('/').includes('..')) {
    throw new Error(`${label} must be relative to the home folder, using '/' and no '..': got ${path}`);
  }
}

/**
 * The data folder: the --home flag, else GAN_FOCUS_HOME, else ~/.gan-focus.
 * (Electron passes app.getPath('userData') as the flag.)
 */
export function resolveHome(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = nonEmpty(flag) ?? nonEmpty(env.GAN_FOCUS_HOME) ?? join(homedir(), '.gan-focus');
  return resolve(chosen === '~' || chosen.startsWith('~/') ? join(homedir(), chosen.slice(1)) : chosen);
}

export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

function nonEmpty(s: string | undefined): string | undefined {
  return s !== undefined && s.trim() !== '' ? s : undefined;
}
