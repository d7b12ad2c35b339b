import { describe, expect, it } from 'vitest';
import { chooseFlagEpoch } from '../../../src/main/report/run-summary.js';
import type { EpochFlagCount } from '../../../src/main/report/report-data.js';

const count = (epoch: number, confirmed = 0, dismissed = 0): EpochFlagCount => ({ epoch, total: 100, flagged: 10, noEvidence: 0, reviewed: { confirmed, dismissed } });

describe('chooseFlagEpoch: the epoch whose flags a report lists', () => {
  it('is the epoch that was reviewed, not the last one', () => {
    expect(chooseFlagEpoch([count(2), count(5, 3, 1), count(9)], 9)).toEqual({ epoch: 5, why: 'reviewed' });
  });

  it('takes the epoch whose flags carry the most decisions; a tie goes to the best epoch, then the later one', () => {
    // A confirmed sample flagged at several epochs counts at each of them.
    expect(chooseFlagEpoch([count(4, 2), count(5, 3, 1), count(6, 2)], null)).toEqual({ epoch: 5, why: 'reviewed' });
    expect(chooseFlagEpoch([count(4, 2), count(5, 1, 1), count(6, 2)], 4)).toEqual({ epoch: 4, why: 'reviewed' });
    expect(chooseFlagEpoch([count(4, 2), count(5, 1, 1), count(6, 2)], 9)).toEqual({ epoch: 6, why: 'reviewed' });
  });

  it('without any decision: the best epoch when its training set is explained, else the latest explained', () => {
    expect(chooseFlagEpoch([count(2), count(5), count(9)], 5)).toEqual({ epoch: 5, why: 'best' });
    expect(chooseFlagEpoch([count(2), count(9)], 5)).toEqual({ epoch: 9, why: 'latest' });
    expect(chooseFlagEpoch([count(2), count(9)], null)).toEqual({ epoch: 9, why: 'latest' });
    expect(chooseFlagEpoch([], 5)).toBeNull();
  });
});
