// The one API contract. src/main/api/router.ts implements it once; Electron IPC
// (preload bridge), the WebSocket of `gan-focus serve`, and the CLI are thin
// adapters over that router. Every request's params are validated at the edge
// against `methods[name].params`.

import { PRESETS, runConfigSchema, type RunConfig } from './config.js';
import * as s from './schema.js';
import {
  CAM_METHODS,
  CAM_TARGETS,
  KEEP_CAMS,
  REVIEW_DECISIONS,
  SAMPLE_SETS,
  type BestEpochConfirmation,
  type BestEpochRecommendation,
  type CamMethod,
  type CamTarget,
  type EpochFocusSummary,
  type FocusRow,
  type ProbeSample,
  type QualityRow,
  type SampleSet,
  type SanityResult,
} from './explain.js';
import type { FocusSettings } from './focus-settings.js';
import { MAX_STUDY_SEEDS, type StudyDetail, type StudySummary } from './study.js';
import type { BackendReport } from './types.js';
import { RUN_STATUSES, type EpochRow, type MetricRow, type RunRow, type RunStatus } from './types.js';

const id = s.number({ integer: true, min: 1 });
const epoch = s.number({ integer: true, min: 1 });
const name = s.string({ minLength: 1, maxLength: 200 });
const tag = s.string({ minLength: 1, maxLength: 60 });
const layerName = s.string({ minLength: 1, maxLength: 100, pattern: /^[A-Za-z0-9_]+$/ });
/** Which CAM: D's target layers (default: defaultCamLayer of the run's architecture), method, target. */
const camChoice = {
  layers: s.optional(s.array(layerName, { maxItems: 8 })),
  method: s.optional(s.oneOf(CAM_METHODS)),
  target: s.optional(s.oneOf(CAM_TARGETS)),
};
/** Flagged at >= min of the last `of` explained epochs (FlagStability). */
const stableRequirement = s.object({ min: s.number({ integer: true, min: 1, max: 10_000 }), of: s.number({ integer: true, min: 1, max: 10_000 }) });
const settingsPatch = s.object({
  maskLevel: s.optional(s.number({ min: 0, max: 1, label: 'Digit mask level' })),
  dilation: s.optional(s.number({ integer: true, min: 0, max: 16, label: 'Mask dilation (pixels)' })),
  camLevel: s.optional(s.number({ min: 0, max: 1, label: 'CAM level for coverage' })),
  threshold: s.optional(s.number({ min: 0, max: 1, label: 'Flag threshold (off-digit share)' })),
});

