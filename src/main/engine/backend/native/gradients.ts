import * as tf from '@tensorflow/tfjs';
import { NATIVE_BATCH_NORM_GRAD, NATIVE_BROADCAST_ROWS, NATIVE_CENTERED_SQUARE_GRAD, NATIVE_ELEMENT_GRAD } from './grad-kernels.js';
import { reductionLayout, size } from './kernel-util.js';
import { ELEMENT_GRAD } from './ops.js';

type Grads = Record<string, () => tf.Tensor>;
type Fast = (dy: tf.Tensor, saved: tf.Tensor[], attrs: Record<string, unknown>) => Grads | null;

const WRAPPED = Symbol.for('gan-focus.native-gradient');

function run(kernel: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
  return tf.engine().runKernel(kernel, inputs as tf.NamedTensorMap, attrs as never);
}

interface EngineState {
  state: { gradientDepth: number; kernelDepth: number; activeTape: unknown };
}

const engineState = () => (tf.engine() as unknown as EngineState).state;

/**
 * The fused kernels have no gradients of their own: use them only on the
 * native backend and when no outer tape records this backward pass (a
 * higher-order gradient needs tfjs' differentiable ops).
 */
function useFast(backendName: string, dy: tf.Tensor | tf.Tensor[]): dy is tf.Tensor {
  return tf.getBackend() === backendName && engineState().gradientDepth === 0 && !Array.isArray(dy) && dy.dtype === 'float32';
}

/**
 * tfjs' gradients are global, keyed by kernel name. These keep the original
 * for every other backend and, on the native one, compute the same values with
 * fused kernels (same inputs saved, same outputs per input).
 */
function override(kernelName: string, backendName: string, fast: Fast): void {
  const orig = tf.getGradient(kernelName) as (tf.GradConfig & { [WRAPPED]?: boolean }) | undefined;
  if (!orig || orig[WRAPPED]) return;
  const gradFunc: tf.GradConfig['gradFunc'] = (dy, saved, attrs) => {
    if (useFast(backendName, dy)) {
      const g = fast(dy, saved, attrs as Record<string, unknown>);
      if (g) return g;
    }
    return orig.gradFunc(dy, saved, attrs);
  };
  tf.registerGradient({ ...orig, gradFunc, [WRAPPED]: true } as tf.GradConfig);
}

const isF32 = (t: tf.Tensor | undefined) => t == null || t.dtype === 'float32';

const batchNorm: Fast = (dy, saved, attrs) => {
  const [x, mean, variance, scale] = saved;
  const c = mean.shape[0];
  const ok =
    mean.rank === 1 && variance.rank === 1 && variance.shape[0] === c && (scale == null || (scale.rank === 1 && scale.shape[0] === c)) &&
    x.shape[x.rank - 1] === c && [x, mean, variance, scale].every(isF32) && size(dy.shape) === size(x.shape);
  if (!ok) return null;
  const inputs: Record<string, tf.Tensor> = { x, dy, mean, variance };
  if (scale != null) inputs.scale = scale;
  const [dx, dmean, dvar, dscale, doffset] = run(NATIVE_BATCH_NORM_GRAD, inputs, { varianceEpsilon: attrs.varianceEpsilon }) as tf.Tensor[];
  return { x: () => dx, mean: () => dmean, variance: () => dvar, scale: () => dscale, offset: () => doffset };
};

/**
 * What the tape saves, trimmed on the native backend:
 * - Sum and Mean save their input only for its shape: the native kernels
 *   record the shape on the op's attrs and the input is not saved (in
 *   BatchNorm's moments that is the whole (x - mean)^2 tensor);
 * - Relu and LeakyRelu (alpha > 0) need only where their input is positive,
 *   which is where their output is: they save the output, which the next
 *   layer saves anyway, so the BatchNorm output before them can be freed.
 * A native kernel notes that it ran in a way that allows this; the gradient
 * config's save lists (getters, read by the engine right after the kernel)
 * consume the note.
 */
const INPUT_SHAPE = Symbol.for('gan-focus.reduction-input-shape');
let noted: string | null = null;

