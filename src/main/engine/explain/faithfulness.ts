import { IMAGE_SIZE } from '../../../shared/config.js';
import type { Faithfulness, FaithfulnessCurve } from '../../../shared/explain.js';
import { fillNormal } from '../rng.js';
import type { Grid } from './baseline.js';
import { camImages } from './cam-image.js';
import { digitMask } from './focus.js';

// Faithfulness of CAMs by ROAD (Remove And Debias; Rong et al., ICML 2022, as in
// pytorch-grad-cam's metrics/road.py): remove a fraction of the pixels, most
// relevant first (MoRF) or least relevant first (LeRF), fill them by noisy
// linear imputation, and read D's score. A CAM that ranks the pixels D uses
// drops the score fast under MoRF and keeps it under LeRF. The fill matters:
// a constant (black) fill leaves MNIST's black background unchanged, so LeRF
// would remove nothing and the shape of the removed region would give the
// ranking away; imputing each removed pixel from its neighbours is what ROAD
// shows avoids that leak. No tf here: D's score is a callback.

const S = IMAGE_SIZE;
const PIXELS = S * S;

/** Shares of the pixels removed: MNIST's ink covers ~10-20% of a 64x64 image, so the low end is dense. */
export const ROAD_FRACTIONS: readonly number[] = [0.1, 0.2, 0.4, 0.6, 0.8];

/** ROAD's noise, 0.01 of the intensity range: 0.02 in the models' [-1, 1]. */
export const ROAD_NOISE = 0.02;

/** NoisyLinearImputer's weights: 1/6 for the 4-neighbours, 1/12 for the diagonals. */
const NEIGHBOURS: readonly [number, number, number][] = [
  [-1, -1, 1 / 12],
  [-1, 0, 1 / 6],
  [-1, 1, 1 / 12],
  [0, -1, 1 / 6],
  [0, 1, 1 / 6],
  [1, -1, 1 / 12],
  [1, 0, 1 / 6],
  [1, 1, 1 / 12],
];

/** Relative residual at which the linear solve stops; far below the imputation noise. */
const SOLVE_TOLERANCE = 1e-6;
const MAX_ITERATIONS = 2000;

/**
 * Pixel indices, most relevant first. Equal values (a CAM's zero region, a
 * binary mask) are ordered at random: ordering them by index would remove the
 * top rows first.
 */
export function relevanceOrder(map: ArrayLike<number>, rng: () => number): Int32Array {
  const n = map.length;
  const key = new Float64Array(n);
  for (let i = 0; i < n; i++) key[i] = rng();
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order.sort((a, b) => map[b] - map[a] || key[a] - key[b]);
}

/**
 * ROAD's noisy linear imputation of one 64x64 image: every removed pixel
 * becomes the weighted mean of its in-image neighbours (removed ones included),
 * a sparse symmetric positive definite system solved here by conjugate
 * gradients, then gets N(0, noise^2) added. `start` (optional) is an initial
 * guess for the removed pixels, e.g. the fill of a nested removal.
 */
