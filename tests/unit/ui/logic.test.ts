import { describe, expect, it } from 'vitest';
import { presetConfig } from '../../../src/shared/config.js';
import { decimate, layoutChart, niceTicks } from '../../../src/renderer/src/logic/chart.js';
import { COLORMAP, camToRgba } from '../../../src/renderer/src/logic/colormap.js';
import { estimateEta } from '../../../src/renderer/src/logic/eta.js';
import { configFields, labelAt, validateConfig } from '../../../src/renderer/src/logic/form.js';
import { formatConfigValue, formatDuration } from '../../../src/renderer/src/logic/format.js';
import { formatRoute, parseRoute, type Route } from '../../../src/renderer/src/logic/routes.js';
import { describeSelection, queryOf, selectionOf } from '../../../src/renderer/src/logic/cam-selection.js';
import { DEFAULT_CAM_METHOD } from '../../../src/shared/explain.js';
import { DEFAULT_FOCUS_SETTINGS } from '../../../src/shared/focus-settings.js';
import { gridWindow, moveCursor } from '../../../src/renderer/src/logic/virtual-grid.js';
import { epochsWithoutEvidence, noEvidenceText } from '../../../src/renderer/src/logic/no-evidence.js';
import type { EpochFocusSummary } from '../../../src/shared/explain.js';
import { runConfigSchema } from '../../../src/shared/config.js';

describe('routes', () => {
  it('round-trips every route through the hash', () => {
    const routes: Route[] = [
      { name: 'runs' },
      { name: 'new' },
      { name: 'new', from: 4 },
      { name: 'run', id: 12 },
      { name: 'explain', id: 3 },
      { name: 'review', id: 3 },
      { name: 'review', id: 3, epoch: 7 },
      { name: 'compare', ids: [1, 5, 9] },
      { name: 'explain', id: 3, cam: { layers: ['block2', 'block3'], method: 'hirescam', target: 'fake', settings: { threshold: 0.65, dilation: 2 } } },
      { name: 'review', id: 3, epoch: 2, cam: { method: 'layercam', settings: { threshold: 0.7 } } },
      { name: 'compare', ids: [1, 2], cam: { layers: ['block4'], settings: { maskLevel: 0.3, camLevel: 0.4 } } },
    ];
    for (const r of routes) expect(parseRoute(formatRoute(r))).toEqual(r);
  });

  it('keeps the explain selection readable in the address and leaves out what is not a valid value', () => {
    const sel = selectionOf({ layers: ['block3'], method: 'hirescam', settings: { threshold: 0.7 } });
    expect(formatRoute({ name: 'explain', id: 3, cam: queryOf(sel) })).toBe('#/run/3/explain?layer=block3&method=hirescam&target=real&threshold=0.7');
    // Only what differs from the defaults besides the threshold; no layer when none is chosen (each run's default).
    expect(queryOf(selectionOf({ settings: { dilation: 3 } }))).toEqual({ method: DEFAULT_CAM_METHOD, target: 'real', settings: { threshold: 0.7, dilation: 3 } });
    expect(parseRoute('#/run/3/explain?layer=../x&method=bogus&target=both&threshold=1.5&dilation=40&mask=-1')).toEqual({ name: 'explain', id: 3 });
    expect(parseRoute('#/run/3/review?epoch=2&threshold=0.6')).toEqual({ name: 'review', id: 3, epoch: 2, cam: { settings: { threshold: 0.6 } } });
    expect(selectionOf({ settings: { threshold: 0.6 } })).toEqual({ layers: [], method: DEFAULT_CAM_METHOD, target: 'real', settings: { ...DEFAULT_FOCUS_SETTINGS, threshold: 0.6 } });
    expect(describeSelection(selectionOf({ layers: ['block2'], method: 'gradcam++', target: 'fake', settings: { threshold: 0.65, dilation: 0 } }))).toBe(
      'block2 · gradcam++ · target fake · threshold 65 % · dilation 0 px',
    );
  });

  it('names an address that is no page as not found, never the runs list in disguise', () => {
    expect(parseRoute('#/run/abc')).toEqual({ name: 'notFound', path: '/run/abc' });
    expect(parseRoute('#/run/0')).toEqual({ name: 'notFound', path: '/run/0' });
    expect(parseRoute('#/runs/999')).toEqual({ name: 'notFound', path: '/runs/999' });
    expect(parseRoute('#/nonsense')).toEqual({ name: 'notFound', path: '/nonsense' });
    expect(parseRoute('#/run/3/nonsense')).toEqual({ name: 'notFound', path: '/run/3/nonsense' });
    expect(parseRoute('#/new/7')).toEqual({ name: 'notFound', path: '/new/7' });
    expect(formatRoute({ name: 'notFound', path: '/nonsense' })).toBe('#/nonsense');
    expect(parseRoute('')).toEqual({ name: 'runs' });
    expect(parseRoute('#/')).toEqual({ name: 'runs' });
    expect(parseRoute('#/runs')).toEqual({ name: 'runs' });
    expect(parseRoute('#/compare?ids=2,x,2,-1,3')).toEqual({ name: 'compare', ids: [2, 3] });
  });
});

