import type { RunConfig } from '../../../shared/config.js';
import { type Dataset, excludedIndices, selectIndices } from './dataset.js';

/** The images a run trains on, as dataset indices: its seeded subset minus its exclusions. */
export function trainingIndices(dataset: Dataset, config: RunConfig): Int32Array {
  return selectIndices(dataset.count, config.limit, config.seed, excludedIndices(dataset, config.excluded));
}