export function imputeNoisyLinear(
  image: ArrayLike<number>,
  removed: Uint8Array,
  rng: () => number,
  noise: number,
  out: Float32Array,
  start?: ArrayLike<number>,
): void {
  if (image.length !== PIXELS || removed.length !== PIXELS || out.length !== PIXELS) throw new RangeError('imputeNoisyLinear works on one 64x64 image');
  const slot = new Int32Array(PIXELS).fill(-1);
  let u = 0;
  for (let p = 0; p < PIXELS; p++) if (removed[p]) slot[p] = u++;
  for (let p = 0; p < PIXELS; p++) out[p] = image[p];
  if (u === 0) return;
  if (u === PIXELS) throw new RangeError('imputeNoisyLinear needs at least one kept pixel');
  const pixel = new Int32Array(u);
  const diag = new Float64Array(u);
  const b = new Float64Array(u);
  const nbr = new Int32Array(u * 8).fill(-1);
  const nbrW = new Float64Array(u * 8);
  for (let p = 0; p < PIXELS; p++) {
    const k = slot[p];
    if (k < 0) continue;
    pixel[k] = p;
    const y = (p / S) | 0;
    const x = p % S;
    let m = 0;
    for (const [dy, dx, w] of NEIGHBOURS) {
      const yy = y + dy;
      const xx = x + dx;
      if (yy < 0 || yy >= S || xx < 0 || xx >= S) continue;
      const q = yy * S + xx;
      diag[k] += w;
      if (slot[q] >= 0) {
        nbr[k * 8 + m] = slot[q];
        nbrW[k * 8 + m++] = w;
      } else b[k] += w * image[q];
    }
  }
  const apply = (v: Float64Array, into: Float64Array) => {
    for (let k = 0; k < u; k++) {
      let s = diag[k] * v[k];
      for (let m = 0; m < 8; m++) {
        const j = nbr[k * 8 + m];
        if (j < 0) break;
        s -= nbrW[k * 8 + m] * v[j];
      }
      into[k] = s;
    }
  };
  const x = new Float64Array(u);
  for (let k = 0; k < u; k++) x[k] = start ? start[pixel[k]] : b[k] / diag[k];
  const r = new Float64Array(u);
  const z = new Float64Array(u);
  const d = new Float64Array(u);
  const ad = new Float64Array(u);
  apply(x, ad);
  let bb = 0;
  let rz = 0;
  for (let k = 0; k < u; k++) {
    r[k] = b[k] - ad[k];
    z[k] = r[k] / diag[k];
    d[k] = z[k];
    rz += r[k] * z[k];
    bb += b[k] * b[k];
  }
  const stop = SOLVE_TOLERANCE * SOLVE_TOLERANCE * Math.max(bb, 1e-30);
  for (let it = 0; it < MAX_ITERATIONS; it++) {
    let rr = 0;
    for (let k = 0; k < u; k++) rr += r[k] * r[k];
    if (rr <= stop) break;
    apply(d, ad);
    let dad = 0;
    for (let k = 0; k < u; k++) dad += d[k] * ad[k];
    const alpha = rz / dad;
    let next = 0;
    for (let k = 0; k < u; k++) {
      x[k] += alpha * d[k];
      r[k] -= alpha * ad[k];
      z[k] = r[k] / diag[k];
      next += r[k] * z[k];
    }
    const beta = next / rz;
    rz = next;
    for (let k = 0; k < u; k++) d[k] = z[k] + beta * d[k];
  }
  const eps = fillNormal(rng, new Float32Array(u));
  for (let k = 0; k < u; k++) out[pixel[k]] = x[k] + noise * eps[k];
}

/** The images ROAD scores for one ranking: for each fraction, MoRF then LeRF, packed [2F x 4096]. */
export function roadImages(image: ArrayLike<number>, order: Int32Array, fractions: readonly number[], rng: () => number, noise = ROAD_NOISE): Float32Array {
  const out = new Float32Array(2 * fractions.length * PIXELS);
  const removed = new Uint8Array(PIXELS);
  for (const [side, first] of [
    [0, true],
    [1, false],
  ] as const) {
    // Removals grow with the fraction (each contains the last), so each solve starts from the last fill.
    let previous: Float32Array | undefined;
    removed.fill(0);
    let done = 0;
    fractions.forEach((f, i) => {
      const k = Math.round(f * PIXELS);
      for (; done < k; done++) removed[first ? order[done] : order[PIXELS - 1 - done]] = 1;
      const dst = out.subarray((2 * i + side) * PIXELS, (2 * i + side + 1) * PIXELS);
      imputeNoisyLinear(image, removed, rng, noise, dst, previous);
      previous = dst;
    });
  }
  return out;
}

/** Scores (the explained target, e.g. D's logit) of N packed 64x64 images. */
export type ScoreImages = (images: Float32Array, n: number) => Promise<Float32Array>;

/** The maps ROAD ranks pixels by, per sample (each N x 4096). */
export interface RoadMaps {
  cam: Float32Array;
  random: Float32Array;
  mask: Float32Array;
}

const KINDS = ['cam', 'random', 'mask'] as const;

/**
 * The two baselines' maps for N packed images: a random CAM (uniform noise on
 * each target layer's grid, resized and scaled like a CAM, so it is as smooth as
 * a real one at that resolution) and the digit mask (ink pixels at `maskLevel`).
 */
