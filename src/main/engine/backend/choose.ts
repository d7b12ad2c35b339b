import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { BACKEND_CHOICES, type BackendChoice, type BackendReport, type GpuAdapterReport } from '../../../shared/types.js';
import { cudaGpuVisible } from './gpu-probe.js';
import { registerWasmTrainingKernels } from './wasm-kernels.js';

const require = createRequire(import.meta.url);

/** Turns a failed require of tfjs-node(-gpu) into the reason a user can act on. */
export function explainLoadFailure(pkg: string, err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: string })?.code;
  if (code === 'MODULE_NOT_FOUND' && msg.includes(pkg)) return `${pkg} is not installed (its install script needs a download; see README)`;
  if (/NODE_MODULE_VERSION|compiled against a different Node\.js version|napi/i.test(msg))
    return `${pkg}'s native addon was built for another Node/Electron ABI: rebuild it (${firstLine(msg)})`;
  if (/libcudart|libcublas|libcudnn|cuda/i.test(msg))
    return `CUDA 11.2 / cuDNN 8.1 not found, which tfjs-node-gpu 4.x needs (${firstLine(msg)})`;
  if (/libtensorflow|tfjs_binding|tensorflow\.so|\.node/i.test(msg)) return `libtensorflow is missing or broken (${firstLine(msg)})`;
  return firstLine(msg);
}

function firstLine(s: string): string {
  return s.split('\n')[0].slice(0, 300);
}

function packageVersion(pkg: string): string | null {
  try {
    return (require(`${pkg}/package.json`) as { version: string }).version;
  } catch {
    return null;
  }
}

async function tryTensorflow(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node'): Promise<string | null> {
  try {
    require(pkg);
  } catch (err) {
    return explainLoadFailure(pkg, err);
  }
  if (!(await tf.setBackend('tensorflow'))) return `${pkg} loaded but its backend did not initialise`;
  return null;
}

async function tryNative(): Promise<string | { detail: string }> {
  try {
    const mod = (await import('./native.js')) as {
      tryRegisterNativeBackend: () => Promise<{ ok: true; name: string; detail: string } | { ok: false; reason: string }>;
    };
    const r = await mod.tryRegisterNativeBackend();
    if (!r.ok) return r.reason;
    if (!(await tf.setBackend(r.name))) return 'native CPU kernels loaded but the backend did not initialise';
    return { detail: r.detail };
  } catch (err) {
    return `native CPU kernels unavailable (${firstLine(err instanceof Error ? err.message : String(err))})`;
  }
}

async function tryWebGpu(allowSoftware: boolean): Promise<{ why: string | null; detail: string; adapter?: GpuAdapterReport }> {
  try {
    const mod = (await import('./webgpu.js')) as typeof import('./webgpu.js');
    const r = await mod.tryRegisterWebGpuBackend({ allowSoftware });
    if (!r.ok) return { why: r.reason, detail: '', adapter: r.adapter };
    if (!(await tf.setBackend(r.name))) return { why: `the WebGPU device on ${r.adapter.description || r.adapter.device} did not initialise`, detail: '', adapter: r.adapter };
    return { why: null, detail: r.detail, adapter: r.adapter };
  } catch (err) {
    return { why: `webgpu backend failed: ${firstLine(err instanceof Error ? err.message : String(err))}`, detail: '' };
  }
}

async function tryWasm(): Promise<string | null> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    registerWasmTrainingKernels();
    if (!(await tf.setBackend('wasm'))) return 'wasm backend did not initialise';
    return null;
  } catch (err) {
    return `wasm backend failed: ${firstLine(err instanceof Error ? err.message : String(err))}`;
  }
}

let current: BackendReport | null = null;

/**
 * Decided once per process: tfjs-node-gpu > webgpu (a hardware adapter) >
 * tfjs-node > native CPU kernels > wasm > cpu. GAN_FOCUS_BACKEND (one of
 * BACKEND_CHOICES) forces a choice, for benchmarks, tests and users who want a
 * specific path; GAN_FOCUS_BACKEND=webgpu also accepts a software adapter.
 */
export async function initBackend(force: string | undefined = process.env.GAN_FOCUS_BACKEND): Promise<BackendReport> {
  if (current) return current;
  // PROD silences tfjs' console advice to install tfjs-node: doctor explains the
  // choice instead, and the advice is wrong where tfjs-node cannot install.
  tf.env().set('PROD', true);
  if (force !== undefined && force !== '' && !(BACKEND_CHOICES as readonly string[]).includes(force))
    throw new Error(`GAN_FOCUS_BACKEND=${force} is not one of ${BACKEND_CHOICES.join(', ')}`);
  const skipped: BackendReport['skipped'] = [];
  const candidates = force ? [force as BackendChoice] : [...BACKEND_CHOICES];
  let chosen: BackendChoice | null = null;
  let detail = '';
  let gpuAdapter: GpuAdapterReport | undefined;
  for (const c of candidates) {
    let why: string | null;
    if (c === 'tensorflow-gpu') {
      why = cudaGpuVisible() ?? (await tryTensorflow('@tensorflow/tfjs-node-gpu'));
      detail = 'libtensorflow with CUDA';
    } else if (c === 'webgpu') {
      const r = await tryWebGpu(force === 'webgpu');
      ({ why, detail } = r);
      gpuAdapter = r.adapter;
    } else if (c === 'tensorflow') {
      why = await tryTensorflow('@tensorflow/tfjs-node');
      detail = 'libtensorflow on the CPU';
    } else if (c === 'native-cpu') {
      const r = await tryNative();
      why = typeof r === 'string' ? r : null;
      detail = typeof r === 'string' ? '' : r.detail;
    } else if (c === 'wasm') {
      why = await tryWasm();
      detail = 'WebAssembly SIMD, one thread (composed conv filter gradients)';
    } else {
      why = (await tf.setBackend('cpu')) ? null : 'cpu backend did not initialise';
      detail = 'pure JavaScript (slowest; a last resort)';
    }
    if (why === null) {
      chosen = c;
      break;
    }
    skipped.push({ candidate: c, reason: why });
  }
  if (!chosen) throw new Error(`no tfjs backend could start: ${skipped.map((s) => `${s.candidate}: ${s.reason}`).join('; ')}`);
  await tf.ready();
  const versions: Record<string, string> = { '@tensorflow/tfjs': tf.version.tfjs };
  for (const pkg of ['@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', 'webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']) {
    const v = packageVersion(pkg);
    if (v) versions[pkg] = v;
  }
  current = {
    chosen,
    tfBackend: tf.getBackend(),
    detail,
    skipped,
    ...(gpuAdapter ? { gpuAdapter } : {}),
    versions,
    cores: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    node: process.version,
  };
  return current;
}
