import { esc } from './escape.js';

// Inline SVG line charts: no script, no external reference, printable. Inline
// SVG in HTML needs no xmlns, so none is written.

/** A point with y null breaks the line (a NaN loss, an epoch without evidence). */
export type Point = [x: number, y: number | null];

export interface Series {
  label: string;
  color: string;
  points: Point[];
  /** Draw a dot at every point (per-epoch series). */
  markers?: boolean;
  /** A shaded band around the line, e.g. a 95% interval over seeds; one [x, low, high] per x. */
  band?: [x: number, low: number, high: number][];
}

export interface ChartOptions {
  title: string;
  series: Series[];
  xLabel: string;
  yMin?: number;
  yMax?: number;
  /** Vertical marks, e.g. the recommended epoch. */
  marks?: { x: number; label: string; color: string }[];
  /** Whole-number x ticks only (epochs). */
  integerX?: boolean;
  width?: number;
  height?: number;
}

// The title and the legend take the first two rows above the plot.
const PAD = { left: 48, right: 14, top: 46, bottom: 34 };

function niceTicks(min: number, max: number, count: number, integer: boolean): number[] {
  if (max <= min) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(integer ? 1 : 0, [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag);
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

const fmt = (v: number) => (Math.abs(v) >= 1000 || Number.isInteger(v) ? String(Math.round(v)) : v.toPrecision(3).replace(/\.?0+$/, ''));

export function lineChart(o: ChartOptions): string {
  const width = o.width ?? 640;
  const height = o.height ?? 240;
  const xs = o.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = o.series
    .flatMap((s) => [...s.points.map((p) => p[1]), ...(s.band ?? []).flatMap((b) => [b[1], b[2]])])
    .filter((y): y is number => y !== null && Number.isFinite(y));
  const head = `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(o.title)}">`;
  const title = `<text x="${PAD.left}" y="16" class="chart-title">${esc(o.title)}</text>`;
  if (xs.length === 0 || ys.length === 0) {
    return `${head}${title}<text x="${width / 2}" y="${height / 2}" text-anchor="middle" class="chart-empty">no data</text></svg>`;
  }
  let x0 = Math.min(...xs);
  let x1 = Math.max(...xs);
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  let y0 = o.yMin ?? Math.min(...ys);
  let y1 = o.yMax ?? Math.max(...ys);
  if (y1 === y0) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const sx = (x: number) => (PAD.left + ((x - x0) / (x1 - x0)) * plotW).toFixed(1);
  const sy = (y: number) => (PAD.top + (1 - (y - y0) / (y1 - y0)) * plotH).toFixed(1);

  const parts: string[] = [head, title];
  for (const t of niceTicks(y0, y1, 4, false)) {
    parts.push(`<line x1="${PAD.left}" x2="${width - PAD.right}" y1="${sy(t)}" y2="${sy(t)}" class="grid"/>`);
    parts.push(`<text x="${PAD.left - 4}" y="${sy(t)}" dy="3" text-anchor="end" class="tick">${fmt(t)}</text>`);
  }
  for (const t of niceTicks(x0, x1, 6, o.integerX ?? false)) {
    parts.push(`<text x="${sx(t)}" y="${height - PAD.bottom + 12}" text-anchor="middle" class="tick">${fmt(t)}</text>`);
  }
  parts.push(`<text x="${PAD.left + plotW / 2}" y="${height - 4}" text-anchor="middle" class="axis-label">${esc(o.xLabel)}</text>`);
  parts.push(`<rect x="${PAD.left}" y="${PAD.top}" width="${plotW}" height="${plotH}" class="frame"/>`);
  for (const m of o.marks ?? []) {
    const at = (m.x - x0) / (x1 - x0);
    const anchor = at > 0.85 ? 'end' : at < 0.15 ? 'start' : 'middle';
    parts.push(`<line x1="${sx(m.x)}" x2="${sx(m.x)}" y1="${PAD.top}" y2="${PAD.top + plotH}" stroke="${m.color}" stroke-dasharray="4 3"/>`);
    parts.push(`<text x="${sx(m.x)}" y="${PAD.top - 3}" text-anchor="${anchor}" class="tick" fill="${m.color}">${esc(m.label)}</text>`);
  }
  let legendX = PAD.left;
  for (const s of o.series) {
    parts.push(`<rect x="${legendX.toFixed(1)}" y="22" width="10" height="10" fill="${s.color}"/>`);
    parts.push(`<text x="${(legendX + 14).toFixed(1)}" y="31" class="legend">${esc(s.label)}</text>`);
    legendX += 28 + s.label.length * 6.2;
  }
  // Bands first, so every line stays visible on top of them.
  for (const s of o.series) {
    const band = (s.band ?? []).filter((b) => Number.isFinite(b[1]) && Number.isFinite(b[2]));
    if (band.length === 0) continue;
    const upper = band.map((b) => `${sx(b[0])},${sy(b[2])}`);
    const lower = band.map((b) => `${sx(b[0])},${sy(b[1])}`).reverse();
    parts.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${s.color}" fill-opacity="0.18" stroke="${s.color}" stroke-opacity="0.35" class="band"/>`);
  }
  for (const s of o.series) {
    let d = '';
    let pen = false;
    for (const [x, y] of s.points) {
      if (y === null || !Number.isFinite(y)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${sx(x)} ${sy(y)}`;
      pen = true;
    }
    if (d) parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.5"/>`);
    if (s.markers) {
      for (const [x, y] of s.points) if (y !== null && Number.isFinite(y)) parts.push(`<circle cx="${sx(x)}" cy="${sy(y)}" r="2.5" fill="${s.color}"/>`);
    }
  }
  parts.push('</svg>');
  return parts.join('');
}

/**
 * At most `buckets` points, each the mean of its bucket's values: a paper-size
 * run logs ~23k iterations, more than a chart has pixels.
 */
export function downsample<T>(rows: T[], x: (r: T) => number, y: (r: T) => number | null, buckets = 500): Point[] {
  if (rows.length <= buckets) return rows.map((r) => [x(r), y(r)]);
  const out: Point[] = [];
  const size = rows.length / buckets;
  for (let b = 0; b < buckets; b++) {
    const slice = rows.slice(Math.floor(b * size), Math.floor((b + 1) * size));
    const values = slice.map(y).filter((v): v is number => v !== null && Number.isFinite(v));
    const mid = slice[slice.length >> 1];
    out.push([x(mid), values.length ? values.reduce((a, v) => a + v, 0) / values.length : null]);
  }
  return out;
}
