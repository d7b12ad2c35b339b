import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CAM_METHODS, type CamMethod } from '../../../src/shared/explain.js';
import { camImages, layerCam, minMaxScale } from '../../../src/main/engine/explain/cam-image.js';
import { computeCams, weightedMap } from '../../../src/main/engine/explain/methods.js';
import { mapCases, referenceCams } from './cam-reference.js';
import { argmax, buildPlantedD, buildTinyD, massIn, patchImage } from './tiny-d.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function batchOf(...images: Float32Array[]): tf.Tensor4D {
  const data = new Float32Array(images.length * 4096);
  images.forEach((img, i) => data.set(img, i * 4096));
  return tf.tensor4d(data, [images.length, 64, 64, 1]);
}

const bright = { y0: 8, y1: 24, x0: 8, x1: 24, v: 1 };

describe('computeCams: planted evidence', () => {
  it('every method puts the CAM on the patch the score reads, not on the decoy', async () => {
    // Score = sum of the bright-detector channel everywhere; the dark patch
    // bottom-right only feeds the channel the head ignores.
    const D = buildPlantedD(() => 1);
    const x = batchOf(patchImage([bright, { y0: 40, y1: 56, x0: 40, x1: 56, v: -1 }]));
    for (const method of CAM_METHODS) {
      const { cams } = await computeCams(D, x, { method });
      const peak = argmax(cams);
      expect([Math.floor(peak / 64) < 32, peak % 64 < 32], method).toEqual([true, true]);
      expect(massIn(cams, 0, 32, 0, 32), method).toBeGreaterThan(0.95);
      expect(Math.max(...cams), method).toBeCloseTo(1, 6);
    }
    x.dispose();
    D.dispose();
  });

  it('target "fake" explains the negated logit: Grad-CAM moves to what lowers the real score', async () => {
    const D = buildPlantedD(() => 1);
    const x = batchOf(patchImage([bright, { y0: 40, y1: 56, x0: 40, x1: 56, v: -1 }]));
    const real = await computeCams(D, x, { method: 'gradcam', target: 'real' });
    const fake = await computeCams(D, x, { method: 'gradcam', target: 'fake' });
    expect(Array.from(fake.scores)).toEqual(Array.from(real.scores));
    expect(massIn(fake.cams, 32, 64, 32, 64)).toBeGreaterThan(0.95);
    x.dispose();
    D.dispose();
  });

  it('with a head that reads only the top-left quadrant, element-wise methods localise where channel weights cannot', async () => {
    // Two identical bright patches; only the top-left one reaches the score.
    const D = buildPlantedD((y, x) => (y < 4 && x < 4 ? 1 : 0));
    const x = batchOf(patchImage([bright, { y0: 40, y1: 56, x0: 40, x1: 56, v: 1 }]));
    const decoyShare = async (method: CamMethod) => massIn((await computeCams(D, x, { method })).cams, 32, 64, 32, 64);
    expect(await decoyShare('hirescam')).toBeLessThan(0.001);
    expect(await decoyShare('layercam')).toBeLessThan(0.001);
    // Grad-CAM averages the gradient over space, so both patches get the same weight.
    expect(await decoyShare('gradcam')).toBeGreaterThan(0.3);
    expect(await decoyShare('gradcam++')).toBeGreaterThan(0.3);
    x.dispose();
    D.dispose();
  });
});

