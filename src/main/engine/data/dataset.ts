import { createHash } from 'node:crypto';
import path from 'node:path';
import { type DatasetRef, parseSampleId } from '../../../shared/config.js';
import { createRng, deriveSeed, shuffle } from '../rng.js';
import { IdxError, parseIdxImages, readIdxBytes, readIdxLabels } from './idx.js';
import { mnistPaths } from './mnist.js';
import { resizeBatchTo64 } from './resize.js';

export interface Dataset {
  /** Stable across machines and re-imports: sample ids are built from it. */
  id: string;
  name: string;
  count: number;
  rows: number;
  cols: number;
  /** count x rows x cols uint8, row-major. */
  pixels: Uint8Array;
  labels: Uint8Array | null;
  source: { images: string; labels?: string };
}

export const MNIST_TRAIN_ID = 'mnist-train';

/** Purpose tag of the subset stream, so it never coincides with shuffle or noise streams. */
const SEED_SUBSET = 0x5eed;

function idxDatasetId(imageBytes: Uint8Array): string {
  return 'idx-' + createHash('sha256').update(imageBytes).digest('hex').slice(0, 12);
}

function sourceOf(ref: DatasetRef): Dataset['source'] {
  if (ref.kind === 'mnist') {
    const p = mnistPaths();
    return { images: p.trainImages, labels: p.trainLabels };
  }
  return ref.labels === undefined ? { images: ref.images } : { images: ref.images, labels: ref.labels };
}

/** Reads and checks the images (and labels, when given); throws IdxError naming the bad file. */
export function loadDataset(ref: DatasetRef): Dataset {
  const source = sourceOf(ref);
  const bytes = readIdxBytes(source.images);
  const images = parseIdxImages(bytes, source.images);
  let labels: Uint8Array | null = null;
  if (source.labels !== undefined) {
    labels = readIdxLabels(source.labels);
    if (labels.length !== images.count)
      throw new IdxError(
        source.labels,
        `holds ${labels.length} labels but the images file ${source.images} holds ${images.count} images; they must match one to one`,
      );
  }
  return {
    id: ref.kind === 'mnist' ? MNIST_TRAIN_ID : idxDatasetId(bytes),
    name: ref.kind === 'mnist' ? 'MNIST (training set)' : path.basename(source.images),
    ...images,
    labels,
    source,
  };
}

/**
 * The dataset indices a run trains on, sorted ascending. The seeded subset of
 * `limit` images is drawn from ALL indices first and the exclusions removed
 * after: a derived run (same seed, a few more exclusions) then trains on exactly
 * its parent's images minus the excluded ones. Drawing after removing would
 * reshuffle and change the whole subset, confounding the comparison.
 * A limit at or above `count` means the whole dataset.
 */
export function selectIndices(count: number, limit: number | null, seed: number, excluded: Set<number>): Int32Array {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`selectIndices: count must be a whole number >= 0, got ${count}`);
  if (limit !== null && (!Number.isInteger(limit) || limit < 1))
    throw new RangeError(`selectIndices: limit must be a whole number >= 1 or null, got ${limit}`);
  let subset = new Int32Array(count);
  for (let i = 0; i < count; i++) subset[i] = i;
  if (limit !== null && limit < count) {
    shuffle(createRng(deriveSeed(seed, SEED_SUBSET)), subset);
    subset = subset.slice(0, limit).sort();
  }
  return excluded.size === 0 ? subset : subset.filter((i) => !excluded.has(i));
}

/** Maps sample ids to this dataset's indices; an id of another dataset is an error, not silently ignored. */
export function excludedIndices(dataset: Dataset, excludedIds: string[]): Set<number> {
  const out = new Set<number>();
  for (const id of excludedIds) {
    const parsed = parseSampleId(id);
    if (!parsed) throw new Error(`excluded sample id '${id}' is not of the form <dataset id>:<index>`);
    if (parsed.datasetId !== dataset.id)
      throw new Error(`excluded sample '${id}' belongs to dataset '${parsed.datasetId}', but this run trains on '${dataset.id}' (${dataset.name})`);
    if (parsed.index >= dataset.count)
      throw new Error(`excluded sample '${id}' is out of range: dataset '${dataset.id}' has ${dataset.count} images`);
    out.add(parsed.index);
  }
  return out;
}

/** Writes images `indices` into `out` as N x 64 x 64 x 1 floats in [-1, 1]. */
export function fillBatch(dataset: Dataset, indices: ArrayLike<number>, out: Float32Array): void {
  resizeBatchTo64(dataset.pixels, dataset.rows, dataset.cols, indices, out);
}
