// Types of the explain workflow (Grad-CAM of D, focus ratios, flags, reviews,
// best epoch, G quality) shared by the main process and the UI.
import type { FocusSettings } from './focus-settings.js';

export const CAM_METHODS = ['gradcam', 'gradcam++', 'hirescam', 'layercam'] as const;
export type CamMethod = (typeof CAM_METHODS)[number];

export const CAM_TARGETS = ['real', 'fake'] as const;
export type CamTarget = (typeof CAM_TARGETS)[number];

export const SAMPLE_SETS = ['probe', 'train'] as const;

/**
 * Which 8-bit CAMs an explanation keeps: all (probes: a few), only the flagged
 * (the training set: the ones a person reviews; 60k CAMs would be 245 MB), none.
 */
export const KEEP_CAMS = ['all', 'flagged', 'none'] as const;
export type KeepCams = (typeof KEEP_CAMS)[number];
export type SampleSet = (typeof SAMPLE_SETS)[number];

export const REVIEW_DECISIONS = ['confirmed', 'dismissed'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

export const EXPLANATION_STATUSES = ['running', 'complete', 'cancelled', 'failed'] as const;
export type ExplanationStatus = (typeof EXPLANATION_STATUSES)[number];

/** One Grad-CAM computation: a run's D at one epoch, one layer set, one method, one sample set. */
export interface ExplanationRow {
  id: number;
  runId: number;
  epoch: number;
  /** Target layers, averaged when several. */
  layers: string[];
  method: CamMethod;
  target: CamTarget;
  samples: SampleSet;
  settings: FocusSettings;
  status: ExplanationStatus;
  total: number;
  done: number;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

/** What the engine measures per sample and the store keeps. `ratio` null means "no evidence". */
export interface FocusSample {
  index: number;
  digit: number | null;
  /** Off-digit share of the CAM mass. */
  ratio: number | null;
  coverage: number;
  sharpness: number | null;
  /** D's pre-sigmoid score. */
  score: number;
  flagged: boolean;
  /** 64x64 8-bit CAM, or null when not kept. */
  cam: Uint8Array | null;
}

/** One sample's focus at one epoch, as listed (with its review). `ratio` null means "no evidence". */
export interface FocusRow extends Omit<FocusSample, 'cam'> {
  sampleId: string;
  review: ReviewDecision | null;
  note: string;
}

export interface ProbeSample {
  position: number;
  index: number;
  sampleId: string;
  digit: number | null;
}

/** Per-epoch summary over the probe samples. */
export interface EpochFocusSummary {
  epoch: number;
  samples: number;
  noEvidence: number;
  /** Mean and median of (1 - ratio) over samples with evidence. */
  meanOnDigit: number | null;
  medianOnDigit: number | null;
  flagRate: number;
  meanSharpness: number | null;
}

export interface BestEpochRecommendation {
  epoch: number | null;
  neighbours: number[];
  reason: string;
  rule: string;
}

export interface BestEpochConfirmation {
  recommended: number | null;
  confirmed: number;
  rule: string;
  note: string;
  confirmedAt: string;
}

export interface QualityRow {
  epoch: number;
  count: number;
  classCounts: number[];
  digitsPresent: number;
  meanConfidence: number;
  fidMnist: number;
}
