import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { camFaithfulness, targetScorer } from '../../../src/main/engine/explain/faithfulness-d.js';
import { baselineMaps, imputeNoisyLinear, relevanceOrder, roadFaithfulness, roadImages, ROAD_FRACTIONS } from '../../../src/main/engine/explain/faithfulness.js';
import { computeCams } from '../../../src/main/engine/explain/methods.js';
import { createRng } from '../../../src/main/engine/rng.js';
import { buildPlantedD, patchImage } from './tiny-d.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const ramp = () => Float32Array.from({ length: 4096 }, (_, p) => ((p % 64) - 32) / 32 + (Math.floor(p / 64) - 32) / 64);
const block = (y0: number, y1: number, x0: number, x1: number) => {
  const m = new Uint8Array(4096);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[y * 64 + x] = 1;
  return m;
};

describe('noisy linear imputation (ROAD)', () => {
  it('fills a removed region of a linear image with the plane itself (the weighted neighbour mean is exact there)', () => {
    const image = ramp();
    const removed = block(20, 44, 16, 40);
    const out = new Float32Array(4096);
    imputeNoisyLinear(image, removed, createRng(1), 0, out);
    let worst = 0;
    for (let p = 0; p < 4096; p++) worst = Math.max(worst, Math.abs(out[p] - image[p]));
    expect(worst).toBeLessThan(1e-4);
  });

  it('keeps every kept pixel, adds noise of the asked size to the removed ones only, and refuses to remove everything', () => {
    const image = new Float32Array(4096).fill(-1);
    const removed = block(0, 64, 0, 32);
    const out = new Float32Array(4096);
    imputeNoisyLinear(image, removed, createRng(2), 0.02, out);
    let sq = 0;
    for (let p = 0; p < 4096; p++) {
      if (removed[p]) sq += (out[p] + 1) ** 2;
      else expect(out[p]).toBe(-1);
    }
    expect(Math.sqrt(sq / 2048)).toBeCloseTo(0.02, 2);
    expect(() => imputeNoisyLinear(image, new Uint8Array(4096).fill(1), createRng(3), 0, out)).toThrow('at least one kept pixel');
  });

  it('fills a removed stroke from its surroundings: the ink is gone, not copied', () => {
    const image = patchImage([{ y0: 10, y1: 54, x0: 30, x1: 34, v: 1 }], -1);
    const out = new Float32Array(4096);
    imputeNoisyLinear(image, block(10, 54, 30, 34), createRng(4), 0, out);
    expect(Math.max(...out)).toBeLessThan(-0.99);
  });
});

describe('relevance order', () => {
  it('sorts by the map, most relevant first, and breaks ties at random rather than by position', () => {
    const map = new Float32Array(4096);
    map[100] = 0.5;
    map[7] = 1;
    const order = relevanceOrder(map, createRng(5));
    expect([order[0], order[1]]).toEqual([7, 100]);
    const rest = Array.from(order.slice(2));
    expect(new Set(rest).size).toBe(4094);
    // Row-major ties would put the top rows first: the first 400 tied pixels would all lie in rows 0-6.
    expect(rest.slice(0, 400).filter((p) => p >= 32 * 64).length).toBeGreaterThan(150);
  });

  it('removes nested sets: MoRF takes the top of the order, LeRF the bottom, each fraction containing the last', () => {
    const image = ramp();
    const map = Float32Array.from({ length: 4096 }, (_, p) => p);
    const imgs = roadImages(image, relevanceOrder(map, createRng(6)), [0.25, 0.5], createRng(7), 0.02);
    // Image i: fraction i >> 1, MoRF (even) or LeRF (odd). With this map MoRF removes the highest indices.
    const removed = [(p: number) => p >= 3072, (p: number) => p < 1024, (p: number) => p >= 2048, (p: number) => p < 2048];
    removed.forEach((isRemoved, i) => {
      for (let p = 0; p < 4096; p++) expect(imgs[i * 4096 + p] !== image[p], `image ${i}, pixel ${p}`).toBe(isRemoved(p));
    });
  });
});

