import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { IMAGE_SIZE } from '../../../shared/config.js';
import { resizeBatchTo64 } from '../data/resize.js';
import type { IdxImages } from '../data/idx.js';
import { loadModel } from '../train/checkpoint.js';
import { FEATURE_DIM, FEATURE_LAYER, NUM_CLASSES } from './classifier-model.js';
import { resourcePath } from './package-root.js';

/** The shipped classifier and a view of it that also exposes the feature layer. */
export interface Classifier {
  model: tf.LayersModel;
  /** Same weights as `model`; outputs [features, probs]. */
  heads: tf.LayersModel;
  /** The folder the weights were loaded from; null for a model built in memory. */
  dir: string | null;
  dispose(): void;
}

/** Per image: the classifier's 10 class probabilities and its 128 penultimate features, row-major. */
export interface ClassifierOutputs {
  count: number;
  probs: Float32Array;
  features: Float32Array;
}

export const CLASSIFY_BATCH = 250;

export function classifierDir(): string {
  return resourcePath('classifier');
}

/** Wraps a model built by buildClassifier (trained or not) so its features can be read. */
export function asClassifier(model: tf.LayersModel, dir: string | null = null): Classifier {
  const source = dir === null ? 'the classifier' : path.join(dir, 'model.json');
  let features: tf.layers.Layer;
  try {
    features = model.getLayer(FEATURE_LAYER);
  } catch {
    throw new Error(`${source} has no layer named '${FEATURE_LAYER}' (the penultimate features FID-MNIST compares)`);
  }
  const inShape = model.inputs[0].shape;
  const outShape = model.outputs[0].shape;
  const featShape = features.outputShape as number[];
  if (inShape.length !== 4 || inShape[1] !== IMAGE_SIZE || inShape[2] !== IMAGE_SIZE || inShape[3] !== 1)
    throw new Error(`${source} takes input ${JSON.stringify(inShape)}; expected [null, ${IMAGE_SIZE}, ${IMAGE_SIZE}, 1]`);
  if (outShape[1] !== NUM_CLASSES) throw new Error(`${source} has ${outShape[1]} outputs; expected ${NUM_CLASSES} digit classes`);
  if (featShape[1] !== FEATURE_DIM)
    throw new Error(`${source}'s '${FEATURE_LAYER}' layer has ${featShape[1]} units; expected ${FEATURE_DIM}`);
  const heads = tf.model({ inputs: model.inputs, outputs: [features.output as tf.SymbolicTensor, model.outputs[0]] });
  return { model, heads, dir, dispose: () => model.dispose() };
}

/** Loads the shipped weights (resources/classifier/model.json + weights.bin). */
export async function loadClassifier(dir: string = classifierDir()): Promise<Classifier> {
  const file = path.join(dir, 'model.json');
  if (!existsSync(file)) throw new Error(`the MNIST classifier is missing: ${file} not found (it ships with GAN Focus in resources/classifier)`);
  return asClassifier(await loadModel(file), dir);
}

/** Features and probabilities of a batch already on the backend; the caller owns the returned tensors. */
export function classifyTensor(c: Classifier, images: tf.Tensor4D): { features: tf.Tensor2D; probs: tf.Tensor2D } {
  const [features, probs] = c.heads.predict(images) as tf.Tensor2D[];
  return { features, probs };
}

/** Collects outputs batch by batch into preallocated arrays, so no tensor outlives its batch. */
export class OutputCollector {
  readonly out: ClassifierOutputs;
  private filled = 0;

  constructor(count: number) {
    this.out = { count, probs: new Float32Array(count * NUM_CLASSES), features: new Float32Array(count * FEATURE_DIM) };
  }

  async add(c: Classifier, images: tf.Tensor4D): Promise<void> {
    const { features, probs } = classifyTensor(c, images);
    try {
      const n = probs.shape[0];
      if (this.filled + n > this.out.count) throw new RangeError(`classifier: ${this.filled + n} images collected, more than the ${this.out.count} expected`);
      this.out.probs.set(await probs.data(), this.filled * NUM_CLASSES);
      this.out.features.set(await features.data(), this.filled * FEATURE_DIM);
      this.filled += n;
    } finally {
      features.dispose();
      probs.dispose();
    }
  }

  finish(): ClassifierOutputs {
    if (this.filled !== this.out.count) throw new Error(`classifier: ${this.filled} images collected, ${this.out.count} expected`);
    return this.out;
  }
}

/** Classifies real images (e.g. MNIST's IDX pixels), resized to 64x64 in [-1, 1] batch by batch. */
export async function classifyImages(c: Classifier, images: IdxImages, indices?: ArrayLike<number>): Promise<ClassifierOutputs> {
  const ids = indices ?? Int32Array.from({ length: images.count }, (_, i) => i);
  const collector = new OutputCollector(ids.length);
  const pixels = IMAGE_SIZE * IMAGE_SIZE;
  const buf = new Float32Array(CLASSIFY_BATCH * pixels);
  for (let start = 0; start < ids.length; start += CLASSIFY_BATCH) {
    const n = Math.min(CLASSIFY_BATCH, ids.length - start);
    const batchIds = Array.prototype.slice.call(ids, start, start + n) as number[];
    resizeBatchTo64(images.pixels, images.rows, images.cols, batchIds, buf);
    const x = tf.tensor4d(buf.subarray(0, n * pixels), [n, IMAGE_SIZE, IMAGE_SIZE, 1]);
    try {
      await collector.add(c, x);
    } finally {
      x.dispose();
    }
  }
  return collector.finish();
}

/** Index of the largest probability per image, and that probability. */
export function argmaxRows(probs: Float32Array, count: number): { labels: Uint8Array; confidence: Float32Array } {
  const labels = new Uint8Array(count);
  const confidence = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let k = 1; k < NUM_CLASSES; k++) if (probs[i * NUM_CLASSES + k] > probs[i * NUM_CLASSES + best]) best = k;
    labels[i] = best;
    confidence[i] = probs[i * NUM_CLASSES + best];
  }
  return { labels, confidence };
}

/** Share of images whose predicted digit equals the label. */
export function accuracy(out: ClassifierOutputs, labels: ArrayLike<number>): number {
  if (labels.length !== out.count) throw new Error(`accuracy: ${labels.length} labels for ${out.count} classified images`);
  const { labels: predicted } = argmaxRows(out.probs, out.count);
  let right = 0;
  for (let i = 0; i < out.count; i++) if (predicted[i] === labels[i]) right++;
  return right / out.count;
}
