import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from './addon.js';
import { createNativeBackend } from './backend.js';
import { conv2D, conv2DBackpropFilter, conv2DBackpropInput, fusedConv2D } from './conv-kernels.js';
import {
  NATIVE_BATCH_NORM_GRAD,
  NATIVE_BROADCAST_ROWS,
  NATIVE_CENTERED_SQUARE_GRAD,
  NATIVE_ELEMENT_GRAD,
  batchNormGrad,
  broadcastRows,
  centeredSquareGrad,
  elementGrad,
} from './grad-kernels.js';
import { registerNativeGradients } from './gradients.js';
import { installLeanGradients } from './lean-gradients.js';
import type { KernelFactory, NativeKernel } from './kernel-util.js';
import { BINARY_KERNELS, REDUCE_KERNELS, UNARY_KERNELS, binaryKernel, fusedBatchNorm, reduceKernel, resizeBilinear, tile, unaryKernel } from './math-kernels.js';
import { batchMatMul, fusedMatMul } from './matmul-kernels.js';
import { BINARY, REDUCE, UNARY } from './ops.js';

/** Kernels replaced by native code; everything else runs tfjs' own 'cpu' kernels on the same storage. */
function overrides(): Record<string, KernelFactory> {
  const table: Record<string, KernelFactory> = {
    Conv2D: conv2D,
    FusedConv2D: fusedConv2D,
    Conv2DBackpropInput: conv2DBackpropInput,
    Conv2DBackpropFilter: conv2DBackpropFilter,
    BatchMatMul: batchMatMul,
    _FusedMatMul: fusedMatMul,
    FusedBatchNorm: fusedBatchNorm,
    Tile: tile,
    ResizeBilinear: resizeBilinear,
  };
  for (const k of BINARY_KERNELS) table[k] = binaryKernel(BINARY[k]);
  for (const k of UNARY_KERNELS) table[k] = unaryKernel(UNARY[k]);
  for (const k of REDUCE_KERNELS) table[k] = reduceKernel(REDUCE[k]);
  return table;
}

const GRADIENT_KERNELS: Record<string, KernelFactory> = {
  [NATIVE_BATCH_NORM_GRAD]: batchNormGrad,
  [NATIVE_ELEMENT_GRAD]: elementGrad,
  [NATIVE_BROADCAST_ROWS]: broadcastRows,
  [NATIVE_CENTERED_SQUARE_GRAD]: centeredSquareGrad,
};

export interface RegisterOptions {
  name: string;
  /** Upper bound of recycled buffers kept between kernels. */
  maxPoolBytes: number;
}

/**
 * Registers backend `name`: every kernel of tfjs' 'cpu' backend, with the hot
 * ones replaced by the addon's, plus the gradient helpers. Returns the names
 * of the native kernels.
 */
export function registerNative(addon: NativeAddon, { name, maxPoolBytes }: RegisterOptions): string[] {
  if (tf.findBackendFactory(name)) return Object.keys(overrides());
  tf.registerBackend(name, () => createNativeBackend(maxPoolBytes), 0);
  tf.copyRegisteredKernels('cpu', name);
  const table = overrides();
  for (const [kernelName, factory] of Object.entries(table)) {
    const cpu = tf.getKernel(kernelName, 'cpu');
    if (!cpu) continue;
    const fallback = cpu.kernelFunc as unknown as NativeKernel;
    tf.unregisterKernel(kernelName, name);
    tf.registerKernel({ kernelName, backendName: name, kernelFunc: factory(addon, fallback) as unknown as tf.KernelFunc });
  }
  const missing: NativeKernel = () => {
    throw new Error('no JS fallback');
  };
  for (const [kernelName, factory] of Object.entries(GRADIENT_KERNELS)) {
    tf.registerKernel({ kernelName, backendName: name, kernelFunc: factory(addon, missing) as unknown as tf.KernelFunc });
  }
  registerNativeGradients(name);
  installLeanGradients(name);
  return Object.keys(table);
}
