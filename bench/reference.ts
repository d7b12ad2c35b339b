import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ReferenceResult {
  case: string;
  width: number;
  ms: number;
  format: string;
  threads: number;
  torch: string;
  peakRssMB: number;
}

const PYTHON = process.env.GAN_FOCUS_BENCH_PYTHON ?? '/usr/bin/python3';
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'reference', 'dcgan_step.py');

/** Why the PyTorch reference cannot run here, or null when it can. */
export function referenceUnavailable(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found (install Debian's python3-torch and libopenblas0-pthread)`;
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return `${PYTHON} cannot import torch (apt-get install python3-torch libopenblas0-pthread)`;
  return null;
}

/** Runs bench/reference/dcgan_step.py for one width and architecture; one result per case. */
export function runReference(width: number, arch: string, kinds: string[]): ReferenceResult[] {
  const args = [SCRIPT, '--width', String(width), '--arch', arch, ...kinds.flatMap((k) => ['--kind', k])];
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`PyTorch reference failed (${PYTHON} ${args.join(' ')}): ${r.stderr.trim().split('\n').pop()}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as ReferenceResult);
}
