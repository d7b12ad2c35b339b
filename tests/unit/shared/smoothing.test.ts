import { describe, expect, it } from 'vitest';
import { SMOOTHING_DEFAULT, SMOOTHING_MAX, smoothEma } from '../../../src/shared/smoothing.js';

// Expected values are worked out by hand from TensorBoard's classicSmoothing:
// last = last*w + (1-w)*y, n += 1, out = last / (1 - w^n).

describe('smoothEma (TensorBoard classicSmoothing)', () => {
  it('uses TensorBoard defaults', () => {
    expect(SMOOTHING_DEFAULT).toBe(0.6);
    expect(SMOOTHING_MAX).toBe(0.999);
  });

  it('debiases the average from the first point on', () => {
    // w = 0.6 over 1, 2, 3:
    //   n=1: last = 0.4*1 = 0.4;               0.4 / (1 - 0.6)   = 1
    //   n=2: last = 0.4*0.6 + 0.4*2 = 1.04;     1.04 / (1 - 0.36) = 1.625
    //   n=3: last = 1.04*0.6 + 0.4*3 = 1.824;   1.824 / (1 - 0.216)
    const out = smoothEma([1, 2, 3], 0.6);
    expect(out[0]).toBeCloseTo(1, 12);
    expect(out[1]).toBeCloseTo(1.625, 12);
    expect(out[2]).toBeCloseTo(1.824 / 0.784, 12);
  });

  it('matches the formula on a longer, noisy series', () => {
    const ys = [0.9, 0.2, 1.4, 0.7, 0.3, 1.1];
    const w = 0.8;
    // Unrolled by hand: each step is last*w + (1-w)*y, divided by 1 - w^n.
    const l1 = 0.2 * 0.9;
    const l2 = l1 * 0.8 + 0.2 * 0.2;
    const l3 = l2 * 0.8 + 0.2 * 1.4;
    const l4 = l3 * 0.8 + 0.2 * 0.7;
    const l5 = l4 * 0.8 + 0.2 * 0.3;
    const l6 = l5 * 0.8 + 0.2 * 1.1;
    const expected = [l1 / (1 - 0.8), l2 / (1 - 0.64), l3 / (1 - 0.512), l4 / (1 - 0.4096), l5 / (1 - 0.32768), l6 / (1 - 0.262144)];
    smoothEma(ys, w).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
  });

  it('returns a constant series unsmoothed (TensorBoard #786)', () => {
    const ys = [0.1, 0.1, 0.1, 0.1, 0.1];
    expect(smoothEma(ys, 0.95)).toEqual(ys);
    expect(smoothEma([7], 0.6)).toEqual([7]);
    expect(smoothEma([], 0.6)).toEqual([]);
  });

  it('passes NaN, infinities and nulls through without advancing the count', () => {
    // w = 0.5 over 1, NaN, 3: n=1: 0.5/0.5 = 1; NaN as is; n=2 (not 3): last = 0.25 + 1.5 = 1.75, 1.75 / (1 - 0.25).
    const out = smoothEma([1, Number.NaN, 3], 0.5);
    expect(out[0]).toBeCloseTo(1, 12);
    expect(out[1]).toBeNaN();
    expect(out[2]).toBeCloseTo(1.75 / 0.75, 12);

    const withNull = smoothEma([null, 2, Number.POSITIVE_INFINITY, null, 4], 0.5);
    // n=1 at 2: 1 / 0.5 = 2; n=2 at 4: last = 0.5 + 2 = 2.5, 2.5 / 0.75.
    expect(withNull[0]).toBeNull();
    expect(withNull[1]).toBeCloseTo(2, 12);
    expect(withNull[2]).toBe(Number.POSITIVE_INFINITY);
    expect(withNull[3]).toBeNull();
    expect(withNull[4]).toBeCloseTo(2.5 / 0.75, 12);
  });

  it('a series that is constant apart from a NaN is smoothed (NaN !== NaN, as in TensorBoard)', () => {
    const out = smoothEma([2, Number.NaN, 2], 0.6);
    expect(out[0]).toBeCloseTo(2, 12);
    expect(out[1]).toBeNaN();
    expect(out[2]).toBeCloseTo(2, 12);
  });

  it('clamps the weight: 0 is the raw data, 1 is flat at 0, as TensorBoard', () => {
    const ys = [3, 1, 4, 1, 5];
    expect(smoothEma(ys, 0)).toEqual(ys);
    expect(smoothEma(ys, -2)).toEqual(ys);
    expect(smoothEma(ys, 1)).toEqual([0, 0, 0, 0, 0]);
    expect(smoothEma(ys, 7)).toEqual([0, 0, 0, 0, 0]);
  });

  it('does not change its input and works on typed arrays', () => {
    const ys = new Float64Array([1, 2, 3]);
    const out = smoothEma(ys, 0.6);
    expect([...ys]).toEqual([1, 2, 3]);
    expect(out[1]).toBeCloseTo(1.625, 12);
  });
});
