import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE } from '../../../shared/config.js';
import type { CamMethod, CamTarget, Faithfulness, SanityStage, SanityVerdict } from '../../../shared/explain.js';
import type { FocusSettings } from '../../../shared/focus-settings.js';
import { activationsAndGradients, layerGrid, spatialLayerNames, TARGET_SCORES } from './activations.js';
import { baselineRatios, type Grid } from './baseline.js';
import { camFaithfulness } from './faithfulness-d.js';
import type { RoadSample } from './faithfulness.js';
import { measureFocusBatch } from './focus.js';
import { createCamExplainer, weightedMap } from './methods.js';
import { cascadingRandomisation } from './sanity.js';

// The measurements that choose the CAM defaults (issue 13, docs/explain.md
// "Choosing the method and layer"): for one checkpoint, every method x target
// layer on the same images, with the existing pieces (ROAD faithfulness and its
// baselines, the cascading randomisation, the focus measures, the ideal-CAM
// baseline) put side by side. Nothing here computes a measure of its own
// except where the CAM's mass lies.

const S = IMAGE_SIZE;
const PIXELS = S * S;

/** The frame whose share of the CAM mass is reported: the outer 4 pixels, where zero padding shows. */
export const EDGE_WIDTH = 4;

/** The frame's share of the image area: what a uniform CAM puts there (0.234). */
export const EDGE_AREA = 1 - ((S - 2 * EDGE_WIDTH) / S) ** 2;

export interface EdgeShares {
  /** Mass in the outer EDGE_WIDTH pixels on any side. */
  edge: number;
  /** Mass in the bottom or right EDGE_WIDTH pixels (the band of issue 13). */
  bottomRight: number;
  /** Mass in the top or left EDGE_WIDTH pixels, its mirror image. */
  topLeft: number;
}

/** Where one 64x64 CAM's mass lies; null without mass. */
export function edgeShares(cam: ArrayLike<number>): EdgeShares | null {
  if (cam.length !== PIXELS) throw new RangeError(`cam has ${cam.length} values, expected ${PIXELS} (one 64x64 image)`);
  let total = 0;
  let edge = 0;
  let bottomRight = 0;
  let topLeft = 0;
  const far = S - EDGE_WIDTH;
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const v = cam[y * S + x];
      total += v;
      const br = y >= far || x >= far;
      const tl = y < EDGE_WIDTH || x < EDGE_WIDTH;
      if (br) bottomRight += v;
      if (tl) topLeft += v;
      if (br || tl) edge += v;
    }
  }
  return total > 0 ? { edge: edge / total, bottomRight: bottomRight / total, topLeft: topLeft / total } : null;
}

export interface CamTableRow {
  layer: string;
  grid: Grid;
  method: CamMethod;
  samples: number;
  /** Share of the samples whose CAM is all zero. */
  noEvidence: number;
  /** Flagged samples / all samples at the settings' threshold. */
  flagRate: number;
  /** Mean off-digit ratio over the samples with evidence. */
  meanRatio: number | null;
  /** Mean ideal-CAM (baseline) ratio at this layer's resolution. */
  baselineRatio: number | null;
  /** Mean over the samples with evidence; EDGE_AREA is a uniform CAM's share. */
  edge: EdgeShares | null;
  /**
   * How far the channel-summed map (before the ReLU) is from D's score:
   * mean |sum_ij map - score| / mean |score|. 0 where the map decomposes the
   * score exactly (HiResCAM before a linear head: the paper D at block3).
   */
  scoreGap: number;
  faithfulness: Faithfulness | null;
  sanity: { stages: SanityStage[]; verdict: SanityVerdict };
}

export interface CamTableOptions {
  methods: readonly CamMethod[];
  /** Default: every valid target layer of D. */
  layers?: string[];
  target: CamTarget;
  settings: FocusSettings;
  seed: number;
  /** A stable id per image (its dataset index), for the per-image random streams. */
  ids: number[];
  /** Called after each row, e.g. to print progress. */
  onRow?: (row: CamTableRow) => void;
}