export const REPORT_FORMATS = ['html', 'pdf', 'csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const methods = {
  doctor: { params: s.object({}) },
  presets: { params: s.object({}) },
  listRuns: {
    params: s.object({
      search: s.optional(s.string({ maxLength: 200 })),
      status: s.optional(s.oneOf(RUN_STATUSES)),
      tag: s.optional(tag),
    }),
  },
  getRun: { params: s.object({ id }) },
  createRun: { params: s.object({ name: s.optional(name), config: runConfigSchema, start: s.optional(s.boolean()), tags: s.optional(s.array(tag, { maxItems: 50 })) }) },
  updateRun: {
    params: s.object({
      id,
      name: s.optional(name),
      notes: s.optional(s.string({ maxLength: 20_000 })),
      tags: s.optional(s.array(tag, { maxItems: 50 })),
    }),
  },
  deleteRun: { params: s.object({ id }) },
  duplicateRun: { params: s.object({ id }) },
  startRun: { params: s.object({ id }) },
  resumeRun: { params: s.object({ id }) },
  /** `reason` is kept with the cancelled run (e.g. "from the workbench", "with Ctrl-C in the terminal"). */
  cancelRun: { params: s.object({ id, reason: s.optional(s.string({ minLength: 1, maxLength: 200 })) }) },
  getMetrics: {
    params: s.object({
      id,
      fromIteration: s.optional(s.number({ integer: true, min: 0 })),
      limit: s.optional(s.number({ integer: true, min: 1, max: 1_000_000 })),
    }),
  },
  getGrid: { params: s.object({ id, epoch }) },
  estimateEpoch: { params: s.object({ config: runConfigSchema }) },

  // Explain D (Grad-CAM), review flags, exclude and retrain, judge G.
  explain: {
    params: s.object({
      id,
      epochs: s.optional(s.array(epoch, { maxItems: 10_000 })),
      ...camChoice,
      samples: s.optional(s.oneOf(SAMPLE_SETS)),
      settings: s.optional(settingsPatch),
      keepCams: s.optional(s.oneOf(KEEP_CAMS)),
    }),
  },
  listJobs: { params: s.object({}) },
  cancelJob: { params: s.object({ jobId: s.number({ integer: true, min: 1 }) }) },
  setProbes: {
    params: s.object({
      id,
      mode: s.oneOf(['stratified', 'informative', 'manual'] as const),
      indices: s.optional(s.array(s.number({ integer: true, min: 0 }), { maxItems: 256 })),
      count: s.optional(s.number({ integer: true, min: 1, max: 256 })),
    }),
  },
  getExplanationGrid: { params: s.object({ id, ...camChoice, settings: s.optional(settingsPatch) }) },
  /** Every CAM choice and focus settings the run has complete explanations for, however they were made (UI, CLI, scripts). */
  listExplanationSettings: { params: s.object({ id }) },
  getFocusSummary: { params: s.object({ id, ...camChoice, settings: s.optional(settingsPatch) }) },
  /** Under the explain settings given (the defaults where absent); another set of settings is another confirmation. */
  confirmBestEpoch: { params: s.object({ id, epoch, ...camChoice, settings: s.optional(settingsPatch), note: s.optional(s.string({ maxLength: 5000 })) }) },
  listFlags: {
    params: s.object({
      id,
      epoch: s.optional(epoch),
      ...camChoice,
      settings: s.optional(settingsPatch),
      flaggedOnly: s.optional(s.boolean()),
      minRatio: s.optional(s.number({ min: 0, max: 1 })),
      maxRatio: s.optional(s.number({ min: 0, max: 1 })),
      digit: s.optional(s.number({ integer: true, min: 0, max: 255 })),
      offset: s.optional(s.number({ integer: true, min: 0 })),
      limit: s.optional(s.number({ integer: true, min: 1, max: 100_000 })),
      /** Only samples flagged at >= min of the last `of` explained epochs up to the listed one. */
      stable: s.optional(stableRequirement),
    }),
  },
  getSamples: {
    params: s.object({
      id,
      indices: s.array(s.number({ integer: true, min: 0 }), { maxItems: 512 }),
      epoch: s.optional(epoch),
      ...camChoice,
      settings: s.optional(settingsPatch),
    }),
  },
  reviewSample: {
    params: s.object({
      id,
      index: s.number({ integer: true, min: 0 }),
      decision: s.optional(s.nullable(s.oneOf(REVIEW_DECISIONS))),
      note: s.optional(s.string({ maxLength: 5000 })),
    }),
  },
  excludeAndRetrain: {
    params: s.object({
      id,
      epoch: s.optional(epoch),
      confirmedOnly: s.optional(s.boolean()),
      ...camChoice,
      settings: s.optional(settingsPatch),
      /** Exclude only the flags that are stable (as listFlags' stable). */
      stable: s.optional(stableRequirement),
      name: s.optional(name),
      start: s.optional(s.boolean()),
    }),
  },
  assessQuality: {
    params: s.object({
      id,
      epochs: s.optional(s.array(epoch, { maxItems: 10_000 })),
      count: s.optional(s.number({ integer: true, min: 10, max: 100_000 })),
    }),
  },
  getQuality: { params: s.object({ id }) },
  /** The model-randomisation sanity check of one epoch's CAMs on the probe samples (docs/explain.md). */
  sanityCheck: {
    params: s.object({ id, epoch, ...camChoice, settings: s.optional(settingsPatch), seed: s.optional(s.number({ integer: true, min: 0, max: 2 ** 31 - 1 })) }),
  },
  compareRuns: { params: s.object({ ids: s.array(id, { maxItems: 8 }), ...camChoice, settings: s.optional(settingsPatch) }) },

  // Studies (docs/study.md): arms full / flagged-excluded / random-excluded x training seeds.
  createStudy: {
    params: s.object({
      /** The parent run, whose training-set explanation at `epoch` gives the flags. */
      id,
      epoch,
      seeds: s.optional(s.number({ integer: true, min: 1, max: MAX_STUDY_SEEDS, label: 'Seeds per arm' })),
      /** Epochs each arm trains; the parent's by default. Fewer fits a study into a CPU budget, and the arms still differ only in their data. */
      epochs: s.optional(s.number({ integer: true, min: 1, max: 10_000, label: 'Epochs per run' })),
      confirmedOnly: s.optional(s.boolean()),
      ...camChoice,
      settings: s.optional(settingsPatch),
      name: s.optional(name),
      /** Start training its runs, one after another, in this process. */
      start: s.optional(s.boolean()),
    }),
  },
  getStudy: { params: s.object({ id }) },
  /** With `runId`: only the studies that run belongs to, as one of their runs or as their parent. */
  listStudies: { params: s.object({ runId: s.optional(id) }) },
  /** Continues a stopped study: completed runs are kept, an interrupted one continues from its last complete epoch. */
  resumeStudy: { params: s.object({ id }) },
  cancelStudy: { params: s.object({ id }) },

  // Reports (docs/reports.md). Without `out` the content comes back in the result.
  exportReport: {
    params: s.object({
      ids: s.array(id, { maxItems: 8 }),
      format: s.oneOf(REPORT_FORMATS),
      /** An absolute path ending in .<format>, written on the machine that runs the router. */
      out: s.optional(s.string({ minLength: 1, maxLength: 4096 })),
      ...camChoice,
      settings: s.optional(settingsPatch),
    }),
  },
  /** A study's report: the verdict, effects, per-arm estimates, arms x seeds (docs/reports.md). */
  exportStudyReport: {
    params: s.object({
      id,
      format: s.oneOf(REPORT_FORMATS),
      /** As exportReport's. */
      out: s.optional(s.string({ minLength: 1, maxLength: 4096 })),
    }),
  },
} as const;

