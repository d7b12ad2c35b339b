import os from 'node:os';
import { loadAddon } from './native/addon.js';
import { registerNative } from './native/register.js';

export const NATIVE_BACKEND = 'native-cpu';

export type NativeRegistration = { ok: true; name: string; detail: string } | { ok: false; reason: string };

/** Threads for the kernels: GAN_FOCUS_THREADS, else every core Node reports. */
function threadCount(): number {
  const env = Number(process.env.GAN_FOCUS_THREADS);
  return Number.isInteger(env) && env >= 1 ? env : os.availableParallelism();
}

/**
 * Loads packages/native-kernels (when it was built) and registers the tfjs
 * backend 'native-cpu': tfjs' CPU backend with convolutions, matmul, batch norm,
 * elementwise ops and reductions in multi-threaded native code. Does not make
 * it the active backend (tf.setBackend(name) does). Never throws.
 */
export async function tryRegisterNativeBackend(): Promise<NativeRegistration> {
  try {
    const load = loadAddon();
    if (!load.ok) return { ok: false, reason: load.reason };
    const threads = threadCount();
    load.addon.setThreads(threads);
    const kernels = registerNative(load.addon, { name: NATIVE_BACKEND, maxPoolBytes: Number(process.env.NK_POOL ?? 1 << 30) });
    const info = load.addon.info();
    return {
      ok: true,
      name: NATIVE_BACKEND,
      detail: `native CPU kernels (${info.isa}, ${info.threads} threads, ${kernels.length} kernels native; ${load.path})`,
    };
  } catch (err) {
    return { ok: false, reason: `native CPU kernels failed to register: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` };
  }
}
