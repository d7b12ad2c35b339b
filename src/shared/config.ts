import * as s from './schema.js';

/** Image side the models are built for (the paper resizes MNIST to 64x64). */
export const IMAGE_SIZE = 64;

export const ARCHITECTURES = ['paper', 'dcgan5'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

/**
 * The CAM target layer used wherever none is chosen, by measurement (docs/explain.md,
 * "Choosing the method and layer"): with HiResCAM, dcgan5's block2 (16x16: faithful on both
 * measured seeds, ROAD 1.35 and 1.21, the best worst case; the deeper layers' ranking flips between
 * seeds) and the paper D's block1 (32x32, its only layer where a CAM beat a random map). At 8x8
 * and 4x4 the 0.70 rule mostly flags coarse maps (an ideal CAM's ratio is 0.27 / 0.52 there,
 * 0.09 at 16x16).
 */
export function defaultCamLayer(arch: Architecture): string {
  return arch === 'paper' ? 'block1' : 'block2';
}

/** D's blocks a CAM can target, with their spatial size (64 halves at each). */
export function camLayers(arch: Architecture): { name: string; size: number }[] {
  const blocks = arch === 'paper' ? 3 : 4;
  return Array.from({ length: blocks }, (_, k) => ({ name: `block${k + 1}`, size: IMAGE_SIZE / 2 ** (k + 1) }));
}

export const PRESETS = ['quick', 'paper'] as const;
export type PresetName = (typeof PRESETS)[number];

export const datasetSchema = s.union<DatasetRef>([
  s.object({ kind: s.literal('mnist') }),
  s.object({
    kind: s.literal('idx'),
    images: s.string({ minLength: 1, maxLength: 4096, label: 'Images file (idx3, plain or .gz)' }),
    labels: s.optional(s.string({ minLength: 1, maxLength: 4096, label: 'Labels file (idx1, plain or .gz)' })),
  }),
]);

export type DatasetRef = { kind: 'mnist' } | { kind: 'idx'; images: string; labels?: string };

/**
 * Everything that determines a run's result. It is stored with the run and a
 * derived run copies it, changing only `excluded` (a study's runs also change
 * `trainingSeed`). Two seeds, so that varying the training seed never changes
 * WHICH images a limit draws: one seed for both would confound data and seed.
 */
export const runConfigSchema = s.object({
  dataset: datasetSchema,
  limit: s.nullable(
    s.number({ integer: true, min: 1, max: 10_000_000, label: 'Training images', help: 'A seeded subset of the dataset; empty for all of it' }),
  ),
  excluded: s.array(s.string({ maxLength: 200 }), { maxItems: 10_000_000, label: 'Excluded sample ids' }),
  arch: s.oneOf(ARCHITECTURES, {
    label: 'Discriminator',
    help: "paper: 4 convolutions, the last maps the 8x8 map to one logit; dcgan5: PyTorch's 5-convolution D",
  }),
  nz: s.number({ integer: true, min: 1, max: 1024, label: 'Noise size (nz)' }),
  ngf: s.number({ integer: true, min: 1, max: 512, label: 'Generator width (ngf)' }),
  ndf: s.number({ integer: true, min: 1, max: 512, label: 'Discriminator width (ndf)' }),
  batchSize: s.number({ integer: true, min: 2, max: 4096, label: 'Batch size' }),
  epochs: s.number({ integer: true, min: 1, max: 10_000, label: 'Epochs' }),
  lr: s.number({ min: 1e-7, max: 1, label: 'Learning rate' }),
  lrD: s.nullable(
    s.number({ min: 1e-7, max: 1, label: "D's learning rate", help: 'Empty: the same as the learning rate; lower slows D down (a stabiliser)' }),
  ),
  beta1: s.number({ min: 0, max: 0.9999, label: 'Adam beta1' }),
  beta2: s.number({ min: 0, max: 0.99999, label: 'Adam beta2' }),
  seed: s.number({
    integer: true,
    min: 0,
    max: 2 ** 31 - 1,
    label: 'Data seed',
    help: 'Draws the training subset (with a limit), the probe samples and the z of the sample grids and of G quality',
  }),
  trainingSeed: s.number({
    integer: true,
    min: 0,
    max: 2 ** 31 - 1,
    label: 'Training seed',
    help: "Weight init, batch order and the training noise; a study's runs differ only in this and in their exclusions",
  }),
  labelSmoothing: s.number({
    min: 0,
    max: 0.5,
    label: 'One-sided label smoothing',
    help: "D's target for real images is 1 minus this (0: off); a stabiliser",
  }),
  instanceNoise: s.number({
    min: 0,
    max: 2,
    label: 'Instance noise',
    help: 'Std of Gaussian noise added to every image D sees, falling linearly to 0 by the last iteration (0: off); a stabiliser',
  }),
});

export type RunConfig = s.Infer<typeof runConfigSchema>;

const COMMON = {
  dataset: { kind: 'mnist' } as DatasetRef,
  excluded: [] as string[],
  arch: 'paper' as Architecture,
  nz: 100,
  lr: 2e-4,
  lrD: null,
  beta1: 0.5,
  beta2: 0.999,
  batchSize: 64,
  seed: 1,
  trainingSeed: 1,
  labelSmoothing: 0,
  instanceNoise: 0,
};

/**
 * quick: the smallest recipe measured to teach G all ten digits on a 2-core CPU
 * within 15 minutes (docs/recipe.md): dcgan5 at width 64. The paper's D at width
 * 16 or 64 and dcgan5 at width 32 collapse on these 6,400 images (D(x) ~1,
 * one digit). paper: the paper's full size, for a GPU.
 */
export const PRESET_CONFIGS: Record<PresetName, RunConfig> = {
  quick: { ...COMMON, arch: 'dcgan5', limit: 6400, ngf: 64, ndf: 64, epochs: 10 },
  paper: { ...COMMON, limit: null, ngf: 64, ndf: 64, epochs: 25 },
};

export function presetConfig(name: PresetName): RunConfig {
  const c = PRESET_CONFIGS[name];
  return { ...c, dataset: { ...c.dataset }, excluded: [...c.excluded] };
}

export function validateRunConfig(value: unknown): s.Result<RunConfig> {
  return s.parse(runConfigSchema, value);
}

/** Stable identity of a training sample: dataset id and index in that dataset. */
export function sampleId(datasetId: string, index: number): string {
  return `${datasetId}:${index}`;
}

export function parseSampleId(id: string): { datasetId: string; index: number } | null {
  const at = id.lastIndexOf(':');
  if (at <= 0) return null;
  const index = Number(id.slice(at + 1));
  if (!Number.isInteger(index) || index < 0) return null;
  return { datasetId: id.slice(0, at), index };
}
