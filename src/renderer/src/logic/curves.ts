// Columns for the per-iteration curve charts (uPlot wants one shared x array
// and one value array per series), epoch boundaries and keyboard zoom maths.
// Pure, so it is tested without a DOM.
import type { MetricRow } from '../../../shared/api.js';

export type MetricId = 'lossD' | 'lossG' | 'dx' | 'dgz';

/** One line of a curve chart: values and epochs aligned to the chart's x (iterations). */
export interface CurveSeries {
  id: string;
  label: string;
  /** Colour slot (--series-N, taken modulo 6), so a run keeps its colour across charts. */
  color: number;
  values: ArrayLike<number | null>;
  /** The epoch each x falls in, for the hover readout; null where this series has no point. */
  epochs: ArrayLike<number | null>;
}

export interface EpochBoundary {
  /** Halfway between the last iteration of `epoch - 1` and the first of `epoch`. */
  x: number;
  epoch: number;
}

/** Where a new epoch starts in iteration-ordered rows. */
export function epochBoundaries(rows: readonly Pick<MetricRow, 'iteration' | 'epoch'>[]): EpochBoundary[] {
  const out: EpochBoundary[] = [];
  for (let i = 1; i < rows.length; i++) {
    if (rows[i].epoch !== rows[i - 1].epoch) out.push({ x: (rows[i - 1].iteration + rows[i].iteration) / 2, epoch: rows[i].epoch });
  }
  return out;
}

/** Boundaries every run shares: runs with different epoch lengths would otherwise fill the chart with lines. */
export function commonBoundaries(perRun: readonly EpochBoundary[][]): EpochBoundary[] {
  if (perRun.length === 0) return [];
  const [first, ...rest] = perRun;
  const sets = rest.map((b) => new Set(b.map((x) => `${x.x}:${x.epoch}`)));
  return first.filter((b) => sets.every((s) => s.has(`${b.x}:${b.epoch}`)));
}

export interface Aligned {
  /** Sorted union of the runs' iterations. */
  x: number[];
  /** Per run, the row drawn at each x, or null where the run has none. */
  rows: (MetricRow | null)[][];
}

/**
 * Puts several runs on one x axis. Runs that report every iteration from 1
 * (the usual case) take the fast path: x is 1..N and row i is iteration i+1.
 */
export function alignRuns(runs: readonly (readonly MetricRow[])[]): Aligned {
  const contiguous = runs.every((rows) => rows.every((r, i) => r.iteration === i + 1));
  if (contiguous) {
    const n = Math.max(0, ...runs.map((r) => r.length));
    const x = Array.from({ length: n }, (_, i) => i + 1);
    return { x, rows: runs.map((rows) => x.map((_, i) => rows[i] ?? null)) };
  }
  const x = [...new Set(runs.flatMap((rows) => rows.map((r) => r.iteration)))].sort((a, b) => a - b);
  const at = new Map(x.map((v, i) => [v, i]));
  return {
    x,
    rows: runs.map((rows) => {
      const out = new Array<MetricRow | null>(x.length).fill(null);
      for (const r of rows) out[at.get(r.iteration)!] = r;
      return out;
    }),
  };
}

/** One metric of aligned rows, as a chart column. */
export function column(rows: readonly (MetricRow | null)[], metric: MetricId): (number | null)[] {
  return rows.map((r) => (r ? r[metric] : null));
}

export function epochColumn(rows: readonly (MetricRow | null)[]): (number | null)[] {
  return rows.map((r) => (r ? r.epoch : null));
}

/** A log axis cannot place zero or negative values: they become gaps, not -Infinity. */
export function forLogScale(values: ArrayLike<number | null>): (number | null)[] {
  return Array.from(values, (v) => (v !== null && v > 0 && Number.isFinite(v) ? v : null));
}

/** Index of the last x at or before `value` (x sorted ascending); -1 before the first. */
export function indexAtOrBefore(x: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = x.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (x[mid] <= value) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

/**
 * The x window after zooming by `factor` (< 1 in, > 1 out) around `centre`,
 * kept inside the data's extent [lo, hi] and at least `minSpan` wide.
 */
export function zoomWindow(
  current: [number, number],
  centre: number,
  factor: number,
  extent: [number, number],
  minSpan = 2,
): [number, number] {
  const [lo, hi] = extent;
  const span = Math.min(hi - lo, Math.max(minSpan, (current[1] - current[0]) * factor));
  let a = centre - (centre - current[0]) * (span / (current[1] - current[0] || 1));
  a = Math.min(Math.max(lo, a), hi - span);
  return [a, a + span];
}

export const CURVE_METRICS: readonly { id: MetricId; label: string }[] = [
  { id: 'lossD', label: 'Loss_D' },
  { id: 'lossG', label: 'Loss_G' },
  { id: 'dx', label: 'D(x)' },
  { id: 'dgz', label: 'D(G(z))' },
];

export interface RunCurves {
  x: number[];
  boundaries: EpochBoundary[];
  /** One series per metric; colour slots 0/1 within each pair (losses, D's outputs) drawn together. */
  series: Record<MetricId, CurveSeries>;
}

/** The per-iteration curves of one run. */
export function runCurves(rows: readonly MetricRow[]): RunCurves {
  const { x, rows: [aligned] } = alignRuns([rows]);
  const epochs = epochColumn(aligned ?? []);
  const series = {} as Record<MetricId, CurveSeries>;
  CURVE_METRICS.forEach((m, i) => {
    series[m.id] = { id: m.id, label: m.label, color: i % 2, values: column(aligned ?? [], m.id), epochs };
  });
  return { x, boundaries: epochBoundaries(rows), series };
}

export interface OverlayRun {
  id: number;
  label: string;
  color: number;
  rows: readonly MetricRow[];
}

export interface OverlayCurves {
  x: number[];
  /** Only the boundaries every run shares. */
  boundaries: EpochBoundary[];
  /** Per metric, one series per run. */
  series: Record<MetricId, CurveSeries[]>;
}

/** Several runs' per-iteration curves on one x axis, one chart per metric. */
export function overlayCurves(runs: readonly OverlayRun[]): OverlayCurves {
  const { x, rows } = alignRuns(runs.map((r) => r.rows));
  const epochs = rows.map(epochColumn);
  const series = {} as Record<MetricId, CurveSeries[]>;
  for (const m of CURVE_METRICS) {
    series[m.id] = runs.map((r, k) => ({ id: String(r.id), label: r.label, color: r.color, values: column(rows[k], m.id), epochs: epochs[k] }));
  }
  return { x, boundaries: commonBoundaries(runs.map((r) => epochBoundaries(r.rows))), series };
}
