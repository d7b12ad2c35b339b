import { describe, expect, it } from 'vitest';
import { baselineRatios, idealCams, pooledInk } from '../../../src/main/engine/explain/baseline.js';
import { fillBatch, loadDataset } from '../../../src/main/engine/data/dataset.js';
import { DEFAULT_FOCUS_SETTINGS } from '../../../src/shared/focus-settings.js';
import { BASELINE_MARGIN, baselineNearThreshold, resolutionWarning } from '../../../src/shared/explain.js';
import { patchImage } from './tiny-d.js';

const settings = DEFAULT_FOCUS_SETTINGS;

describe('pooledInk: the digit mask pooled to a layer grid', () => {
  it('holds each cell\'s share of ink, for grids that divide 64 and grids that do not', () => {
    const corner = patchImage([{ y0: 0, y1: 2, x0: 0, x1: 2, v: 1 }], -1);
    const at32 = new Float32Array(32 * 32);
    pooledInk(corner, 0.25, { h: 32, w: 32 }, at32);
    expect(at32[0]).toBe(1);
    expect(at32.slice(1).every((v) => v === 0)).toBe(true);
    const at16 = new Float32Array(256);
    pooledInk(corner, 0.25, { h: 16, w: 16 }, at16);
    expect(at16[0]).toBeCloseTo(4 / 16, 12);
    // 64 / 3 is not whole: cells share the boundary pixels by area, so full ink is 1 everywhere.
    const full = new Float32Array(4096).fill(1);
    const at3 = new Float32Array(9);
    pooledInk(full, 0.25, { h: 3, w: 3 }, at3);
    at3.forEach((v) => expect(v).toBeCloseTo(1, 12));
    // One ink column at x = 21 (inside 21.33 px): cell 0 covers 1/3 of it, cell 1 the rest.
    const column = patchImage([{ y0: 0, y1: 64, x0: 21, x1: 22, v: 1 }], -1);
    pooledInk(column, 0.25, { h: 1, w: 3 }, at3);
    expect(at3[0]).toBeCloseTo(1 / 3 / (64 / 3), 12);
    expect(at3[1]).toBeCloseTo(2 / 3 / (64 / 3), 12);
    expect(at3[2]).toBe(0);
  });

  it('refuses a wrong image size or grid', () => {
    expect(() => pooledInk(new Float32Array(10), 0.25, { h: 4, w: 4 }, new Float32Array(16))).toThrow('expected 4096');
    expect(() => pooledInk(new Float32Array(4096), 0.25, { h: 0, w: 4 }, new Float32Array(16))).toThrow('grid 0x4');
  });
});

describe('baselineRatios: the ideal CAM\'s off-digit ratio at a layer\'s resolution', () => {
  it('matches the hand computation for ink on the left half at 4x4', () => {
    // Pooled to 4x4 the columns read 1 1 0 0. Resized with half-pixel centres,
    // column x gets 1 up to x = 23, 2.5 - (x + 0.5) / 16 from 24 to 39, then 0;
    // min-max leaves it as is. Each row's mass is 24 + 8 = 32; the dilated mask
    // covers x <= 32, so the mass off it is sum_{x=33..39} (2.5 - (x + 0.5) / 16) = 1.53125.
    const left = patchImage([{ y0: 0, y1: 64, x0: 0, x1: 32, v: 1 }], -1);
    const [r] = baselineRatios(left, settings, [{ h: 4, w: 4 }]);
    expect(r).toBeCloseTo(1.53125 / 32, 6);
  });

  it('is 0 when the grid is as fine as the image, or when the ink fills it; null without ink', () => {
    const images = new Float32Array(3 * 4096);
    images.set(patchImage([{ y0: 10, y1: 30, x0: 20, x1: 24, v: 1 }], -1), 0);
    images.set(new Float32Array(4096).fill(1), 4096);
    images.set(new Float32Array(4096).fill(-1), 2 * 4096);
    expect(baselineRatios(images.subarray(0, 4096), settings, [{ h: 64, w: 64 }])).toEqual([0]);
    const coarse = baselineRatios(images, settings, [{ h: 4, w: 4 }]);
    expect(coarse[0]).toBeGreaterThan(0.3);
    expect(coarse[1]).toBe(0);
    expect(coarse[2]).toBeNull();
  });

  it('averages several layers like a CAM: between the two single-layer ideals', () => {
    const stroke = patchImage([{ y0: 8, y1: 56, x0: 30, x1: 34, v: 1 }], -1);
    const [fine] = baselineRatios(stroke, settings, [{ h: 16, w: 16 }]);
    const [coarse] = baselineRatios(stroke, settings, [{ h: 4, w: 4 }]);
    const [both] = baselineRatios(stroke, settings, [{ h: 16, w: 16 }, { h: 4, w: 4 }]);
    expect(fine!).toBeLessThan(both!);
    expect(both!).toBeLessThan(coarse!);
    const ideal = idealCams(stroke, settings.maskLevel, [{ h: 16, w: 16 }, { h: 4, w: 4 }]);
    expect(Math.max(...ideal)).toBeCloseTo(1, 6);
    expect(Math.min(...ideal)).toBeCloseTo(0, 6);
  });

  it('on MNIST digits: the coarser the grid, the nearer the 0.70 threshold a perfect CAM already is', () => {
    const dataset = loadDataset({ kind: 'mnist' });
    const n = 200;
    const images = new Float32Array(n * 4096);
    fillBatch(dataset, Array.from({ length: n }, (_, i) => i * 271), images);
    const mean = (side: number) => {
      const r = baselineRatios(images, settings, [{ h: side, w: side }]).filter((v): v is number => v !== null);
      return r.reduce((a, b) => a + b, 0) / r.length;
    };
    const [m4, m8, m16] = [mean(4), mean(8), mean(16)];
    expect(m4).toBeGreaterThan(m8);
    expect(m8).toBeGreaterThan(m16);
    // docs/explain.md: ~0.52 at 4x4, ~0.27 at 8x8, ~0.12 at 16x16 with the default mask.
    expect(m4).toBeGreaterThan(0.45);
    expect(m4).toBeLessThan(0.7 - BASELINE_MARGIN);
    expect(m8).toBeLessThan(0.35);
    expect(m16).toBeLessThan(0.2);
  });
});

describe('resolutionWarning', () => {
  it('warns within the margin of the threshold or above it, and not below', () => {
    expect(resolutionWarning(0.59, 0.7, ['block4'])).toBeNull();
    expect(resolutionWarning(null, 0.7, ['block4'])).toBeNull();
    expect(resolutionWarning(0.6, 0.7, ['block4'])).toMatch(/block4.*60\.0%.*within 0\.1 of the 70\.0% threshold/);
    expect(resolutionWarning(0.75, 0.7, ['block3', 'block4'])).toMatch(/block3 \+ block4.*above the 70\.0% threshold/);
  });
});

describe('baselineNearThreshold', () => {
  it('marks one sample whose ideal CAM is within the margin of the threshold or above it', () => {
    expect(baselineNearThreshold(0.59, 0.7)).toBe(false);
    expect(baselineNearThreshold(0.6, 0.7)).toBe(true);
    expect(baselineNearThreshold(0.8, 0.7)).toBe(true);
    expect(baselineNearThreshold(null, 0.7)).toBe(false);
  });
});
