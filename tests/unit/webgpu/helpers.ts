import * as tf from '@tensorflow/tfjs';
import { tryRegisterWebGpuBackend } from '../../../src/main/engine/backend/webgpu.js';

// The webgpu suite runs on whatever adapter Dawn finds, software ones
// included: CI has Mesa's lavapipe (.ci/run installs it). Registering once
// per test process; the reason shows in the suite's name where it is skipped.
const registration = await tryRegisterWebGpuBackend({ allowSoftware: true });

export const webgpuReady = registration.ok;
export const skipReason = registration.ok
  ? ''
  : `${registration.reason}${registration.reason.includes('docs/webgpu.md') ? '' : '; a software Vulkan for Debian 12: docs/webgpu.md'}`;
export const WEBGPU = registration.ok ? registration.name : 'webgpu';

// On lavapipe the suite takes about 6 minutes with Mesa's shader cache warm and
// more than 16 on a fresh machine (every shader compiled at first use, 376 s for
// the first training step), past CI's 15-minute budget; so it runs when asked.
export const suiteOptedIn = process.env.GAN_FOCUS_WEBGPU_TESTS === '1';
export const OPT_IN_REASON =
  'set GAN_FOCUS_WEBGPU_TESTS=1 to run it (on a software adapter it takes 6 minutes with a warm shader cache, over 16 on a fresh machine)';

/**
 * Runs fn with `backend` active and returns its outputs' values, read
 * asynchronously (webgpu has no synchronous read). Nothing it made survives:
 * a tensor left on webgpu would be moved by a synchronous read when the
 * next backend touches it.
 */
export async function valuesOn(backend: string, fn: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const out = tf.tidy(fn);
  const list = Array.isArray(out) ? out : [out];
  try {
    return await Promise.all(list.map(async (t) => Float32Array.from(await t.data())));
  } finally {
    tf.dispose(list);
  }
}
