import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/main/engine/backend/choose.js';
import { readIdxImages, readIdxLabels } from '../../../src/main/engine/data/idx.js';
import { mnistPaths } from '../../../src/main/engine/data/mnist.js';
import {
  accuracy,
  asClassifier,
  type Classifier,
  classifierDir,
  classifyImages,
  loadClassifier,
} from '../../../src/main/engine/quality/classifier.js';
import { buildClassifier, FEATURE_DIM } from '../../../src/main/engine/quality/classifier-model.js';
import { packageRoot } from '../../../src/main/engine/quality/package-root.js';

let classifier: Classifier;

beforeAll(async () => {
  await initBackend('wasm');
  classifier = await loadClassifier();
});

afterAll(() => classifier?.dispose());

describe('shipped MNIST classifier', () => {
  it('is found from the package root, whatever the working directory', () => {
    const root = packageRoot();
    expect(existsSync(path.join(root, 'package.json'))).toBe(true);
    expect(classifierDir()).toBe(path.join(root, 'resources', 'classifier'));
    expect(packageRoot(path.join(root, 'out', 'main', 'chunks', 'x.js'))).toBe(root);
  });

  it('classifies the 10,000 MNIST test images with at least 98% accuracy', async () => {
    const p = mnistPaths();
    const out = await classifyImages(classifier, readIdxImages(p.testImages));
    expect(out.count).toBe(10_000);
    expect(out.features.length).toBe(10_000 * FEATURE_DIM);
    expect(accuracy(out, readIdxLabels(p.testLabels))).toBeGreaterThanOrEqual(0.98);
  });

  it('leaves no tensors behind', async () => {
    const images = readIdxImages(mnistPaths().testImages);
    const before = tf.memory().numTensors;
    await classifyImages(classifier, images, [0, 1, 2, 3, 4]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names the missing file when the weights are absent', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'no-classifier-'));
    await expect(loadClassifier(dir)).rejects.toThrow(`${path.join(dir, 'model.json')} not found`);
  });

  it('refuses a model without the features layer', () => {
    const x = tf.input({ shape: [64, 64, 1] });
    const y = tf.layers.dense({ units: 10 }).apply(tf.layers.flatten().apply(x)) as tf.SymbolicTensor;
    const m = tf.model({ inputs: x, outputs: y });
    expect(() => asClassifier(m)).toThrow(/no layer named 'features'/);
    m.dispose();
  });

  it('is rebuilt identically from the same seed (the training script is deterministic)', () => {
    const a = buildClassifier(3);
    const b = buildClassifier(3);
    const c = buildClassifier(4);
    const wa = a.getWeights().map((w) => w.dataSync());
    expect(b.getWeights().every((w, i) => tf.util.arraysEqual(w.dataSync(), wa[i]))).toBe(true);
    expect(tf.util.arraysEqual(c.getWeights()[0].dataSync(), wa[0])).toBe(false);
    [a, b, c].forEach((m) => m.dispose());
  });
});
