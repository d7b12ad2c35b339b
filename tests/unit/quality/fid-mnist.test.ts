import * as tf from '@tensorflow/tfjs';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/main/engine/backend/choose.js';
import { readIdxImages } from '../../../src/main/engine/data/idx.js';
import { mnistPaths } from '../../../src/main/engine/data/mnist.js';
import { type Classifier, classifierDir, classifyImages, loadClassifier, OutputCollector } from '../../../src/main/engine/quality/classifier.js';
import { FEATURE_DIM } from '../../../src/main/engine/quality/classifier-model.js';
import { frechetDistance, type Gaussian, gaussianStats } from '../../../src/main/engine/quality/frechet.js';
import { computeTestStats, readTestStats, TEST_STATS_FILE, testStats } from '../../../src/main/engine/quality/reference-stats.js';
import { createRng, shuffle } from '../../../src/main/engine/rng.js';

const COUNT = 1000;
let classifier: Classifier;
let reference: Gaussian;

beforeAll(async () => {
  await initBackend('wasm');
  classifier = await loadClassifier();
  reference = await testStats(classifier);
});

afterAll(() => classifier?.dispose());

async function fidOfTensorImages(make: (start: number, n: number) => tf.Tensor4D): Promise<number> {
  const collector = new OutputCollector(COUNT);
  for (let start = 0; start < COUNT; start += 250) {
    const x = make(start, 250);
    await collector.add(classifier, x);
    x.dispose();
  }
  const out = collector.finish();
  return frechetDistance(gaussianStats(out.features, COUNT, FEATURE_DIM), reference);
}

describe('FID-MNIST', () => {
  it('ships reference statistics that match the shipped weights, and ignores them for other weights', () => {
    expect(readTestStats(classifierDir())).not.toBeNull();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stale-stats-'));
    copyFileSync(path.join(classifierDir(), TEST_STATS_FILE), path.join(dir, TEST_STATS_FILE));
    writeFileSync(path.join(dir, 'weights.bin'), Buffer.from([1, 2, 3]));
    expect(readTestStats(dir)).toBeNull();
  });

  it('uses reference statistics equal to those computed from the 10,000 test images', async () => {
    const computed = await computeTestStats(classifier);
    expect(reference.count).toBe(10_000);
    let meanErr = 0;
    let covErr = 0;
    let covScale = 0;
    for (let i = 0; i < FEATURE_DIM; i++) meanErr = Math.max(meanErr, Math.abs(computed.mean[i] - reference.mean[i]));
    for (let i = 0; i < computed.cov.length; i++) {
      covErr = Math.max(covErr, Math.abs(computed.cov[i] - reference.cov[i]));
      covScale = Math.max(covScale, Math.abs(computed.cov[i]));
    }
    expect(meanErr).toBeLessThan(1e-3);
    expect(covErr).toBeLessThan(1e-4 * covScale);
    expect(frechetDistance(computed, reference)).toBeLessThan(1e-3);
  });

  it('is small for real training images and large for noise and for blank images', async () => {
    const p = mnistPaths();
    const train = readIdxImages(p.trainImages);
    const ids = shuffle(createRng(1), Int32Array.from({ length: train.count }, (_, i) => i)).slice(0, COUNT);
    const out = await classifyImages(classifier, train, ids);
    const real = frechetDistance(gaussianStats(out.features, COUNT, FEATURE_DIM), reference);
    const noise = await fidOfTensorImages((start, n) => tf.randomUniform([n, 64, 64, 1], -1, 1, 'float32', start) as tf.Tensor4D);
    const blank = await fidOfTensorImages((_, n) => tf.fill([n, 64, 64, 1], -1) as tf.Tensor4D);
    expect(Number.isFinite(real)).toBe(true);
    expect(real).toBeGreaterThan(0);
    expect(noise).toBeGreaterThan(10 * real);
    expect(blank).toBeGreaterThan(10 * real);
  });
});