/** Called by a native kernel whose saved tensors may be trimmed (see above). */
export function noteTrimmableSave(kernelName: string): void {
  // The engine asks what to save right after this kernel, and only when it
  // records it on a tape: a top-level kernel while a gradient is being taped.
  const state = engineState();
  noted = state.gradientDepth > 0 && state.kernelDepth === 1 ? kernelName : null;
}

/** Called by the native Sum/Mean kernels with their attrs and input shape. */
export function recordReductionShape(kernelName: string, attrs: Record<string | symbol, unknown> | undefined, shape: number[]): void {
  if (!attrs) return;
  attrs[INPUT_SHAPE] = shape;
  noteTrimmableSave(kernelName);
}

/**
 * (x - mean)^2 in BatchNorm's moments: Square saves x - mean only to compute
 * 2 (x - mean) dy. When the native Sub that made it was taped on the same tape,
 * that Sub node holds x and mean until its own backward, which runs after
 * Square's: Square then saves nothing and recomputes x - mean from them.
 */
const CENTERED = Symbol.for('gan-focus.centered-source');
interface Centered {
  x: tf.TensorInfo;
  mean: tf.TensorInfo;
  tape: unknown;
}
const centeredOutputs = new WeakMap<object, Centered>();

/** Called by the native Sub kernel: out = x - mean, mean one value per channel of x. */
export function noteCentered(out: tf.TensorInfo, x: tf.TensorInfo, mean: tf.TensorInfo): void {
  const state = engineState();
  if (state.gradientDepth > 0 && state.kernelDepth === 1) centeredOutputs.set(out.dataId, { x, mean, tape: state.activeTape });
}

/** Called by the native Square kernel with its attrs and input. */
export function noteSquareOfCentered(attrs: Record<string | symbol, unknown> | undefined, x: tf.TensorInfo): void {
  const source = centeredOutputs.get(x.dataId);
  const state = engineState();
  if (!attrs || !source || source.tape !== state.activeTape) return;
  attrs[CENTERED] = source;
  noteTrimmableSave('Square');
}

function peekNote(kernelName: string): boolean {
  return noted === kernelName;
}

function takeNote(kernelName: string): boolean {
  const hit = noted === kernelName;
  noted = null;
  return hit;
}

function reductionInput(saved: tf.Tensor[], attrs: Record<string | symbol, unknown>): { shape: number[] } | null {
  if (saved.length > 0) return saved[0];
  const shape = attrs[INPUT_SHAPE] as number[] | undefined;
  return shape ? { shape } : null;
}

/** Sum/Mean over leading axes: the gradient is dy (scaled) repeated over the reduced rows. */
function reduction(mean: boolean): Fast {
  return (dy, saved, attrs) => {
    const x = reductionInput(saved, attrs);
    if (!x) return null;
    const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
    const layout = reductionLayout(x.shape, axes);
    if (!layout || layout.outer !== 1 || size(dy.shape) !== layout.inner) return null;
    const scale = mean ? 1 / layout.red : 1;
    return { x: () => run(NATIVE_BROADCAST_ROWS, { x: dy }, { shape: x.shape, scale }) as tf.Tensor };
  };
}

/** Sum/Mean configs that skip saving the input when a native kernel recorded its shape. */
function overrideReduction(kernelName: string, backendName: string, mean: boolean): void {
  const orig = tf.getGradient(kernelName) as (tf.GradConfig & { [WRAPPED]?: boolean }) | undefined;
  if (!orig || orig[WRAPPED]) return;
  const fast = reduction(mean);
  const config = {
    kernelName,
    get inputsToSave(): string[] {
      return takeNote(kernelName) ? [] : (orig.inputsToSave ?? []);
    },
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const a = attrs as unknown as Record<string | symbol, unknown>;
      if (useFast(backendName, dy)) {
        const g = fast(dy, saved, a as Record<string, unknown>);
        if (g) return g;
      }
      // tfjs' own gradient reads only the input's shape.
      const x = reductionInput(saved, a);
      if (!x) throw new Error(`${kernelName} gradient: the input was neither saved nor its shape recorded`);
      return orig.gradFunc(dy, [x as tf.Tensor], attrs);
    },
    [WRAPPED]: true,
  };
  tf.registerGradient(config as unknown as tf.GradConfig);
}

