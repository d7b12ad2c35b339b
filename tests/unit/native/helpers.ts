import * as tf from '@tensorflow/tfjs';
import { loadAddon } from '../../../src/main/engine/backend/native/addon.js';
import { NATIVE_BACKEND, tryRegisterNativeBackend } from '../../../src/main/engine/backend/native.js';
import { createRng } from '../../../src/main/engine/rng.js';

const load = loadAddon();
/** Why the native tests are skipped ('' when the addon is built). */
export const skipReason = load.ok ? '' : `${load.reason} — build it with: npm rebuild gan-focus-native-kernels (needs g++, make, python3)`;
export const nativeBuilt = load.ok;

export async function registerNative(): Promise<void> {
  const r = await tryRegisterNativeBackend();
  if (!r.ok) throw new Error(r.reason);
}

export function randomArray(seed: number, n: number, lo = -1, hi = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rng());
}

/** Arrays the native backend handed to its kernels so far (fresh or recycled). */
export function nativeOutputs(): number {
  const s = (tf.engine().findBackend(NATIVE_BACKEND) as unknown as { poolStats(): { allocated: number; recycled: number } }).poolStats();
  return s.allocated + s.recycled;
}

/**
 * Runs fn on 'cpu' (tfjs' reference kernels) and on the native backend and
 * returns both outputs' values. Unless told the case falls back to the JS
 * kernels, it also checks that native kernels produced outputs.
 */
export async function onBoth(fn: () => tf.Tensor | tf.Tensor[], expectNative = true): Promise<{ ref: Float32Array[]; got: Float32Array[] }> {
  const run = async (backend: string) => {
    await tf.setBackend(backend);
    const out = tf.tidy(fn);
    const list = Array.isArray(out) ? out : [out];
    const values = list.map((t) => Float32Array.from(t.dataSync()));
    tf.dispose(list);
    return values;
  };
  const ref = await run('cpu');
  const before = nativeOutputs();
  const got = await run(NATIVE_BACKEND);
  if (expectNative && nativeOutputs() === before) throw new Error('no native kernel ran: the case fell back to the JS kernels');
  return { ref, got };
}

/** max |got - ref| / max(|ref|) (normwise relative difference). */
export function relativeError(ref: Float32Array, got: Float32Array): number {
  if (ref.length !== got.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(ref[i] - got[i]);
    if (!(d <= diff)) diff = Number.isNaN(d) && Number.isNaN(ref[i]) && Number.isNaN(got[i]) ? diff : d;
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  return scale === 0 ? diff : diff / scale;
}
