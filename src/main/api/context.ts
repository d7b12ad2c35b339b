import type { ApiEvent, MethodName, ParamsOf, ResultOf } from '../../shared/api.js';
import type { DatasetRef } from '../../shared/config.js';
import { type Dataset, loadDataset } from '../engine/data/dataset.js';
import type { EngineLauncher } from '../jobs/launcher.js';
import type { JobRegistry } from '../jobs/registry.js';
import type { StudyRunner } from '../jobs/study-runner.js';
import type { TrainingService } from '../jobs/training.js';
import type { Database } from '../store/db.js';
import type { HomePaths } from '../store/paths.js';

/** What every group of API methods works with. */
export interface RouterContext {
  db: Database;
  paths: HomePaths;
  launcher: EngineLauncher;
  emit(e: ApiEvent): void;
  training: TrainingService;
  jobs: JobRegistry;
  studies: StudyRunner;
  dataset(ref: DatasetRef): Dataset;
  /** Settles when the run's current training ends. */
  finishing: Map<number, Promise<unknown>>;
}

export type MethodGroup<M extends MethodName> = { [K in M]: (p: ParamsOf<K>) => Promise<ResultOf<K>> | ResultOf<K> };

/**
 * Thumbnails, probe labels and sample images need the dataset in this process;
 * reading MNIST takes ~0.15 s, so the last two datasets are kept.
 */
export function datasetCache(capacity = 2): (ref: DatasetRef) => Dataset {
  const cache = new Map<string, Dataset>();
  return (ref) => {
    const key = JSON.stringify(ref);
    let d = cache.get(key);
    if (d) {
      cache.delete(key);
    } else {
      d = loadDataset(ref);
      if (cache.size >= capacity) cache.delete(cache.keys().next().value!);
    }
    cache.set(key, d);
    return d;
  };
}
