import { IMAGE_SIZE } from '../../../shared/config.js';
import { loadAddon } from '../backend/native/addon.js';

// A CAM's last steps on the host. The channel-summed maps are tiny ([N, h, w],
// h = w = 4..32), so they are read back as they are, and ReLU, resize and
// min-max scaling become one pass that writes each 64x64 pixel once, straight
// into the result. As tensor ops they would be ~17 kernels, with passes over
// every pixel for the resize, the minimum, the maximum and the scaling, and a
// read-back 16 to 256 times larger than the maps.
//
// The scaling can come first because the resize is linear with weights that
// sum to 1: resize((m - lo) * k) = (resize(m) - lo) * k. Its bounds lo and hi
// (the resized map's minimum and maximum) need a few pixels only: across a
// row the resized map is linear between the source pixels' centres, so its
// extremes lie at the output pixels either side of a centre (or at an edge),
// and the same holds down each column.
//
// The native kernels do the same in one C++ pass when they are built; this file
// is their reference and the fallback.

/** Below this share of its maximum, a CAM's range counts as flat. */
const FLAT = 1e-6;

/**
 * The value of every pixel of a CAM ranging over [lo, hi] that counts as flat:
 * all zeros when its max is 0 ("no evidence"), all ones when it is positive
 * (every pixel equally important, rather than 0/0); null when it is not flat.
 */
function flatValue(lo: number, hi: number): number | null {
  if (!(hi - lo <= hi * FLAT)) return null;
  return hi > 0 ? 1 : 0;
}

/** tf.image.resizeBilinear's taps from `size` pixels to 64, half-pixel centres (alignCorners false). */
interface Taps {
  /** For each output pixel: the two source pixels and the weight of the second. */
  lo: Int32Array;
  hi: Int32Array;
  frac: Float64Array;
  /** The output pixels where the resized map can reach its extremes along this axis. */
  extremes: Int32Array;
}

const tapsBySize = new Map<number, Taps>();

function taps(size: number): Taps {
  let t = tapsBySize.get(size);
  if (t) return t;
  const S = IMAGE_SIZE;
  const lo = new Int32Array(S);
  const hi = new Int32Array(S);
  const frac = new Float64Array(S);
  const ratio = size / S;
  for (let o = 0; o < S; o++) {
    const src = ratio * (o + 0.5) - 0.5;
    // Clamped as tfjs clamps: past the outer centres both taps are the edge pixel.
    lo[o] = Math.max(0, Math.floor(src));
    hi[o] = Math.min(size - 1, Math.ceil(src));
    frac[o] = src - lo[o];
  }
  const at = new Set<number>([0, S - 1]);
  for (let i = 0; i < size; i++) {
    const centre = (i + 0.5) / ratio - 0.5;
    for (const o of [Math.floor(centre), Math.ceil(centre)]) if (o >= 0 && o < S) at.add(o);
  }
  t = { lo, hi, frac, extremes: Int32Array.from([...at].sort((a, b) => a - b)) };
  tapsBySize.set(size, t);
  return t;
}

/** One image's map interpolated across its rows, [h, 64]; reused. */
let across = new Float64Array(0);

/**
 * Image k's CAM from one layer's maps [N, h, w] (before the ReLU), into `out`
 * (64x64): tf.image.resizeBilinear(relu(map), [64, 64], false, true), then
 * (x - min) / (max - min), or flatValue's constant for a flat CAM.
 */
export function layerCam(maps: Float32Array, h: number, w: number, k: number, out: Float32Array): void {
  const S = IMAGE_SIZE;
  const ty = taps(h);
  const tx = taps(w);
  if (across.length < h * S) across = new Float64Array(h * S);
  const a = across;
  const offset = k * h * w;
  for (let y = 0; y < h; y++) {
    const row = offset + y * w;
    for (let x = 0; x < S; x++) {
      const l = Math.max(0, maps[row + tx.lo[x]]);
      const r = Math.max(0, maps[row + tx.hi[x]]);
      a[y * S + x] = l + (r - l) * tx.frac[x];
    }
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const y of ty.extremes) {
    const top = ty.lo[y] * S;
    const bottom = ty.hi[y] * S;
    for (const x of tx.extremes) {
      const v = a[top + x] + (a[bottom + x] - a[top + x]) * ty.frac[y];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const flat = flatValue(lo, hi);
  if (flat !== null) {
    out.fill(flat);
    return;
  }
  const scale = 1 / (hi - lo);
  for (let i = 0; i < h * S; i++) a[i] = (a[i] - lo) * scale;
  for (let y = 0; y < S; y++) {
    const top = ty.lo[y] * S;
    const bottom = ty.hi[y] * S;
    const f = ty.frac[y];
    const o = y * S;
    for (let x = 0; x < S; x++) {
      const t = a[top + x];
      const v = t + (a[bottom + x] - t) * f;
      // Rounding can leave a pixel an ulp outside [0, 1].
      out[o + x] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
}

/** (x - min) / (max - min) in place, or flatValue's constant for a flat CAM. */
export function minMaxScale(cam: Float32Array): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < cam.length; i++) {
    const v = cam[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const flat = flatValue(lo, hi);
  if (flat !== null) {
    cam.fill(flat);
    return;
  }
  const scale = 1 / (hi - lo);
  for (let i = 0; i < cam.length; i++) cam[i] = (cam[i] - lo) * scale;
}

export interface LayerMaps {
  /** [N, h, w] channel-summed maps, before the ReLU. */
  data: Float32Array;
  h: number;
  w: number;
}

/**
 * N images' CAMs into `out` (N x 64 x 64): one layer's, or several layers'
 * averaged and scaled again.
 */
export function camImages(layers: LayerMaps[], n: number, out: Float32Array): void {
  const pixels = IMAGE_SIZE * IMAGE_SIZE;
  const native = loadAddon();
  const oneLayer = (l: LayerMaps, dst: Float32Array) => {
    if (native.ok) native.addon.camImages(l.data, dst, n, l.h, l.w, IMAGE_SIZE, FLAT);
    else for (let k = 0; k < n; k++) layerCam(l.data, l.h, l.w, k, dst.subarray(k * pixels, (k + 1) * pixels));
  };
  if (layers.length === 1) return oneLayer(layers[0], out);
  const one = new Float32Array(n * pixels);
  const sum = new Float64Array(n * pixels);
  for (const l of layers) {
    oneLayer(l, one);
    for (let i = 0; i < one.length; i++) sum[i] += one[i];
  }
  for (let i = 0; i < out.length; i++) out[i] = sum[i] / layers.length;
  for (let k = 0; k < n; k++) minMaxScale(out.subarray(k * pixels, (k + 1) * pixels));
}
