import * as tf from '@tensorflow/tfjs';

// Cheaper gradients for the wasm backend. Gradients are registered for all
// backends at once, so each wraps tfjs' own and uses it on any other backend or
// shape. Both give the same numbers as the originals up to float rounding.
//
// * LeakyRelu: where(x > 0, dy, alpha * dy) needs wasm's scalar Greater and
//   Select (~10 ns per element); dy * step(x, alpha) is two XNNPACK passes
//   (step is 1 for x > 0, else alpha).
// * FusedBatchNorm with per-channel statistics: tfjs' gradient makes ~12
//   full-size passes plus a Tile; per channel, with a = rsqrt(var + eps), g the
//   scale and xc = x - mean, it is
//     dx = dy * g*a            dmean = -g*a * sum(dy)     doffset = sum(dy)
//     dscale = a * sum(xc*dy)  dvariance = -g*a^3/2 * sum(xc*dy)
//   i.e. 4 passes and 2 per-channel sums.

type GradFunc = tf.GradConfig['gradFunc'];

function wrap(kernelName: string, inputsToSave: string[], wasmGrad: (...args: Parameters<GradFunc>) => ReturnType<GradFunc> | null): void {
  const original = tf.getGradient(kernelName);
  if (!original) throw new Error(`tfjs has no ${kernelName} gradient to wrap`);
  tf.registerGradient({
    kernelName,
    inputsToSave,
    gradFunc: (dy, saved, attrs) => (tf.getBackend() === 'wasm' ? wasmGrad(dy, saved, attrs) : null) ?? original.gradFunc(dy, saved, attrs),
  });
}

function leakyReluGrad(dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) {
  const [x] = saved;
  const alpha = (attrs as unknown as { alpha: number }).alpha;
  return { x: () => tf.mul(dy as tf.Tensor, tf.step(x, alpha)) };
}

function batchNormGrad(dyIn: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) {
  const dy = dyIn as tf.Tensor;
  const [x, mean, variance, scale] = saved;
  if (mean.rank !== 1 || x.rank !== 4 || variance.rank !== 1 || (scale != null && scale.rank !== 1)) return null;
  const eps = (attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
  const axes = [0, 1, 2];
  const a = tf.rsqrt(tf.add(variance, eps));
  const ga = scale == null ? a : tf.mul(scale, a);
  const sumDy = tf.sum(dy, axes);
  const sumXcDy = tf.sum(tf.mul(tf.sub(x, mean), dy), axes);
  return {
    x: () => tf.mul(dy, ga),
    mean: () => tf.neg(tf.mul(ga, sumDy)),
    variance: () => tf.mul(tf.mul(tf.mul(ga, tf.square(a)), -0.5), sumXcDy),
    scale: () => tf.mul(a, sumXcDy),
    offset: () => tf.clone(sumDy),
  };
}

let registered = false;

export function registerWasmGradients(): void {
  if (registered) return;
  wrap('LeakyRelu', ['x'], leakyReluGrad);
  wrap('FusedBatchNorm', ['x', 'mean', 'variance', 'scale'], batchNormGrad);
  registered = true;
}
