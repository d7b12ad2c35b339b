import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding GAN Focus' package.json, found by walking up from this
 * module: the same answer from src/ under tsx or vitest and from a bundled
 * out/main/, so resources/ resolves without depending on the working directory.
 */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = path.dirname(from);
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json in any folder above ${from}: cannot locate GAN Focus' resources/`);
    dir = parent;
  }
}

export function resourcePath(...parts: string[]): string {
  return path.join(packageRoot(), 'resources', ...parts);
}
