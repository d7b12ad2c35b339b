import { IMAGE_SIZE } from '../../../shared/config.js';
import type { FocusSettings } from '../../../shared/focus-settings.js';
import { camImages, type LayerMaps } from './cam-image.js';
import { digitMask, offDigitRatio } from './focus.js';

// The ideal CAM at a target layer's resolution: what a CAM exactly on the
// digit looks like once it has passed through that layer's grid. Its off-digit
// ratio (the baseline ratio) is the floor a perfect explanation reaches there:
// ~0.55 at 4x4, ~0.3 at 8x8 (docs/explain.md), so a 0.70 threshold means
// different things at different layers. No tf: plain arrays, shared with the
// tests and the reports.

const S = IMAGE_SIZE;
const PIXELS = S * S;

/** A target layer's map size. */
export interface Grid {
  h: number;
  w: number;
}

/** Overlap of [a0, a1) and [b0, b1). */
const overlap = (a0: number, a1: number, b0: number, b1: number) => Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));

/** Per output cell along one axis: the input pixels it covers and their area weights (sum 1). */
function poolAxis(cells: number): { from: Int32Array; weights: Float64Array[] } {
  const from = new Int32Array(cells);
  const weights: Float64Array[] = [];
  const step = S / cells;
  for (let c = 0; c < cells; c++) {
    const lo = c * step;
    const hi = lo + step;
    const first = Math.floor(lo);
    const last = Math.min(S - 1, Math.ceil(hi) - 1);
    from[c] = first;
    const w = new Float64Array(last - first + 1);
    for (let p = first; p <= last; p++) w[p - first] = overlap(p, p + 1, lo, hi) / step;
    weights.push(w);
  }
  return { from, weights };
}

/**
 * The digit's ink (pixels at or above `maskLevel`, not dilated: the dilation is
 * the ratio's tolerance, and pooling already spreads the map) average-pooled to
 * the grid: each cell holds its share of ink. Into `out` at `offset` (h x w).
 */
export function pooledInk(image: ArrayLike<number>, maskLevel: number, grid: Grid, out: Float32Array, offset = 0): void {
  if (image.length !== PIXELS) throw new RangeError(`image has ${image.length} values, expected ${PIXELS} (one 64x64 image)`);
  if (!(Number.isInteger(grid.h) && Number.isInteger(grid.w) && grid.h >= 1 && grid.w >= 1 && grid.h <= S && grid.w <= S))
    throw new RangeError(`grid ${grid.h}x${grid.w} must be between 1x1 and ${S}x${S}`);
  const ink = digitMask(image, maskLevel, 0);
  const ys = poolAxis(grid.h);
  const xs = poolAxis(grid.w);
  for (let i = 0; i < grid.h; i++) {
    const wy = ys.weights[i];
    for (let j = 0; j < grid.w; j++) {
      const wx = xs.weights[j];
      let v = 0;
      for (let a = 0; a < wy.length; a++) {
        const row = (ys.from[i] + a) * S + xs.from[j];
        for (let b = 0; b < wx.length; b++) if (ink[row + b]) v += wy[a] * wx[b];
      }
      out[offset + i * grid.w + j] = v;
    }
  }
}

/**
 * The ideal CAMs of N packed 64x64 images (N x 4096) at the target layers'
 * grids: the pooled ink treated as each layer's map, then resized, scaled and
 * (for several layers) averaged exactly like a CAM (cam-image.ts).
 */
export function idealCams(images: Float32Array, maskLevel: number, grids: Grid[]): Float32Array {
  if (images.length % PIXELS !== 0) throw new RangeError(`images hold ${images.length} values, not a whole number of 64x64 images`);
  if (grids.length === 0) throw new RangeError('idealCams needs at least one grid');
  const n = images.length / PIXELS;
  const layers: LayerMaps[] = grids.map((g) => {
    const data = new Float32Array(n * g.h * g.w);
    for (let k = 0; k < n; k++) pooledInk(images.subarray(k * PIXELS, (k + 1) * PIXELS), maskLevel, g, data, k * g.h * g.w);
    return { data, h: g.h, w: g.w };
  });
  const out = new Float32Array(n * PIXELS);
  camImages(layers, n, out);
  return out;
}

/**
 * Each image's baseline ratio: the off-digit ratio of its ideal CAM at the
 * grids, against the digit mask the focus ratio uses (level and dilation).
 * Null for an image without ink.
 */
export function baselineRatios(images: Float32Array, settings: Pick<FocusSettings, 'maskLevel' | 'dilation'>, grids: Grid[]): (number | null)[] {
  const ideal = idealCams(images, settings.maskLevel, grids);
  const out: (number | null)[] = [];
  for (let o = 0; o < images.length; o += PIXELS) {
    const image = images.subarray(o, o + PIXELS);
    out.push(offDigitRatio(ideal.subarray(o, o + PIXELS), digitMask(image, settings.maskLevel, settings.dilation)));
  }
  return out;
}
