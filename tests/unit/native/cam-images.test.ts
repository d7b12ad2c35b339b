import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAddon } from '../../../src/main/engine/backend/native/addon.js';
import { mapCases, referenceCams } from '../explain/cam-reference.js';
import { nativeBuilt, relativeError, skipReason } from './helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe.skipIf(!nativeBuilt)(`native camImages matches the tensor-op definition${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  it('ReLU, half-pixel bilinear resize and min-max scaling, per image, for assorted maps', () => {
    const load = loadAddon();
    if (!load.ok) throw new Error(load.reason);
    for (const { name, maps } of mapCases()) {
      const [n, h, w] = maps.shape;
      const want = referenceCams(maps);
      const got = new Float32Array(n * 4096).fill(Number.NaN);
      load.addon.camImages(maps.dataSync() as Float32Array, got, n, h, w, 64, 1e-6);
      expect(relativeError(want, got), name).toBeLessThan(1e-5);
      expect(Math.min(...got), name).toBeGreaterThanOrEqual(0);
      expect(Math.max(...got), name).toBeLessThanOrEqual(1);
      maps.dispose();
    }
  });

  it('refuses arrays too small for the sizes it is given', () => {
    const load = loadAddon();
    if (!load.ok) throw new Error(load.reason);
    expect(() => load.addon.camImages(new Float32Array(15), new Float32Array(4096), 1, 4, 4, 64, 1e-6)).toThrow(/camImages: maps holds 15 floats, needs 16/);
    expect(() => load.addon.camImages(new Float32Array(16), new Float32Array(4095), 1, 4, 4, 64, 1e-6)).toThrow(/camImages: out holds 4095 floats, needs 4096/);
  });
});
