import { describe, expect, it } from 'vitest';
import type { MetricRow } from '../../../src/shared/types.js';
import {
  alignRuns,
  column,
  commonBoundaries,
  epochBoundaries,
  forLogScale,
  indexAtOrBefore,
  overlayCurves,
  runCurves,
  zoomWindow,
} from '../../../src/renderer/src/logic/curves.js';

const row = (iteration: number, epoch: number, lossD: number | null = iteration): MetricRow => ({ iteration, epoch, lossD, lossG: 1, dx: 0.5, dgz: 0.5 });
/** `epochs` epochs of `per` iterations each, from iteration 1. */
const rows = (epochs: number, per: number): MetricRow[] =>
  Array.from({ length: epochs * per }, (_, i) => row(i + 1, Math.floor(i / per) + 1));

describe('epoch boundaries', () => {
  it('sits halfway between the last iteration of an epoch and the first of the next', () => {
    expect(epochBoundaries(rows(3, 4))).toEqual([
      { x: 4.5, epoch: 2 },
      { x: 8.5, epoch: 3 },
    ]);
  });
  it('is empty for one epoch or none', () => {
    expect(epochBoundaries(rows(1, 5))).toEqual([]);
    expect(epochBoundaries([])).toEqual([]);
  });
  it('keeps only the boundaries every run shares', () => {
    const a = epochBoundaries(rows(4, 4));
    const b = epochBoundaries(rows(2, 8));
    // Same iteration, different epoch numbers: not one boundary.
    expect(commonBoundaries([a, b])).toEqual([]);
    expect(commonBoundaries([a, epochBoundaries(rows(2, 4))])).toEqual([{ x: 4.5, epoch: 2 }]);
    expect(commonBoundaries([])).toEqual([]);
  });
});

describe('aligning runs on one x axis', () => {
  it('uses 1..N for runs that report every iteration, padding shorter runs with gaps', () => {
    const a = rows(2, 3);
    const b = rows(1, 3);
    const al = alignRuns([a, b]);
    expect(al.x).toEqual([1, 2, 3, 4, 5, 6]);
    expect(column(al.rows[0], 'lossD')).toEqual([1, 2, 3, 4, 5, 6]);
    expect(column(al.rows[1], 'lossD')).toEqual([1, 2, 3, null, null, null]);
  });
  it('takes the union of iterations when a run skips some', () => {
    const a = [row(1, 1), row(3, 1), row(5, 2)];
    const b = [row(2, 1, 20), row(3, 1, 30)];
    const al = alignRuns([a, b]);
    expect(al.x).toEqual([1, 2, 3, 5]);
    expect(column(al.rows[0], 'lossD')).toEqual([1, null, 3, 5]);
    expect(column(al.rows[1], 'lossD')).toEqual([null, 20, 30, null]);
  });
  it('builds a run’s four curves sharing x and epochs', () => {
    const c = runCurves(rows(2, 2));
    expect(c.x).toEqual([1, 2, 3, 4]);
    expect(Array.from(c.series.lossD.epochs)).toEqual([1, 1, 2, 2]);
    expect(c.series.lossD.color).toBe(0);
    expect(c.series.lossG.color).toBe(1);
    expect(c.boundaries).toEqual([{ x: 2.5, epoch: 2 }]);
  });
});

describe('log scale and navigation helpers', () => {
  it('turns values a log axis cannot place into gaps', () => {
    expect(forLogScale([2, 0, -1, null, Number.NaN, 0.5])).toEqual([2, null, null, null, null, 0.5]);
  });
  it('finds the last x at or before a value', () => {
    const x = [1, 2, 4, 8];
    expect(indexAtOrBefore(x, 0)).toBe(-1);
    expect(indexAtOrBefore(x, 4)).toBe(2);
    expect(indexAtOrBefore(x, 5)).toBe(2);
    expect(indexAtOrBefore(x, 100)).toBe(3);
  });
  it('zooms around a centre and stays inside the data', () => {
    expect(zoomWindow([0, 100], 50, 0.5, [0, 100])).toEqual([25, 75]);
    expect(zoomWindow([0, 100], 0, 0.5, [0, 100])).toEqual([0, 50]);
    expect(zoomWindow([50, 100], 90, 4, [0, 100])).toEqual([0, 100]);
    expect(zoomWindow([10, 12], 11, 0.1, [0, 100], 2)).toEqual([10, 12]);
  });
});

describe('overlaying runs', () => {
  it('gives one series per run per metric on the union x, with their shared boundaries', () => {
    const o = overlayCurves([
      { id: 1, label: '#1', color: 0, rows: rows(2, 3) },
      { id: 2, label: '#2', color: 1, rows: rows(3, 3) },
    ]);
    expect(o.x).toHaveLength(9);
    expect(o.series.lossG.map((s) => s.id)).toEqual(['1', '2']);
    expect(Array.from(o.series.dx[0].values).slice(5)).toEqual([0.5, null, null, null]);
    expect(Array.from(o.series.dx[1].epochs).slice(5)).toEqual([2, 3, 3, 3]);
    expect(o.boundaries).toEqual([{ x: 3.5, epoch: 2 }]);
  });
});
