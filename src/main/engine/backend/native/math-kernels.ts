import * as tf from '@tensorflow/tfjs';
import { broadcastPlan } from './broadcast.js';
import { noteCentered, noteSquareOfCentered, noteTrimmableSave, recordReductionShape } from './gradients.js';
import { type KernelArgs, type KernelFactory, output, reductionLayout, size } from './kernel-util.js';
import { BINARY, REDUCE, UNARY } from './ops.js';

export function binaryKernel(op: number): KernelFactory {
  return (addon, fallback) => (args: KernelArgs) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const av = args.backend.f32(a);
    const bv = args.backend.f32(b);
    if (!av || !bv) return fallback(args);
    const plan = broadcastPlan(a.shape, b.shape);
    const out = args.backend.alloc(size(plan.outShape));
    addon.binary(op, av, plan.aStrides, bv, plan.bStrides, out, plan.shape);
    const result = output(args.backend, plan.outShape, out);
    // x - mean with one mean per channel (the last axis), as in BatchNorm's moments.
    const c = a.shape[a.shape.length - 1];
    const perChannel = b.shape.length > 0 && b.shape[b.shape.length - 1] === c && size(b.shape) === c;
    if (op === BINARY.Sub && perChannel && c > 0 && size(a.shape) === out.length) noteCentered(result, a, b);
    return result;
  };
}

export function unaryKernel(op: number): KernelFactory {
  return (addon, fallback) => (args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const xv = args.backend.f32(x);
    if (!xv) return fallback(args);
    const alpha = op === UNARY.LeakyRelu ? Number(args.attrs?.alpha ?? 0.2) : op === UNARY.Step ? Number(args.attrs?.alpha ?? 0) : 0;
    const out = args.backend.alloc(xv.length);
    addon.unary(op, xv, out, alpha);
    if (op === UNARY.Relu || (op === UNARY.LeakyRelu && alpha > 0)) noteTrimmableSave(op === UNARY.Relu ? 'Relu' : 'LeakyRelu');
    if (op === UNARY.Square) noteSquareOfCentered(args.attrs, x);
    return output(args.backend, [...x.shape], out);
  };
}

export function reduceKernel(op: number): KernelFactory {
  return (addon, fallback) => (args: KernelArgs) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const xv = args.backend.f32(x);
    if (!xv) return fallback(args);
    const attrs = args.attrs ?? {};
    const axes = tf.util.parseAxisParam((attrs.axis ?? attrs.reductionIndices) as number | number[], x.shape);
    const layout = reductionLayout(x.shape, axes);
    if (!layout) return fallback(args);
    let [outShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
    if (attrs.keepDims) outShape = tf.backend_util.expandShapeToKeepDim(outShape, axes);
    const out = args.backend.alloc(size(outShape));
    addon.reduce(op, xv, out, layout.outer, layout.red, layout.inner);
    if (op === REDUCE.Sum || op === REDUCE.Mean) recordReductionShape(op === REDUCE.Sum ? 'Sum' : 'Mean', args.attrs, [...x.shape]);
    return output(args.backend, outShape, out);
  };
}

/** Params of batch norm: one value or one per channel (the last dim). */
function paramOk(t: tf.TensorInfo | undefined, channels: number): boolean {
  if (t == null) return true;
  const n = size(t.shape);
  return t.dtype === 'float32' && (n === 1 || n === channels);
}

export const fusedBatchNorm: KernelFactory = (addon, fallback) => (args: KernelArgs) => {
  const { x, mean, variance, offset, scale } = args.inputs;
  const xv = args.backend.f32(x!);
  const channels = x!.shape[x!.shape.length - 1] ?? 1;
  if (!xv || ![mean, variance, offset, scale].every((t) => paramOk(t, channels)) || mean == null || variance == null) return fallback(args);
  const f = (t: tf.TensorInfo | undefined) => (t == null ? null : args.backend.f32(t));
  const out = args.backend.alloc(xv.length);
  const eps = Number(args.attrs?.varianceEpsilon ?? 0.001);
  addon.batchNorm(xv, f(mean)!, f(variance)!, f(scale), f(offset), eps, out, channels);
  return output(args.backend, [...x!.shape], out);
};

export const tile: KernelFactory = (addon, fallback) => (args: KernelArgs) => {
  const { x } = args.inputs as { x: tf.TensorInfo };
  const xv = args.backend.f32(x);
  const reps = args.attrs?.reps as number[];
  if (!xv || x.shape.length === 0 || x.shape.length > 8 || reps.length !== x.shape.length) return fallback(args);
  const outShape = x.shape.map((d, i) => d * reps[i]);
  const out = args.backend.alloc(size(outShape));
  addon.tile(xv, Int32Array.from(x.shape), Int32Array.from(reps), out);
  return output(args.backend, outShape, out);
};

export const resizeBilinear: KernelFactory = (addon, fallback) => (args: KernelArgs) => {
  const { images } = args.inputs as { images: tf.TensorInfo };
  const xv = args.backend.f32(images);
  if (!xv || images.shape.length !== 4) return fallback(args);
  const [n, h, w, c] = images.shape;
  const [oh, ow] = args.attrs?.size as [number, number];
  const out = args.backend.alloc(n * oh * ow * c);
  addon.resizeBilinear(xv, out, n, h, w, c, oh, ow, args.attrs?.alignCorners ? 1 : 0, args.attrs?.halfPixelCenters ? 1 : 0);
  return output(args.backend, [n, oh, ow, c], out);
};

export const BINARY_KERNELS = Object.keys(BINARY) as (keyof typeof BINARY)[];
export const UNARY_KERNELS = Object.keys(UNARY) as (keyof typeof UNARY)[];
export const REDUCE_KERNELS = Object.keys(REDUCE) as (keyof typeof REDUCE)[];
