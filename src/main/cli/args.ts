import type { ParseArgsConfig } from 'node:util';
import { ARCHITECTURES, PRESETS, presetConfig, validateRunConfig, type PresetName, type RunConfig } from '../../shared/config.js';
import { CAM_METHODS, CAM_TARGETS } from '../../shared/explain.js';
import { formatIssues } from '../../shared/schema.js';

export class UsageError extends Error {}

export type Flags = Record<string, string | boolean | string[] | undefined>;

export const OPTIONS: ParseArgsConfig['options'] = {
  home: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  preset: { type: 'string' },
  images: { type: 'string' },
  labels: { type: 'string' },
  limit: { type: 'string' },
  epochs: { type: 'string' },
  width: { type: 'string' },
  ngf: { type: 'string' },
  ndf: { type: 'string' },
  batch: { type: 'string' },
  seed: { type: 'string' },
  'training-seed': { type: 'string' },
  seeds: { type: 'string' },
  arch: { type: 'string' },
  lr: { type: 'string' },
  'lr-d': { type: 'string' },
  'label-smoothing': { type: 'string' },
  'instance-noise': { type: 'string' },
  name: { type: 'string' },
  epoch: { type: 'string' },
  layer: { type: 'string', multiple: true },
  method: { type: 'string' },
  target: { type: 'string' },
  samples: { type: 'string' },
  threshold: { type: 'string' },
  'confirmed-only': { type: 'boolean' },
  informative: { type: 'boolean' },
  checkpoint: { type: 'string' },
  count: { type: 'string' },
  out: { type: 'string' },
  compare: { type: 'string' },
  study: { type: 'string' },
  format: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  token: { type: 'string' },
  'resume-interrupted': { type: 'boolean' },
  stable: { type: 'string' },
};

export function intFlag(flags: Flags, name: string): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !/^\d+$/.test(v) || !Number.isSafeInteger(n)) throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(v)}`);
  return n;
}

/** A plain decimal number; the run-config schema checks its range. */
export function numberFlag(flags: Flags, name: string): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got ${JSON.stringify(v)}`);
  return n;
}

export function oneOfFlag<T extends string>(flags: Flags, name: string, allowed: readonly T[]): T | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}`);
  return v as T;
}

/** The run config the train command's flags describe, on top of a preset. */
export function configFromFlags(flags: Flags, defaultPreset: PresetName): RunConfig {
  const config = presetConfig(oneOfFlag(flags, 'preset', PRESETS) ?? defaultPreset);
  if (typeof flags.images === 'string') {
    config.dataset = typeof flags.labels === 'string' ? { kind: 'idx', images: flags.images, labels: flags.labels } : { kind: 'idx', images: flags.images };
  } else if (flags.labels !== undefined) {
    throw new UsageError('--labels needs --images');
  }
  if (flags.limit === 'all') config.limit = null;
  else config.limit = intFlag(flags, 'limit') ?? config.limit;
  config.epochs = intFlag(flags, 'epochs') ?? config.epochs;
  const width = intFlag(flags, 'width');
  if (width !== undefined) config.ngf = config.ndf = width;
  config.ngf = intFlag(flags, 'ngf') ?? config.ngf;
  config.ndf = intFlag(flags, 'ndf') ?? config.ndf;
  config.batchSize = intFlag(flags, 'batch') ?? config.batchSize;
  // --seed alone sets both seeds: one seed did everything before they were split.
  config.seed = intFlag(flags, 'seed') ?? config.seed;
  config.trainingSeed = intFlag(flags, 'training-seed') ?? intFlag(flags, 'seed') ?? config.trainingSeed;
  config.arch = oneOfFlag(flags, 'arch', ARCHITECTURES) ?? config.arch;
  config.lr = numberFlag(flags, 'lr') ?? config.lr;
  config.lrD = numberFlag(flags, 'lr-d') ?? config.lrD;
  config.labelSmoothing = numberFlag(flags, 'label-smoothing') ?? config.labelSmoothing;
  config.instanceNoise = numberFlag(flags, 'instance-noise') ?? config.instanceNoise;
  const checked = validateRunConfig(config);
  if (!checked.ok) throw new UsageError(formatIssues(checked.issues));
  return checked.value;
}

export function runId(arg: string | undefined): number {
  if (arg === undefined || !/^\d+$/.test(arg)) throw new UsageError(`expected a run id (a number), got ${arg === undefined ? 'nothing' : JSON.stringify(arg)}`);
  return Number(arg);
}

/** "5,10,15" -> [5, 10, 15] */
export function intListFlag(flags: Flags, name: string): number[] | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^\d+(,\d+)*$/.test(v)) throw new UsageError(`--${name} must be a comma-separated list of whole numbers, got ${JSON.stringify(v)}`);
  return v.split(',').map(Number);
}

export function fractionFlag(flags: Flags, name: string): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !(n >= 0 && n <= 1)) throw new UsageError(`--${name} must be a number between 0 and 1, got ${JSON.stringify(v)}`);
  return n;
}

/** "2/3" -> { min: 2, of: 3 }: flagged at >= 2 of the last 3 explained epochs. */
export function stableFlag(flags: Flags): { min: number; of: number } | undefined {
  const v = flags.stable;
  if (v === undefined) return undefined;
  const m = typeof v === 'string' ? /^(\d+)\/(\d+)$/.exec(v) : null;
  const [min, of] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (!m || min < 1 || min > of) throw new UsageError(`--stable must be K/N with 1 <= K <= N (flagged at K of the last N explained epochs), got ${JSON.stringify(v)}`);
  return { min, of };
}

export function stringFlag(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

/** --layer may repeat and may hold a comma-separated list: the CAMs of several layers are averaged. */
export function layersFlag(flags: Flags): string[] | undefined {
  const v = flags.layer;
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v : [String(v)]).flatMap((s) => s.split(',')).filter((s) => s !== '');
}

/** --layer, --method, --target and --threshold: which explanation a command makes or reads (the app's defaults where absent). */
export function camFlags(flags: Flags) {
  const threshold = fractionFlag(flags, 'threshold');
  return {
    layers: layersFlag(flags),
    method: oneOfFlag(flags, 'method', CAM_METHODS),
    target: oneOfFlag(flags, 'target', CAM_TARGETS),
    settings: threshold === undefined ? undefined : { threshold },
  };
}
