import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The compiled kernels (packages/native-kernels). Every call writes into `out`-style arrays it is given. */
export interface NativeAddon {
  /** With `bias` (one per output channel) and `activation` (CONV_ACTIVATIONS), applied to each output tile as it is produced. */
  conv2d(x: Float32Array, filter: Float32Array, y: Float32Array, params: Int32Array, bias?: Float32Array | null, activation?: number, alpha?: number): void;
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, params: Int32Array): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, df: Float32Array, params: Int32Array): void;
  matMul(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    batch: number,
    m: number,
    n: number,
    k: number,
    transA: number,
    transB: number,
    aBatchStride: number,
    bBatchStride: number,
  ): void;
  binary(op: number, a: Float32Array, aStrides: Int32Array, b: Float32Array, bStrides: Int32Array, out: Float32Array, shape: Int32Array): void;
  unary(op: number, x: Float32Array, out: Float32Array, alpha: number): void;
  reduce(op: number, x: Float32Array, out: Float32Array, outer: number, red: number, inner: number): void;
  batchNorm(
    x: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    scale: Float32Array | null,
    offset: Float32Array | null,
    eps: number,
    y: Float32Array,
    channels: number,
  ): void;
  batchNormGrad(
    x: Float32Array,
    dy: Float32Array,
    mean: Float32Array,
    variance: Float32Array,
    scale: Float32Array | null,
    eps: number,
    channels: number,
    dx: Float32Array,
    dmean: Float32Array,
    dvar: Float32Array,
    dscale: Float32Array,
    doffset: Float32Array,
  ): void;
  elementGrad(kind: number, x: Float32Array, dy: Float32Array, out: Float32Array, alpha: number): void;
  broadcastRows(x: Float32Array, scale: number, out: Float32Array): void;
  centeredSquareGrad(x: Float32Array, mean: Float32Array, dy: Float32Array, out: Float32Array): void;
  tile(x: Float32Array, xShape: Int32Array, reps: Int32Array, out: Float32Array): void;
  resizeBilinear(
    x: Float32Array,
    out: Float32Array,
    n: number,
    h: number,
    w: number,
    c: number,
    oh: number,
    ow: number,
    alignCorners: number,
    halfPixelCenters: number,
  ): void;
  /** Grad-CAM's ReLU, resize to size x size and min-max scaling, as src/main/engine/explain/cam-image.ts. */
  camImages(maps: Float32Array, out: Float32Array, n: number, h: number, w: number, size: number, flat: number): void;
  /** amx: convolutions and matrix products run on the AMX tile units (bf16 hi+lo split, float accuracy). */
  info(): { isa: string; mr: number; nr: number; threads: number; amxSupported: boolean; amx: boolean };
  setThreads(n: number): void;
  /** Switches the AMX path on (1) or off (0) where the CPU has it. */
  setAmx(on: number): void;
}

const PACKAGE = 'gan-focus-native-kernels';
const FUNCTIONS = ['conv2d', 'conv2dBackpropInput', 'conv2dBackpropFilter', 'matMul', 'binary', 'unary', 'reduce',
  'batchNorm', 'batchNormGrad', 'elementGrad', 'broadcastRows', 'centeredSquareGrad', 'tile', 'resizeBilinear', 'camImages', 'info', 'setThreads', 'setAmx'] as const;

/** Where a build of packages/native-kernels may be, most specific first. */
function candidates(): string[] {
  const out: string[] = [];
  if (process.env.GAN_FOCUS_NATIVE_ADDON) out.push(process.env.GAN_FOCUS_NATIVE_ADDON);
  out.push(PACKAGE);
  // Running from the source tree (tsx, vitest): the package folder itself.
  const here = path.dirname(fileURLToPath(import.meta.url));
  out.push(path.resolve(here, '../../../../../packages/native-kernels/build/Release/native_kernels.node'));
  return out;
}

export type AddonLoad = { ok: true; addon: NativeAddon; path: string } | { ok: false; reason: string };

let cached: AddonLoad | null = null;

/** Loads the addon once; never throws. */
export function loadAddon(): AddonLoad {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const failures: string[] = [];
  for (const c of candidates()) {
    if (c.endsWith('.node') && !existsSync(c)) {
      failures.push(`${c}: not built`);
      continue;
    }
    try {
      const mod = require(c) as Partial<NativeAddon> & { path?: string };
      const missing = FUNCTIONS.filter((f) => typeof mod[f] !== 'function');
      if (missing.length) {
        failures.push(`${c}: an older build without ${missing.join(', ')} (rebuild packages/native-kernels)`);
        continue;
      }
      cached = { ok: true, addon: mod as NativeAddon, path: mod.path ?? c };
      return cached;
    } catch (err) {
      const e = err as { code?: string; message?: string };
      const msg = String(e.message).split('\n')[0];
      if (c === PACKAGE && e.code === 'MODULE_NOT_FOUND')
        failures.push(msg.includes('native_kernels.node') ? `${PACKAGE} is installed but not built (npm rebuild ${PACKAGE})` : `${PACKAGE} is not installed`);
      else failures.push(`${c}: ${msg}`);
    }
  }
  cached = { ok: false, reason: `native CPU kernels not available (${failures.join('; ')})` };
  return cached;
}
