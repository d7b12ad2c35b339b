import os from 'node:os';
import { loadAddon } from './native/addon.js';
import { registerNative } from './native/register.js';

export const NATIVE_BACKEND = 'native-cpu';

export type NativeRegistration = { ok: true; name: string; detail: string } | { ok: false; reason: string };

/** A whole number from the environment, or the fallback. */
function envInt(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v >= 1 ? v : fallback;
}

/**
 * Loads packages/native-kernels (when it was built) and registers the tfjs
 * backend 'native-cpu': tfjs' CPU backend with convolutions, matmul, batch
 * norm, elementwise ops and reductions in multi-threaded native code, and a
 * leaner gradient pass. Does not make it the active backend
 * (tf.setBackend(name) does). Never throws.
 *
 * GAN_FOCUS_THREADS sets the kernel threads (default: every core);
 * GAN_FOCUS_NATIVE_POOL_MB caps the recycled tensor memory (default 1024);
 * GAN_FOCUS_NATIVE_ADDON points at a native_kernels.node to load;
 * GAN_FOCUS_NATIVE_AMX=0 keeps the matrix products off the AMX tile units.
 */
export async function tryRegisterNativeBackend(): Promise<NativeRegistration> {
  try {
    const load = loadAddon();
    if (!load.ok) return { ok: false, reason: load.reason };
    const info = load.addon.info();
    // Without AVX2 or AVX-512 the portable C++ kernels run, and wasm's SIMD beats them.
    if (info.isa === 'generic' && !process.env.GAN_FOCUS_NATIVE_GENERIC)
      return { ok: false, reason: 'native CPU kernels have no SIMD path for this CPU (needs x86-64 with AVX2); wasm is faster here' };
    const threads = envInt('GAN_FOCUS_THREADS', os.availableParallelism());
    load.addon.setThreads(threads);
    load.addon.setAmx(process.env.GAN_FOCUS_NATIVE_AMX === '0' ? 0 : 1);
    const amx = load.addon.info().amx ? ' + AMX' : '';
    const kernels = registerNative(load.addon, { name: NATIVE_BACKEND, maxPoolBytes: envInt('GAN_FOCUS_NATIVE_POOL_MB', 1024) * 1048576 });
    return {
      ok: true,
      name: NATIVE_BACKEND,
      detail: `native CPU kernels (${info.isa}${amx}, ${threads} threads, ${kernels.length} kernels native; ${load.path})`,
    };
  } catch (err) {
    return { ok: false, reason: `native CPU kernels failed to register: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` };
  }
}
