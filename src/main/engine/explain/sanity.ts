import * as tf from '@tensorflow/tfjs';
import type { SanityStage, SanityVerdict } from '../../../shared/explain.js';
import type { FocusSettings } from '../../../shared/focus-settings.js';
import { IMAGE_SIZE } from '../../../shared/config.js';
import { deriveSeed } from '../rng.js';
import { CamError } from './activations.js';
import { measureFocusBatch, type SampleFocus } from './focus.js';

// The model-parameter randomisation test of Adebayo et al. (Sanity Checks for
// Saliency Maps, NeurIPS 2018), cascading: re-initialise D's layers from the
// head down, one block at a time, recompute the CAMs after each step and
// compare them with the trained D's. A method whose maps barely change while
// the weights it reads are random shows the input's stroke layout, not what D
// learned. The similarity is the Spearman rank correlation, as in the paper's
// MNIST notebook; the flags' overlap is the Jaccard index.

const PIXELS = IMAGE_SIZE * IMAGE_SIZE;

/** Below this mean rank correlation a method's maps count as changed. */
export const SANITY_MAX_SPEARMAN = 0.5;

export const SANITY_RULE =
  `Passes when the mean Spearman rank correlation with the trained D's CAMs falls below ${SANITY_MAX_SPEARMAN} once every layer ` +
  'above the target layer is re-initialised: D\'s decision from that map is then random while the map itself is still the trained one, ' +
  'so a CAM that barely changes shows the features\' layout (the strokes), not what D decides from them.';

/** One randomisation step: the layers re-initialised together (a block's convolution and BatchNorm). */
export interface RandomisationStep {
  name: string;
  layers: tf.layers.Layer[];
}

function stepName(layer: tf.layers.Layer): string {
  return /^(block\d+)_/.exec(layer.name)?.[1] ?? layer.name;
}

/** D's layers with weights, grouped into blocks, deepest first: head, block{K}, ..., block1. */
export function randomisationSteps(D: tf.LayersModel): RandomisationStep[] {
  const steps: RandomisationStep[] = [];
  for (const l of [...D.layers].reverse()) {
    if (l.weights.length === 0) continue;
    const name = stepName(l);
    const last = steps.at(-1);
    if (last?.name === name) last.layers.push(l);
    else if (steps.some((s) => s.name === name)) throw new CamError(`D's layers of "${name}" are not next to each other; cannot randomise it as one block`);
    else steps.push({ name, layers: [l] });
  }
  return steps;
}

/**
 * New values for a layer's weights, as the model's initialisation makes them
 * (init.ts: DCGAN's N(0, 0.02) kernels, BatchNorm gamma N(1, 0.02) and beta 0),
 * with fresh moving statistics (mean 0, variance 1).
 */
function initialValues(layer: tf.layers.Layer, seed: number): tf.Tensor[] {
  return layer.weights.map((w, i) => {
    const kind = w.originalName.split('/').pop()!;
    const s = deriveSeed(seed, i);
    const shape = w.shape as number[];
    switch (kind) {
      case 'kernel':
        return tf.randomNormal(shape, 0, 0.02, 'float32', s);
      case 'gamma':
        return tf.randomNormal(shape, 1, 0.02, 'float32', s);
      case 'bias':
      case 'beta':
      case 'moving_mean':
        return tf.zeros(shape);
      case 'moving_variance':
        return tf.ones(shape);
      default:
        throw new CamError(`cannot re-initialise weight "${w.originalName}" of layer "${layer.name}"`);
    }
  });
}

/** Spearman's rank correlation of two equally long arrays (average ranks for ties); null when either is constant. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  if (a.length !== b.length) throw new RangeError(`spearman: lengths ${a.length} and ${b.length} differ`);
  const ra = ranks(a);
  const rb = ranks(b);
  const n = a.length;
  const m = (n + 1) / 2;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = ra[i] - m;
    const y = rb[i] - m;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : null;
}

function ranks(v: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: v.length }, (_, i) => i).sort((i, j) => v[i] - v[j]);
  const r = new Float64Array(v.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && v[order[j + 1]] === v[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[order[k]] = rank;
    i = j + 1;
  }
  return r;
}

/** |a ∩ b| / |a ∪ b| of two flag lists; null when neither flags anything. */
export function jaccard(a: boolean[], b: boolean[]): number | null {
  let both = 0;
  let either = 0;
  a.forEach((f, i) => {
    if (f && b[i]) both++;
    if (f || b[i]) either++;
  });
  return either ? both / either : null;
}

