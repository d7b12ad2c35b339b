import type {
  CompareResult,
  DoctorReport,
  ExplanationGrid,
  FlagItem,
  FlagStability,
  FocusSummaryResult,
  MetricRow,
  RunDetail,
} from '../../shared/api.js';
import type { CamMethod, QualityRow } from '../../shared/explain.js';
import type { FocusSettings } from '../../shared/focus-settings.js';
import type { StudyArmName, StudyDetail, StudyStatus } from '../../shared/study.js';

// The report's data: what the HTML and PDF show, and what the JSON export is.
// Bump REPORT_SCHEMA_VERSION when a field changes meaning or goes away.

export const REPORT_SCHEMA_VERSION = 3;

/** Flagged samples shown with thumbnails: the highest off-digit shares first (and every confirmed one). */
export const FLAG_THUMBNAIL_CAP = 200;

export interface ReportEnvironment {
  app: { name: string; version: string };
  generatedAt: string;
  platform: string;
  /** The backend this machine would use now (a run's own backend is in its run row). */
  backend: Omit<DoctorReport, 'home'> | null;
  /** Why the backend could not be determined, when it could not. */
  backendError: string | null;
}

/** A flagged training sample with its 8-bit 64x64 image and CAM (base64). */
export interface FlaggedSample extends FlagItem {
  imageBase64: string;
  camBase64: string | null;
}

/** Why the flagged list shows its epoch: the one reviewed, else the best epoch, else the latest explained. */
export type FlagEpochReason = 'reviewed' | 'best' | 'latest';

export interface RunFlags {
  /** The epoch of the training-set explanation listed (see FlagEpochReason). */
  epoch: number;
  why: FlagEpochReason;
  settings: FocusSettings;
  total: number;
  flagged: number;
  noEvidence: number;
  /** Mean ideal-CAM baseline ratio over the explanation's samples (see resolutionWarning); null when none has one. */
  meanBaselineRatio: number | null;
  /** The explanation's target layers. */
  layers: string[];
  /** The explained epochs each item's flaggedIn counts over. */
  stability: FlagStability;
  /** Every decision on the run's samples. */
  reviewed: { confirmed: number; dismissed: number };
  /** The decisions on the samples flagged at this epoch. */
  flaggedReviewed: { confirmed: number; dismissed: number };
  /** The FLAG_THUMBNAIL_CAP highest off-digit shares, plus every confirmed sample flagged here; highest first. */
  items: FlaggedSample[];
}

export interface EpochFlagCount {
  epoch: number;
  total: number;
  flagged: number;
  noEvidence: number;
  /** The decisions on the samples flagged at this epoch. */
  reviewed: { confirmed: number; dismissed: number };
}

/**
 * A study a run belongs to, on page 1 of the run's report: as the parent whose
 * flags the study tests, or as one of its arm runs (studyVerdicts() in study-verdict.ts).
 */
export interface ReportStudyVerdict {
  studyId: number;
  name: string;
  role: { kind: 'parent' } | { kind: 'arm'; arm: StudyArmName; seed: number };
  status: StudyStatus;
  /** The study's one-sentence verdict, as `gan-focus study show` gives it. */
  verdict: string;
  /** The differences of the arms' final KID means with their 95% intervals over seeds. */
  effect: StudyDetail['effect'];
  /** Seeds per arm. */
  seeds: number;
}

/** What page 1 of a run's report says. */
export interface RunSummary {
  /** The confirmed best epoch, else the one the rule recommends; null when neither exists. */
  bestEpoch: { epoch: number; how: 'confirmed' | 'recommended' } | null;
  /** The CAM choice the best epoch and the flags were read with. */
  cam: { layers: string[]; method: CamMethod; threshold: number };
  /** G quality at the last epoch assessed and at the best epoch (null: not computed there). */
  quality: { final: QualityRow | null; best: QualityRow | null };
  /** The flags the flagged list shows (the reviewed epoch, else the best, else the latest). */
  flags: { epoch: number; why: FlagEpochReason; flagged: number; total: number; confirmed: number; dismissed: number } | null;
  /** The studies the run belongs to, newest first; empty when none. */
  studies: ReportStudyVerdict[];
}

export interface RunReport {
  run: RunDetail;
  /** The run this one was derived from, when it still exists. */
  parent: { id: number; name: string } | null;
  /** Per iteration. */
  metrics: MetricRow[];
  /** Fixed-noise sample grids (PNG, base64), per epoch that has one. */
  grids: { epoch: number; pngBase64: string }[];
  figure1: ExplanationGrid;
  focus: FocusSummaryResult;
  /** Training-set flag counts, per epoch whose training set was explained. */
  flagsByEpoch: EpochFlagCount[];
  flags: RunFlags | null;
  /** Empty when G's quality was not computed. */
  quality: QualityRow[];
  summary: RunSummary;
}

/** What every report carries besides its content. */
export interface ReportMeta {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  environment: ReportEnvironment;
}

/** A study's report: exactly `gan-focus study show ID --json`, plus the report's metadata. */
export type StudyReportData = ReportMeta & { kind: 'study' } & StudyDetail;

export interface ReportData extends ReportMeta {
  kind: 'run' | 'comparison';
  runs: RunReport[];
  /** For two or more runs: what differs, focus, quality and lineage side by side. */
  comparison: Omit<CompareResult, 'runs'> | null;
}
