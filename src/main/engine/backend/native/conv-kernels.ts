import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from './addon.js';
import type { NativeBackend } from './backend.js';
import { applyBiasAndActivation, canApplyActivation } from './epilogue.js';
import { type KernelArgs, type KernelFactory, output, size } from './kernel-util.js';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;
type Shape4 = [number, number, number, number];

function params(c: tf.backend_util.Conv2DInfo): Int32Array {
  return Int32Array.from([
    c.batchSize, c.inHeight, c.inWidth, c.inChannels,
    c.filterHeight, c.filterWidth, c.outChannels,
    c.outHeight, c.outWidth,
    c.strideHeight, c.strideWidth,
    c.padInfo.top, c.padInfo.left,
    c.dilationHeight, c.dilationWidth,
  ]);
}

function info(inShape: number[], filterShape: number[], strides: unknown, dilations: unknown, pad: unknown, rounding: unknown) {
  return tf.backend_util.computeConv2DInfo(
    inShape as Shape4,
    filterShape as Shape4,
    strides as number | [number, number],
    (dilations ?? 1) as number | [number, number],
    pad as Pad,
    rounding as Rounding,
    false,
    'channelsLast',
  );
}

/** Activations the conv kernel applies itself (the addon's Epilogue::Act). */
const CONV_ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, leakyrelu: 2 };

interface ConvEpilogue {
  bias: Float32Array | null;
  activation: number;
  alpha: number;
}

function conv(addon: NativeAddon, backend: NativeBackend, x: tf.TensorInfo, filter: tf.TensorInfo, attrs: Record<string, unknown>, epilogue?: ConvEpilogue) {
  const xv = backend.f32(x);
  const fv = backend.f32(filter);
  if (!xv || !fv || attrs.dataFormat === 'NCHW' || x.shape.length !== 4) return null;
  const c = info(x.shape, filter.shape, attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode);
  const y = backend.alloc(size(c.outShape));
  if (epilogue) addon.conv2d(xv, fv, y, params(c), epilogue.bias, epilogue.activation, epilogue.alpha);
  else addon.conv2d(xv, fv, y, params(c));
  return output(backend, c.outShape, y);
}

/**
 * The bias and activation as the conv kernel's own epilogue, when it can do
 * them: a bias of one value per output channel, an activation it knows.
 */
function kernelEpilogue(backend: NativeBackend, filter: tf.TensorInfo, bias: tf.TensorInfo | undefined, attrs: Record<string, unknown>): ConvEpilogue | null {
  const activation = CONV_ACTIVATIONS[String(attrs.activation ?? 'linear')];
  if (activation === undefined) return null;
  const co = filter.shape[3];
  let bv: Float32Array | null = null;
  if (bias != null) {
    if (size(bias.shape) !== co || (bias.shape.length > 0 && bias.shape[bias.shape.length - 1] !== co)) return null;
    bv = backend.f32(bias);
    if (!bv) return null;
  }
  return { bias: bv, activation, alpha: typeof attrs.leakyreluAlpha === 'number' ? attrs.leakyreluAlpha : 0.2 };
}

export const conv2D: KernelFactory = (addon, fallback) => (args: KernelArgs) => {
  const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
  return conv(addon, args.backend, x, filter, args.attrs ?? {}) ?? fallback(args);
};

export const fusedConv2D: KernelFactory = (addon, fallback) => (args: KernelArgs) => {
  const { x, filter, bias, preluActivationWeights } = args.inputs;
  const attrs = args.attrs ?? {};
  if (!canApplyActivation(attrs.activation, preluActivationWeights)) return fallback(args);
  const epilogue = kernelEpilogue(args.backend, filter!, bias, attrs);
  if (epilogue) return conv(addon, args.backend, x!, filter!, attrs, epilogue) ?? fallback(args);
  const y = conv(addon, args.backend, x!, filter!, attrs);
  if (!y) return fallback(args);
  return applyBiasAndActivation(addon, args.backend, y, bias, attrs.activation, attrs.leakyreluAlpha);
};

export const conv2DBackpropInput: KernelFactory = (addon, fallback) => (args: KernelArgs) => {
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs ?? {};
  const dyv = args.backend.f32(dy);
  const fv = args.backend.f32(filter);
  if (!dyv || !fv || attrs.dataFormat === 'NCHW') return fallback(args);
  const inputShape = attrs.inputShape as number[];
  const c = info(inputShape, filter.shape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  if (size(c.outShape) !== size(dy.shape)) return fallback(args);
  const dx = args.backend.alloc(size(inputShape));
  addon.conv2dBackpropInput(dyv, fv, dx, params(c));
  return output(args.backend, [...inputShape], dx);
};

export const conv2DBackpropFilter: KernelFactory = (addon, fallback) => (args: KernelArgs) => {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs ?? {};
  const xv = args.backend.f32(x);
  const dyv = args.backend.f32(dy);
  if (!xv || !dyv || attrs.dataFormat === 'NCHW') return fallback(args);
  const filterShape = attrs.filterShape as number[];
  const c = info(x.shape, filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  if (size(c.outShape) !== size(dy.shape)) return fallback(args);
  const df = args.backend.alloc(size(filterShape));
  addon.conv2dBackpropFilter(xv, dyv, df, params(c));
  return output(args.backend, [...filterShape], df);
};
