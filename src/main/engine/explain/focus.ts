import { IMAGE_SIZE } from '../../../shared/config.js';
import type { FocusSettings } from '../../../shared/focus-settings.js';

// Per-sample focus measures on plain arrays (no tf), so that the store, the
// report and the tests compute exactly the same numbers from stored data.
// Images are the models' 64x64 inputs in [-1, 1]; CAMs are 64x64 in [0, 1].

const PIXELS = IMAGE_SIZE * IMAGE_SIZE;

/**
 * A ratio this close below the threshold counts as reaching it. CAMs are
 * float32 (about 7 significant digits), so a mass meant as exactly 70%, e.g.
 * 0.7 off the digit and 0.3 on it, computes to 0.69999999; a sample must not
 * escape the flag by rounding. 1e-6 is far below any threshold a person sets.
 */
export const FLAG_EPSILON = 1e-6;

export interface SampleFocus {
  /** Off-digit focus ratio, or null when the CAM has no mass ("no evidence"). */
  ratio: number | null;
  /** Share of pixels whose CAM is at or above the CAM level. */
  coverage: number;
  /** ratio >= threshold; never true without evidence. */
  flagged: boolean;
  /** 1 - normalised entropy of the CAM; null without evidence. */
  sharpness: number | null;
}

function checkLength(what: string, a: ArrayLike<number>, n: number): void {
  if (a.length !== n) throw new RangeError(`${what} has ${a.length} values, expected ${n} (one 64x64 image)`);
}

/**
 * Digit mask of one 64x64 image in [-1, 1]: 1 where the intensity (v + 1) / 2 is
 * at or above maskLevel, then dilated by `dilation` pixels with a square
 * (2*dilation+1)^2 structuring element.
 */
export function digitMask(image: ArrayLike<number>, maskLevel: number, dilation: number): Uint8Array {
  checkLength('image', image, PIXELS);
  if (!(maskLevel >= 0 && maskLevel <= 1)) throw new RangeError(`maskLevel must be in [0, 1], got ${maskLevel}`);
  const mask = new Uint8Array(PIXELS);
  for (let i = 0; i < PIXELS; i++) mask[i] = (image[i] + 1) / 2 >= maskLevel ? 1 : 0;
  return dilate(mask, dilation);
}

/**
 * Square dilation as two 1-D passes (rows, then columns): a square element is
 * separable, so this equals the 2-D max at a fraction of the cost.
 */
export function dilate(mask: Uint8Array, radius: number, side = IMAGE_SIZE): Uint8Array {
  if (!Number.isInteger(radius) || radius < 0) throw new RangeError(`dilation must be a whole number >= 0, got ${radius}`);
  checkLength('mask', mask, side * side);
  if (radius === 0) return mask.slice();
  const rows = new Uint8Array(mask.length);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      let on = 0;
      for (let dx = Math.max(0, x - radius); dx <= Math.min(side - 1, x + radius) && !on; dx++) on = mask[y * side + dx];
      rows[y * side + x] = on;
    }
  }
  const out = new Uint8Array(mask.length);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      let on = 0;
      for (let dy = Math.max(0, y - radius); dy <= Math.min(side - 1, y + radius) && !on; dy++) on = rows[dy * side + x];
      out[y * side + x] = on;
    }
  }
  return out;
}

/** sum(CAM * (1 - mask)) / sum(CAM); null when the CAM sums to zero. */
export function offDigitRatio(cam: ArrayLike<number>, mask: Uint8Array): number | null {
  checkLength('cam', cam, mask.length);
  let total = 0;
  let off = 0;
  for (let i = 0; i < cam.length; i++) {
    const v = cam[i];
    if (v < 0) throw new RangeError(`cam[${i}] is ${v}: a CAM is non-negative`);
    total += v;
    if (!mask[i]) off += v;
  }
  return total > 0 ? off / total : null;
}

/** Share of pixels with CAM >= camLevel. */
export function coverage(cam: ArrayLike<number>, camLevel: number): number {
  let n = 0;
  for (let i = 0; i < cam.length; i++) if (cam[i] >= camLevel) n++;
  return cam.length === 0 ? 0 : n / cam.length;
}

export function isFlagged(ratio: number | null, threshold: number): boolean {
  return ratio !== null && ratio >= threshold - FLAG_EPSILON;
}

/** Entropy of the CAM read as a distribution over pixels, divided by log(pixels): 0 = one pixel, 1 = uniform. */
export function camEntropy(cam: ArrayLike<number>): number | null {
  let total = 0;
  for (let i = 0; i < cam.length; i++) total += cam[i];
  if (!(total > 0) || cam.length < 2) return null;
  let h = 0;
  for (let i = 0; i < cam.length; i++) {
    const p = cam[i] / total;
    if (p > 0) h -= p * Math.log(p);
  }
  return Math.min(1, Math.max(0, h / Math.log(cam.length)));
}

/** 1 - camEntropy: 1 = all mass on one pixel, 0 = uniform; higher is sharper. */
export function camSharpness(cam: ArrayLike<number>): number | null {
  const e = camEntropy(cam);
  return e === null ? null : 1 - e;
}

/** All per-sample measures of one CAM against its image. */
export function measureFocus(cam: ArrayLike<number>, image: ArrayLike<number>, settings: FocusSettings): SampleFocus {
  checkLength('cam', cam, PIXELS);
  const ratio = offDigitRatio(cam, digitMask(image, settings.maskLevel, settings.dilation));
  return {
    ratio,
    coverage: coverage(cam, settings.camLevel),
    flagged: isFlagged(ratio, settings.threshold),
    sharpness: camSharpness(cam),
  };
}

/** measureFocus over N packed CAMs and their N packed images (N*4096 each). */
export function measureFocusBatch(cams: Float32Array, images: Float32Array, settings: FocusSettings): SampleFocus[] {
  if (cams.length % PIXELS !== 0 || cams.length !== images.length)
    throw new RangeError(`cams (${cams.length}) and images (${images.length}) must both hold N x ${PIXELS} values`);
  const out: SampleFocus[] = [];
  for (let o = 0; o < cams.length; o += PIXELS) {
    out.push(measureFocus(cams.subarray(o, o + PIXELS), images.subarray(o, o + PIXELS), settings));
  }
  return out;
}

/** 8-bit storage of a CAM in [0, 1]: round(v * 255), clamped. */
export function quantizeCam(cam: Float32Array): Uint8Array {
  const out = new Uint8Array(cam.length);
  for (let i = 0; i < cam.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, cam[i])) * 255);
  return out;
}

/** Inverse of quantizeCam: q / 255 (within 1/510 of the original). */
export function dequantizeCam(q: Uint8Array): Float32Array {
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = q[i] / 255;
  return out;
}
