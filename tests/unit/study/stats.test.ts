import { describe, expect, it } from 'vitest';
import { createRng, fillNormal } from '../../../src/main/engine/rng.js';
import { spread, studentTCdf, studentTQuantile, welchDifference } from '../../../src/main/study/stats.js';

describe('Student t', () => {
  it('matches table quantiles (two-sided 95%: the 0.975 quantile)', () => {
    // Standard t table values.
    const table: [number, number][] = [
      [1, 12.706],
      [2, 4.303],
      [3, 3.182],
      [4, 2.776],
      [5, 2.571],
      [10, 2.228],
      [30, 2.042],
      [120, 1.98],
    ];
    for (const [df, q] of table) expect(studentTQuantile(0.975, df)).toBeCloseTo(q, 2);
    expect(studentTQuantile(0.5, 7)).toBeCloseTo(0, 6);
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(-2.776, 3);
  });

  it('has a CDF that inverts its quantile, also at fractional df', () => {
    for (const df of [1.5, 2.94, 7.3]) for (const p of [0.01, 0.3, 0.9, 0.995]) expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 9);
  });
});

describe('spread and Welch difference', () => {
  it('gives the textbook interval for a small sample', () => {
    // mean 2, sd 1, n 3: 2 +- 4.303 / sqrt(3)
    const s = spread([1, 2, 3]);
    expect(s.mean).toBe(2);
    expect(s.sd).toBeCloseTo(1, 12);
    expect(s.high! - 2).toBeCloseTo(4.302653 / Math.sqrt(3), 5);
    expect(spread([5])).toEqual({ n: 1, mean: 5, sd: null, low: null, high: null });
    expect(spread([]).mean).toBeNull();
  });

  it('clips the interval of a bounded quantity to its range, and only the interval', () => {
    // Digits present 0 and 3 over two seeds: mean 1.5, t interval 1.5 +- 19.06 reaches far below 0.
    const open = spread([0, 3]);
    expect(open.low!).toBeLessThan(-15);
    const digits = spread([0, 3], 0.95, [0, 10]);
    expect(digits).toMatchObject({ n: 2, mean: 1.5, low: 0, high: 10 });
    expect(digits.sd).toBeCloseTo(open.sd!, 12);
    expect(spread([4, 5, 6], 0.95, [0, 10])).toEqual(spread([4, 5, 6]));
  });

  it("matches R's t.test(c(1,2,3), c(2,4,6)) (Welch)", () => {
    const e = welchDifference([1, 2, 3], [2, 4, 6])!;
    expect(e.estimate).toBe(-2);
    expect(e.df).toBeCloseTo(2.941176, 5);
    expect(e.low).toBeCloseTo(-6.1554, 3);
    expect(e.high).toBeCloseTo(2.1554, 3);
    expect(welchDifference([1], [2, 3])).toEqual({ estimate: -1.5, low: null, high: null, df: null });
    expect(welchDifference([], [2, 3])).toBeNull();
  });

  it('covers the true difference about 95% of the time on synthetic normal data with 3 seeds per arm', () => {
    const rng = createRng(7);
    const trials = 4000;
    let covered = 0;
    let coveredMean = 0;
    const buf = new Float32Array(6);
    for (let t = 0; t < trials; t++) {
      fillNormal(rng, buf);
      // arm a: mean 1, sd 1; arm b: mean 0, sd 2 (unequal variances, as arms may have)
      const a = [1 + buf[0], 1 + buf[1], 1 + buf[2]];
      const b = [2 * buf[3], 2 * buf[4], 2 * buf[5]];
      const e = welchDifference(a, b)!;
      if (e.low! <= 1 && 1 <= e.high!) covered++;
      const s = spread(a);
      if (s.low! <= 1 && 1 <= s.high!) coveredMean++;
    }
    // Welch is slightly conservative at n = 3; binomial sd at 95% over 4000 trials is 0.34%.
    expect(covered / trials).toBeGreaterThan(0.935);
    expect(covered / trials).toBeLessThan(0.985);
    expect(coveredMean / trials).toBeGreaterThan(0.94);
    expect(coveredMean / trials).toBeLessThan(0.96);
  });
});