export type MethodName = keyof typeof methods;
export type ParamsOf<M extends MethodName> = s.Infer<(typeof methods)[M]['params']>;

export type RunSummary = RunRow;

/** A row of the runs table: the run plus what the explain workflow found. */
export interface RunListItem extends RunSummary {
  /** The latest confirmed best epoch (under any settings), else the one recommended under the default settings. */
  bestEpoch: {
    epoch: number;
    confirmed: boolean;
    /** The explain settings it was confirmed (or is recommended) under. */
    cam: { layers: string[]; method: CamMethod; target: CamTarget; settings: FocusSettings };
  } | null;
  /** `flags.flagged`, kept for scripts that read it. */
  flagCount: number | null;
  /**
   * Flags of one training-set explanation with the settings of bestEpoch (the
   * defaults when there is none): at the best epoch when it is explained, else the one computed
   * last. `confirmed`: its flagged samples a person confirmed.
   */
  flags: { epoch: number; flagged: number; total: number; confirmed: number } | null;
  /** The images it trains on (its subset minus its exclusions); null when its dataset cannot be read here. */
  trainingImages: number | null;
  /** G quality of the latest epoch assessed (its `epoch` says which); null before any. */
  quality: QualityRow | null;
}
export type { MetricRow, RunError, RunErrorCode } from './types.js';

/** An epoch as the API reports it: checkpoint and grid paths are absolute. */
export type EpochSummary = EpochRow;

export interface RunDetail extends RunSummary {
  /** The images it trains on (its subset minus its exclusions); null when its dataset cannot be read here. */
  trainingImages: number | null;
  epochs: EpochSummary[];
  /** Runs derived from this one. */
  children: { id: number; name: string; status: RunStatus }[];
}

export interface DoctorReport extends BackendReport {
  home: string;
}

export interface EpochEstimate {
  backend: string;
  /** The images an epoch goes through (the subset minus the exclusions). */
  images: number;
  secondsPerStep: number;
  stepsPerEpoch: number;
  secondsPerEpoch: number;
  /** How the number was obtained (measured now, or scaled from a measurement). */
  basis: string;
}

