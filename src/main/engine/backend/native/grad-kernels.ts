import * as tf from '@tensorflow/tfjs';
import { type KernelArgs, type KernelFactory, output, size } from './kernel-util.js';

// Kernels only the native gradients call (registered for the native backend
// alone). Each replaces a chain of tfjs ops that would each read and write a
// whole activation tensor.

/** Gradient of FusedBatchNorm for all its inputs in one pass. Outputs [dx, dmean, dvariance, dscale, doffset]. */
export const NATIVE_BATCH_NORM_GRAD = 'NativeBatchNormGrad';
/** dx of an elementwise op from (x or y, dy); attrs.kind in ELEMENT_GRAD, attrs.alpha. */
export const NATIVE_ELEMENT_GRAD = 'NativeElementGrad';
/** x (of `inner` values) times attrs.scale, repeated to attrs.shape: the gradient of a leading-axes Sum/Mean. */
export const NATIVE_BROADCAST_ROWS = 'NativeBroadcastRows';

/** 2 * (x - mean) * dy with mean per channel: Square's gradient recomputing its input. */
export const NATIVE_CENTERED_SQUARE_GRAD = 'NativeCenteredSquareGrad';

export const centeredSquareGrad: KernelFactory = (addon) => (args: KernelArgs) => {
  const { x, mean, dy } = args.inputs as { x: tf.TensorInfo; mean: tf.TensorInfo; dy: tf.TensorInfo };
  const out = args.backend.alloc(size(x.shape));
  addon.centeredSquareGrad(args.backend.f32(x)!, args.backend.f32(mean)!, args.backend.f32(dy)!, out);
  return output(args.backend, [...x.shape], out);
};

export const batchNormGrad: KernelFactory = (addon) => (args: KernelArgs) => {
  const { x, dy, mean, variance, scale } = args.inputs;
  const b = args.backend;
  const c = mean!.shape[0];
  const sv = scale == null ? null : b.f32(scale);
  const dx = b.alloc(size(x!.shape));
  const outs = [b.alloc(c), b.alloc(c), b.alloc(c), b.alloc(c)];
  addon.batchNormGrad(b.f32(x!)!, b.f32(dy!)!, b.f32(mean!)!, b.f32(variance!)!, sv, Number(args.attrs!.varianceEpsilon), c, dx, ...(outs as [Float32Array, Float32Array, Float32Array, Float32Array]));
  return [output(b, [...x!.shape], dx), ...outs.map((o) => output(b, [c], o))];
};

export const elementGrad: KernelFactory = (addon) => (args: KernelArgs) => {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const out = args.backend.alloc(size(x.shape));
  addon.elementGrad(Number(args.attrs!.kind), args.backend.f32(x)!, args.backend.f32(dy)!, out, Number(args.attrs!.alpha ?? 0));
  return output(args.backend, [...x.shape], out);
};

export const broadcastRows: KernelFactory = (addon) => (args: KernelArgs) => {
  const { x } = args.inputs as { x: tf.TensorInfo };
  const shape = args.attrs!.shape as number[];
  const out = args.backend.alloc(size(shape));
  addon.broadcastRows(args.backend.f32(x)!, Number(args.attrs!.scale), out);
  return output(args.backend, [...shape], out);
};