/** scoreGap (see CamTableRow) of a method at a layer for images x. */
export async function scoreGap(D: tf.LayersModel, x: tf.Tensor4D, layer: string, method: CamMethod, target: CamTarget): Promise<number> {
  const { logits, perLayer } = activationsAndGradients(D, x, [layer], target);
  const [{ activations, gradients }] = perLayer;
  const [sums, scores] = tf.tidy(() => [tf.sum(weightedMap(method, activations, gradients), [1, 2]), tf.reshape(TARGET_SCORES[target](logits), [-1])]);
  try {
    const [m, z] = [await sums.data(), await scores.data()];
    let gap = 0;
    let size = 0;
    for (let k = 0; k < m.length; k++) {
      gap += Math.abs(m[k] - z[k]);
      size += Math.abs(z[k]);
    }
    return size > 0 ? gap / size : gap === 0 ? 0 : Infinity;
  } finally {
    tf.dispose([logits, activations, gradients, sums, scores]);
  }
}

function mean(xs: number[]): number | null {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

function meanEdges(shares: (EdgeShares | null)[]): EdgeShares | null {
  const some = shares.filter((s): s is EdgeShares => s !== null);
  if (some.length === 0) return null;
  return { edge: mean(some.map((s) => s.edge))!, bottomRight: mean(some.map((s) => s.bottomRight))!, topLeft: mean(some.map((s) => s.topLeft))! };
}

/**
 * One row per target layer x method for D on `images` (N x 4096 in [-1, 1]).
 * D's weights are randomised and restored by the sanity check.
 */
export async function camTable(D: tf.LayersModel, images: Float32Array, o: CamTableOptions): Promise<CamTableRow[]> {
  const n = images.length / PIXELS;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`images hold ${images.length} values, not a whole number >= 1 of 64x64 images`);
  if (o.ids.length !== n) throw new RangeError(`${o.ids.length} ids for ${n} images`);
  const layers = o.layers ?? spatialLayerNames(D).filter((l) => /^block\d+$/.test(l));
  const x = tf.tensor4d(images, [n, S, S, 1]);
  const rows: CamTableRow[] = [];
  // The mask baseline does not depend on the layer, the random one only on its grid.
  const maskRoad = new Map<number, RoadSample>();
  try {
    for (const layer of layers) {
      const grid = layerGrid(D, layer);
      const cache = { random: new Map<number, RoadSample>(), mask: maskRoad };
      const baseline = mean(baselineRatios(images, o.settings, [grid]).filter((r): r is number => r !== null));
      for (const method of o.methods) {
        const camsOf = async (d: tf.LayersModel) => {
          const explainer = createCamExplainer(d, { layers: [layer], method, target: o.target });
          try {
            return (await explainer.explain(x)).cams;
          } finally {
            explainer.dispose();
          }
        };
        const cams = await camsOf(D);
        const focus = measureFocusBatch(cams, images, o.settings);
        const withEvidence = focus.filter((f) => f.ratio !== null);
        const faithfulness = await camFaithfulness(D, images, cams, [grid], { target: o.target, maskLevel: o.settings.maskLevel, seed: o.seed, ids: o.ids, cache });
        const sanity = await cascadingRandomisation(D, images, camsOf, o.settings, [layer], o.seed);
        const row: CamTableRow = {
          layer,
          grid,
          method,
          samples: n,
          noEvidence: (n - withEvidence.length) / n,
          flagRate: focus.filter((f) => f.flagged).length / n,
          meanRatio: mean(withEvidence.map((f) => f.ratio!)),
          baselineRatio: baseline,
          scoreGap: await scoreGap(D, x, layer, method, o.target),
          edge: meanEdges(Array.from({ length: n }, (_, k) => edgeShares(cams.subarray(k * PIXELS, (k + 1) * PIXELS)))),
          faithfulness,
          sanity,
        };
        rows.push(row);
        o.onRow?.(row);
      }
    }
  } finally {
    x.dispose();
  }
  return rows;
}
