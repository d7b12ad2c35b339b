import { describe, expect, it } from 'vitest';
import { digitHistogram, drawRandomArm } from '../../../src/main/study/arms.js';

function labelsOf(n: number): Uint8Array {
  // A skewed set: digit d appears (d + 1) times as often as digit 0.
  const out: number[] = [];
  for (let i = 0; out.length < n; i++) for (let d = 0; d < 10 && out.length < n; d++) for (let k = 0; k <= d && out.length < n; k++) out.push(d);
  return Uint8Array.from(out);
}

describe('the random arm', () => {
  const labels = labelsOf(2000);
  const pool = Array.from({ length: 1500 }, (_, i) => i * 1 + 250);
  const flagged = [251, 260, 270, 300, 301, 333, 400, 401, 402, 777, 1000, 1001, 1400, 1600];

  it("has the flagged set's digit histogram, drawn from the pool, without flagged samples", () => {
    const random = drawRandomArm(labels, pool, flagged, 3);
    expect(random).toHaveLength(flagged.length);
    expect(digitHistogram(labels, random)).toEqual(digitHistogram(labels, flagged));
    const inPool = new Set(pool);
    for (const i of random) {
      expect(inPool.has(i)).toBe(true);
      expect(flagged).not.toContain(i);
    }
    expect(new Set(random).size).toBe(random.length);
    expect([...random].sort((a, b) => a - b)).toEqual(random);
  });

  it('is the same for the same seed and differs for another', () => {
    expect(drawRandomArm(labels, pool, flagged, 3)).toEqual(drawRandomArm(labels, pool, flagged, 3));
    expect(drawRandomArm(labels, pool, flagged, 4)).not.toEqual(drawRandomArm(labels, pool, flagged, 3));
  });

  it('draws uniformly without labels', () => {
    const random = drawRandomArm(null, pool, flagged, 1);
    expect(random).toHaveLength(flagged.length);
    expect(random.filter((i) => flagged.includes(i))).toEqual([]);
  });

  it('fills a digit short of unflagged images from its flagged ones, keeping the histogram', () => {
    const zeros = pool.filter((i) => labels[i] === 0);
    const sevens = pool.filter((i) => labels[i] === 7);
    const few = [...zeros.slice(0, 3), ...sevens.slice(0, 4)];
    const flaggedHere = [...zeros.slice(0, 2), ...sevens.slice(0, 2)];
    const random = drawRandomArm(labels, few, flaggedHere, 1);
    expect(digitHistogram(labels, random)).toEqual(digitHistogram(labels, flaggedHere));
    // Digit 0 has one unflagged image for two flagged: it is taken, and one flagged 0 fills the rest.
    expect(random).toContain(zeros[2]);
    expect(random.filter((i) => flaggedHere.includes(i))).toHaveLength(1);
    // Digit 7 has enough unflagged images: none of its flagged ones is drawn.
    expect(random.filter((i) => sevens.slice(0, 2).includes(i))).toEqual([]);
  });
});
