import { describe, expect, it } from 'vitest';
import type { EpochFocusSummary, EpochTrainingState } from '../../../src/shared/explain.js';
import { BEST_EPOCH_RULE, recommendBestEpoch as recommendWith, summarizeEpoch } from '../../../src/main/engine/explain/summary.js';

function row(epoch: number, medianOffDigit: number | null, flagRate = 0): EpochFocusSummary {
  return { epoch, samples: 16, noEvidence: medianOffDigit === null ? 16 : 0, meanOffDigit: medianOffDigit, medianOffDigit, flagRate, meanSharpness: 0.5, meanBaselineRatio: null, faithfulness: null };
}

/** D informative and G good at every epoch, so only the focus ranking decides. */
function healthy(rows: EpochFocusSummary[]): EpochTrainingState[] {
  return rows.map((r) => ({ epoch: r.epoch, dx: 0.8, dgz: 0.3, quality: { epoch: r.epoch, count: 1000, classCounts: [], digitsPresent: 10, meanConfidence: 0.9, fidMnist: 40 } }));
}

const recommendBestEpoch = (rows: EpochFocusSummary[]) => recommendWith(rows, healthy(rows));

describe('summarizeEpoch', () => {
  it('averages the off-digit share over samples with evidence, and counts flags over all samples', () => {
    const s = summarizeEpoch(7, [
      { ratio: 0.1, flagged: false, sharpness: 0.6 },
      { ratio: 0.3, flagged: false, sharpness: 0.2 },
      { ratio: null, flagged: false, sharpness: null },
      { ratio: 0.8, flagged: true, sharpness: 0.1 },
    ]);
    expect(s.epoch).toBe(7);
    expect(s.samples).toBe(4);
    expect(s.noEvidence).toBe(1);
    expect(s.meanOffDigit).toBeCloseTo((0.1 + 0.3 + 0.8) / 3, 12);
    expect(s.medianOffDigit).toBeCloseTo(0.3, 12);
    expect(s.flagRate).toBe(0.25);
    expect(s.meanSharpness).toBeCloseTo(0.3, 12);
  });

  it('takes the middle pair for an even count, and nulls without evidence', () => {
    const even = summarizeEpoch(1, [0.4, 0.1, 0.2, 0.3].map((ratio) => ({ ratio, flagged: false, sharpness: 0 })));
    expect(even.medianOffDigit).toBeCloseTo(0.25, 12);
    const none = summarizeEpoch(2, [{ ratio: null, flagged: false, sharpness: null }]);
    expect(none).toEqual({
      epoch: 2,
      samples: 1,
      noEvidence: 1,
      meanOffDigit: null,
      medianOffDigit: null,
      flagRate: 0,
      meanSharpness: null,
      meanBaselineRatio: null,
      faithfulness: null,
    });
    expect(summarizeEpoch(3, []).flagRate).toBe(0);
  });
});

describe('recommendBestEpoch', () => {
  it('picks the lowest median off-digit share and lists the epochs within 3 to compare', () => {
    const rec = recommendBestEpoch([row(5, 0.59), row(10, 0.45), row(15, 0.22), row(18, 0.176, 0.0625), row(20, 0.3), row(25, 0.4)]);
    expect(rec.epoch).toBe(18);
    expect(rec.neighbours).toEqual([15, 20]);
    expect(rec.rule).toBe(BEST_EPOCH_RULE);
    expect(rec.reason).toBe(
      'Of the 6 epochs that pass the gates, epoch 18 has the lowest median off-digit share, 17.6%, over 16 of 16 probe samples with evidence; flag rate 6.3%. ' +
        'Runner-up: epoch 15 at 22.0%, flag rate 0.0%. Compare its CAMs with epochs 15, 20 before confirming.',
    );
  });

  it('treats medians within 0.1 point as a tie: lower flag rate first, then the later epoch', () => {
    const byFlags = recommendBestEpoch([row(15, 0.1996, 0.125), row(16, 0.1999, 0.0625), row(17, 0.3)]);
    expect(byFlags.epoch).toBe(16);
    expect(byFlags.reason).toContain('(tied on the median; lower flag rate wins)');
    const byEpoch = recommendBestEpoch([row(18, 0.1999, 0.0625), row(15, 0.1996, 0.0625)]);
    expect(byEpoch.epoch).toBe(18);
    expect(byEpoch.reason).toContain('(tied on the median and flag rate; the later epoch wins)');
    // 0.1 point apart is not a tie, whatever the flag rates.
    expect(recommendBestEpoch([row(1, 0.199, 0.5), row(2, 0.2, 0)]).epoch).toBe(1);
  });

  it('skips epochs without evidence, and recommends nothing when none has any', () => {
    const rec = recommendBestEpoch([row(1, null), row(2, 0.7), row(3, null)]);
    expect(rec.epoch).toBe(2);
    expect(rec.neighbours).toEqual([1, 3]);
    expect(rec.reason).toContain('Not ranked: epoch 1: 16 of 16 probe samples have no evidence. epoch 3: 16 of 16');
    expect(recommendBestEpoch([row(1, null), row(2, null)])).toMatchObject({ epoch: null, neighbours: [] });
    expect(recommendBestEpoch([]).reason).toBe('No epoch has been explained yet.');
  });

  it('says when no neighbour exists, and refuses a repeated epoch', () => {
    expect(recommendBestEpoch([row(1, 0.8), row(10, 0.1)]).reason).toContain('No neighbouring epoch within 3 exists');
    expect(() => recommendBestEpoch([row(4, 0.8), row(4, 0.7)])).toThrow('epoch 4 appears twice');
  });
});
