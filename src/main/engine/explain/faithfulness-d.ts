import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE } from '../../../shared/config.js';
import type { CamTarget, Faithfulness } from '../../../shared/explain.js';
import { createRng, deriveSeed } from '../rng.js';
import { TARGET_SCORES } from './activations.js';
import type { Grid } from './baseline.js';
import { baselineMaps, roadFaithfulness, type RoadBaselineCache, type ScoreImages } from './faithfulness.js';

/** Keeps the faithfulness streams apart from the run's other seeded streams. */
const ROAD_STREAM = 0x726f6164;
const BASELINE_STREAM = 0x62617365;

/** D's target score (the logit for "real", its negation for "fake") of packed 64x64 images, in inference mode. */
export function targetScorer(D: tf.LayersModel, target: CamTarget, batchSize = 64): ScoreImages {
  return async (images, n) => {
    const out = new Float32Array(n);
    for (let start = 0; start < n; start += batchSize) {
      const count = Math.min(batchSize, n - start);
      const y = tf.tidy(() => {
        const x = tf.tensor4d(images.subarray(start * IMAGE_SIZE * IMAGE_SIZE, (start + count) * IMAGE_SIZE * IMAGE_SIZE), [count, IMAGE_SIZE, IMAGE_SIZE, 1]);
        return TARGET_SCORES[target](D.predict(x) as tf.Tensor).reshape([count]);
      });
      try {
        out.set((await y.data()) as Float32Array, start);
      } finally {
        y.dispose();
      }
    }
    return out;
  };
}

export interface FaithfulnessOptions {
  target: CamTarget;
  /** The digit mask's level (the mask baseline). */
  maskLevel: number;
  seed: number;
  /** A stable id per image (its dataset index), so each image's randomness is its own. */
  ids: number[];
  /** The baselines' per-sample results, kept across calls on the same images and grids (see RoadBaselineCache). */
  cache?: RoadBaselineCache;
}

/** ROAD faithfulness of D's CAMs of `images` (both N x 4096) at the target layers' grids, with its baselines. */
export async function camFaithfulness(D: tf.LayersModel, images: Float32Array, cams: Float32Array, grids: Grid[], o: FaithfulnessOptions): Promise<Faithfulness | null> {
  const stream = (purpose: number) => (k: number, map = 0) => createRng(deriveSeed(o.seed, purpose, o.ids[k], map));
  const base = baselineMaps(images, grids, o.maskLevel, stream(BASELINE_STREAM));
  return roadFaithfulness(images, { cam: cams, ...base }, targetScorer(D, o.target), stream(ROAD_STREAM), undefined, o.cache);
}
