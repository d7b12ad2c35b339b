import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The Electron executable when it is installed, else why not. Checked on disk:
 * `require('electron')` would try to download a missing binary.
 */
export function electronBinary(root: string): { path: string } | { missing: string } {
  const pkg = join(root, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return { missing: 'the Electron binary is not installed (node_modules/electron/path.txt is missing; run `npx install-electron`)' };
  const exe = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(exe)) return { missing: `the Electron binary is missing at ${exe}` };
  return { path: exe };
}
