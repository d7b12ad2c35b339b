// Runs that differ only by seed are repeats of one experiment: their spread
// is the noise a comparison has to beat. Pure, for every view and report
// (Compare's bands, studies) to group and summarise the same way.
import type { RunConfig } from './config.js';

/**
 * The config without its seeds (the data seed and the training seed), as a
 * stable string: equal keys mean "same experiment".
 */
export function configKeyWithoutSeed(config: RunConfig): string {
  const { seed: _seed, trainingSeed: _trainingSeed, ...rest } = config;
  return stableStringify(rest);
}

function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export interface SeedGroup<T> {
  key: string;
  /** In the order given. */
  members: T[];
  /** Each member's training seed (what a seed study varies). */
  seeds: number[];
}

/** Groups items by config-without-seed, groups in order of their first member. */
export function groupBySeed<T extends { config: RunConfig }>(items: readonly T[]): SeedGroup<T>[] {
  const groups = new Map<string, SeedGroup<T>>();
  for (const item of items) {
    const key = configKeyWithoutSeed(item.config);
    const g = groups.get(key) ?? { key, members: [], seeds: [] };
    g.members.push(item);
    g.seeds.push(item.config.trainingSeed);
    groups.set(key, g);
  }
  return [...groups.values()];
}

export interface Spread {
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1); 0 for one value. */
  sd: number;
  min: number;
  max: number;
}

/** Mean, sample sd and range of the finite values; null when there are none. */
export function spreadOf(values: readonly (number | null | undefined)[]): Spread | null {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { n, mean, sd, min: Math.min(...xs), max: Math.max(...xs) };
}

export interface EpochSpread extends Spread {
  epoch: number;
}

/**
 * Per epoch, the spread of one quantity over the members of a group, from
 * each member's (epoch, value) points. Epochs only some members reached
 * count those members (n says how many).
 */
export function spreadByEpoch(members: readonly { epoch: number; value: number | null }[][]): EpochSpread[] {
  const byEpoch = new Map<number, (number | null)[]>();
  for (const points of members) {
    for (const p of points) byEpoch.set(p.epoch, [...(byEpoch.get(p.epoch) ?? []), p.value]);
  }
  return [...byEpoch.entries()]
    .sort((a, b) => a[0] - b[0])
    .flatMap(([epoch, vs]) => {
      const s = spreadOf(vs);
      return s ? [{ epoch, ...s }] : [];
    });
}
