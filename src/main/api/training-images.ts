import type { RunConfig } from '../../shared/config.js';
import { trainingIndices } from '../engine/data/run-indices.js';
import type { RouterContext } from './context.js';
import { ApiError } from './errors.js';

export type ImageCount = { images: number; datasetImages: number } | { error: string };

/**
 * The images a run trains on: its seeded subset of the dataset minus its
 * exclusions, counted exactly as the engine will (a derived run's 1,024-image
 * subset minus 5 exclusions is 1,019). An unreadable dataset gives its error.
 */
export function countTrainingImages(ctx: Pick<RouterContext, 'dataset'>, config: RunConfig): ImageCount {
  try {
    const dataset = ctx.dataset(config.dataset);
    return { images: trainingIndices(dataset, config).length, datasetImages: dataset.count };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

export function trainingImagesOf(ctx: Pick<RouterContext, 'dataset'>, config: RunConfig): number | null {
  const count = countTrainingImages(ctx, config);
  return 'error' in count ? null : count.images;
}

/** Why a config cannot train, in words that name the counts; null when it can. */
export function untrainableReason(config: RunConfig, count: ImageCount): string | null {
  if ('error' in count) return `its training images cannot be read: ${count.error}`;
  if (count.images >= config.batchSize) return null;
  const parts = [`dataset ${count.datasetImages.toLocaleString('en-US')}`];
  if (config.limit !== null && config.limit < count.datasetImages) parts.push(`limit ${config.limit.toLocaleString('en-US')}`);
  if (config.excluded.length) parts.push(`${config.excluded.length.toLocaleString('en-US')} excluded`);
  const fix = count.images >= 2 ? `use a batch size of at most ${count.images}, or more images` : 'use more images';
  return `it would train on ${count.images.toLocaleString('en-US')} images (${parts.join(', ')}), fewer than one batch of ${config.batchSize}, so an epoch would have no step: ${fix}`;
}

/** Refuses a config that cannot complete one training step; returns its image count. */
export function requireTrainable(ctx: Pick<RouterContext, 'dataset'>, config: RunConfig, what: string, code: 'bad_request' | 'conflict' = 'bad_request'): number {
  const count = countTrainingImages(ctx, config);
  const reason = untrainableReason(config, count);
  if (reason !== null || 'error' in count) throw new ApiError(code, `${what} cannot train: ${reason}`);
  return count.images;
}