export interface JobInfo {
  jobId: number;
  kind: 'explain' | 'quality';
  runId: number;
  status: 'running' | 'completed' | 'cancelled' | 'failed';
  done: number;
  total: number;
  message: string | null;
  /** What the job works on, in words (e.g. "probe samples, epochs 1-10"). */
  label: string;
}

/** One cell of the Figure-1 grid: a probe sample at an epoch. */
export interface GridCell {
  epoch: number;
  position: number;
  ratio: number | null;
  /** The ideal CAM's off-digit ratio at the layer's resolution (FocusSample.baselineRatio). */
  baselineRatio: number | null;
  coverage: number;
  score: number;
  flagged: boolean;
  /** 64x64 8-bit CAM (0..255 = 0..1), base64. */
  camBase64: string | null;
}

export interface ExplanationGrid {
  runId: number;
  layers: string[];
  method: CamMethod;
  settings: FocusSettings;
  /**
   * `excluded`: the run does not train on this probe (a derived run keeps its
   * parent's probes so rows line up; one the child excludes is still a valid image to explain).
   */
  probes: (ProbeSample & { imageBase64: string; excluded: boolean })[];
  /** Epochs that have a complete probe explanation, ascending. */
  epochs: number[];
  cells: GridCell[];
  /** D's block names with their spatial size, for the layer switch. */
  availableLayers: { name: string; size: number }[];
}

/** One set of explain settings a run has complete explanations for, with the epochs explained under it. */
export interface ExplanationSettings {
  layers: string[];
  method: CamMethod;
  target: CamTarget;
  settings: FocusSettings;
  /** Epochs with a complete probe explanation, ascending. */
  probeEpochs: number[];
  /** Epochs with a complete training-set explanation, ascending. */
  trainEpochs: number[];
}

export interface FocusSummaryResult {
  runId: number;
  layers: string[];
  method: CamMethod;
  summaries: EpochFocusSummary[];
  recommendation: BestEpochRecommendation;
  confirmed: BestEpochConfirmation | null;
}

export interface FlagList {
  runId: number;
  epoch: number | null;
  samples: SampleSet;
  explanationId: number | null;
  settings: FocusSettings;
  total: number;
  flagged: number;
  noEvidence: number;
  /** Mean baseline ratio over the explanation's samples (null if none has one): see resolutionWarning. */
  meanBaselineRatio: number | null;
  /** The explanation's target layers (the warning names them). */
  layers: string[];
  /** Every decision on the run's samples (reviews are kept per run, across epochs). */
  reviewed: { confirmed: number; dismissed: number };
  /** The decisions on the samples flagged at this epoch: the epoch that was reviewed has some. */
  flaggedReviewed: { confirmed: number; dismissed: number };
  /** The explained epochs each item's `flaggedIn` counts over, and the requirement asked for. */
  stability: FlagStability;
  items: FlagItem[];
}

/**
 * Flag stability: over the training-set explanations with the same settings up
 * to the listed epoch (the last `of` of them when a requirement is given), at
 * how many each sample was flagged. The paper trusts features that recur.
 */
export interface FlagStability {
  /** Explained epochs counted, ascending; the listed epoch is the last. */
  epochs: number[];
  /** The requirement asked for (flagged at >= min of the last `of`), or null. */
  required: { min: number; of: number } | null;
  /** Samples flagged at the listed epoch that meet the requirement (all flagged ones without one). */
  stable: number;
}

export interface FlagItem extends FocusRow {
  /** At how many of `stability.epochs` this sample was flagged. */
  flaggedIn: number;
}

export interface SampleImages {
  index: number;
  sampleId: string;
  digit: number | null;
  /** 64x64 8-bit grayscale of the model input, base64. */
  imageBase64: string;
  camBase64: string | null;
}

export interface CompareResult {
  runs: RunDetail[];
  /** Requested ids with no run (deleted, or a mistyped address); the others are compared. */
  missing: number[];
  /** Only the config keys whose values differ, one value per run. */
  configDiff: { key: string; values: unknown[] }[];
  focus: { runId: number; summaries: EpochFocusSummary[]; recommendation: BestEpochRecommendation }[];
  quality: { runId: number; rows: QualityRow[] }[];
  flagRates: { runId: number; epoch: number; flagRate: number }[];
  lineage: { id: number; parentId: number | null; excludedCount: number }[];
}