export function baselineMaps(images: Float32Array, grids: Grid[], maskLevel: number, rngFor: (k: number) => () => number): Omit<RoadMaps, 'cam'> {
  const n = images.length / PIXELS;
  const layers = grids.map((g) => ({ data: new Float32Array(n * g.h * g.w), h: g.h, w: g.w }));
  for (let k = 0; k < n; k++) {
    const rng = rngFor(k);
    for (const l of layers) for (let i = k * l.h * l.w; i < (k + 1) * l.h * l.w; i++) l.data[i] = rng();
  }
  const random = new Float32Array(n * PIXELS);
  camImages(layers, n, random);
  const mask = new Float32Array(n * PIXELS);
  for (let k = 0; k < n; k++) mask.set(digitMask(images.subarray(k * PIXELS, (k + 1) * PIXELS), maskLevel, 0), k * PIXELS);
  return { random, mask };
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** One map's ROAD on one sample: the target score after each MoRF and LeRF removal, and their combination. */
export interface RoadSample {
  combined: number;
  morf: number[];
  lerf: number[];
}

/**
 * Baselines' per-sample ROAD, by sample position, filled as they are computed:
 * the random and mask maps do not depend on the method, so a caller measuring
 * several methods at one layer computes them once.
 */
export type RoadBaselineCache = Partial<Record<'random' | 'mask', Map<number, RoadSample>>>;

/** ROAD of one sample's map (4096 values), with the sample's own stream. */
async function roadSample(image: Float32Array, map: Float32Array, score: ScoreImages, rng: () => number, fractions: readonly number[]): Promise<RoadSample> {
  const F = fractions.length;
  const s = await score(roadImages(image, relevanceOrder(map, rng), fractions, rng), 2 * F);
  const morf: number[] = [];
  const lerf: number[] = [];
  for (let i = 0; i < F; i++) {
    morf.push(s[2 * i]);
    lerf.push(s[2 * i + 1]);
  }
  return { combined: mean(lerf.map((l, i) => (l - morf[i]) / 2)), morf, lerf };
}

/**
 * ROAD faithfulness of the CAMs of N images with the random and mask
 * baselines: per sample and map, mean over the fractions of
 * (score(LeRF) - score(MoRF)) / 2 (pytorch-grad-cam's ROADCombined), averaged
 * over the samples whose CAM has evidence. `rngFor(k, m)` gives sample k its
 * own stream for map m (0 cam, 1 random, 2 mask), so a sample's result depends
 * neither on the batch it came in nor on the other maps. `cache` keeps the
 * baselines' per-sample results across calls on the same images and grids.
 * Null when no sample has evidence.
 */
export async function roadFaithfulness(
  images: Float32Array,
  maps: RoadMaps,
  score: ScoreImages,
  rngFor: (k: number, map: number) => () => number,
  fractions: readonly number[] = ROAD_FRACTIONS,
  cache: RoadBaselineCache = {},
): Promise<Faithfulness | null> {
  const n = images.length / PIXELS;
  if (!Number.isInteger(n)) throw new RangeError(`images hold ${images.length} values, not a whole number of 64x64 images`);
  for (const kind of KINDS) if (maps[kind].length !== images.length) throw new RangeError(`the ${kind} maps hold ${maps[kind].length} values, the images ${images.length}`);
  if (fractions.some((f) => !(f > 0 && f < 1))) throw new RangeError('ROAD fractions must lie strictly between 0 and 1');
  const used: number[] = [];
  for (let k = 0; k < n; k++) if (maps.cam.subarray(k * PIXELS, (k + 1) * PIXELS).some((v) => v > 0)) used.push(k);
  if (used.length === 0) return null;
  const F = fractions.length;
  const originals = await score(Float32Array.from(used.flatMap((k) => Array.from(images.subarray(k * PIXELS, (k + 1) * PIXELS)))), used.length);
  const at = (k: number) => [k * PIXELS, (k + 1) * PIXELS] as const;
  const results = {} as Record<(typeof KINDS)[number], RoadSample[]>;
  for (const [m, kind] of KINDS.entries()) {
    const known = kind === 'cam' ? undefined : (cache[kind] ??= new Map());
    results[kind] = [];
    for (const k of used) {
      let r = known?.get(k);
      if (!r) {
        r = await roadSample(images.subarray(...at(k)), maps[kind].subarray(...at(k)), score, rngFor(k, m), fractions);
        known?.set(k, r);
      }
      results[kind].push(r);
    }
  }
  const curve = (rs: RoadSample[]): FaithfulnessCurve => ({
    morf: Array.from({ length: F }, (_, i) => mean(rs.map((r) => r.morf[i]))),
    lerf: Array.from({ length: F }, (_, i) => mean(rs.map((r) => r.lerf[i]))),
  });
  const road = (kind: (typeof KINDS)[number]) => results[kind].map((r) => r.combined);
  const camMean = mean(road('cam'));
  return {
    metric: 'road',
    fractions: [...fractions],
    samples: used.length,
    score: mean(Array.from(originals)),
    cam: camMean,
    camSd: Math.sqrt(mean(road('cam').map((v) => (v - camMean) ** 2))),
    random: mean(road('random')),
    mask: mean(road('mask')),
    curves: { cam: curve(results.cam), random: curve(results.random), mask: curve(results.mask) },
  };
}
