import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from './addon.js';
import type { NativeBackend } from './backend.js';
import { applyBiasAndActivation, canApplyActivation } from './epilogue.js';
import { type KernelArgs, type KernelFactory, output, size } from './kernel-util.js';

/** a @ b with tfjs' batch broadcasting limited to equal batches or a batch of 1; null when not covered. */
function matMul(addon: NativeAddon, backend: NativeBackend, a: tf.TensorInfo, b: tf.TensorInfo, transA: boolean, transB: boolean) {
  const av = backend.f32(a);
  const bv = backend.f32(b);
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (!av || !bv || ra < 2 || rb < 2) return null;
  const m = transA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb) return null;
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(batchA, batchB);
  const na = size(batchA);
  const nb = size(batchB);
  const total = size(outBatch);
  // Each side is either a full batch (one matrix per output) or one shared matrix.
  if ((na !== 1 && na !== total) || (nb !== 1 && nb !== total)) return null;
  const batch = total;
  const c = backend.alloc(batch * m * n);
  addon.matMul(av, bv, c, batch, m, n, k, transA ? 1 : 0, transB ? 1 : 0, na === 1 ? 0 : m * k, nb === 1 ? 0 : k * n);
  return output(backend, [...outBatch, m, n], c);
}

export const batchMatMul: KernelFactory = (addon, fallback) => (args: KernelArgs) => {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const attrs = args.attrs ?? {};
  return matMul(addon, args.backend, a, b, Boolean(attrs.transposeA), Boolean(attrs.transposeB)) ?? fallback(args);
};

export const fusedMatMul: KernelFactory = (addon, fallback) => (args: KernelArgs) => {
  const { a, b, bias, preluActivationWeights } = args.inputs;
  const attrs = args.attrs ?? {};
  if (!canApplyActivation(attrs.activation, preluActivationWeights)) return fallback(args);
  const y = matMul(addon, args.backend, a!, b!, Boolean(attrs.transposeA), Boolean(attrs.transposeB));
  if (!y) return fallback(args);
  return applyBiasAndActivation(addon, args.backend, y, bias, attrs.activation, attrs.leakyreluAlpha);
};
