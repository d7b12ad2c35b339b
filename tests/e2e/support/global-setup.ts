import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, ROOT, startServe } from './cli.js';

/** Tiny runs: an epoch takes seconds on a CPU. */
const TINY = ['--preset', 'quick', '--arch', 'paper', '--limit', '128', '--width', '8', '--batch', '32', '--epochs', '2'];

/**
 * Builds the renderer if needed, prepares a temporary home with the CLI (two
 * tiny trained runs, the first explained on its probes and training set), and
 * serves it. Tests find the URL in E2E_URL and the home in E2E_HOME.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!existsSync(join(ROOT, 'out', 'renderer', 'index.html'))) {
    const b = spawnSync('npx', ['electron-vite', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('electron-vite build failed; the e2e tests need out/renderer');
  }
  const home = mkdtempSync(join(tmpdir(), 'gan-focus-e2e-'));
  cli(home, ['train', ...TINY, '--seed', '1', '--name', 'baseline']);
  cli(home, ['explain', '1']);
  cli(home, ['explain', '1', '--samples', 'train', '--epochs', '2']);
  cli(home, ['train', ...TINY, '--seed', '2', '--name', 'other seed']);
  cli(home, ['explain', '2']);
  // G quality for the runs table's quality columns (200 samples: seconds).
  cli(home, ['quality', '1', '--count', '200']);
  const { url, child } = await startServe(home);
  process.env.E2E_URL = url;
  process.env.E2E_HOME = home;
  return async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(home, { recursive: true, force: true });
  };
}
