import type { EpochEstimate } from '../../shared/api.js';
import type { RunConfig } from '../../shared/config.js';
import { runEngineJob } from './engine-job.js';
import type { EngineLauncher } from './launcher.js';

const cache = new Map<string, Promise<{ backend: string; msPerStep: number }>>();

/** Step time depends on the model's shape and the batch, not on seed or data. */
function shapeKey(c: RunConfig): string {
  return JSON.stringify([c.arch, c.nz, c.ngf, c.ndf, c.batchSize]);
}

async function measure(launcher: EngineLauncher, config: RunConfig): Promise<{ backend: string; msPerStep: number }> {
  let result: { backend: string; msPerStep: number } | null = null;
  const { outcome } = runEngineJob(launcher, { type: 'estimate', config }, (msg) => {
    if (msg.type === 'estimate') result = { backend: msg.backend, msPerStep: msg.msPerStep };
  });
  const end = await outcome;
  if (!result) throw new Error(`could not time a training step: ${end.status === 'failed' ? end.message : 'no result'}`);
  return result;
}

/**
 * Times two real training steps of the config's models in an engine process
 * (never on the thread that answers the UI) and scales to an epoch of `images`
 * (what the run trains on: its subset minus its exclusions).
 */
export async function estimateEpoch(launcher: EngineLauncher, config: RunConfig, images: number): Promise<EpochEstimate> {
  const key = shapeKey(config);
  let pending = cache.get(key);
  if (!pending) {
    pending = measure(launcher, config);
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  const { backend, msPerStep } = await pending;
  const stepsPerEpoch = Math.floor(images / config.batchSize);
  return {
    backend,
    images,
    secondsPerStep: msPerStep / 1000,
    stepsPerEpoch,
    secondsPerEpoch: (msPerStep / 1000) * stepsPerEpoch,
    basis: `measured: 2 training steps of this model on ${backend} in this session`,
  };
}
