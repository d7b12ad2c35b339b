import * as tf from '@tensorflow/tfjs';
import { NATIVE_BATCH_NORM_GRAD, NATIVE_BROADCAST_ROWS, NATIVE_ELEMENT_GRAD } from './grad-kernels.js';
import { size } from './kernel-util.js';
import { reductionLayout } from './math-kernels.js';
import { ELEMENT_GRAD } from './ops.js';

type Grads = Record<string, () => tf.Tensor>;
type Fast = (dy: tf.Tensor, saved: tf.Tensor[], attrs: Record<string, unknown>) => Grads | null;

const WRAPPED = Symbol.for('gan-focus.native-gradient');

function run(kernel: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
  return tf.engine().runKernel(kernel, inputs as tf.NamedTensorMap, attrs as never);
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
    if (tf.getBackend() === backendName && !Array.isArray(dy) && dy.dtype === 'float32') {
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

/** Sum/Mean over leading axes: the gradient is dy (scaled) repeated over the reduced rows. */
function reduction(mean: boolean): Fast {
  return (dy, saved, attrs) => {
    const [x] = saved;
    const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
    const layout = reductionLayout(x.shape, axes);
    if (!layout || layout.outer !== 1 || size(dy.shape) !== layout.inner) return null;
    const scale = mean ? 1 / layout.red : 1;
    return { x: () => run(NATIVE_BROADCAST_ROWS, { x: dy }, { shape: x.shape, scale }) as tf.Tensor };
  };
}

function elementwise(kind: number, alphaOf?: (attrs: Record<string, unknown>) => number): Fast {
  return (dy, saved, attrs) => {
    const [x] = saved;
    if (x.dtype !== 'float32' || size(x.shape) !== size(dy.shape)) return null;
    const alpha = alphaOf ? alphaOf(attrs) : 0;
    return { x: () => run(NATIVE_ELEMENT_GRAD, { x, dy }, { kind, alpha }) as tf.Tensor };
  };
}

export function registerNativeGradients(backendName: string): void {
  override('FusedBatchNorm', backendName, batchNorm);
  override('Mean', backendName, reduction(true));
  override('Sum', backendName, reduction(false));
  override('LeakyRelu', backendName, elementwise(ELEMENT_GRAD.leakyRelu, (a) => Number(a.alpha ?? 0.2)));
  override('Relu', backendName, elementwise(ELEMENT_GRAD.relu));
  override('Tanh', backendName, elementwise(ELEMENT_GRAD.tanh));
  override('Square', backendName, elementwise(ELEMENT_GRAD.square));
}
