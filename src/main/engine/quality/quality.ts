import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE } from '../../../shared/config.js';
import type { EpochQuality } from '../protocol.js';
import { createRng, deriveSeed, fillNormal } from '../rng.js';
import { argmaxRows, type Classifier, type ClassifierOutputs, OutputCollector } from './classifier.js';
import { FEATURE_DIM, NUM_CLASSES } from './classifier-model.js';
import { frechetDistance, gaussianStats } from './frechet.js';
import { sharedClassifier, testStats } from './reference-stats.js';

/** A digit counts as present when at least this share of the samples is classified as it (a fifth of a fair 10%). */
export const PRESENT_SHARE = 0.02;
export const DEFAULT_COUNT = 1000;
const DEFAULT_BATCH = 100;
/** Purpose tag of the noise stream, so it never coincides with training's streams of the same seed. */
const SEED_QUALITY_NOISE = 0x9a1e;

export interface AssessOptions {
  /** Number of generated images; FID-MNIST values are only comparable at equal counts. */
  count?: number;
  seed: number;
  nz: number;
  batchSize?: number;
  /** Defaults to the shipped classifier (resources/classifier). */
  classifier?: Classifier;
}

export interface GeneratorQuality {
  count: number;
  /** Images classified as each digit 0..9; sums to count. */
  classCounts: number[];
  classShare: number[];
  /** Digits with classShare >= PRESENT_SHARE. */
  digitsPresent: number;
  /** Mean over images of the classifier's top probability. */
  meanConfidence: number;
  /** Frechet distance between the classifier's `features` of the samples and of the MNIST test set. */
  fidMnist: number;
}

function checkOptions(G: tf.LayersModel, count: number, nz: number, batchSize: number): void {
  if (!Number.isInteger(count) || count < 2) throw new RangeError(`assessGenerator: count must be a whole number >= 2, got ${count}`);
  if (!Number.isInteger(nz) || nz < 1) throw new RangeError(`assessGenerator: nz must be a whole number >= 1, got ${nz}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`assessGenerator: batchSize must be a whole number >= 1, got ${batchSize}`);
  const zShape = G.inputs[0].shape;
  if (zShape.length !== 4 || zShape[1] !== 1 || zShape[2] !== 1 || zShape[3] !== nz)
    throw new RangeError(`assessGenerator: G takes z of shape ${JSON.stringify(zShape)}, not [null, 1, 1, ${nz}] for nz = ${nz}`);
  const imageShape = G.outputs[0].shape;
  if (imageShape.length !== 4 || imageShape[1] !== IMAGE_SIZE || imageShape[2] !== IMAGE_SIZE || imageShape[3] !== 1)
    throw new RangeError(`assessGenerator: G outputs ${JSON.stringify(imageShape)}, not [null, ${IMAGE_SIZE}, ${IMAGE_SIZE}, 1] images`);
}

/** What is stored per epoch: the numbers of assessGenerator without the derived shares. */
export async function epochQuality(G: tf.LayersModel, opts: AssessOptions): Promise<EpochQuality> {
  const q = await assessGenerator(G, opts);
  return { count: q.count, classCounts: q.classCounts, digitsPresent: q.digitsPresent, meanConfidence: q.meanConfidence, fidMnist: q.fidMnist };
}

/**
 * Scores G on `count` samples from seeded noise (the same z on every backend):
 * class coverage and FID-MNIST. G runs in inference mode (BatchNorm moving
 * statistics), as for the per-epoch image grid.
 */
export async function assessGenerator(G: tf.LayersModel, opts: AssessOptions): Promise<GeneratorQuality> {
  const count = opts.count ?? DEFAULT_COUNT;
  const batchSize = opts.batchSize ?? DEFAULT_BATCH;
  checkOptions(G, count, opts.nz, batchSize);
  const classifier = opts.classifier ?? (await sharedClassifier());
  const reference = await testStats(classifier);
  const out = await generatedOutputs(G, classifier, count, opts.seed, opts.nz, batchSize);
  return summarise(out, frechetDistance(gaussianStats(out.features, count, FEATURE_DIM), reference));
}

/**
 * The classifier's outputs on `count` samples of G from the seeded quality
 * noise: the first 1,000 are the per-epoch samples, so a larger count extends
 * the same z.
 */
export async function generatedOutputs(G: tf.LayersModel, classifier: Classifier, count: number, seed: number, nz: number, batchSize = DEFAULT_BATCH): Promise<ClassifierOutputs> {
  checkOptions(G, count, nz, batchSize);
  const noise = fillNormal(createRng(deriveSeed(seed, SEED_QUALITY_NOISE)), new Float32Array(count * nz));
  const collector = new OutputCollector(count);
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const images = tf.tidy(() => {
      const z = tf.tensor4d(noise.subarray(start * nz, (start + n) * nz), [n, 1, 1, nz]);
      return G.apply(z, { training: false }) as tf.Tensor4D;
    });
    try {
      await collector.add(classifier, images);
    } finally {
      images.dispose();
    }
  }
  const out = collector.finish();
  if (!out.features.every(Number.isFinite)) throw new Error('assessGenerator: G produced non-finite images (NaN or Inf); its weights are unusable');
  return out;
}

/** Class coverage and confidence of classified samples, with their FID-MNIST. */
export function summarise(out: ClassifierOutputs, fidMnist: number): GeneratorQuality {
  const count = out.count;
  const { labels, confidence } = argmaxRows(out.probs, count);
  const classCounts = new Array<number>(NUM_CLASSES).fill(0);
  let confidenceSum = 0;
  for (let i = 0; i < count; i++) {
    classCounts[labels[i]]++;
    confidenceSum += confidence[i];
  }
  const classShare = classCounts.map((c) => c / count);
  return {
    count,
    classCounts,
    classShare,
    digitsPresent: classShare.filter((s) => s >= PRESENT_SHARE).length,
    meanConfidence: confidenceSum / count,
    fidMnist,
  };
}
