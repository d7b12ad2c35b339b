import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/main/engine/backend/choose.js';
import { buildGenerator } from '../../../src/main/engine/model/generator.js';
import { renderGrid } from '../../../src/main/engine/train/trainer.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('fixed-noise grid', () => {
  it('is a PNG of 8x8 samples and leaves G, BatchNorm moving averages included, as it was', async () => {
    const g = buildGenerator({ nz: 8, ngf: 4, seed: 2 });
    const before = g.getWeights().map((w) => Array.from(w.dataSync()));
    const png = await renderGrid(g, tf.randomNormal([64, 1, 1, 8], 0, 1, 'float32', 1) as tf.Tensor4D);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(8 * 64 + 9 * 2);
    expect(g.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
  });
});
