import * as tf from '@tensorflow/tfjs';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/main/engine/backend/choose.js';
import { buildDiscriminator } from '../../../src/main/engine/model/discriminator.js';
import { buildGenerator } from '../../../src/main/engine/model/generator.js';
import { loadModel, loadOptimizers, verifyCheckpointKind, writeCheckpoint } from '../../../src/main/engine/train/checkpoint.js';
import { trainStep } from '../../../src/main/engine/train/step.js';
import { tempHome } from '../../helpers/cli.js';

beforeAll(async () => {
  await initBackend('wasm');
});

function batch(seed: number): { real: tf.Tensor4D; z: tf.Tensor4D } {
  return {
    real: tf.randomUniform([8, 64, 64, 1], -1, 1, 'float32', seed) as tf.Tensor4D,
    z: tf.randomNormal([8, 1, 1, 16], 0, 1, 'float32', seed + 1) as tf.Tensor4D,
  };
}

describe('checkpoints', () => {
  it('round-trip G and D exactly and Adam closely: training continues as if never stopped', async () => {
    const config = { nz: 16, ngf: 4, ndf: 4, seed: 5 };
    const make = () => ({
      generator: buildGenerator({ nz: config.nz, ngf: config.ngf, seed: config.seed }),
      discriminator: buildDiscriminator({ arch: 'paper', ndf: config.ndf, seed: config.seed }),
    });
    const models = make();
    const opt = { d: tf.train.adam(2e-4, 0.5, 0.999), g: tf.train.adam(2e-4, 0.5, 0.999) };
    for (let i = 0; i < 2; i++) {
      const b = batch(i);
      await trainStep(models, opt, b.real, b.z);
    }
    const dir = path.join(tempHome(), 'epoch-001');
    const files = await writeCheckpoint(dir, models, { d: opt.d, g: opt.g });
    expect(files.map((f) => f.kind)).toEqual(['generator', 'discriminator', 'optimizer']);

    const probe = batch(99).real;
    const expected = (models.discriminator.predict(probe) as tf.Tensor).dataSync();
    const loaded = {
      generator: await loadModel(path.join(dir, 'generator', 'model.json')),
      discriminator: await loadModel(path.join(dir, 'discriminator', 'model.json')),
    };
    expect(Array.from((loaded.discriminator.predict(probe) as tf.Tensor).dataSync())).toEqual(Array.from(expected));

    const opt2 = { d: tf.train.adam(2e-4, 0.5, 0.999), g: tf.train.adam(2e-4, 0.5, 0.999) };
    await loadOptimizers(path.join(dir, 'optimizer.json'), opt2);
    const next = batch(7);
    const a = await trainStep(models, opt, next.real, next.z);
    const b = await trainStep(loaded, opt2, next.real, next.z);
    // tfjs' Adam rebuilds beta1^t and beta2^t with pow() on restore where it
    // had multiplied them step by step, so the next update agrees to rounding.
    for (const k of ['lossD', 'lossG', 'dx', 'dgz'] as const) expect(b[k]).toBeCloseTo(a[k], 5);
    const after = (models.discriminator.predict(probe) as tf.Tensor).dataSync();
    const afterLoaded = (loaded.discriminator.predict(probe) as tf.Tensor).dataSync();
    afterLoaded.forEach((v, i) => expect(v).toBeCloseTo(after[i], 4));
  });

  it('writes the standard layers format that tfjs loads as is', async () => {
    const d = buildDiscriminator({ arch: 'dcgan5', ndf: 4, seed: 1 });
    const g = buildGenerator({ nz: 8, ngf: 4, seed: 1 });
    const dir = path.join(tempHome(), 'ck');
    await writeCheckpoint(dir, { generator: g, discriminator: d }, {});
    const json = JSON.parse(readFileSync(path.join(dir, 'discriminator', 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(json.modelTopology.config.layers.map((l: { name: string }) => l.name)).toContain('block4');
  });

  it('detects a damaged weights file by its hash', async () => {
    const d = buildDiscriminator({ arch: 'paper', ndf: 4, seed: 1 });
    const g = buildGenerator({ nz: 8, ngf: 4, seed: 1 });
    const dir = path.join(tempHome(), 'ck');
    const files = await writeCheckpoint(dir, { generator: g, discriminator: d }, {});
    const sha = files.find((f) => f.kind === 'discriminator')!.sha256;
    expect(() => verifyCheckpointKind(dir, 'discriminator', sha)).not.toThrow();
    const w = path.join(dir, 'discriminator', 'weights.bin');
    const bytes = readFileSync(w);
    bytes[10] ^= 0xff;
    writeFileSync(w, bytes);
    expect(() => verifyCheckpointKind(dir, 'discriminator', sha)).toThrow(/checksum mismatch/);
  });
});
