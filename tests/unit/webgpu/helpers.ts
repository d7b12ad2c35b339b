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

// CI runs the suite (CI is set there; on this project's CI, .ci/run installs
// lavapipe); a local `npm test` runs it only when asked, since on a software
// adapter it adds minutes (docs/webgpu.md). GAN_FOCUS_WEBGPU_TESTS=0 turns it
// off in CI as well.
const asked = process.env.GAN_FOCUS_WEBGPU_TESTS;
export const suiteOptedIn = asked === '1' || (asked !== '0' && !!process.env.CI && process.env.CI !== 'false');
export const OPT_IN_REASON =
  'set GAN_FOCUS_WEBGPU_TESTS=1 to run it (CI does: on a software adapter it takes minutes, docs/webgpu.md)';

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
