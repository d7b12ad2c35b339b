import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readIdxImages } from '../data/idx.js';
import { mnistPaths } from '../data/mnist.js';
import { type Classifier, classifierDir, classifyImages, loadClassifier } from './classifier.js';
import { FEATURE_DIM } from './classifier-model.js';
import { type Gaussian, gaussianStats } from './frechet.js';

// FID-MNIST compares generated images with the 10,000 MNIST test images. Their
// feature statistics depend only on the classifier's weights, so they are
// computed once per process and also shipped next to the weights
// (test-stats.json, tagged with the weights' SHA-256): a fresh engine process
// then skips classifying 10,000 images. A file whose tag does not match the
// weights is ignored, never trusted.

export const TEST_STATS_FILE = 'test-stats.json';

interface StatsFile {
  format: 'gan-focus-feature-stats';
  version: 1;
  weightsSha256: string;
  source: string;
  count: number;
  dim: number;
  mean: number[];
  cov: number[];
}

const inMemory = new WeakMap<Classifier, Promise<Gaussian>>();
const featuresInMemory = new WeakMap<Classifier, Promise<Float32Array>>();
const TEST_COUNT = 10_000;
let shared: Promise<Classifier> | null = null;

export function weightsSha256(dir: string = classifierDir()): string {
  return createHash('sha256').update(readFileSync(path.join(dir, 'weights.bin'))).digest('hex');
}

/** The shipped classifier, loaded once per process (it is read-only). */
export function sharedClassifier(): Promise<Classifier> {
  shared ??= loadClassifier().catch((err: unknown) => {
    shared = null;
    throw err;
  });
  return shared;
}

/** Feature statistics of the MNIST test set under classifier `c`, computed from the images. */
export async function computeTestStats(c: Classifier): Promise<Gaussian> {
  const out = await classifyImages(c, readIdxImages(mnistPaths().testImages));
  return gaussianStats(out.features, out.count, FEATURE_DIM);
}

/** The statistics shipped in `dir`, or null when absent, unreadable or made for other weights. */
export function readTestStats(dir: string): Gaussian | null {
  const file = path.join(dir, TEST_STATS_FILE);
  if (!existsSync(file)) return null;
  let s: StatsFile;
  try {
    s = JSON.parse(readFileSync(file, 'utf8')) as StatsFile;
  } catch {
    return null;
  }
  if (s.format !== 'gan-focus-feature-stats' || s.version !== 1 || s.weightsSha256 !== weightsSha256(dir)) return null;
  if (s.dim !== FEATURE_DIM || s.mean?.length !== s.dim || s.cov?.length !== s.dim * s.dim) return null;
  return { dim: s.dim, count: s.count, mean: Float64Array.from(s.mean), cov: Float64Array.from(s.cov) };
}

export function writeTestStats(stats: Gaussian, dir: string = classifierDir()): void {
  const file: StatsFile = {
    format: 'gan-focus-feature-stats',
    version: 1,
    weightsSha256: weightsSha256(dir),
    source: 'MNIST test set (t10k, 10000 images), resized to 64x64',
    count: stats.count,
    dim: stats.dim,
    mean: Array.from(stats.mean),
    cov: Array.from(stats.cov),
  };
  writeFileSync(path.join(dir, TEST_STATS_FILE), JSON.stringify(file));
}

/**
 * MNIST test-set feature statistics for `c`: from memory, else from the file
 * next to its weights when that file matches them, else computed from the images.
 */
export function testStats(c: Classifier): Promise<Gaussian> {
  let p = inMemory.get(c);
  if (!p) {
    const fromFile = c.dir === null ? null : readTestStats(c.dir);
    p = fromFile ? Promise.resolve(fromFile) : computeTestStats(c);
    inMemory.set(c, p);
    p.catch(() => inMemory.delete(c));
  }
  return p;
}

/**
 * The classifier's features of the 10,000 MNIST test images (KID needs the
 * features themselves), once per process. With `cacheDir` they are also kept
 * there (5 MB, named by the weights' hash), so the next process of a study
 * reads them instead of classifying 10,000 images again.
 */
export function testFeatures(c: Classifier, cacheDir?: string): Promise<Float32Array> {
  let p = featuresInMemory.get(c);
  if (!p) {
    p = loadOrComputeFeatures(c, cacheDir);
    featuresInMemory.set(c, p);
    p.catch(() => featuresInMemory.delete(c));
  }
  return p;
}

async function loadOrComputeFeatures(c: Classifier, cacheDir: string | undefined): Promise<Float32Array> {
  const file = cacheDir && c.dir ? path.join(cacheDir, `test-features-${weightsSha256(c.dir).slice(0, 16)}.f32`) : null;
  if (file && existsSync(file)) {
    const bytes = readFileSync(file);
    if (bytes.byteLength === TEST_COUNT * FEATURE_DIM * 4) return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }
  const out = await classifyImages(c, readIdxImages(mnistPaths().testImages));
  if (file && out.count === TEST_COUNT) {
    // Written under another name first: a reader never sees half a file.
    mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.from(out.features.buffer, out.features.byteOffset, out.features.byteLength));
    renameSync(tmp, file);
  }
  return out.features;
}