describe('weightedMap: the per-method formulas', () => {
  // A plain-JS restatement of each formula on [N, h, w, C].
  function reference(method: CamMethod, A: Float32Array, G: Float32Array, n: number, hw: number, c: number): number[] {
    const at = (i: number, p: number, k: number) => (i * hw + p) * c + k;
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const w: number[] = [];
      for (let k = 0; k < c; k++) {
        let mean = 0;
        let sumA = 0;
        for (let p = 0; p < hw; p++) {
          mean += G[at(i, p, k)] / hw;
          // Grad-CAM++'s sum over the map's positive part (the formula assumes A >= 0).
          sumA += Math.max(A[at(i, p, k)], 0);
        }
        let pp = 0;
        for (let p = 0; p < hw; p++) {
          const g = G[at(i, p, k)];
          const alpha = (g * g) / (2 * g * g + sumA * g * g * g + 1e-6);
          pp += Math.max(g, 0) * alpha;
        }
        w.push(method === 'gradcam' ? mean : pp);
      }
      for (let p = 0; p < hw; p++) {
        let v = 0;
        for (let k = 0; k < c; k++) {
          const a = A[at(i, p, k)];
          const g = G[at(i, p, k)];
          if (method === 'gradcam' || method === 'gradcam++') v += w[k] * a;
          else if (method === 'hirescam') v += a * g;
          else v += Math.max(g, 0) * a;
        }
        out.push(v);
      }
    }
    return out;
  }

  it.each(CAM_METHODS)('%s matches the formula', (method) => {
    const [n, h, w, c] = [2, 3, 4, 5];
    const A = tf.randomUniform([n, h, w, c], -0.5, 2, 'float32', 11) as tf.Tensor4D;
    const G = tf.randomUniform([n, h, w, c], -1, 1, 'float32', 12) as tf.Tensor4D;
    const map = weightedMap(method, A, G);
    expect(map.shape).toEqual([n, h, w]);
    const want = reference(method, A.dataSync() as Float32Array, G.dataSync() as Float32Array, n, h * w, c);
    const got = Array.from(map.dataSync());
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 4));
    tf.dispose([A, G, map]);
  });

  it.each(CAM_METHODS)('%s with one gradient for the batch ([1, h, w, C]) equals it given to every image', (method) => {
    const [n, h, w, c] = [3, 3, 4, 5];
    const A = tf.randomUniform([n, h, w, c], -0.5, 2, 'float32', 13) as tf.Tensor4D;
    const G1 = tf.randomUniform([1, h, w, c], -1, 1, 'float32', 14) as tf.Tensor4D;
    const G = tf.tile(G1, [n, 1, 1, 1]) as tf.Tensor4D;
    const [one, each] = [weightedMap(method, A, G1), weightedMap(method, A, G)];
    expect(one.shape).toEqual([n, h, w]);
    const want = each.dataSync();
    one.dataSync().forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
    tf.dispose([A, G1, G, one, each]);
  });
});

