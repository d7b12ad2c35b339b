import * as tf from '@tensorflow/tfjs';
import { greater, leakyRelu, select } from './wasm-activations.js';
import { fusedBatchNorm } from './wasm-batchnorm.js';
import { rememberBuiltin } from './wasm-call.js';
import { conv2DBackpropFilter } from './wasm-conv-filter.js';
import { conv2DBackpropInput } from './wasm-conv-input.js';
import { conv2D, fusedConv2D } from './wasm-conv-same.js';
import { identity, tile } from './wasm-memory-ops.js';
import { registerWasmGradients } from './wasm-gradients.js';
import { mean, sum } from './wasm-reduce.js';

// Kernels that make training on tfjs-backend-wasm 4.22 possible and fast:
// compositions of wasm's fast XNNPACK kernels, plus layout work in a small SIMD
// module of our own (wasm-copy.ts); each file says what it replaces and why.
// Register before the wasm backend initialises.

const KERNELS: Record<string, (args: never) => tf.TensorInfo> = {
  Conv2D: conv2D,
  FusedBatchNorm: fusedBatchNorm,
  FusedConv2D: fusedConv2D,
  Greater: greater,
  Identity: identity,
  LeakyRelu: leakyRelu,
  Mean: mean,
  Select: select,
  Sum: sum,
  Tile: tile,
  Conv2DBackpropFilter: conv2DBackpropFilter,
  Conv2DBackpropInput: conv2DBackpropInput,
};

let registered = false;

/** Registers the training kernels on the 'wasm' backend, and cheaper LeakyRelu/BatchNorm gradients used there; idempotent. */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  for (const [kernelName, kernelFunc] of Object.entries(KERNELS)) {
    const builtin = rememberBuiltin(kernelName);
    if (builtin) tf.unregisterKernel(kernelName, 'wasm');
    // The built-in's setup (binding its wasm function) must still run, since
    // the replacement may call it.
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      kernelFunc: kernelFunc as unknown as tf.KernelFunc,
      setupFunc: builtin?.setupFunc,
      disposeFunc: builtin?.disposeFunc,
    });
  }
  registerWasmGradients();
  registered = true;
}
