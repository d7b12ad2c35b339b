import { describe, expect, it } from 'vitest';
import { createRouter } from '../../../src/main/api/router.js';
import { forkLauncher, type EngineLauncher } from '../../../src/main/jobs/launcher.js';
import { presetConfig } from '../../../src/shared/config.js';
import { tempHome } from '../../helpers/cli.js';

process.env.GAN_FOCUS_BACKEND ??= 'wasm';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

// Found in the e2e runs: `serve` did not exit on SIGTERM while the New run
// form's step-time estimate was still timing in an engine process.
describe('closing the router', () => {
  it('ends a one-shot engine job no registry owns (a step-time estimate) instead of leaving it running', async () => {
    const pids: number[] = [];
    const launcher: EngineLauncher = () => {
      const proc = forkLauncher();
      pids.push(proc.pid!);
      return proc;
    };
    const router = createRouter({ home: tempHome(), launcher });
    const config = { ...presetConfig('quick'), arch: 'paper' as const, limit: 128, ngf: 4, ndf: 4, batchSize: 32, epochs: 1 };
    const estimate = router.handle('estimateEpoch', { config });
    expect(await until(() => pids.length === 1, 10_000)).toBe(true);
    router.close();
    await expect(estimate).rejects.toThrow(/could not time a training step: the engine process was killed/);
    expect(await until(() => !alive(pids[0]), 5_000)).toBe(true);
  }, 60_000);
});
