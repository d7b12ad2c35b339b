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
import type { QualityRow } from '../../shared/explain.js';
import type { FocusSettings } from '../../shared/focus-settings.js';

// The report's data: what the HTML and PDF show, and what the JSON export is.
// Bump REPORT_SCHEMA_VERSION when a field changes meaning or goes away.

export const REPORT_SCHEMA_VERSION = 2;

/** Flagged samples shown with thumbnails: the highest off-digit ratios first. */
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

export interface RunFlags {
  /** The epoch of the training-set explanation listed (the latest one explained). */
  epoch: number;
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
  reviewed: { confirmed: number; dismissed: number };
  /** At most FLAG_THUMBNAIL_CAP, highest ratio first. */
  items: FlaggedSample[];
}

export interface EpochFlagCount {
  epoch: number;
  total: number;
  flagged: number;
  noEvidence: number;
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
}

export interface ReportData {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  kind: 'run' | 'comparison';
  environment: ReportEnvironment;
  runs: RunReport[];
  /** For two or more runs: what differs, focus, quality and lineage side by side. */
  comparison: Omit<CompareResult, 'runs'> | null;
}
