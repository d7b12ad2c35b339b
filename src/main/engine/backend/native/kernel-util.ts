import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from './addon.js';
import type { NativeBackend } from './backend.js';

export type Inputs = Record<string, tf.TensorInfo | undefined>;
export type Attrs = Record<string, unknown>;
export interface KernelArgs {
  inputs: Inputs;
  backend: NativeBackend;
  attrs?: Attrs;
}
export type NativeKernel = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];
/** A kernel implementation given the addon, and the 'cpu' kernel to fall back on for cases it does not cover. */
export type KernelFactory = (addon: NativeAddon, fallback: NativeKernel) => NativeKernel;

export function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Output tensor info for values written by a native kernel. */
export function output(backend: NativeBackend, shape: number[], values: Float32Array): tf.TensorInfo {
  return backend.makeTensorInfo(shape, 'float32', values);
}

/** Contiguous strides of `shape`. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d];
  }
  return s;
}

/**
 * x viewed as [outer, reduced, inner]: the reduced axes must be one block once
 * unit dims are ignored (true of every reduction in a DCGAN step).
 */
export function reductionLayout(shape: number[], axes: number[]): { outer: number; red: number; inner: number } | null {
  const set = new Set(axes);
  let outer = 1;
  let red = 1;
  let inner = 1;
  let phase = 0; // 0: before the block, 1: in it, 2: after it
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    if (set.has(d)) {
      if (phase === 2) return null;
      phase = 1;
      red *= shape[d];
    } else if (phase === 0) {
      outer *= shape[d];
    } else {
      phase = 2;
      inner *= shape[d];
    }
  }
  return { outer, red, inner };
}
