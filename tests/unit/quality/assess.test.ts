import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/main/engine/backend/choose.js';
import { buildGenerator } from '../../../src/main/engine/model/generator.js';
import { PRESENT_SHARE, assessGenerator } from '../../../src/main/engine/quality/quality.js';

const NZ = 16;
let G: tf.LayersModel;

beforeAll(async () => {
  await initBackend('wasm');
  G = buildGenerator({ nz: NZ, ngf: 4, seed: 1 });
});

afterAll(() => G?.dispose());

describe('assessGenerator on an untrained G', () => {
  it('classifies every sample once and reports a finite FID-MNIST', async () => {
    const q = await assessGenerator(G, { seed: 7, nz: NZ });
    expect(q.count).toBe(1000);
    expect(q.classCounts).toHaveLength(10);
    expect(q.classCounts.reduce((a, b) => a + b)).toBe(1000);
    expect(q.classShare.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    expect(q.digitsPresent).toBe(q.classShare.filter((s) => s >= PRESENT_SHARE).length);
    expect(q.meanConfidence).toBeGreaterThanOrEqual(0.1);
    expect(q.meanConfidence).toBeLessThanOrEqual(1);
    expect(Number.isFinite(q.fidMnist)).toBe(true);
    expect(q.fidMnist).toBeGreaterThan(0);
  });

  it('is deterministic for a seed and changes with it, whatever the batch size', async () => {
    const a = await assessGenerator(G, { seed: 3, nz: NZ, count: 200 });
    const b = await assessGenerator(G, { seed: 3, nz: NZ, count: 200, batchSize: 64 });
    const c = await assessGenerator(G, { seed: 4, nz: NZ, count: 200 });
    expect(b.classCounts).toEqual(a.classCounts);
    expect(b.fidMnist).toBeCloseTo(a.fidMnist, 3);
    expect(await assessGenerator(G, { seed: 3, nz: NZ, count: 200 })).toEqual(a);
    expect(c.fidMnist).not.toBe(a.fidMnist);
  });

  it('leaves no tensors behind', async () => {
    await assessGenerator(G, { seed: 1, nz: NZ, count: 50 });
    const before = tf.memory().numTensors;
    await assessGenerator(G, { seed: 2, nz: NZ, count: 130, batchSize: 40 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a noise size G does not take, and too few samples', async () => {
    await expect(assessGenerator(G, { seed: 1, nz: 100 })).rejects.toThrow(/G takes z of shape \[null,1,1,16\], not \[null, 1, 1, 100\]/);
    await expect(assessGenerator(G, { seed: 1, nz: NZ, count: 1 })).rejects.toThrow(/count must be a whole number >= 2/);
  });
});
