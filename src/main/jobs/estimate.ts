import type { EpochEstimate } from '../../shared/api.js';
import type { RunConfig } from '../../shared/config.js';
import type { EngineLauncher } from './launcher.js';

const cache = new Map<string, Promise<{ backend: string; msPerStep: number }>>();

/** Step time depends on the model's shape and the batch, not on seed or data. */
function shapeKey(c: RunConfig): string {
  return JSON.stringify([c.arch, c.nz, c.ngf, c.ndf, c.batchSize]);
}

function measure(launcher: EngineLauncher, config: RunConfig): Promise<{ backend: string; msPerStep: number }> {
  return new Promise((resolve, reject) => {
    const proc = launcher();
    let done = false;
    proc.onMessage((msg) => {
      if (msg.type === 'estimate') {
        done = true;
        resolve({ backend: msg.backend, msPerStep: msg.msPerStep });
      } else if (msg.type === 'failed') {
        done = true;
        reject(new Error(`could not time a training step: ${msg.message}`));
      }
    });
    proc.onExit((code, signal) => {
      if (!done) reject(new Error(`the engine process stopped while timing a step (${signal ?? `code ${code}`})`));
    });
    proc.send({ type: 'estimate', config });
  });
}

/**
 * Times two real training steps of the config's models in an engine process
 * (never on the thread that answers the UI) and scales to an epoch.
 */
export async function estimateEpoch(launcher: EngineLauncher, config: RunConfig, datasetSize = 60_000): Promise<EpochEstimate> {
  const key = shapeKey(config);
  let pending = cache.get(key);
  if (!pending) {
    pending = measure(launcher, config);
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  const { backend, msPerStep } = await pending;
  const images = Math.max(0, Math.min(config.limit ?? datasetSize, datasetSize) - config.excluded.length);
  const stepsPerEpoch = Math.floor(images / config.batchSize);
  return {
    backend,
    secondsPerStep: msPerStep / 1000,
    stepsPerEpoch,
    secondsPerEpoch: (msPerStep / 1000) * stepsPerEpoch,
    basis: `measured: 2 training steps of this model on ${backend} in this session`,
  };
}