describe('ROAD faithfulness with its baselines', () => {
  // A linear score that reads only the top-left patch: the known answer.
  const reads = block(8, 24, 8, 24);
  const score = async (x: Float32Array, n: number) => {
    const out = new Float32Array(n);
    for (let k = 0; k < n; k++) for (let p = 0; p < 4096; p++) if (reads[p]) out[k] += x[k * 4096 + p] + 1;
    return out;
  };
  const image = patchImage([{ y0: 8, y1: 24, x0: 8, x1: 24, v: 1 }, { y0: 40, y1: 56, x0: 40, x1: 56, v: 1 }], -1);
  const rngFor = (k: number) => createRng(100 + k);

  it('scores a map of the evidence far above the random map, a map of the decoy below it, and counts only samples with evidence', async () => {
    const evidence = Float32Array.from(reads);
    const decoy = Float32Array.from(block(40, 56, 40, 56));
    const inverted = evidence.map((v) => 1 - v);
    const images = new Float32Array(2 * 4096);
    images.set(image, 0);
    images.set(image, 4096);
    const cams = new Float32Array(2 * 4096);
    cams.set(evidence, 0); // sample 1 has no evidence (an all-zero CAM)
    const base = baselineMaps(images, [{ h: 8, w: 8 }], 0.25, rngFor);
    const f = (await roadFaithfulness(images, { cam: cams, ...base }, score, rngFor))!;
    expect(f.samples).toBe(1);
    expect(f.fractions).toEqual(ROAD_FRACTIONS);
    expect(f.score).toBeCloseTo(512, 3);
    // The evidence is 256 pixels, 6% of the image: MoRF removes all of it at every fraction, LeRF none.
    expect(f.cam).toBeGreaterThan(200);
    expect(f.curves.cam.morf.every((v) => Math.abs(v) < 5)).toBe(true);
    expect(f.curves.cam.lerf.every((v) => Math.abs(v - 512) < 5)).toBe(true);
    expect(f.random).toBeLessThan(f.cam / 2);
    // The ink mask holds both patches: half the removed ink at the small fractions is the evidence.
    expect(f.mask).toBeGreaterThan(f.random);
    expect(f.mask).toBeLessThan(f.cam);
    const others = { random: base.random.subarray(0, 4096), mask: base.mask.subarray(0, 4096) };
    // A map of the decoy ranks the evidence among its ties: about as good as chance.
    const chance = (await roadFaithfulness(image, { cam: decoy, ...others }, score, rngFor))!;
    expect(Math.abs(chance.cam)).toBeLessThan(0.05 * f.cam);
    // A map that puts the evidence last is anti-faithful.
    const wrong = (await roadFaithfulness(image, { cam: inverted, ...others }, score, rngFor))!;
    expect(wrong.cam).toBeLessThan(-0.5 * f.cam);
    expect(await roadFaithfulness(image, { cam: new Float32Array(4096), random: decoy, mask: decoy }, score, rngFor)).toBeNull();
  });

  it('a planted-evidence D: its HiResCAM is faithful, well above the random CAM (real tfjs)', async () => {
    const D = buildPlantedD((y, x) => (y < 4 && x < 4 ? 1 : 0));
    const bg = patchImage([{ y0: 8, y1: 24, x0: 8, x1: 24, v: 1 }, { y0: 40, y1: 56, x0: 40, x1: 56, v: 1 }]);
    const x = tf.tensor4d(bg, [1, 64, 64, 1]);
    const { cams } = await computeCams(D, x, { method: 'hirescam' });
    const f = (await camFaithfulness(D, bg, cams, [{ h: 8, w: 8 }], { target: 'real', maskLevel: 0.25, seed: 3, ids: [0] }))!;
    const scorer = targetScorer(D, 'real');
    expect(f.score).toBeCloseTo((await scorer(bg, 1))[0], 4);
    // ROAD's best is score / 2: MoRF to 0, LeRF keeping the score.
    expect(f.cam).toBeGreaterThan(0.4 * f.score);
    expect(f.cam).toBeGreaterThan(f.random + 0.25 * f.score);
    // Target "fake" negates the score, so the same CAM is unfaithful to it.
    const fake = (await camFaithfulness(D, bg, cams, [{ h: 8, w: 8 }], { target: 'fake', maskLevel: 0.25, seed: 3, ids: [0] }))!;
    expect(fake.cam).toBeCloseTo(-f.cam, 4);
    x.dispose();
    D.dispose();
  });
});
