// Types shared by the main process and the UI. No Node, no DOM.
import type { RunConfig } from './config.js';
import type { QualityRow } from './explain.js';

export const RUN_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Statuses a run ends in; reaching one sets its finishedAt. */
export const FINISHED_RUN_STATUSES = ['completed', 'failed', 'cancelled', 'interrupted'] as const satisfies readonly RunStatus[];

export function isRunStatus(value: unknown): value is RunStatus {
  return typeof value === 'string' && (RUN_STATUSES as readonly string[]).includes(value);
}

export function isFinishedStatus(status: RunStatus): boolean {
  return (FINISHED_RUN_STATUSES as readonly string[]).includes(status);
}

export const CHECKPOINT_KINDS = ['generator', 'discriminator', 'optimizer'] as const;
export type CheckpointKind = (typeof CHECKPOINT_KINDS)[number];

/** Why a run stopped; `at` is an ISO timestamp. */
export interface RunError {
  message: string;
  epoch?: number;
  iteration?: number;
  /**
   * Why an interrupted run stopped, where a program acts on it: 'disk_full' (a write found no
   * space), 'process_stopped' (the process training it ended: killed, crashed, shut down while
   * training; `serve --resume-interrupted` continues these).
   */
  code?: RunErrorCode;
  at: string;
}

export type RunErrorCode = 'disk_full' | 'process_stopped';

export interface RunRow {
  id: number;
  name: string;
  status: RunStatus;
  config: RunConfig;
  datasetId: string | null;
  parentId: number | null;
  /** Sample ids this run excludes relative to its parent (lineage display). */
  excluded: string[];
  backend: string | null;
  /** The process responsible for a queued or running run; kept afterwards as history. */
  hostPid: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  notes: string;
  tags: string[];
  error: RunError | null;
  epochsCompleted: number;
}

/** Checkpoint file paths of one epoch, relative to the home folder. */
export type EpochCheckpointPaths = Record<CheckpointKind, string | null>;

/** Epoch means. A loss that was NaN is stored as null (SQLite has no NaN). */
export interface EpochRow {
  runId: number;
  epoch: number;
  lossD: number | null;
  lossG: number | null;
  dx: number | null;
  dgz: number | null;
  seconds: number | null;
  iterations: number | null;
  /** Fixed-noise sample grid, relative to the home folder. */
  gridPath: string | null;
  finishedAt: string;
  checkpoint: EpochCheckpointPaths;
  /** G quality measured at the end of the epoch (null for epochs trained before it was automatic, or when it failed). */
  quality: QualityRow | null;
}

export interface MetricRow {
  epoch: number;
  /** Global, 1-based. */
  iteration: number;
  lossD: number | null;
  lossG: number | null;
  dx: number | null;
  dgz: number | null;
}

export const BACKEND_CHOICES = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'native-cpu', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

/** The WebGPU adapter Dawn offered, as its GPUAdapterInfo names it. */
export interface GpuAdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU rasteriser (lavapipe, SwiftShader, WARP): used only when asked for by name. */
  software: boolean;
}

/** The tfjs backend the engine chose, and why each better one was skipped. */
export interface BackendReport {
  chosen: BackendChoice;
  /** tfjs' own backend name (tensorflow, webgpu, native-cpu, wasm, cpu). */
  tfBackend: string;
  detail: string;
  skipped: { candidate: BackendChoice; reason: string }[];
  /** The WebGPU adapter found, whether or not it was chosen; absent where Dawn found none or was not asked. */
  gpuAdapter?: GpuAdapterReport;
  versions: Record<string, string>;
  cores: number;
  memoryBytes: number;
  node: string;
}
