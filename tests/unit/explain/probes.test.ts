import { describe, expect, it } from 'vitest';
import { camChange, informativeProbes, stratifiedProbes } from '../../../src/main/engine/explain/probes.js';

const N = 4096;
// 1000 images labelled 0..9 in turn; the candidates are every second image.
const labels = Uint8Array.from({ length: 1000 }, (_, i) => i % 10);
const candidates = Int32Array.from({ length: 500 }, (_, i) => 2 * i + 1);

describe('stratifiedProbes', () => {
  it('spreads the picks round-robin over the digits present, from the candidates only', () => {
    const even = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) % 10);
    const all = Int32Array.from({ length: 1000 }, (_, i) => i);
    const picks = stratifiedProbes(even, all, 16, 1);
    expect(picks.map((i) => even[i])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5]);
    expect(new Set(picks).size).toBe(16);
    // odd candidates under labels i % 10 only carry the odd digits
    expect(stratifiedProbes(labels, candidates, 7, 1).map((i) => labels[i])).toEqual([1, 3, 5, 7, 9, 1, 3]);
  });

  it('is deterministic for a seed and changes with it', () => {
    const a = stratifiedProbes(labels, candidates, 16, 42);
    expect(stratifiedProbes(labels, Array.from(candidates), 16, 42)).toEqual(a);
    expect(stratifiedProbes(labels, candidates, 16, 43)).not.toEqual(a);
  });

  it('skips a digit once it runs out, and returns every candidate when asked for more', () => {
    const few = [3, 13, 23, 5]; // three 3s, one 5
    expect(stratifiedProbes(labels, few, 3, 0).map((i) => labels[i])).toEqual([3, 5, 3]);
    expect(stratifiedProbes(labels, few, 10, 0).sort((a, b) => a - b)).toEqual([3, 5, 13, 23]);
    expect(stratifiedProbes(labels, [5, 5, 5], 3, 0)).toEqual([5]);
  });

  it('without labels takes a seeded sample of the candidates', () => {
    const picks = stratifiedProbes(null, candidates, 16, 9);
    expect(picks).toHaveLength(16);
    expect(picks.every((i) => i % 2 === 1)).toBe(true);
    expect(stratifiedProbes(null, candidates, 16, 9)).toEqual(picks);
  });

  it('refuses indices outside the dataset and a bad count', () => {
    expect(() => stratifiedProbes(labels, [1000], 1, 0)).toThrow('candidate index 1000 is not an image of the dataset (1000 labels)');
    expect(() => stratifiedProbes(labels, [1], -1, 0)).toThrow('probe count must be a whole number >= 0, got -1');
  });
});

describe('informativeProbes', () => {
  // Three candidates over three epochs: 0 never changes, 1 flips fully, 2 drifts a little.
  const epoch = (e: number) => {
    const cams = new Float32Array(3 * N);
    cams.fill(0.5, 0, N);
    cams.fill(e % 2, N, 2 * N);
    cams.fill(0.1 * e, 2 * N, 3 * N);
    return cams;
  };
  const byEpoch = [epoch(0), epoch(1), epoch(2)];

  it('scores the mean per-pixel change between consecutive epochs', () => {
    const change = camChange(byEpoch);
    expect(change[0]).toBe(0);
    expect(change[1]).toBe(1);
    expect(change[2]).toBeCloseTo(0.1, 6);
  });

  it('ranks the candidates whose CAM changes most first', () => {
    expect(informativeProbes(byEpoch, 2).positions).toEqual([1, 2]);
    expect(informativeProbes(byEpoch, 5).positions).toEqual([1, 2, 0]);
  });

  it('needs two epochs of equally sized CAM sets', () => {
    expect(() => informativeProbes([epoch(0)], 1)).toThrow('CAM change needs at least 2 epochs, got 1');
    expect(() => camChange([epoch(0), new Float32Array(N)])).toThrow('camsByEpoch[1] has 4096 values, camsByEpoch[0] has 12288');
  });
});
