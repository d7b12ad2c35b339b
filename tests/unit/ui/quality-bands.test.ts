import { describe, expect, it } from 'vitest';
import { presetConfig } from '../../../src/shared/config.js';
import type { QualityRow } from '../../../src/shared/explain.js';
import { bandColumns, qualityGroups, rangeFromZero } from '../../../src/renderer/src/logic/quality-bands.js';

const base = presetConfig('quick');
const q = (epoch: number, fidMnist: number, digitsPresent = 10): QualityRow => ({ epoch, count: 200, classCounts: [], digitsPresent, meanConfidence: 0.9, fidMnist });

describe('Compare quality bands', () => {
  const runs = [
    { id: 1, name: 'a', color: 0, config: { ...base, seed: 1 }, quality: [q(2, 660), q(1, 700)] },
    { id: 2, name: 'b', color: 1, config: { ...base, seed: 2, trainingSeed: 2 }, quality: [q(1, 710), q(2, 674, 9)] },
    { id: 3, name: 'lr', color: 2, config: { ...base, seed: 1, lr: 1e-4 }, quality: [q(1, 500)] },
  ];
  it('groups seeds into one band (mean, min, max per epoch) and keeps a different config apart', () => {
    const groups = qualityGroups(runs, 'fidMnist');
    expect(groups.map((g) => [g.label, g.ids, g.seeds, g.color])).toEqual([
      ['#1, #2 (2 seeds)', [1, 2], [1, 2], 0],
      ['#3 lr', [3], [1], 2],
    ]);
    const c = bandColumns(groups);
    expect(c.x).toEqual([1, 2]);
    expect(c.mean).toEqual([[705, 667], [500, null]]);
    expect(c.min[0]).toEqual([700, 660]);
    expect(c.max[0]).toEqual([710, 674]);
    expect(c.n).toEqual([[2, 2], [1, null]]);
    expect(bandColumns(qualityGroups(runs, 'digitsPresent')).min[0]).toEqual([10, 9]);
  });
  it('starts the axis at 0, so a 660-674 spread is not drawn as a trend', () => {
    const c = bandColumns(qualityGroups(runs, 'fidMnist'));
    const [lo, hi] = rangeFromZero([...c.max, ...c.mean]);
    expect(lo).toBe(0);
    expect(hi).toBeCloseTo(710 * 1.08, 9);
    expect(rangeFromZero([[3, 9]], 10)).toEqual([0, 10]);
    expect(rangeFromZero([[null]])).toEqual([0, 1]);
  });
});