export interface ReportExport {
  format: ReportFormat;
  /** The file written (absolute), or null when the content is returned. */
  out: string | null;
  bytes: number;
  /** CSV data rows; null for the other formats. */
  rows: number | null;
  /** Without `out`: the report itself, as text (html, json, csv) or base64 (pdf). */
  content: string | null;
  encoding: 'utf8' | 'base64' | null;
}

export interface Results {
  doctor: DoctorReport;
  presets: Record<(typeof PRESETS)[number], RunConfig>;
  listRuns: RunListItem[];
  getRun: RunDetail;
  createRun: RunSummary;
  updateRun: RunSummary;
  /** `detached`: the runs derived from it, kept, with a note of their parent in their notes. */
  deleteRun: { id: number; deleted: true; detached: { id: number; name: string }[] };
  duplicateRun: RunSummary;
  startRun: RunSummary;
  resumeRun: RunSummary;
  cancelRun: RunSummary;
  getMetrics: MetricRow[];
  /** PNG as base64, so it crosses every transport and needs no file access. */
  getGrid: { epoch: number; pngBase64: string };
  estimateEpoch: EpochEstimate;
  explain: JobInfo;
  listJobs: JobInfo[];
  cancelJob: JobInfo;
  setProbes: ProbeSample[];
  getExplanationGrid: ExplanationGrid;
  listExplanationSettings: ExplanationSettings[];
  getFocusSummary: FocusSummaryResult;
  confirmBestEpoch: BestEpochConfirmation;
  listFlags: FlagList;
  getSamples: SampleImages[];
  reviewSample: { index: number; decision: 'confirmed' | 'dismissed' | null; note: string };
  excludeAndRetrain: RunSummary;
  assessQuality: JobInfo;
  getQuality: QualityRow[];
  sanityCheck: SanityResult;
  compareRuns: CompareResult;
  exportReport: ReportExport;
  exportStudyReport: ReportExport;
  createStudy: StudyDetail;
  getStudy: StudyDetail;
  listStudies: StudySummary[];
  resumeStudy: StudyDetail;
  cancelStudy: StudyDetail;
}

export type ResultOf<M extends MethodName> = M extends keyof Results ? Results[M] : never;

export type ApiEvent =
  | { type: 'runState'; run: RunSummary }
  | { type: 'progress'; runId: number; metrics: MetricRow[]; batches: number; epochs: number }
  | { type: 'epochDone'; runId: number; epoch: EpochSummary }
  | { type: 'job'; job: JobInfo }
  /** Something of the study changed (a run started or ended, a final estimate arrived): fetch it again. */
  | { type: 'study'; studyId: number };

/** The client side of the contract: what the renderer and tests call. */
export interface ApiClient {
  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
  onEvent(listener: (e: ApiEvent) => void): () => void;
}

/** Wire format shared by the WebSocket and IPC transports. */
export type Request = { id: number; method: string; params: unknown };
export type Response =
  | { id: number; ok: true; result: unknown }
  | { id: number | null; ok: false; error: { code: ErrorCode; message: string } };
export type ErrorCode = 'bad_request' | 'not_found' | 'conflict' | 'internal' | 'unauthorized';

export const requestSchema = s.object({
  id: s.number({ integer: true, min: 0 }),
  method: s.string({ minLength: 1, maxLength: 100 }),
  params: s.unknownValue(),
});

export function isMethodName(m: string): m is MethodName {
  return Object.prototype.hasOwnProperty.call(methods, m);
}

/**
 * What the Electron preload exposes as `window.ganFocus`: the wire format, and
 * nothing else. `call` resolves with the router's Response (never rejects for
 * a bad request); `onEvent` returns its unsubscribe function.
 */
export interface GanFocusBridge {
  call(msg: Request): Promise<Response>;
  onEvent(listener: (e: ApiEvent) => void): () => void;
}
