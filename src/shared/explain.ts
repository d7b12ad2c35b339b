// Types of the explain workflow (Grad-CAM of D, focus ratios, flags, reviews,
// best epoch, G quality) shared by the main process and the UI.
import type { FocusSettings } from './focus-settings.js';

export const CAM_METHODS = ['gradcam', 'gradcam++', 'hirescam', 'layercam'] as const;
export type CamMethod = (typeof CAM_METHODS)[number];

/**
 * The CAM method used wherever none is chosen, by measurement (docs/explain.md, "Choosing the
 * method and layer"): HiResCAM passes the model-randomisation sanity check at every layer of both
 * Ds and is the most faithful (ROAD) of the methods that pass; Grad-CAM had no evidence at all at
 * the paper D's block3. Stored explanations keep the method they were made with.
 */
export const DEFAULT_CAM_METHOD: CamMethod = 'hirescam';

export const CAM_TARGETS = ['real', 'fake'] as const;
export type CamTarget = (typeof CAM_TARGETS)[number];

export const SAMPLE_SETS = ['probe', 'train'] as const;

/**
 * How far below the threshold the mean baseline ratio must stay for a flag to
 * mean "looks off the digit": within this (or above the threshold), a CAM
 * exactly on the digit is already near the cut at that layer's resolution.
 */
export const BASELINE_MARGIN = 0.1;

/** Float slack, so that a mean baseline of exactly threshold - margin warns. */
const MARGIN_EPSILON = 1e-9;

/**
 * The warning to show beside a flag rate when the target layer's resolution
 * makes the threshold meaningless, else null.
 */
export function resolutionWarning(meanBaselineRatio: number | null, threshold: number, layers: string[]): string | null {
  if (meanBaselineRatio === null || meanBaselineRatio < threshold - BASELINE_MARGIN - MARGIN_EPSILON) return null;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const where = meanBaselineRatio >= threshold ? 'above' : `within ${BASELINE_MARGIN} of`;
  return (
    `At ${layers.join(' + ') || 'this layer'} a CAM exactly on the digit already puts ${pct(meanBaselineRatio)} of its mass off the digit (mean baseline), ` +
    `${where} the ${pct(threshold)} threshold: flags here mark coarse maps, not attention off the digit. Use a finer layer.`
  );
}

/**
 * The same check for one sample: true when a CAM exactly on this digit would
 * already score within the margin of the threshold (or above it) at the layer,
 * so its flag says more about the layer's resolution than about D's attention.
 */
export function baselineNearThreshold(baselineRatio: number | null, threshold: number): boolean {
  return baselineRatio !== null && baselineRatio >= threshold - BASELINE_MARGIN - MARGIN_EPSILON;
}

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
  /** ROAD faithfulness on the probe samples, with its baselines; null when not computed (training-set explanations). */
  faithfulness: Faithfulness | null;
}

/** Mean target score after removing each fraction of pixels, most relevant first (MoRF) and least relevant first (LeRF). */
export interface FaithfulnessCurve {
  morf: number[];
  lerf: number[];
}

/**
 * How well a CAM ranks the pixels D's score depends on (ROAD, Rong et al. 2022;
 * docs/explain.md): per sample, the mean over the removed fractions of
 * (score(LeRF) - score(MoRF)) / 2, removed pixels filled by noisy linear
 * imputation, in units of the target score (D's logit). Higher is more faithful;
 * a CAM is worth reading only where it beats the random baseline.
 */
export interface Faithfulness {
  metric: 'road';
  /** Shares of the 4096 pixels removed. */
  fractions: number[];
  /** Probe samples with evidence that the scores average over. */
  samples: number;
  /** Mean target score of those samples, unperturbed. */
  score: number;
  /** Mean ROAD score of the explanation's CAMs. */
  cam: number;
  /** Standard deviation of the CAM's score over the samples. */
  camSd: number;
  /** A random map on the target layer's grid, resized and scaled like a CAM. */
  random: number;
  /** The digit mask (ink pixels first). */
  mask: number;
  curves: { cam: FaithfulnessCurve; random: FaithfulnessCurve; mask: FaithfulnessCurve };
}

