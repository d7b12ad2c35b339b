import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { blockNames, buildDiscriminator } from '../../../src/main/engine/model/discriminator.js';
import { buildGenerator } from '../../../src/main/engine/model/generator.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function shapes(model: tf.LayersModel): Record<string, number[]> {
  return Object.fromEntries(model.layers.map((l) => [l.name, (l.outputShape as number[]).slice(1)]));
}

function kinds(model: tf.LayersModel): string[] {
  return model.layers.filter((l) => l.getClassName() !== 'InputLayer').map((l) => l.getClassName());
}

describe('discriminator, as the paper lists it', () => {
  it('paper: Conv, LReLU, Conv, BN, LReLU, Conv, BN, LReLU, Conv -> one logit from the 8x8 map', () => {
    const d = buildDiscriminator({ arch: 'paper', ndf: 8, seed: 1 });
    expect(kinds(d)).toEqual([
      'Conv2D', 'LeakyReLU', 'Conv2D', 'BatchNormalization', 'LeakyReLU', 'Conv2D', 'BatchNormalization', 'LeakyReLU', 'Conv2D', 'Flatten',
    ]);
    expect(shapes(d)).toEqual({
      image: [64, 64, 1],
      block1_conv: [32, 32, 8],
      block1: [32, 32, 8],
      block2_conv: [16, 16, 16],
      block2_bn: [16, 16, 16],
      block2: [16, 16, 16],
      block3_conv: [8, 8, 32],
      block3_bn: [8, 8, 32],
      block3: [8, 8, 32],
      head: [1, 1, 1],
      logit: [1],
    });
    const head = d.getLayer('head').getWeights()[0];
    expect(head.shape).toEqual([8, 8, 32, 1]);
    expect(blockNames(d)).toEqual(['block1', 'block2', 'block3']);
  });

  it("dcgan5: PyTorch's five convolutions, 4x4 before the head", () => {
    const d = buildDiscriminator({ arch: 'dcgan5', ndf: 8, seed: 1 });
    const s = shapes(d);
    expect(s.block4).toEqual([4, 4, 64]);
    expect(s.head).toEqual([1, 1, 1]);
    expect(d.getLayer('head').getWeights()[0].shape).toEqual([4, 4, 64, 1]);
    expect(blockNames(d)).toEqual(['block1', 'block2', 'block3', 'block4']);
  });

  it('has no biases and k4 s2 convolutions in every block', () => {
    const d = buildDiscriminator({ arch: 'dcgan5', ndf: 4, seed: 1 });
    for (const l of d.layers.filter((l) => l.name.endsWith('_conv'))) {
      const c = l.getConfig() as { kernelSize: number[]; strides: number[]; useBias: boolean };
      expect(c.kernelSize).toEqual([4, 4]);
      expect(c.strides).toEqual([2, 2]);
      expect(c.useBias).toBe(false);
    }
  });
});

describe('generator, as the paper lists it', () => {
  it('4 x (ConvT, BN, ReLU), then ConvT, Tanh: 1 -> 4 -> 8 -> 16 -> 32 -> 64', () => {
    const g = buildGenerator({ nz: 100, ngf: 8, seed: 1 });
    expect(kinds(g)).toEqual([
      ...Array(4).fill(['Conv2DTranspose', 'BatchNormalization', 'ReLU']).flat(),
      'Conv2DTranspose',
      'Activation',
    ]);
    const s = shapes(g);
    expect(s.z).toEqual([1, 1, 100]);
    expect(s.g_block1).toEqual([4, 4, 64]);
    expect(s.g_block2).toEqual([8, 8, 32]);
    expect(s.g_block3).toEqual([16, 16, 16]);
    expect(s.g_block4).toEqual([32, 32, 8]);
    expect(s.g_out).toEqual([64, 64, 1]);
  });

  it('outputs images in [-1, 1]', () => {
    const g = buildGenerator({ nz: 100, ngf: 4, seed: 1 });
    const img = g.predict(tf.randomNormal([2, 1, 1, 100])) as tf.Tensor;
    const [min, max] = [img.min().dataSync()[0], img.max().dataSync()[0]];
    expect(min).toBeGreaterThanOrEqual(-1);
    expect(max).toBeLessThanOrEqual(1);
  });
});

describe('DCGAN initialisation', () => {
  it('conv weights ~ N(0, 0.02), BatchNorm gamma ~ N(1, 0.02), beta 0', () => {
    const d = buildDiscriminator({ arch: 'dcgan5', ndf: 32, seed: 7 });
    const w = d.getLayer('block3_conv').getWeights()[0];
    const { mean, variance } = tf.moments(w);
    expect(Math.abs(mean.dataSync()[0])).toBeLessThan(0.002);
    expect(Math.sqrt(variance.dataSync()[0])).toBeCloseTo(0.02, 2);
    const [gamma, beta] = d.getLayer('block3_bn').getWeights();
    expect(tf.mean(gamma).dataSync()[0]).toBeCloseTo(1, 2);
    expect(Math.sqrt(tf.moments(gamma).variance.dataSync()[0])).toBeGreaterThan(0.005);
    expect(Array.from(beta.dataSync()).every((v) => v === 0)).toBe(true);
  });

  it('the same seed builds the same weights; another seed does not', () => {
    const a = buildDiscriminator({ arch: 'paper', ndf: 4, seed: 3 }).getLayer('block2_conv').getWeights()[0].dataSync();
    const b = buildDiscriminator({ arch: 'paper', ndf: 4, seed: 3 }).getLayer('block2_conv').getWeights()[0].dataSync();
    const c = buildDiscriminator({ arch: 'paper', ndf: 4, seed: 4 }).getLayer('block2_conv').getWeights()[0].dataSync();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });
});

describe('Grad-CAM default layer', () => {
  it("the shared default (used before D is loaded) is the engine's, also for a D loaded from its checkpoint: the measured layer", async () => {
    const { defaultCamLayer } = await import('../../../src/shared/config.js');
    const { defaultTargetLayer } = await import('../../../src/main/engine/explain/activations.js');
    expect([defaultCamLayer('paper'), defaultCamLayer('dcgan5')]).toEqual(['block1', 'block2']);
    for (const arch of ['paper', 'dcgan5'] as const) {
      const d = buildDiscriminator({ arch, ndf: 4, seed: 1 });
      const loaded = await tf.models.modelFromJSON({ modelTopology: d.toJSON(null, false) as tf.io.ModelJSON['modelTopology'] } as tf.io.ModelJSON);
      expect(defaultTargetLayer(d)).toBe(defaultCamLayer(arch));
      expect(defaultTargetLayer(loaded)).toBe(defaultCamLayer(arch));
      d.dispose();
      loaded.dispose();
    }
  });
});
