import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { baselineRatios } from '../../../src/main/engine/explain/baseline.js';
import { camTable, EDGE_AREA, edgeShares } from '../../../src/main/engine/explain/cam-table.js';
import { camFaithfulness } from '../../../src/main/engine/explain/faithfulness-d.js';
import { computeCams } from '../../../src/main/engine/explain/methods.js';
import { DEFAULT_FOCUS_SETTINGS } from '../../../src/shared/focus-settings.js';
import { buildPlantedD, patchImage } from './tiny-d.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('edgeShares: where a CAM\'s mass lies', () => {
  it('a uniform CAM puts the frame\'s area share there; a band along the bottom and right is all bottom-right', () => {
    const uniform = edgeShares(new Float32Array(4096).fill(1))!;
    expect(uniform.edge).toBeCloseTo(EDGE_AREA, 12);
    expect(EDGE_AREA).toBeCloseTo(1 - (56 / 64) ** 2, 12);
    expect(uniform.bottomRight).toBeCloseTo(1 - (60 / 64) ** 2, 12);
    expect(uniform.topLeft).toBeCloseTo(uniform.bottomRight, 12);
    const band = new Float32Array(4096);
    for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) if (y >= 61 || x >= 62) band[y * 64 + x] = 1;
    expect(edgeShares(band)).toEqual({ edge: 1, bottomRight: 1, topLeft: expect.closeTo(20 / (64 * 3 + 2 * 61), 12) });
    const centre = patchImage([{ y0: 20, y1: 40, x0: 20, x1: 40, v: 1 }], 0);
    expect(edgeShares(centre)).toEqual({ edge: 0, bottomRight: 0, topLeft: 0 });
    expect(edgeShares(new Float32Array(4096))).toBeNull();
    expect(() => edgeShares(new Float32Array(10))).toThrow('64x64');
  });
});

describe('camTable on a planted-evidence D (known answers)', () => {
  it('HiResCAM is faithful and passes the sanity check, Grad-CAM++ keeps its map under a random head; baselines shared, not changed', async () => {
    // D's score reads channel 0 (bright pixels) in the top-left quadrant of block3 only.
    const D = buildPlantedD((y, x) => (y < 4 && x < 4 ? 1 : 0));
    const images = new Float32Array(2 * 4096);
    images.set(patchImage([{ y0: 8, y1: 24, x0: 8, x1: 24, v: 1 }, { y0: 40, y1: 56, x0: 40, x1: 56, v: 1 }]), 0);
    images.set(patchImage([{ y0: 4, y1: 28, x0: 10, x1: 16, v: 1 }, { y0: 36, y1: 60, x0: 36, x1: 44, v: 1 }]), 4096);
    const ids = [5, 9];
    const rows = await camTable(D, images, { methods: ['hirescam', 'gradcam++'], layers: ['block3'], target: 'real', settings: DEFAULT_FOCUS_SETTINGS, seed: 4, ids });
    expect(rows.map((r) => [r.layer, r.method, r.grid])).toEqual([
      ['block3', 'hirescam', { h: 8, w: 8 }],
      ['block3', 'gradcam++', { h: 8, w: 8 }],
    ]);
    const [hires, pp] = rows;
    for (const r of rows) {
      expect(r.samples).toBe(2);
      expect(r.noEvidence).toBe(0);
      expect(r.faithfulness!.samples).toBe(2);
      // The same random map and mask per sample whatever the method.
      expect(r.faithfulness!.random).toBe(hires.faithfulness!.random);
      expect(r.faithfulness!.mask).toBe(hires.faithfulness!.mask);
      expect(r.sanity.stages.map((s) => s.stage)).toEqual(['original', 'head', 'block3', 'block2', 'block1']);
    }
    // The score reads the top-left patch only: HiResCAM, which keeps the head's spatial weights, ranks it first.
    expect(hires.faithfulness!.cam).toBeGreaterThan(hires.faithfulness!.random + 0.25 * hires.faithfulness!.score);
    expect(hires.sanity.verdict.passes).toBe(true);
    // Before the linear head, HiResCAM's map sums to the logit; Grad-CAM++'s channel weights do not.
    expect(hires.scoreGap).toBeLessThan(1e-4);
    expect(pp.scoreGap).toBeGreaterThan(0.1);
    expect(pp.sanity.verdict.passes).toBe(false);
    // The score reads the top-left quadrant only, so HiResCAM puts no mass along the bottom or right edge.
    expect(hires.edge!.bottomRight).toBeLessThan(0.01);
    expect(hires.edge!.topLeft).toBeGreaterThan(0.05);
    const baseline = baselineRatios(images, DEFAULT_FOCUS_SETTINGS, [{ h: 8, w: 8 }]) as number[];
    expect(hires.baselineRatio).toBeCloseTo((baseline[0] + baseline[1]) / 2, 12);
    // Sharing the baselines changes no number: the table's row is what a stored explanation gets.
    const x = tf.tensor4d(images, [2, 64, 64, 1]);
    const { cams } = await computeCams(D, x, { layers: ['block3'], method: 'gradcam++' });
    const alone = await camFaithfulness(D, images, cams, [{ h: 8, w: 8 }], { target: 'real', maskLevel: DEFAULT_FOCUS_SETTINGS.maskLevel, seed: 4, ids });
    expect(pp.faithfulness).toEqual(alone);
    x.dispose();
    D.dispose();
  });

  it('counts CAMs without evidence and does not flag them', async () => {
    // A head of zeros: every map is 0, so every CAM is "no evidence".
    const D = buildPlantedD(() => 0);
    const images = patchImage([{ y0: 8, y1: 24, x0: 8, x1: 24, v: 1 }]);
    const [row] = await camTable(D, images, { methods: ['gradcam'], layers: ['block3'], target: 'real', settings: DEFAULT_FOCUS_SETTINGS, seed: 1, ids: [0] });
    expect(row).toMatchObject({ noEvidence: 1, flagRate: 0, meanRatio: null, edge: null, faithfulness: null });
    await expect(camTable(D, images, { methods: ['gradcam'], target: 'real', settings: DEFAULT_FOCUS_SETTINGS, seed: 1, ids: [0, 1] })).rejects.toThrow('2 ids for 1 images');
    D.dispose();
  });
});
