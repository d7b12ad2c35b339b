import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { activationsAndGradients } from '../../../src/main/engine/explain/activations.js';
import { digitMask } from '../../../src/main/engine/explain/focus.js';
import { computeCams, weightedMap } from '../../../src/main/engine/explain/methods.js';
import { cascadingRandomisation, jaccard, randomisationSteps, SANITY_MAX_SPEARMAN, spearman } from '../../../src/main/engine/explain/sanity.js';
import { CAM_METHODS, type CamMethod } from '../../../src/shared/explain.js';
import { DEFAULT_FOCUS_SETTINGS } from '../../../src/shared/focus-settings.js';
import { buildPlantedD, buildTinyD, patchImage, setBatchNormStats } from './tiny-d.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('similarity measures', () => {
  it('spearman: 1 for any increasing map, -1 reversed, average ranks for ties, null for a constant', () => {
    const a = [1, 2, 3, 4, 5];
    expect(spearman(a, [10, 20, 30, 40, 500])).toBeCloseTo(1, 12);
    expect(spearman(a, [5, 4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // Ranks of [1, 1, 2] are [1.5, 1.5, 3]; of [1, 2, 3] they are [1, 2, 3]: correlation sqrt(3)/2.
    expect(spearman([1, 1, 2], [1, 2, 3])).toBeCloseTo(Math.sqrt(3) / 2, 12);
    expect(spearman([0, 0, 0], [1, 2, 3])).toBeNull();
    expect(() => spearman([1], [1, 2])).toThrow('differ');
  });

  it('jaccard: shared flags over all flags, null when nothing is flagged', () => {
    expect(jaccard([true, true, false, false], [true, false, true, false])).toBeCloseTo(1 / 3, 12);
    expect(jaccard([false, false], [false, false])).toBeNull();
  });
});

describe('cascading randomisation (Adebayo et al.)', () => {
  const images = () => {
    const data = new Float32Array(3 * 4096);
    data.set(patchImage([{ y0: 8, y1: 24, x0: 8, x1: 24, v: 1 }, { y0: 40, y1: 56, x0: 40, x1: 56, v: 1 }]), 0);
    data.set(patchImage([{ y0: 4, y1: 28, x0: 10, x1: 16, v: 1 }, { y0: 30, y1: 60, x0: 36, x1: 40, v: -1 }]), 4096);
    data.set(patchImage([{ y0: 12, y1: 20, x0: 2, x1: 30, v: 1 }, { y0: 44, y1: 50, x0: 20, x1: 60, v: 1 }]), 2 * 4096);
    return data;
  };
  const camsFor = (method: CamMethod, x: tf.Tensor4D) => async (D: tf.LayersModel) => (await computeCams(D, x, { method })).cams;

  it('re-initialises head first, then each block down, grouping a block\'s convolution and BatchNorm', async () => {
    const D = buildTinyD({ channels: 2, blocks: 4 });
    expect(randomisationSteps(D).map((s) => [s.name, s.layers.map((l) => l.name)])).toEqual([
      ['head', ['head']],
      ['block4', ['block4_bn', 'block4_conv']],
      ['block3', ['block3_bn', 'block3_conv']],
      ['block2', ['block2_bn', 'block2_conv']],
      ['block1', ['block1_conv']],
    ]);
    D.dispose();
  });

  it('a planted-evidence D: the CAMs change once the head is random, except Grad-CAM++\'s; D is restored afterwards', async () => {
    // (With random blocks below, this 2-channel D's maps drift back towards the patches' layout, as
    // randomly initialised networks do; the verdict reads the step that randomises D's decision only.)
    const D = buildPlantedD((y, x) => (y < 4 && x < 4 ? 1 : 0));
    const data = images();
    const x = tf.tensor4d(data, [3, 64, 64, 1]);
    const before = (D.predict(x) as tf.Tensor).dataSync().slice();
    for (const method of CAM_METHODS) {
      const { stages, verdict } = await cascadingRandomisation(D, data, camsFor(method, x), DEFAULT_FOCUS_SETTINGS, ['block3'], 11);
      expect(stages.map((s) => s.stage)).toEqual(['original', 'head', 'block3', 'block2', 'block1']);
      expect(stages[0].spearman, method).toBeCloseTo(1, 12);
      expect(stages[0].jaccard === null || stages[0].jaccard === 1).toBe(true);
      expect(stages[1].randomised).toEqual(['head']);
      expect(stages[4].randomised).toEqual(['head', 'block3', 'block2', 'block1']);
      expect(verdict.stage).toBe('head');
      // Grad-CAM++'s channel weights, sum ReLU(g) * alpha with alpha > 0, are never negative: with any head
      // its map is a positive mix of the (still trained) activations, so it keeps their layout.
      expect(verdict.passes, method).toBe(method !== 'gradcam++');
      if (method === 'gradcam++') expect(verdict.spearman!).toBeGreaterThan(0.7);
      else expect(verdict.spearman!, method).toBeLessThan(SANITY_MAX_SPEARMAN);
    }
    expect(Array.from((D.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from(before));
    x.dispose();
    D.dispose();
  });

  it('a map that ignores the weights (the ink mask) fails: it is identical at every step', async () => {
    const D = buildPlantedD(() => 1);
    const data = images();
    const ink = async () => {
      const out = new Float32Array(data.length);
      for (let k = 0; k < 3; k++) out.set(digitMask(data.subarray(k * 4096, (k + 1) * 4096), 0.75, 0), k * 4096);
      return out;
    };
    const { stages, verdict } = await cascadingRandomisation(D, data, ink, DEFAULT_FOCUS_SETTINGS, ['block3'], 11);
    for (const s of stages) {
      expect(s.spearman).toBeCloseTo(1, 12);
      expect(s.compared).toBe(3);
    }
    expect(verdict).toMatchObject({ passes: false, stage: 'head' });
    D.dispose();
  });

  it('restores D\'s weights even when a step fails', async () => {
    const D = buildPlantedD(() => 1);
    const data = images();
    const x = tf.tensor4d(data, [3, 64, 64, 1]);
    const before = (D.predict(x) as tf.Tensor).dataSync().slice();
    let calls = 0;
    const failing = async (d: tf.LayersModel) => {
      if (++calls === 3) throw new Error('out of memory');
      return camsFor('gradcam', x)(d);
    };
    await expect(cascadingRandomisation(D, data, failing, DEFAULT_FOCUS_SETTINGS, ['block3'], 11)).rejects.toThrow('out of memory');
    expect(Array.from((D.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from(before));
    x.dispose();
    D.dispose();
  });
});

describe('the paper D\'s head is one linear convolution over block3', () => {
  it('HiResCAM\'s map at block3 sums exactly to the logit (sum of head weight x activation); Grad-CAM\'s does not', () => {
    const D = buildTinyD({ channels: 4, blocks: 3, seed: 21 });
    setBatchNormStats(D);
    const data = new Float32Array(4 * 4096);
    for (let k = 0; k < 4; k++) data.set(patchImage([{ y0: 4 + 8 * k, y1: 20 + 8 * k, x0: 10 + 5 * k, x1: 30 + 5 * k, v: 1 }], -1), k * 4096);
    const x = tf.tensor4d(data, [4, 64, 64, 1]);
    const { logits, perLayer } = activationsAndGradients(D, x, ['block3']);
    const [{ activations: A, gradients: dA }] = perLayer;
    const head = D.getLayer('head').getWeights()[0]; // [8, 8, C, 1]
    // The gradient at block3 is the head's kernel itself, the same for every image.
    expect(Array.from(tf.squeeze(dA, [0]).dataSync())).toEqual(Array.from(tf.squeeze(head, [3]).dataSync()));
    const sums = (method: CamMethod) => Array.from(tf.sum(weightedMap(method, A, dA), [1, 2]).dataSync());
    const z = Array.from(logits.dataSync());
    sums('hirescam').forEach((s, k) => expect(s).toBeCloseTo(z[k], 4));
    // Grad-CAM's map sums to sum_k mean_ij(W_k) * sum_ij(A_k): the head's spatial weights averaged away.
    const averaged = tf.tidy(() => Array.from(tf.sum(tf.mul(tf.mean(tf.squeeze(head, [3]), [0, 1]), tf.sum(A, [1, 2])), 1).dataSync()));
    const grad = sums('gradcam');
    grad.forEach((s, k) => expect(s).toBeCloseTo(averaged[k], 4));
    expect(Math.max(...grad.map((s, k) => Math.abs(s - z[k])))).toBeGreaterThan(0.1 * Math.max(...z.map(Math.abs)));
    tf.dispose([logits, A, dA]);
    x.dispose();
    D.dispose();
  });
});

describe('the verdict step', () => {
  it('is the last step above the target layer: block3 for dcgan5 at block2, the head at the deepest block', async () => {
    const D = buildTinyD({ channels: 2, blocks: 4 });
    setBatchNormStats(D);
    const data = new Float32Array(2 * 4096);
    data.set(patchImage([{ y0: 8, y1: 24, x0: 8, x1: 24, v: 1 }], -1), 0);
    data.set(patchImage([{ y0: 30, y1: 50, x0: 20, x1: 28, v: 1 }], -1), 4096);
    const x = tf.tensor4d(data, [2, 64, 64, 1]);
    const at = async (layer: string) =>
      (await cascadingRandomisation(D, data, async (d) => (await computeCams(d, x, { layers: [layer], method: 'hirescam' })).cams, DEFAULT_FOCUS_SETTINGS, [layer], 5))
        .verdict.stage;
    expect(await at('block2')).toBe('block3');
    expect(await at('block4')).toBe('head');
    x.dispose();
    D.dispose();
  });
});