/** Computes the CAMs (N x 4096) of the sanity check's images with D as it is now. */
export type CamsOf = (D: tf.LayersModel) => Promise<Float32Array>;

function stage(name: string, randomised: string[], original: Float32Array, cams: Float32Array, before: SampleFocus[], now: SampleFocus[]): SanityStage {
  const rhos: number[] = [];
  for (let o = 0; o < cams.length; o += PIXELS) {
    if (before[o / PIXELS].ratio === null || now[o / PIXELS].ratio === null) continue;
    const r = spearman(original.subarray(o, o + PIXELS), cams.subarray(o, o + PIXELS));
    if (r !== null) rhos.push(r);
  }
  const ratios = now.map((f) => f.ratio).filter((r): r is number => r !== null);
  return {
    stage: name,
    randomised,
    spearman: rhos.length ? rhos.reduce((a, b) => a + b, 0) / rhos.length : null,
    compared: rhos.length,
    jaccard: jaccard(
      before.map((f) => f.flagged),
      now.map((f) => f.flagged),
    ),
    flagged: now.filter((f) => f.flagged).length,
    noEvidence: now.length - ratios.length,
    meanRatio: ratios.length ? ratios.reduce((a, b) => a + b, 0) / ratios.length : null,
  };
}

/** The last step (in cascade order) that re-initialises only layers after the deepest target layer. */
function verdictStep(D: tf.LayersModel, steps: RandomisationStep[], targetLayers: string[]): string {
  const at = Math.max(...targetLayers.map((n) => D.layers.findIndex((l) => l.name === n)));
  if (!(at >= 0) || targetLayers.some((n) => !D.layers.some((l) => l.name === n))) throw new CamError(`D has no layer ${targetLayers.join(', ')}`);
  const above = steps.filter((st) => st.layers.every((l) => D.layers.indexOf(l) > at));
  return (above.at(-1) ?? steps[0]).name;
}

/**
 * The cascading randomisation of D for `images` (N x 4096, [-1, 1]): the
 * trained D's CAMs, then after each step (head first, then each block down to
 * the first) the CAMs and flags compared with the trained D's. D's weights are
 * restored at the end, also after an error.
 */
export async function cascadingRandomisation(
  D: tf.LayersModel,
  images: Float32Array,
  camsOf: CamsOf,
  settings: FocusSettings,
  targetLayers: string[],
  seed: number,
): Promise<{ stages: SanityStage[]; verdict: SanityVerdict }> {
  const steps = randomisationSteps(D);
  if (steps.length === 0) throw new CamError(`D "${D.name}" has no weights to randomise`);
  const verdictAt = verdictStep(D, steps, targetLayers);
  const original = await camsOf(D);
  const before = measureFocusBatch(original, images, settings);
  const stages: SanityStage[] = [stage('original', [], original, original, before, before)];
  const saved = D.layers.map((l) => l.getWeights().map((w) => tf.clone(w)));
  try {
    const randomised: string[] = [];
    for (const step of steps) {
      for (const l of step.layers) {
        const values = initialValues(l, deriveSeed(seed, D.layers.indexOf(l)));
        l.setWeights(values);
        tf.dispose(values);
      }
      randomised.push(step.name);
      const cams = await camsOf(D);
      stages.push(stage(step.name, [...randomised], original, cams, before, measureFocusBatch(cams, images, settings)));
    }
  } finally {
    D.layers.forEach((l, i) => {
      if (saved[i].length) l.setWeights(saved[i]);
    });
    tf.dispose(saved.flat());
  }
  const at = stages.find((s) => s.stage === verdictAt)!;
  return {
    stages,
    verdict: { passes: at.spearman === null ? null : at.spearman < SANITY_MAX_SPEARMAN, stage: verdictAt, spearman: at.spearman, rule: SANITY_RULE },
  };
}
