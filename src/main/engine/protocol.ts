import type { RunConfig } from '../../shared/config.js';
import type { BackendReport } from './backend/choose.js';
import type { CheckpointFile } from './train/checkpoint.js';

// The engine worker's message protocol. The host (src/main/jobs) forks the
// worker, sends one `train` job, and relays what comes back to the store.

export interface ResumePoint {
  epoch: number;
  /** Absolute folder of that epoch's checkpoint. */
  dir: string;
  sha256: Record<CheckpointFile['kind'], string>;
}

export interface TrainJob {
  runId: number;
  config: RunConfig;
  /** Absolute folder of the run; checkpoints and grids go below it. */
  runDir: string;
  resume?: ResumePoint;
}

export type HostToWorker = { type: 'train'; job: TrainJob } | { type: 'estimate'; config: RunConfig } | { type: 'cancel' };

export interface IterationMetrics {
  epoch: number;
  /** 1-based and global across epochs. */
  iteration: number;
  batch: number;
  batches: number;
  lossD: number;
  lossG: number;
  dx: number;
  dgz: number;
}

export interface EpochResult {
  epoch: number;
  lossD: number;
  lossG: number;
  dx: number;
  dgz: number;
  seconds: number;
  iterations: number;
  /** Relative to the run folder. */
  grid: string;
  checkpointDir: string;
  files: CheckpointFile[];
}

export type WorkerToHost =
  | { type: 'ready'; backend: BackendReport }
  | { type: 'dataset'; datasetId: string; images: number; batchesPerEpoch: number }
  | { type: 'progress'; metrics: IterationMetrics[] }
  | { type: 'epoch'; result: EpochResult }
  | { type: 'failed'; message: string; epoch?: number; iteration?: number }
  | { type: 'done'; status: 'completed' | 'cancelled' }
  | { type: 'estimate'; backend: string; msPerStep: number };