function elementwise(kind: number, alphaOf?: (attrs: Record<string, unknown>) => number): Fast {
  return (dy, saved, attrs) => {
    const [x] = saved;
    if (x.dtype !== 'float32' || size(x.shape) !== size(dy.shape)) return null;
    const alpha = alphaOf ? alphaOf(attrs) : 0;
    return { x: () => run(NATIVE_ELEMENT_GRAD, { x, dy }, { kind, alpha }) as tf.Tensor };
  };
}

/** Relu / LeakyRelu configs that save the output instead of the input when a native kernel noted it. */
function overrideActivation(kernelName: string, backendName: string, fast: Fast): void {
  const orig = tf.getGradient(kernelName) as (tf.GradConfig & { [WRAPPED]?: boolean }) | undefined;
  if (!orig || orig[WRAPPED]) return;
  const config = {
    kernelName,
    get inputsToSave(): string[] {
      return peekNote(kernelName) ? [] : (orig.inputsToSave ?? []);
    },
    get outputsToSave(): boolean[] {
      return takeNote(kernelName) ? [true] : (orig.outputsToSave ?? []);
    },
    // saved[0] is x or y: the same sign pattern, so either serves as x.
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      if (useFast(backendName, dy)) {
        const g = fast(dy, saved, attrs as unknown as Record<string, unknown>);
        if (g) return g;
      }
      return orig.gradFunc(dy, saved, attrs);
    },
    [WRAPPED]: true,
  };
  tf.registerGradient(config as unknown as tf.GradConfig);
}

function overrideSquare(backendName: string): void {
  const orig = tf.getGradient('Square') as (tf.GradConfig & { [WRAPPED]?: boolean }) | undefined;
  if (!orig || orig[WRAPPED]) return;
  const fast = elementwise(ELEMENT_GRAD.square);
  const config = {
    kernelName: 'Square',
    get inputsToSave(): string[] {
      return takeNote('Square') ? [] : (orig.inputsToSave ?? []);
    },
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
      const source = (attrs as unknown as Record<symbol, Centered | undefined>)[CENTERED];
      if (saved.length === 0 && source) {
        if (useFast(backendName, dy)) {
          return { x: () => run(NATIVE_CENTERED_SQUARE_GRAD, { x: source.x, mean: source.mean, dy } as unknown as Record<string, tf.Tensor>, {}) as tf.Tensor };
        }
        // Differentiable form, for a higher-order gradient.
        const engine = tf.engine() as unknown as { makeTensorFromTensorInfo(t: tf.TensorInfo): tf.Tensor };
        return {
          x: () => tf.mul(dy as unknown as tf.Tensor, tf.mul(tf.sub(engine.makeTensorFromTensorInfo(source.x), engine.makeTensorFromTensorInfo(source.mean)), 2)),
        };
      }
      if (useFast(backendName, dy)) {
        const g = fast(dy, saved, attrs as unknown as Record<string, unknown>);
        if (g) return g;
      }
      return orig.gradFunc(dy, saved, attrs);
    },
    [WRAPPED]: true,
  };
  tf.registerGradient(config as unknown as tf.GradConfig);
}

export function registerNativeGradients(backendName: string): void {
  override('FusedBatchNorm', backendName, batchNorm);
  overrideReduction('Mean', backendName, true);
  overrideReduction('Sum', backendName, false);
  overrideActivation('LeakyRelu', backendName, elementwise(ELEMENT_GRAD.leakyRelu, (a) => Number(a.alpha ?? 0.2)));
  overrideActivation('Relu', backendName, elementwise(ELEMENT_GRAD.relu));
  override('Tanh', backendName, elementwise(ELEMENT_GRAD.tanh));
  overrideSquare(backendName);
}