describe('cam-image: ReLU, resize and scaling on the host', () => {
  function jsCams(maps: tf.Tensor3D): Float32Array {
    const [n, h, w] = maps.shape;
    const out = new Float32Array(n * 4096);
    const data = maps.dataSync() as Float32Array;
    for (let k = 0; k < n; k++) layerCam(data, h, w, k, out.subarray(k * 4096, (k + 1) * 4096));
    return out;
  }

  it('computes what resizeBilinear (half-pixel centres) of the ReLU and min-max scaling compute', () => {
    for (const { name, maps } of mapCases()) {
      const want = referenceCams(maps);
      const got = jsCams(maps);
      expect(got.reduce((e, v, i) => Math.max(e, Math.abs(v - want[i])), 0), name).toBeLessThan(1e-6);
      expect(Math.min(...got), name).toBeGreaterThanOrEqual(0);
      expect(Math.max(...got), name).toBeLessThanOrEqual(1);
      maps.dispose();
    }
  });

  it('scales each image on its own; all-zero stays zero; flat positive becomes ones', () => {
    const cams = [[0, 2, 4, 1], [0, 0, 0, 0], [3, 3, 3, 3], [1, 2, 3, 5]].map((c) => Float32Array.from(c));
    for (const c of cams) minMaxScale(c);
    expect(cams.flatMap((c) => Array.from(c))).toEqual([0, 0.5, 1, 0.25, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0.25, 0.5, 1]);
    const negative = tf.fill([1, 4, 4], -1) as tf.Tensor3D;
    expect(Math.max(...jsCams(negative))).toBe(0);
    negative.dispose();
  });

  it('resizes one hot 8x8 cell to a peak over the matching 8x8 block of the 64x64 CAM', () => {
    const a = new Float32Array(64);
    a[2 * 8 + 5] = 1;
    const map = tf.tensor3d(a, [1, 8, 8]);
    const data = jsCams(map);
    const peak = argmax(data);
    expect([Math.floor(Math.floor(peak / 64) / 8), Math.floor((peak % 64) / 8)]).toEqual([2, 5]);
    // Half-pixel centres: the block's centre pixels (19.5, 43.5) are at the peak.
    expect(data[19 * 64 + 43]).toBeCloseTo(data[20 * 64 + 44], 6);
    expect(data[19 * 64 + 43]).toBeCloseTo(1, 1);
    map.dispose();
  });

  it('averages several layers, each scaled, and scales the mean again', () => {
    const small = tf.randomUniform([3, 4, 4], -1, 1, 'float32', 11) as tf.Tensor3D;
    const large = tf.randomUniform([3, 8, 8], -1, 1, 'float32', 12) as tf.Tensor3D;
    const a = referenceCams(small);
    const b = referenceCams(large);
    const both = new Float32Array(3 * 4096);
    camImages(
      [
        { data: small.dataSync() as Float32Array, h: 4, w: 4 },
        { data: large.dataSync() as Float32Array, h: 8, w: 8 },
      ],
      3,
      both,
    );
    for (let k = 0; k < 3; k++) {
      const mean = Array.from({ length: 4096 }, (_, i) => (a[k * 4096 + i] + b[k * 4096 + i]) / 2);
      const [mn, mx] = [Math.min(...mean), Math.max(...mean)];
      const err = mean.reduce((e, v, i) => Math.max(e, Math.abs(both[k * 4096 + i] - (v - mn) / (mx - mn))), 0);
      expect(err).toBeLessThan(1e-5);
    }
    tf.dispose([small, large]);
  });
});

