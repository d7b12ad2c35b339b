// Geometry for the small SVG line charts: scales, ticks, axis labels and path
// strings. No chart library: the charts are a few polylines and the maths fits
// here. Also what the uPlot charts share that needs no DOM.

import { formatNumber } from './format.js';

export interface Point {
  x: number;
  /** null (a NaN loss, a missing value) breaks the line. */
  y: number | null;
}

export interface Series {
  id: string;
  label: string;
  points: readonly Point[];
}

export interface Box {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface Tick {
  value: number;
  pos: number;
}

export interface ChartLayout {
  paths: { id: string; label: string; d: string }[];
  xTicks: Tick[];
  yTicks: Tick[];
  x(v: number): number;
  y(v: number): number;
  domain: { x: [number, number]; y: [number, number] };
}

/** Round tick values (1, 2, 5 x 10^k) covering [min, max]; whole numbers only when `integer`. */
export function niceTicks(min: number, max: number, count = 5, integer = false): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  const raw = Math.max((max - min) / Math.max(1, count), integer ? 1 : 0);
  const mag = 10 ** Math.floor(Math.log10(raw));
  // The round step closest to the raw one (in ratio), so the count stays near the one asked for.
  const step = [1, 2, 5, 10].map((m) => m * mag).reduce((best, s) => (Math.abs(Math.log(s / raw)) < Math.abs(Math.log(best / raw)) ? s : best));
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/**
 * Averages points into at most `max` buckets along x, so a run with tens of
 * thousands of iterations still draws a light path.
 */
export function decimate(points: readonly Point[], max: number): Point[] {
  if (points.length <= max) return [...points];
  const size = points.length / max;
  const out: Point[] = [];
  for (let b = 0; b < max; b++) {
    const slice = points.slice(Math.floor(b * size), Math.floor((b + 1) * size));
    if (slice.length === 0) continue;
    const ys = slice.map((p) => p.y).filter((y): y is number => y !== null && Number.isFinite(y));
    out.push({
      x: slice[slice.length - 1].x,
      y: ys.length ? ys.reduce((a, c) => a + c, 0) / ys.length : null,
    });
  }
  return out;
}

function extent(values: number[]): [number, number] | null {
  if (values.length === 0) return null;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

export function layoutChart(
  series: readonly Series[],
  box: Box,
  opts: { yDomain?: [number, number]; maxPoints?: number; xInteger?: boolean } = {},
): ChartLayout {
  const thin = series.map((s) => ({ ...s, points: decimate(s.points, opts.maxPoints ?? 600) }));
  const xs = thin.flatMap((s) => s.points.map((p) => p.x));
  const ys = thin.flatMap((s) => s.points.map((p) => p.y).filter((y): y is number => y !== null && Number.isFinite(y)));
  const [x0, x1] = extent(xs) ?? [0, 1];
  let [y0, y1] = opts.yDomain ?? extent(ys) ?? [0, 1];
  if (y0 === y1) [y0, y1] = [y0 - 1, y1 + 1];
  const xSpan = x1 === x0 ? 1 : x1 - x0;
  const w = box.width - box.left - box.right;
  const h = box.height - box.top - box.bottom;
  const x = (v: number) => box.left + ((v - x0) / xSpan) * w;
  const y = (v: number) => box.top + (1 - (v - y0) / (y1 - y0)) * h;
  const paths = thin.map((s) => {
    let d = '';
    let pen = false;
    for (const p of s.points) {
      if (p.y === null || !Number.isFinite(p.y)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`;
      pen = true;
    }
    return { id: s.id, label: s.label, d };
  });
  return {
    paths,
    xTicks: niceTicks(x0, x1, 5, opts.xInteger).map((value) => ({ value, pos: x(value) })),
    yTicks: niceTicks(y0, y1, 4).map((value) => ({ value, pos: y(value) })),
    x,
    y,
    domain: { x: [x0, x1], y: [y0, y1] },
  };
}

export interface AxisMarks {
  /** A horizontal grid line at each y tick, across the plotting area. */
  grid: { key: string; x1: number; x2: number; y: number }[];
  labels: { key: string; x: number; y: number; anchor: 'start' | 'middle' | 'end'; text: string }[];
}

/**
 * The grid lines and labels around a chart laid out in `box`: y values (3
 * significant digits) left of the plot, x values under it, and `xLabel`
 * centred at the bottom.
 */
export function axisMarks(layout: Pick<ChartLayout, 'xTicks' | 'yTicks'>, box: Box, xLabel = ''): AxisMarks {
  const grid = layout.yTicks.map((t) => ({ key: `y${t.value}`, x1: box.left, x2: box.width - box.right, y: t.pos }));
  const labels: AxisMarks['labels'] = [
    ...layout.yTicks.map((t) => ({ key: `yl${t.value}`, x: box.left - 6, y: t.pos + 4, anchor: 'end' as const, text: formatNumber(t.value, 3) })),
    ...layout.xTicks.map((t) => ({ key: `xl${t.value}`, x: t.pos, y: box.height - box.bottom + 16, anchor: 'middle' as const, text: formatNumber(t.value, 6) })),
  ];
  if (xLabel) labels.push({ key: 'x-label', x: box.left + (box.width - box.left - box.right) / 2, y: box.height - 4, anchor: 'middle', text: xLabel });
  return { grid, labels };
}

/** `hex` (#rrggbb, as the theme's colours are) with alpha `a` (two hex digits); any other colour as it is. */
export function withAlpha(hex: string, a: string): string {
  return /^#[0-9a-f]{6}$/i.test(hex) ? `${hex}${a}` : hex;
}
