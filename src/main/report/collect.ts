import type { MethodName, ParamsOf, ResultOf, SampleImages } from '../../shared/api.js';
import type { CamMethod, CamTarget } from '../../shared/explain.js';
import type { FocusSettings } from '../../shared/focus-settings.js';
import { appVersion } from './app-version.js';
import { ReportError } from './report-error.js';
import { bestEpochOf, chooseFlagEpoch, summarizeRun } from './run-summary.js';
import { studyVerdicts } from './study-verdict.js';
import {
  FLAG_THUMBNAIL_CAP,
  REPORT_SCHEMA_VERSION,
  type EpochFlagCount,
  type ReportData,
  type ReportEnvironment,
  type RunFlags,
  type RunReport,
  type StudyReportData,
} from './report-data.js';

/** What a report reads from: the router (or, inside it, its own methods) and the home folder. */
export interface ReportSource {
  handle(method: string, params: unknown): Promise<unknown>;
  readonly home: string;
}

/** Which CAMs the report shows; absent fields take the app's defaults, as the views do. */
export interface CamOptions {
  layers?: string[];
  method?: CamMethod;
  target?: CamTarget;
  settings?: Partial<FocusSettings>;
}

export type Call = <M extends MethodName>(method: M, params: ParamsOf<M>) => Promise<ResultOf<M>>;

function caller(source: ReportSource): Call {
  return (method, params) => source.handle(method, params) as Promise<ResultOf<typeof method>>;
}

async function environment(call: Call): Promise<ReportEnvironment> {
  const env = { app: appVersion(), generatedAt: new Date().toISOString(), platform: `${process.platform} ${process.arch}` };
  try {
    const { home: _home, ...backend } = await call('doctor', {});
    return { ...env, backend, backendError: null };
  } catch (err) {
    return { ...env, backend: null, backendError: (err as Error).message };
  }
}

/** getSamples takes this many indices per call. */
const SAMPLES_PER_CALL = 512;

async function runFlags(
  call: Call,
  id: number,
  epochs: number[],
  cam: CamOptions,
  bestEpoch: number | null,
): Promise<{ byEpoch: EpochFlagCount[]; flags: RunFlags | null }> {
  const byEpoch: EpochFlagCount[] = [];
  for (const epoch of epochs) {
    const list = await call('listFlags', { id, epoch, ...cam, limit: 1 });
    if (list.explanationId !== null)
      byEpoch.push({ epoch, total: list.total, flagged: list.flagged, noEvidence: list.noEvidence, reviewed: list.flaggedReviewed });
  }
  const chosen = chooseFlagEpoch(byEpoch, bestEpoch);
  if (!chosen) return { byEpoch, flags: null };
  // Every flag of the epoch, so the confirmed ones below the thumbnail cap are shown too.
  const list = await call('listFlags', { id, epoch: chosen.epoch, ...cam, flaggedOnly: true, limit: 100_000 });
  const shown = list.items.filter((f, k) => k < FLAG_THUMBNAIL_CAP || f.review === 'confirmed');
  const images: SampleImages[] = [];
  for (let k = 0; k < shown.length; k += SAMPLES_PER_CALL)
    images.push(...(await call('getSamples', { id, indices: shown.slice(k, k + SAMPLES_PER_CALL).map((f) => f.index), epoch: chosen.epoch, ...cam })));
  return {
    byEpoch,
    flags: {
      epoch: chosen.epoch,
      why: chosen.why,
      settings: list.settings,
      total: list.total,
      flagged: list.flagged,
      noEvidence: list.noEvidence,
      meanBaselineRatio: list.meanBaselineRatio,
      layers: list.layers,
      stability: list.stability,
      reviewed: list.reviewed,
      flaggedReviewed: list.flaggedReviewed,
      items: shown.map((f, k) => ({ ...f, imageBase64: images[k].imageBase64, camBase64: images[k].camBase64 })),
    },
  };
}

async function runReport(call: Call, id: number, cam: CamOptions): Promise<RunReport> {
  const run = await call('getRun', { id });
  let parent: RunReport['parent'] = null;
  if (run.parentId !== null) {
    const p = await call('getRun', { id: run.parentId }).catch(() => null);
    parent = p && { id: p.id, name: p.name };
  }
  const grids: RunReport['grids'] = [];
  for (const e of run.epochs) {
    // A grid file removed by hand leaves a gap in the gallery, not a failed report.
    if (e.gridPath) grids.push(...(await call('getGrid', { id, epoch: e.epoch }).then((g) => [g], () => [])));
  }
  const focus = await call('getFocusSummary', { id, ...cam });
  const { byEpoch, flags } = await runFlags(call, id, run.epochs.map((e) => e.epoch), cam, bestEpochOf(focus)?.epoch ?? null);
  const report = {
    run,
    parent,
    metrics: await call('getMetrics', { id }),
    grids,
    figure1: await call('getExplanationGrid', { id, ...cam }),
    focus,
    flagsByEpoch: byEpoch,
    flags,
    quality: await call('getQuality', { id }),
  };
  return { ...report, summary: summarizeRun(report, await studyVerdicts(call, id)) };
}

/**
 * Everything a report shows, read through the API. One id: a run report;
 * several: each run's report plus the comparison (config diff, lineage).
 */
export async function collectReport(source: ReportSource, ids: number[], cam: CamOptions = {}): Promise<ReportData> {
  if (ids.length === 0) throw new ReportError('a report needs at least one run id', true);
  const unique = [...new Set(ids)];
  const call = caller(source);
  const runs: RunReport[] = [];
  for (const id of unique) runs.push(await runReport(call, id, cam));
  let comparison: ReportData['comparison'] = null;
  if (unique.length > 1) {
    const { runs: _runs, ...rest } = await call('compareRuns', { ids: unique, layers: cam.layers, method: cam.method, target: cam.target });
    comparison = rest;
  }
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    kind: comparison ? 'comparison' : 'run',
    environment: await environment(call),
    runs,
    comparison,
  };
}

/** A study's report: its answer exactly as getStudy (and `study show --json`) gives it, plus the report's metadata. */
export async function collectStudyReport(source: ReportSource, id: number): Promise<StudyReportData> {
  const call = caller(source);
  const study = await call('getStudy', { id });
  return { schemaVersion: REPORT_SCHEMA_VERSION, kind: 'study', environment: await environment(call), ...study };
}