describe('computeCams: layers, batches, scores, leaks', () => {
  it('returns D logits as scores, the same CAMs in any batch size, and no leaked tensors', async () => {
    const D = buildTinyD({ channels: 3, blocks: 3 });
    const x = tf.randomUniform([5, 64, 64, 1], -1, 1, 'float32', 5) as tf.Tensor4D;
    const ref = D.predict(x) as tf.Tensor;
    const logits = Array.from(ref.dataSync());
    ref.dispose();
    await computeCams(D, x, { method: 'gradcam++' }); // warm the split cache
    const before = tf.memory().numTensors;
    const whole = await computeCams(D, x, { method: 'layercam' });
    const parts = await computeCams(D, x, { method: 'layercam', batchSize: 2 });
    const multi = await computeCams(D, x, { layers: ['block1', 'block2', 'block3'], method: 'hirescam', batchSize: 3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(whole.layers).toEqual(['block3']);
    expect(whole.cams.length).toBe(5 * 4096);
    Array.from(whole.scores).forEach((s, i) => expect(s).toBeCloseTo(logits[i], 5));
    whole.cams.forEach((v, i) => expect(Math.abs(v - parts.cams[i])).toBeLessThan(1e-5));
    expect(multi.layers).toEqual(['block1', 'block2', 'block3']);
    for (let i = 0; i < 5; i++) {
      const one = multi.cams.subarray(i * 4096, (i + 1) * 4096);
      expect(Math.min(...one)).toBe(0);
      expect(Math.max(...one)).toBeCloseTo(1, 5);
    }
    x.dispose();
    D.dispose();
  });

  it('averages several layers: the mean of the single-layer CAMs, re-scaled', async () => {
    const D = buildTinyD({ channels: 3, blocks: 3 });
    const x = tf.randomUniform([1, 64, 64, 1], -1, 1, 'float32', 6) as tf.Tensor4D;
    const a = (await computeCams(D, x, { layers: ['block2'] })).cams;
    const b = (await computeCams(D, x, { layers: ['block3'] })).cams;
    const both = (await computeCams(D, x, { layers: ['block2', 'block3'] })).cams;
    const mean = a.map((v, i) => (v + b[i]) / 2);
    const [mn, mx] = [Math.min(...mean), Math.max(...mean)];
    both.forEach((v, i) => expect(Math.abs(v - (mean[i] - mn) / (mx - mn))).toBeLessThan(1e-5));
    x.dispose();
    D.dispose();
  });

  it('refuses a bad method, batch size or image shape with a clear message', async () => {
    const D = buildTinyD({ channels: 2, blocks: 3 });
    const x = tf.zeros([1, 64, 64, 1]) as tf.Tensor4D;
    const small = tf.zeros([1, 28, 28, 1]) as tf.Tensor4D;
    await expect(computeCams(D, x, { method: 'scorecam' as CamMethod })).rejects.toThrow(/unknown CAM method "scorecam"; use one of gradcam, gradcam\+\+, hirescam, layercam/);
    await expect(computeCams(D, x, { batchSize: 0 })).rejects.toThrow(/batchSize must be a whole number >= 1/);
    await expect(computeCams(D, small)).rejects.toThrow(/images have shape \[1,28,28,1\]; D takes \[N >= 1, 64, 64, 1\]/);
    tf.dispose([x, small]);
    D.dispose();
  });
});

describe('Grad-CAM++ on LeakyReLU maps: the bottom/right band of issue 13', () => {
  // Two channels of an 8x8 block. Channel 0 carries the evidence (on a 4x4 patch, gradient 0.5).
  // Channel 1 is what a DCGAN D learns for its zero padding: bright only along the bottom row and
  // right column, negative (LeakyReLU) elsewhere, so its map sums to -39, and the score barely
  // depends on it (gradient 0.05). With alpha's sum over A itself, as pytorch-grad-cam has it,
  // 2g^2 + sum(A) g^3 nearly vanishes there: alpha 20 instead of <= 1/2, a weight 20x the evidence's,
  // and the CAM becomes a band along the bottom and right edges (86% of a tiny run's images flagged).
  it('keeps the evidence brightest: the weakly read padding channel cannot outweigh it', () => {
    const [h, w] = [8, 8];
    const A = new Float32Array(h * w * 2);
    const G = new Float32Array(h * w * 2);
    const frame = (y: number, x: number) => y === h - 1 || x === w - 1;
    const inside = h * w - (h + w - 1);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = (y * w + x) * 2;
        A[p] = y >= 2 && y < 6 && x >= 2 && x < 6 ? 1 : 0;
        A[p + 1] = frame(y, x) ? 1 : -(39 + (h + w - 1)) / inside;
        G[p] = 0.5;
        G[p + 1] = 0.05;
      }
    }
    const sumA1 = Array.from({ length: h * w }, (_, i) => A[2 * i + 1]).reduce((a, b) => a + b, 0);
    expect(sumA1).toBeCloseTo(-39, 4);
    const map = tf.tidy(() => weightedMap('gradcam++', tf.tensor4d(A, [1, h, w, 2]), tf.tensor4d(G, [1, h, w, 2])).dataSync() as Float32Array);
    const cam = new Float32Array(4096);
    camImages([{ data: map, h, w }], 1, cam);
    // The evidence covers pixels 16..47 of each axis, the band the last cell (56..63). With alpha over
    // sum(A) the padding channel's weight is 64 against the evidence's 3.2: the evidence cells go
    // negative, and all of the CAM is the band.
    const evidence = massIn(cam, 16, 48, 16, 48);
    const band = massIn(cam, 56, 64, 0, 64) + massIn(cam, 0, 56, 56, 64);
    expect(evidence).toBeGreaterThan(band);
    expect(band).toBeLessThan(0.5);
    const peak = argmax(cam);
    expect([Math.floor(peak / 64), peak % 64].every((v) => v >= 16 && v < 48)).toBe(true);
  });
});
