import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

// Kept apart from choose.ts so the CLI can pick a preset without loading tfjs.

const require = createRequire(import.meta.url);

/** null when a CUDA GPU is visible, else why not. */
export function cudaGpuVisible(): string | null {
  if (!existsSync('/dev/nvidiactl') && process.platform === 'linux') return 'no CUDA GPU visible (/dev/nvidiactl missing)';
  try {
    const out = execFileSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
    return /GPU \d+/.test(out) ? null : 'nvidia-smi lists no GPU';
  } catch {
    return 'no CUDA GPU visible (nvidia-smi not found or failed)';
  }
}

/** Whether the GPU path can be expected, without loading anything heavy. */
export function gpuLikely(): boolean {
  try {
    require.resolve('@tensorflow/tfjs-node-gpu');
  } catch {
    return false;
  }
  return cudaGpuVisible() === null;
}

