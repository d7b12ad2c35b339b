import { describe, expect, it } from 'vitest';
import { presetConfig } from '../../../src/shared/config.js';
import { configKeyWithoutSeed, groupBySeed, spreadByEpoch, spreadOf } from '../../../src/shared/seed-groups.js';

const base = presetConfig('quick');

describe('grouping runs by config without seed', () => {
  it('puts runs that differ only by seed together, in order, and keeps other differences apart', () => {
    const runs = [
      { id: 1, config: { ...base, seed: 1 } },
      { id: 2, config: { ...base, seed: 2, lr: 1e-4 } },
      { id: 3, config: { ...base, seed: 3 } },
      { id: 4, config: { ...base, seed: 4, lr: 1e-4 } },
      { id: 5, config: { ...base, seed: 5, excluded: ['mnist-train:3'] } },
      // A seed study varies the training seed only.
      { id: 6, config: { ...base, seed: 1, trainingSeed: 7 } },
    ];
    const groups = groupBySeed(runs);
    expect(groups.map((g) => g.members.map((m) => m.id))).toEqual([[1, 3, 6], [2, 4], [5]]);
    expect(groups[0].seeds).toEqual([base.trainingSeed, base.trainingSeed, 7]);
  });
  it('does not depend on the order of the config keys', () => {
    const reordered = Object.fromEntries(Object.entries({ ...base, seed: 9 }).reverse()) as typeof base;
    expect(configKeyWithoutSeed(reordered)).toBe(configKeyWithoutSeed(base));
    expect(configKeyWithoutSeed({ ...base, dataset: { kind: 'idx', images: 'a' } })).not.toBe(configKeyWithoutSeed(base));
  });
});

describe('spread over seeds', () => {
  it('gives mean, sample sd and range, ignoring missing values', () => {
    const s = spreadOf([2, 4, 4, 4, 5, 5, 7, 9, null, Number.NaN]);
    expect(s).toMatchObject({ n: 8, mean: 5, min: 2, max: 9 });
    // Sum of squared deviations 32 over n - 1 = 7.
    expect(s!.sd).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(spreadOf([3])).toEqual({ n: 1, mean: 3, sd: 0, min: 3, max: 3 });
    expect(spreadOf([null])).toBeNull();
  });
  it('summarises each epoch over the members that reached it', () => {
    const a = [{ epoch: 1, value: 300 }, { epoch: 2, value: 200 }];
    const b = [{ epoch: 1, value: 320 }, { epoch: 2, value: null }];
    const c = [{ epoch: 1, value: 310 }, { epoch: 2, value: 180 }, { epoch: 3, value: 150 }];
    const s = spreadByEpoch([a, b, c]);
    expect(s.map((e) => [e.epoch, e.n, e.mean, e.min, e.max])).toEqual([
      [1, 3, 310, 300, 320],
      [2, 2, 190, 180, 200],
      [3, 1, 150, 150, 150],
    ]);
  });
});