describe('estimateEta', () => {
  it('is unknown until two reports at different times exist', () => {
    expect(estimateEta([], 100).secondsLeft).toBeNull();
    expect(estimateEta([{ at: 1000, iteration: 5 }], 100).secondsLeft).toBeNull();
  });

  it('divides the remaining iterations by the recent rate', () => {
    const eta = estimateEta(
      [
        { at: 0, iteration: 0 },
        { at: 10_000, iteration: 20 },
      ],
      100,
    );
    expect(eta.iterationsPerSecond).toBeCloseTo(2);
    expect(eta.secondsLeft).toBeCloseTo(40);
    expect(eta.fraction).toBeCloseTo(0.2);
  });

  it('uses only the last minute, so a slowdown shows at once', () => {
    const eta = estimateEta(
      [
        { at: 0, iteration: 0 },
        { at: 10_000, iteration: 1000 },
        { at: 100_000, iteration: 1010 },
        { at: 110_000, iteration: 1020 },
      ],
      2020,
    );
    expect(eta.iterationsPerSecond).toBeCloseTo(1);
    expect(eta.secondsLeft).toBeCloseTo(1000);
  });
});

describe('chart geometry', () => {
  it('picks round ticks inside the range', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(3, 97, 4)).toEqual([20, 40, 60, 80]);
  });

  it('breaks the line at missing values instead of drawing through them', () => {
    const l = layoutChart(
      [{ id: 'a', label: 'a', points: [{ x: 0, y: 1 }, { x: 1, y: 2 }, { x: 2, y: null }, { x: 3, y: 1 }] }],
      { width: 100, height: 100, left: 0, right: 0, top: 0, bottom: 0 },
    );
    expect(l.paths[0].d.match(/M/g)).toHaveLength(2);
    expect(l.x(0)).toBe(0);
    expect(l.x(3)).toBe(100);
    expect(l.y(2)).toBe(0);
    expect(l.y(1)).toBe(100);
  });

  it('averages long series into at most the requested number of points', () => {
    const points = Array.from({ length: 10_000 }, (_, i) => ({ x: i, y: i % 2 }));
    const thin = decimate(points, 100);
    expect(thin).toHaveLength(100);
    for (const p of thin) expect(p.y).toBeCloseTo(0.5);
    expect(thin[thin.length - 1].x).toBe(9999);
  });
});

