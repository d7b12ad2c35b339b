import * as tf from '@tensorflow/tfjs';
import type { GpuAdapterReport } from '../../../shared/types.js';
import { type AdapterProbe, type DawnGpu, describeAdapter, findAdapter, importOptional, openAdapter } from './webgpu-adapter.js';
import { registerWebGpuKernels } from './webgpu/register.js';

export const WEBGPU_BACKEND = 'webgpu';

export type WebGpuRegistration =
  | { ok: true; name: string; detail: string; adapter: GpuAdapterReport; kernels: string[] }
  | { ok: false; reason: string; adapter?: GpuAdapterReport };

// Once per process: Dawn's instance and the backend's registration stay for its lifetime.
let opened: Promise<AdapterProbe> | null = null;
let registered: WebGpuRegistration | null = null;

/**
 * Gives tfjs a `navigator.gpu`: tfjs-backend-webgpu registers its backend only
 * if one exists when the package is first imported, and reads the WebGPU
 * constants (GPUBufferUsage, GPUMapMode...) as globals. Node 21+ has a
 * navigator of its own; Node 20 has none.
 */
function installNavigatorGpu(gpu: DawnGpu, globals: Record<string, unknown>): void {
  const g = globalThis as Record<string, unknown>;
  for (const [name, value] of Object.entries(globals)) if (!(name in g)) g[name] = value;
  const nav = g.navigator as Record<string, unknown> | undefined;
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(g, 'navigator', { value: { gpu }, configurable: true, writable: true });
}

/**
 * Registers tfjs' 'webgpu' backend on Dawn's adapter (npm `webgpu`), with
 * GAN Focus' own kernels for the ones tfjs-webgpu is slow at. A software
 * adapter is refused unless `allowSoftware` (GAN_FOCUS_BACKEND=webgpu): it
 * trains slower than the CPU backends. Does not make the backend active
 * (tf.setBackend does). Never throws.
 */
export async function tryRegisterWebGpuBackend({ allowSoftware }: { allowSoftware: boolean }): Promise<WebGpuRegistration> {
  if (registered) return registered;
  const refuse = (adapter: GpuAdapterReport): WebGpuRegistration => ({
    ok: false,
    adapter,
    reason: `only a software adapter: ${describeAdapter(adapter)}, a CPU rasteriser slower than the CPU backends; GAN_FOCUS_BACKEND=webgpu uses it`,
  });
  // Unless webgpu was asked for, look first from outside (findAdapter says why):
  // most machines end up on another backend and need nothing of Dawn's here.
  if (!allowSoftware) {
    const found = await findAdapter();
    if (!found.ok) return found;
    if (found.adapter.software) return refuse(found.adapter);
  }
  const probe = await (opened ??= openAdapter());
  if (!probe.ok) return probe;
  const adapter = probe.adapter;
  if (adapter.software && !allowSoftware) return refuse(adapter);
  try {
    installNavigatorGpu(probe.gpu, probe.globals);
    await importOptional('@tensorflow/tfjs-backend-webgpu');
  } catch (err) {
    const code = (err as { code?: string }).code;
    const reason =
      code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND'
        ? 'the optional package @tensorflow/tfjs-backend-webgpu is not installed'
        : `@tensorflow/tfjs-backend-webgpu did not load: ${(err as Error).message.split('\n')[0]}`;
    return { ok: false, adapter, reason };
  }
  if (!tf.findBackendFactory(WEBGPU_BACKEND))
    return { ok: false, adapter, reason: '@tensorflow/tfjs-backend-webgpu loaded but registered no backend (was it imported before navigator.gpu was set?)' };
  const kernels = registerWebGpuKernels(WEBGPU_BACKEND);
  return (registered = {
    ok: true,
    name: WEBGPU_BACKEND,
    adapter,
    kernels,
    detail: `WebGPU through Dawn on ${describeAdapter(adapter)}${adapter.software ? ' — a software adapter: slower than the CPU backends' : ''}; ${kernels.length} kernels of GAN Focus' own`,
  });
}
