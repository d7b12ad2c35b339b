import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * GAN Focus' name and version from its package.json, found by walking up from
 * this module (src/ under tsx and vitest, out/ when bundled).
 */
export function appVersion(from: string = fileURLToPath(import.meta.url)): { name: string; version: string } {
  for (let dir = path.dirname(from); ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'gan-focus') return { name: 'GAN Focus', version: pkg.version ?? 'unknown' };
    }
    if (path.dirname(dir) === dir) return { name: 'GAN Focus', version: 'unknown' };
  }
}
