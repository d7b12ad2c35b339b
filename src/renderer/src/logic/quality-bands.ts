// Compare's per-epoch G quality: runs that differ only by seed become one
// group drawn as its mean with a min-max band; other runs stay single lines.
import type { RunConfig } from '../../../shared/config.js';
import type { QualityRow } from '../../../shared/explain.js';
import { groupBySeed, spreadByEpoch, type EpochSpread } from '../../../shared/seed-groups.js';

export type QualityMetric = 'fidMnist' | 'digitsPresent';

export interface QualityRun {
  id: number;
  name: string;
  color: number;
  config: RunConfig;
  quality: readonly QualityRow[];
}

export interface QualityGroup {
  label: string;
  /** The first member's colour slot. */
  color: number;
  ids: number[];
  seeds: number[];
  /** Per epoch over the members; a single run's spread is its own value (n = 1, no band). */
  spread: EpochSpread[];
  members: { id: number; points: { epoch: number; value: number }[] }[];
}

export function qualityGroups(runs: readonly QualityRun[], metric: QualityMetric): QualityGroup[] {
  return groupBySeed(runs).map((g) => {
    const members = g.members.map((r) => ({ id: r.id, points: [...r.quality].sort((a, b) => a.epoch - b.epoch).map((q) => ({ epoch: q.epoch, value: q[metric] })) }));
    const label =
      g.members.length === 1
        ? `#${g.members[0].id} ${g.members[0].name}`
        : `#${g.members.map((m) => m.id).join(', #')} (${g.members.length} seeds)`;
    return { label, color: g.members[0].color, ids: g.members.map((m) => m.id), seeds: g.seeds, spread: spreadByEpoch(members.map((m) => m.points)), members };
  });
}

export interface BandColumns {
  x: number[];
  /** Per group: mean, min and max at each x (null where the group has no value). */
  mean: (number | null)[][];
  min: (number | null)[][];
  max: (number | null)[][];
  n: (number | null)[][];
}

export function bandColumns(groups: readonly QualityGroup[]): BandColumns {
  const x = [...new Set(groups.flatMap((g) => g.spread.map((s) => s.epoch)))].sort((a, b) => a - b);
  const at = (g: QualityGroup, pick: (s: EpochSpread) => number) => {
    const byEpoch = new Map(g.spread.map((s) => [s.epoch, s]));
    return x.map((e) => {
      const s = byEpoch.get(e);
      return s ? pick(s) : null;
    });
  };
  return {
    x,
    mean: groups.map((g) => at(g, (s) => s.mean)),
    min: groups.map((g) => at(g, (s) => s.min)),
    max: groups.map((g) => at(g, (s) => s.max)),
    n: groups.map((g) => at(g, (s) => s.n)),
  };
}

/**
 * The y range from a meaningful origin: 0 up to a little above the largest
 * value drawn, so seed noise on a high FID is not stretched into a trend.
 */
export function rangeFromZero(columns: readonly (number | null)[][], ceiling?: number): [number, number] {
  let hi = 0;
  for (const c of columns) for (const v of c) if (v !== null && Number.isFinite(v) && v > hi) hi = v;
  if (ceiling !== undefined) return [0, ceiling];
  return [0, hi > 0 ? hi * 1.08 : 1];
}
