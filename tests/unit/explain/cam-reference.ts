import * as tf from '@tensorflow/tfjs';

/**
 * The CAM images of maps [N, h, w] as tensor ops compute them (the definition
 * cam-image.ts and the native kernel must match): tf.image.resizeBilinear of
 * the ReLU'd map to 64x64 with half-pixel centres, then per image
 * (x - min) / (max - min), all zeros when max is 0, all ones when flat and positive.
 */
export function referenceCams(maps: tf.Tensor3D): Float32Array {
  const up = tf.tidy(() => tf.image.resizeBilinear(tf.expandDims(tf.relu(maps), 3) as tf.Tensor4D, [64, 64], false, true).dataSync());
  const out = new Float32Array(up.length);
  for (let k = 0; k < maps.shape[0]; k++) {
    const img = up.subarray(k * 4096, (k + 1) * 4096);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of img) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const flat = hi - lo <= hi * 1e-6;
    img.forEach((v, i) => (out[k * 4096 + i] = flat ? (hi > 0 ? 1 : 0) : (v - lo) / (hi - lo)));
  }
  return out;
}

/** Maps of assorted shapes and contents: random, a single hot cell, all negative, flat positive. */
export function mapCases(): { name: string; maps: tf.Tensor3D }[] {
  const cases: { name: string; maps: tf.Tensor3D }[] = [];
  for (const [h, w] of [[4, 4], [8, 8], [16, 16], [32, 32], [3, 5], [1, 7]])
    cases.push({ name: `random ${h}x${w}`, maps: tf.randomNormal([3, h, w], 0, 1, 'float32', h * 31 + w) as tf.Tensor3D });
  const hot = new Float32Array(64);
  hot[2 * 8 + 5] = 1;
  cases.push({ name: 'hot cell', maps: tf.tensor3d(hot, [1, 8, 8]) });
  cases.push({ name: 'negative', maps: tf.fill([2, 4, 4], -1) as tf.Tensor3D });
  cases.push({ name: 'flat positive', maps: tf.fill([2, 4, 4], 3) as tf.Tensor3D });
  return cases;
}
