import { IMAGE_SIZE } from '../../../shared/config.js';

// Bilinear resize to the models' 64x64 with half-pixel centres: output pixel o
// samples the input at (o + 0.5) * in / out - 0.5, clamped to the edge. This is
// what PIL / torchvision's Resize do when upsampling MNIST (the paper's recipe)
// and what tf.image.resizeBilinear(x, size, false, true) computes, so images
// match the reference pipeline. Downsampling (inputs above 64) is plain bilinear
// without PIL's antialiasing, like tfjs.

const OUT = IMAGE_SIZE;

/** Per output row (or column): the two input rows it blends and the weight of the second. */
interface Axis {
  lo: Int32Array;
  hi: Int32Array;
  frac: Float64Array;
}

const axes = new Map<number, Axis>();

/** Scratch for the horizontal pass, grown to the largest image seen. */
let across = new Float64Array(0);

function axis(inSize: number): Axis {
  let a = axes.get(inSize);
  if (a) return a;
  a = { lo: new Int32Array(OUT), hi: new Int32Array(OUT), frac: new Float64Array(OUT) };
  const scale = inSize / OUT;
  for (let o = 0; o < OUT; o++) {
    const src = Math.min(Math.max((o + 0.5) * scale - 0.5, 0), inSize - 1);
    const lo = Math.floor(src);
    a.lo[o] = lo;
    a.hi[o] = Math.min(lo + 1, inSize - 1);
    a.frac[o] = src - lo;
  }
  axes.set(inSize, a);
  return a;
}

/**
 * Resizes the rows x cols uint8 image at src[srcOffset..] to 64x64 and writes it,
 * scaled from [0, 255] to [-1, 1], into out[outOffset .. outOffset + 4096].
 */
export function resizeTo64(
  src: Uint8Array,
  srcOffset: number,
  rows: number,
  cols: number,
  out: Float32Array,
  outOffset: number,
): void {
  if (srcOffset < 0 || srcOffset + rows * cols > src.length)
    throw new RangeError(`resize: a ${rows}x${cols} image at offset ${srcOffset} runs past the ${src.length}-byte source`);
  if (outOffset < 0 || outOffset + OUT * OUT > out.length)
    throw new RangeError(`resize: output offset ${outOffset} leaves less than ${OUT * OUT} floats in a buffer of ${out.length}`);
  const ay = axis(rows);
  const ax = axis(cols);
  // Separable: each input row is interpolated across once, then rows are
  // blended; the arithmetic is the same as the 2-D formula, done half as often.
  if (across.length < rows * OUT) across = new Float64Array(rows * OUT);
  for (let y = 0; y < rows; y++) {
    const row = srcOffset + y * cols;
    for (let x = 0; x < OUT; x++) {
      const l = src[row + ax.lo[x]];
      across[y * OUT + x] = l + (src[row + ax.hi[x]] - l) * ax.frac[x];
    }
  }
  let o = outOffset;
  for (let y = 0; y < OUT; y++) {
    const top = ay.lo[y] * OUT;
    const bottom = ay.hi[y] * OUT;
    const fy = ay.frac[y];
    for (let x = 0; x < OUT; x++) {
      const t = across[top + x];
      out[o++] = (t + (across[bottom + x] - t) * fy) / 127.5 - 1;
    }
  }
}

/**
 * Resizes images `indices` of a packed count x rows x cols uint8 array into
 * `out` as indices.length x 64 x 64 (NHWC with one channel), in [-1, 1].
 */
export function resizeBatchTo64(
  pixels: Uint8Array,
  rows: number,
  cols: number,
  indices: ArrayLike<number>,
  out: Float32Array,
): void {
  const n = indices.length;
  if (out.length < n * OUT * OUT)
    throw new RangeError(`resize: ${n} images need ${n * OUT * OUT} floats but the output holds ${out.length}`);
  const imageBytes = rows * cols;
  const count = Math.floor(pixels.length / imageBytes);
  for (let i = 0; i < n; i++) {
    const idx = indices[i];
    if (!Number.isInteger(idx) || idx < 0 || idx >= count)
      throw new RangeError(`resize: image index ${idx} is outside 0..${count - 1}`);
    resizeTo64(pixels, idx * imageBytes, rows, cols, out, i * OUT * OUT);
  }
}