describe('run form from the shared schema', () => {
  it('has one control per config field, with the schema limits and labels', () => {
    const fields = configFields();
    expect(fields.map((f) => f.key)).toEqual(Object.keys(runConfigSchema.shape));
    const limit = fields.find((f) => f.key === 'limit');
    expect(limit).toMatchObject({ kind: 'number', label: 'Training images', nullable: true, min: 1, integer: true });
    expect(fields.find((f) => f.key === 'arch')).toMatchObject({ kind: 'enum', values: ['paper', 'dcgan5'] });
    expect(fields.find((f) => f.key === 'dataset')?.kind).toBe('dataset');
  });

  it('accepts a preset and reports problems in the words of the form', () => {
    expect(validateConfig(presetConfig('quick')).ok).toBe(true);
    const r = validateConfig({ ...presetConfig('quick'), batchSize: 1, lr: 'fast', dataset: { kind: 'idx', images: '' } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.byField.batchSize).toEqual(['Batch size must be at least 2']);
    expect(r.byField.lr).toEqual(['Learning rate must be a finite number']);
    expect(r.byField.dataset?.[0]).toMatch(/^Images file \(idx3, plain or \.gz\) must have at least 1 character/);
  });

  it('finds labels through nullable and union wrappers', () => {
    expect(labelAt(runConfigSchema, 'limit')).toBe('Training images');
    expect(labelAt(runConfigSchema, 'dataset.labels')).toBe('Labels file (idx1, plain or .gz)');
    expect(labelAt(runConfigSchema, 'nope')).toBeUndefined();
  });
});

describe('virtual grid', () => {
  it('renders only the visible rows plus overscan', () => {
    const w = gridWindow({ count: 10_000, scrollTop: 1500, viewportHeight: 600, viewportWidth: 1000, cellWidth: 100, rowHeight: 150, overscan: 1 });
    expect(w.columns).toBe(10);
    expect(w.start).toBe(90);
    expect(w.end).toBe(150);
    expect(w.padTop).toBe(9 * 150);
    expect(w.padTop + (w.end - w.start) / w.columns * 150 + w.padBottom).toBe(1000 * 150);
  });

  it('moves the cursor by arrows and stops at the edges', () => {
    expect(moveCursor(0, 'ArrowRight', 4, 10)).toBe(1);
    expect(moveCursor(1, 'ArrowDown', 4, 10)).toBe(5);
    expect(moveCursor(8, 'ArrowDown', 4, 10)).toBe(8);
    expect(moveCursor(0, 'ArrowLeft', 4, 10)).toBe(0);
    expect(moveCursor(5, 'End', 4, 10)).toBe(9);
    expect(moveCursor(5, 'Home', 4, 10)).toBe(0);
    expect(moveCursor(3, 'x', 4, 10)).toBe(3);
  });
});

describe('colour scale and formatting', () => {
  it('maps 0 to dark blue and 255 to yellow, opaque', () => {
    expect(COLORMAP).toHaveLength(256);
    expect(COLORMAP[0]).toEqual([68, 1, 84]);
    expect(COLORMAP[255]).toEqual([253, 231, 37]);
    const rgba = camToRgba(new Uint8Array([0, 255]));
    expect(Array.from(rgba)).toEqual([68, 1, 84, 255, 253, 231, 37, 255]);
  });

  it('formats durations and config values for people', () => {
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(125)).toBe('2 min 05 s');
    expect(formatDuration(7260)).toBe('2 h 01 min');
    expect(formatDuration(null)).toBe('—');
    expect(formatConfigValue(null)).toBe('all');
    expect(formatConfigValue({ kind: 'mnist' })).toBe('{"kind":"mnist"}');
  });
});

describe('no evidence', () => {
  const summary = (epoch: number, noEvidence: number, samples = 16): EpochFocusSummary => ({
    epoch,
    samples,
    noEvidence,
    meanOffDigit: noEvidence === samples ? null : 0.5,
    medianOffDigit: noEvidence === samples ? null : 0.5,
    flagRate: 0,
    meanSharpness: null,
    meanBaselineRatio: null,
    faithfulness: null,
  });

  it('names the epochs at which every probe CAM is zero, and says so for one epoch', () => {
    expect(epochsWithoutEvidence([summary(1, 16), summary(2, 14), summary(3, 16), summary(4, 0, 0)])).toEqual([1, 3]);
    expect(noEvidenceText(summary(2, 14))).toBe('14 of 16 probes without evidence');
    expect(noEvidenceText(summary(3, 16))).toBe('No probe has evidence at epoch 3: every CAM is zero.');
    expect(noEvidenceText(undefined)).toBe('');
  });
});
