import type { FinalQuality } from '../../shared/study.js';
import type { RunConfig } from '../../shared/config.js';
import type { CamMethod, CamTarget, Faithfulness, FocusSample, KeepCams, SanityStage, SanityVerdict } from '../../shared/explain.js';
import type { FocusSettings } from '../../shared/focus-settings.js';
import type { BackendReport } from '../../shared/types.js';
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

export interface ExplainJob {
  config: RunConfig;
  /** D's checkpoint per epoch: the model.json and the hash recorded for it. */
  epochs: { epoch: number; dir: string; sha256: string }[];
  /** Target layers; empty for D's default (defaultTargetLayer). */
  layers: string[];
  method: CamMethod;
  target: CamTarget;
  settings: FocusSettings;
  /** Dataset indices to explain, or every image the run trains on. */
  samples: { kind: 'indices'; indices: number[] } | { kind: 'train' };
  keepCams: KeepCams;
  batchSize: number;
  /** Also measure the CAMs' faithfulness (ROAD) after each epoch's last batch: for the probes, a few images. */
  faithfulness: boolean;
}

/** The model-randomisation sanity check of one epoch's CAMs. */
export interface SanityJob {
  config: RunConfig;
  checkpoint: { epoch: number; dir: string; sha256: string };
  indices: number[];
  layers: string[];
  method: CamMethod;
  target: CamTarget;
  settings: FocusSettings;
  seed: number;
}

export interface QualityJob {
  epochs: { epoch: number; dir: string; sha256: string }[];
  nz: number;
  count: number;
  seed: number;
}

/** Picks probes whose CAM changes most across epochs, among candidates. */
export interface ProbesJob {
  config: RunConfig;
  epochs: { epoch: number; dir: string; sha256: string }[];
  candidates: number[];
  layers: string[];
  method: CamMethod;
  target: CamTarget;
  count: number;
}

export type HostToWorker =
  | { type: 'train'; job: TrainJob }
  | { type: 'estimate'; config: RunConfig }
  | { type: 'explain'; job: ExplainJob }
  | { type: 'quality'; job: QualityJob }
  | { type: 'probes'; job: ProbesJob }
  | { type: 'sanity'; job: SanityJob }
  | { type: 'finalQuality'; job: FinalQualityJob }
  | { type: 'cancel' };

/** A study run's final estimate: G of one checkpoint on `count` samples of the data seed's quality noise. */
export interface FinalQualityJob {
  epoch: number;
  dir: string;
  sha256: string;
  nz: number;
  seed: number;
  count: number;
  /** Where the MNIST test set's features may be kept between processes. */
  cacheDir: string;
}

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
  /** G quality on the run's fixed quality noise; null when it could not be measured (the run then fails, saying why). */
  quality: EpochQuality | null;
}

export interface EpochQuality {
  count: number;
  classCounts: number[];
  digitsPresent: number;
  meanConfidence: number;
  fidMnist: number;
}

export type WorkerToHost =
  | { type: 'ready'; backend: BackendReport }
  | { type: 'dataset'; datasetId: string; images: number; batchesPerEpoch: number }
  | { type: 'progress'; metrics: IterationMetrics[] }
  | { type: 'epoch'; result: EpochResult }
  /** code 'disk_full': a write failed for lack of space (the run is resumable once there is some). */
  | { type: 'failed'; message: string; epoch?: number; iteration?: number; code?: 'disk_full' }
  | { type: 'done'; status: 'completed' | 'cancelled' }
  | { type: 'estimate'; backend: string; msPerStep: number }
  | { type: 'explainEpoch'; epoch: number; layers: string[]; total: number }
  | { type: 'explainBatch'; epoch: number; rows: FocusSample[] }
  | { type: 'explainFaithfulness'; epoch: number; faithfulness: Faithfulness | null }
  | { type: 'explainEpochDone'; epoch: number }
  | { type: 'sanity'; layers: string[]; stages: SanityStage[]; verdict: SanityVerdict }
  | { type: 'probes'; indices: number[]; change: number[] }
  | ({ type: 'qualityEpoch'; epoch: number } & EpochQuality)
  | { type: 'finalQuality'; result: FinalQuality };