/** Whether the CAMs rank D's evidence better than a random map (ROAD): the least a CAM must do to be worth reading. */
export function beatsRandom(f: Faithfulness): boolean {
  return f.cam > f.random;
}

/**
 * "0.83 ± 0.20 (random 0.10, mask 0.45)": an explanation's ROAD faithfulness
 * beside its baselines, in units of D's logit; "-" when it was not measured.
 * One wording for the CLI, the Explain view and reports.
 */
export function faithfulnessText(f: Faithfulness | null): string {
  if (f === null) return '-';
  const n = (v: number) => v.toFixed(2);
  return `${n(f.cam)} ± ${n(f.camSd)} (random ${n(f.random)}, mask ${n(f.mask)})`;
}

/** What the engine measures per sample and the store keeps. `ratio` null means "no evidence". */
export interface FocusSample {
  index: number;
  digit: number | null;
  /** Off-digit share of the CAM mass. */
  ratio: number | null;
  /**
   * The off-digit ratio of an ideal CAM at the target layers' resolution (the
   * digit's ink pooled to the layer's grid, resized and scaled like a CAM): what
   * a CAM exactly on the digit scores there. Null without ink, or when not computed.
   */
  baselineRatio: number | null;
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
  /**
   * Mean and median off-digit share (the ratio the flag threshold applies to)
   * over samples with evidence; null when none has evidence.
   */
  meanOffDigit: number | null;
  medianOffDigit: number | null;
  flagRate: number;
  meanSharpness: number | null;
  /** Mean baseline ratio over the samples that have one (null if none). */
  meanBaselineRatio: number | null;
  /** The epoch's faithfulness, when its explanation has one. */
  faithfulness: Faithfulness | null;
}

/** What the best-epoch rule reads of an epoch's training besides the CAMs. */
export interface EpochTrainingState {
  epoch: number;
  /** Training means of D's probability on real and on generated images. */
  dx: number | null;
  dgz: number | null;
  quality: QualityRow | null;
}

/** The best-epoch rule's gates at one explained epoch. */
export interface EpochGateVerdict {
  epoch: number;
  dx: number | null;
  dgz: number | null;
  fidMnist: number | null;
  digitsPresent: number | null;
  /** Why the rule may not recommend this epoch, in words; empty when it may. */
  excluded: string[];
}

export interface BestEpochRecommendation {
  epoch: number | null;
  neighbours: number[];
  reason: string;
  rule: string;
  /** One per explained epoch, in the summaries' order. */
  verdicts: EpochGateVerdict[];
}

/** A person's choice of the best epoch under one set of explain settings (another set is another confirmation). */
export interface BestEpochConfirmation {
  layers: string[];
  method: CamMethod;
  target: CamTarget;
  settings: FocusSettings;
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

/** One step of the cascading model-randomisation sanity check (Adebayo et al. 2018). */
export interface SanityStage {
  /** 'original', else the layer randomised at this step; the layers of earlier steps stay random. */
  stage: string;
  /** Every layer randomised so far, head first. */
  randomised: string[];
  /** Mean over samples of the Spearman rank correlation of this step's CAM with the original (null when none compares). */
  spearman: number | null;
  /** Samples in that mean: both CAMs have evidence and are not flat. */
  compared: number;
  /** |flagged here ∩ flagged originally| / |union|; null when neither flags any sample. */
  jaccard: number | null;
  flagged: number;
  noEvidence: number;
  /** Mean off-digit ratio over samples with evidence. */
  meanRatio: number | null;
}

export interface SanityVerdict {
  /** Whether the CAMs change once D's weights they read are random; null when nothing could be compared. */
  passes: boolean | null;
  /** The step the verdict reads. */
  stage: string;
  spearman: number | null;
  rule: string;
}

export interface SanityResult {
  runId: number;
  epoch: number;
  layers: string[];
  method: CamMethod;
  target: CamTarget;
  settings: FocusSettings;
  /** Probe samples checked. */
  samples: number;
  /** The seed of the re-initialisation. */
  seed: number;
  stages: SanityStage[];
  verdict: SanityVerdict;
}
