import type { ExplanationGrid, ExplanationSettings, FlagList, JobInfo, ParamsOf } from '../../shared/api.js';
import { camLayers, defaultCamLayer, IMAGE_SIZE, parseSampleId, sampleId, type RunConfig } from '../../shared/config.js';
import { DEFAULT_CAM_METHOD, type CamMethod, type CamTarget, type ExplanationRow, type SampleSet, type SanityResult } from '../../shared/explain.js';
import { DEFAULT_FOCUS_SETTINGS, type FocusSettings } from '../../shared/focus-settings.js';
import type { RunRow } from '../../shared/types.js';
import { fillBatch } from '../engine/data/dataset.js';
import { trainingIndices } from '../engine/data/run-indices.js';
import { stratifiedProbes } from '../engine/explain/probes.js';
import { startQuality } from '../jobs/assessing.js';
import { runEngineJob } from '../jobs/engine-job.js';
import { startExplain } from '../jobs/explaining.js';
import { confirmBestEpoch, getBestEpoch } from '../store/best-epoch.js';
import { getCheckpoints, lastCompleteEpoch, listEpochs } from '../store/epochs.js';
import { countFocus, findExplanation, getCam, listExplanations, listFocus, settingsJson } from '../store/explanations.js';
import { copyProbes, listProbes, setProbes } from '../store/probes.js';
import { listQuality } from '../store/quality.js';
import { listReviews, saveReview, type ReviewRow } from '../store/reviews.js';
import { createRun, getRun } from '../store/runs.js';
import type { Database } from '../store/db.js';
import type { MethodGroup, RouterContext } from './context.js';
import { ApiError, notFound } from './errors.js';
import { flagStability } from './flag-stability.js';
import { focusWithRecommendation } from './focus-summary.js';
import { existingRun, startTraining } from './run-methods.js';
import { requireTrainable } from './training-images.js';

export type ExplainMethodNames =
  | 'explain'
  | 'listJobs'
  | 'cancelJob'
  | 'setProbes'
  | 'getExplanationGrid'
  | 'listExplanationSettings'
  | 'getFocusSummary'
  | 'confirmBestEpoch'
  | 'listFlags'
  | 'getSamples'
  | 'reviewSample'
  | 'excludeAndRetrain'
  | 'assessQuality'
  | 'getQuality'
  | 'sanityCheck';

export const DEFAULT_PROBES = 16;
export const DEFAULT_QUALITY_SAMPLES = 1000;

export interface CamChoice {
  layers: string[];
  method: CamMethod;
  target: CamTarget;
  settings: FocusSettings;
}

type CamParams = { layers?: string[]; method?: CamMethod; target?: CamTarget; settings?: Partial<FocusSettings> };

export function camChoice(run: RunRow, p: CamParams): CamChoice {
  return {
    layers: p.layers?.length ? p.layers : [defaultCamLayer(run.config.arch)],
    method: p.method ?? DEFAULT_CAM_METHOD,
    target: p.target ?? 'real',
    settings: { ...DEFAULT_FOCUS_SETTINGS, ...p.settings },
  };
}

function datasetIdOf(run: RunRow): string {
  if (!run.datasetId) throw new ApiError('conflict', `run ${run.id} has not read its dataset yet (start it first)`);
  return run.datasetId;
}

/** 64x64 model inputs in [-1, 1] as 8-bit gray, for the UI and reports. */
export function sampleImages(ctx: RouterContext, config: RunConfig, indices: number[]): Uint8Array[] {
  const dataset = ctx.dataset(config.dataset);
  const pixels = IMAGE_SIZE * IMAGE_SIZE;
  const floats = new Float32Array(indices.length * pixels);
  fillBatch(dataset, indices, floats);
  return indices.map((_, k) => {
    const out = new Uint8Array(pixels);
    for (let i = 0; i < pixels; i++) out[i] = Math.round((floats[k * pixels + i] + 1) * 127.5);
    return out;
  });
}

/**
 * The run's probe set, chosen the first time it is needed: a derived run takes
 * its parent's (so parent and child CAMs line up row by row, even where the
 * child excludes a probe from training), any other run a stratified, seeded pick
 * of its training images.
 */
export function ensureProbes(ctx: RouterContext, run: RunRow) {
  const datasetId = datasetIdOf(run);
  const existing = listProbes(ctx.db, run.id, datasetId);
  if (existing.length > 0) return existing;
  const parent = run.parentId !== null ? getRun(ctx.db, run.parentId) : null;
  if (parent?.datasetId === datasetId) {
    ensureProbes(ctx, parent);
    copyProbes(ctx.db, parent.id, run.id);
    return listProbes(ctx.db, run.id, datasetId);
  }
  const dataset = ctx.dataset(run.config.dataset);
  const chosen = stratifiedProbes(dataset.labels, trainingIndices(dataset, run.config), DEFAULT_PROBES, run.config.seed);
  setProbes(ctx.db, run.id, chosen.map((index) => ({ index, digit: dataset.labels ? dataset.labels[index] : null })));
  return listProbes(ctx.db, run.id, datasetId);
}

export function completeExplanations(ctx: RouterContext, runId: number, samples: SampleSet, cam: CamChoice): ExplanationRow[] {
  return listExplanations(ctx.db, runId, { samples, status: 'complete' }).filter(
    (e) =>
      e.layers.join(',') === cam.layers.join(',') &&
      e.method === cam.method &&
      e.target === cam.target &&
      settingsJson(e.settings) === settingsJson(cam.settings),
  );
}

/** The run's complete explanations grouped by CAM choice and settings, the most recently made first. */
export function explanationSettings(ctx: RouterContext, runId: number): ExplanationSettings[] {
  const groups = new Map<string, { entry: ExplanationSettings; latest: number }>();
  for (const e of listExplanations(ctx.db, runId, { status: 'complete' })) {
    const key = [e.layers.join(','), e.method, e.target, settingsJson(e.settings)].join('|');
    const g = groups.get(key) ?? { entry: { layers: e.layers, method: e.method, target: e.target, settings: e.settings, probeEpochs: [], trainEpochs: [] }, latest: e.id };
    groups.set(key, g);
    // listExplanations orders by epoch, so the epoch lists come out ascending.
    (e.samples === 'probe' ? g.entry.probeEpochs : g.entry.trainEpochs).push(e.epoch);
    g.latest = Math.max(g.latest, e.id);
  }
  return [...groups.values()].sort((a, b) => b.latest - a.latest).map((g) => g.entry);
}

/** The training-set explanation a flag list reads: the one asked for, else the latest epoch explained. */
export function trainExplanation(ctx: RouterContext, run: RunRow, cam: CamChoice, epoch: number | undefined): ExplanationRow | null {
  if (epoch !== undefined) {
    const e = findExplanation(ctx.db, { runId: run.id, epoch, ...cam, samples: 'train' });
    return e?.status === 'complete' ? e : null;
  }
  return completeExplanations(ctx, run.id, 'train', cam).at(-1) ?? null;
}

export function flaggedIds(ctx: RouterContext, run: RunRow, e: ExplanationRow, confirmedOnly: boolean, only?: ReadonlySet<number>): string[] {
  const datasetId = datasetIdOf(run);
  const flagged = listFocus(ctx.db, e.id, datasetId, { flaggedOnly: true, only });
  const confirmed = new Set(listReviews(ctx.db, run.id, 'confirmed').map((r) => r.index));
  return flagged
    .filter((f) => (confirmedOnly ? confirmed.has(f.index) : f.review !== 'dismissed'))
    .map((f) => sampleId(datasetId, f.index));
}

/** Candidates per probe wanted, when choosing informative probes. */
/** Decisions on the samples flagged in this explanation (reviews are per run; the epoch that was reviewed has them). */
function flaggedReviewed(db: Database, explanationId: number, datasetId: string, reviews: ReviewRow[]): FlagList['flaggedReviewed'] {
  const decided = new Set(reviews.filter((r) => r.decision !== null).map((r) => r.index));
  const rows = decided.size ? listFocus(db, explanationId, datasetId, { flaggedOnly: true, only: decided }) : [];
  return { confirmed: rows.filter((r) => r.review === 'confirmed').length, dismissed: rows.filter((r) => r.review === 'dismissed').length };
}

const INFORMATIVE_POOL = 4;

async function informativeIndices(ctx: RouterContext, run: RunRow, candidates: number[], count: number, cam: CamChoice): Promise<number[]> {
  const epochs = listEpochs(ctx.db, run.id).map((e) => {
    const d = getCheckpoints(ctx.db, run.id, e.epoch).find((c) => c.kind === 'discriminator')!;
    return { epoch: e.epoch, dir: ctx.paths.checkpointDir(run.id, e.epoch), sha256: d.sha256 };
  });
  if (epochs.length < 2) throw new ApiError('conflict', `run ${run.id} needs at least two finished epochs to pick informative probes`);
  let chosen: number[] | null = null;
  const { outcome } = runEngineJob(
    ctx.launcher,
    { type: 'probes', job: { config: run.config, epochs, candidates, layers: cam.layers, method: cam.method, target: cam.target, count } },
    (msg) => {
      if (msg.type === 'probes') chosen = msg.indices;
    },
  );
  const end = await outcome;
  if (!chosen) throw new ApiError('internal', `could not pick informative probes: ${end.status === 'failed' ? end.message : end.status}`);
  return chosen;
}

/** The cascading randomisation check of one epoch's CAMs on the run's probes, in an engine process. */
async function sanityCheck(ctx: RouterContext, p: ParamsOf<'sanityCheck'>): Promise<SanityResult> {
  const run = existingRun(ctx, p.id);
  const cam = camChoice(run, p);
  const d = getCheckpoints(ctx.db, run.id, p.epoch).find((c) => c.kind === 'discriminator');
  if (!d) throw new ApiError('bad_request', `run ${run.id} has no checkpoint of D at epoch ${p.epoch}`);
  const probes = ensureProbes(ctx, run);
  const seed = p.seed ?? run.config.seed;
  let result: Pick<SanityResult, 'layers' | 'stages' | 'verdict'> | null = null;
  const { outcome } = runEngineJob(
    ctx.launcher,
    {
      type: 'sanity',
      job: {
        config: run.config,
        checkpoint: { epoch: p.epoch, dir: ctx.paths.checkpointDir(run.id, p.epoch), sha256: d.sha256 },
        indices: probes.map((pr) => pr.index),
        layers: cam.layers,
        method: cam.method,
        target: cam.target,
        settings: cam.settings,
        seed,
      },
    },
    (msg) => {
      if (msg.type === 'sanity') result = { layers: msg.layers, stages: msg.stages, verdict: msg.verdict };
    },
  );
  const end = await outcome;
  if (!result) throw new ApiError(end.status === 'failed' && /layer|CAM|method/.test(end.message) ? 'bad_request' : 'internal', `sanity check failed: ${end.status === 'failed' ? end.message : end.status}`);
  const r: Pick<SanityResult, 'layers' | 'stages' | 'verdict'> = result;
  return { runId: run.id, epoch: p.epoch, method: cam.method, target: cam.target, settings: cam.settings, samples: probes.length, seed, ...r };
}

export function explainMethods(ctx: RouterContext, jobEnds: Map<number, Promise<JobInfo>>): MethodGroup<ExplainMethodNames> {
  const { db } = ctx;
  const track = (started: { job: JobInfo; finished: Promise<JobInfo> }) => {
    jobEnds.set(started.job.jobId, started.finished);
    return started.job;
  };
  const wrapConflict = <T>(f: () => T): T => {
    try {
      return f();
    } catch (err) {
      if (err instanceof ApiError) throw err;
      throw new ApiError('conflict', (err as Error).message);
    }
  };

  return {
    explain: (p) => {
      const run = existingRun(ctx, p.id);
      const cam = camChoice(run, p);
      const samples = p.samples ?? 'probe';
      const available = listEpochs(db, run.id).map((e) => e.epoch);
      if (available.length === 0) throw new ApiError('conflict', `run ${run.id} has no finished epoch to explain yet`);
      const epochs = p.epochs ?? available;
      const missing = epochs.filter((e) => !available.includes(e));
      if (missing.length) throw new ApiError('bad_request', `run ${run.id} has no checkpoint at epoch ${missing.join(', ')} (has ${available.join(', ')})`);
      const probeIndices = samples === 'probe' ? ensureProbes(ctx, run).map((pr) => pr.index) : [];
      return track(
        wrapConflict(() =>
          startExplain(db, ctx.paths, ctx.launcher, ctx.jobs, {
            runId: run.id,
            config: run.config,
            epochs: [...epochs].sort((a, b) => a - b),
            ...cam,
            samples,
            probeIndices,
            keepCams: p.keepCams ?? (samples === 'probe' ? 'all' : 'flagged'),
          }),
        ),
      );
    },
    listJobs: () => ctx.jobs.list(),
    cancelJob: (p) => {
      if (!ctx.jobs.get(p.jobId)) throw notFound(`job ${p.jobId}`);
      return ctx.jobs.cancel(p.jobId);
    },
    setProbes: async (p) => {
      const run = existingRun(ctx, p.id);
      const datasetId = datasetIdOf(run);
      const dataset = ctx.dataset(run.config.dataset);
      const count = p.count ?? DEFAULT_PROBES;
      let indices: number[];
      if (p.mode === 'manual') {
        if (!p.indices?.length) throw new ApiError('bad_request', 'setProbes: manual mode needs indices');
        indices = p.indices;
      } else if (p.mode === 'stratified') {
        indices = stratifiedProbes(dataset.labels, trainingIndices(dataset, run.config), count, run.config.seed);
      } else {
        const candidates = stratifiedProbes(dataset.labels, trainingIndices(dataset, run.config), count * INFORMATIVE_POOL, run.config.seed);
        indices = await informativeIndices(ctx, run, candidates, count, camChoice(run, {}));
      }
      for (const i of indices) if (i >= dataset.count) throw new ApiError('bad_request', `sample ${i} is outside the dataset (${dataset.count} images)`);
      setProbes(db, run.id, indices.map((index) => ({ index, digit: dataset.labels ? dataset.labels[index] : null })));
      return listProbes(db, run.id, datasetId);
    },
    getExplanationGrid: (p): ExplanationGrid => {
      const run = existingRun(ctx, p.id);
      const cam = camChoice(run, p);
      const probes = run.datasetId ? listProbes(db, run.id, run.datasetId) : [];
      const images = sampleImages(ctx, run.config, probes.map((pr) => pr.index));
      const explanations = completeExplanations(ctx, run.id, 'probe', cam);
      const excluded = new Set(run.config.excluded);
      const position = new Map(probes.map((pr) => [pr.index, pr.position]));
      const cells: ExplanationGrid['cells'] = [];
      for (const e of explanations) {
        for (const f of listFocus(db, e.id, run.datasetId!)) {
          const pos = position.get(f.index);
          if (pos === undefined) continue;
          const camBytes = getCam(db, e.id, f.index);
          cells.push({
            epoch: e.epoch,
            position: pos,
            ratio: f.ratio,
            baselineRatio: f.baselineRatio,
            coverage: f.coverage,
            score: f.score,
            flagged: f.flagged,
            camBase64: camBytes ? Buffer.from(camBytes).toString('base64') : null,
          });
        }
      }
      return {
        runId: run.id,
        layers: cam.layers,
        method: cam.method,
        settings: cam.settings,
        probes: probes.map((pr, k) => ({ ...pr, imageBase64: Buffer.from(images[k]).toString('base64'), excluded: excluded.has(pr.sampleId) })),
        epochs: explanations.map((e) => e.epoch),
        cells,
        availableLayers: camLayers(run.config.arch),
      };
    },
    listExplanationSettings: (p) => explanationSettings(ctx, existingRun(ctx, p.id).id),
    getFocusSummary: (p) => {
      const run = existingRun(ctx, p.id);
      const cam = camChoice(run, p);
      const { summaries, recommendation } = focusWithRecommendation(ctx, run, completeExplanations(ctx, run.id, 'probe', cam));
      return { runId: run.id, layers: cam.layers, method: cam.method, summaries, recommendation, confirmed: getBestEpoch(db, run.id, cam) };
    },
    confirmBestEpoch: (p) => {
      const run = existingRun(ctx, p.id);
      const cam = camChoice(run, p);
      const rec = focusWithRecommendation(ctx, run, completeExplanations(ctx, run.id, 'probe', cam)).recommendation;
      return wrapConflict(() => confirmBestEpoch(db, run.id, cam, { recommended: rec.epoch, confirmed: p.epoch, rule: rec.rule, note: p.note }));
    },
    listFlags: (p): FlagList => {
      const run = existingRun(ctx, p.id);
      const cam = camChoice(run, p);
      const e = trainExplanation(ctx, run, cam, p.epoch);
      const reviews = listReviews(db, run.id);
      const reviewed = {
        confirmed: reviews.filter((r) => r.decision === 'confirmed').length,
        dismissed: reviews.filter((r) => r.decision === 'dismissed').length,
      };
      if (!e)
        return {
          runId: run.id,
          epoch: p.epoch ?? null,
          samples: 'train',
          explanationId: null,
          settings: cam.settings,
          layers: cam.layers,
          total: 0,
          flagged: 0,
          noEvidence: 0,
          meanBaselineRatio: null,
          reviewed,
          flaggedReviewed: { confirmed: 0, dismissed: 0 },
          stability: { epochs: [], required: p.stable ?? null, stable: 0 },
          items: [],
        };
      const counts = countFocus(db, e.id);
      const st = flagStability(db, e, completeExplanations(ctx, run.id, 'train', cam), p.stable);
      return {
        runId: run.id,
        epoch: e.epoch,
        samples: 'train',
        explanationId: e.id,
        settings: cam.settings,
        layers: e.layers,
        ...counts,
        reviewed,
        flaggedReviewed: flaggedReviewed(db, e.id, datasetIdOf(run), reviews),
        stability: st.stability,
        items: listFocus(db, e.id, datasetIdOf(run), {
          flaggedOnly: p.flaggedOnly ?? true,
          minRatio: p.minRatio,
          maxRatio: p.maxRatio,
          digit: p.digit,
          only: st.only,
          offset: p.offset,
          limit: p.limit,
        }).map((f) => ({ ...f, flaggedIn: st.counts.get(f.index) ?? 0 })),
      };
    },
    getSamples: (p) => {
      const run = existingRun(ctx, p.id);
      const datasetId = datasetIdOf(run);
      const dataset = ctx.dataset(run.config.dataset);
      for (const i of p.indices) if (i >= dataset.count) throw new ApiError('bad_request', `sample ${i} is outside the dataset (${dataset.count} images)`);
      const cam = camChoice(run, p);
      const sources = (['train', 'probe'] as const)
        .map((samples) => (p.epoch !== undefined ? findExplanation(db, { runId: run.id, epoch: p.epoch, ...cam, samples }) : null))
        .filter((e): e is ExplanationRow => e !== null);
      const images = sampleImages(ctx, run.config, p.indices);
      return p.indices.map((index, k) => {
        const camBytes = sources.map((e) => getCam(db, e.id, index)).find((c) => c !== null) ?? null;
        return {
          index,
          sampleId: sampleId(datasetId, index),
          digit: dataset.labels ? dataset.labels[index] : null,
          imageBase64: Buffer.from(images[k]).toString('base64'),
          camBase64: camBytes ? Buffer.from(camBytes).toString('base64') : null,
        };
      });
    },
    reviewSample: (p) => {
      existingRun(ctx, p.id);
      const r = saveReview(db, p.id, { index: p.index, decision: p.decision, note: p.note });
      return { index: r.index, decision: r.decision, note: r.note };
    },
    excludeAndRetrain: (p) => {
      const run = existingRun(ctx, p.id);
      const cam = camChoice(run, p);
      const e = trainExplanation(ctx, run, cam, p.epoch);
      if (!e)
        throw new ApiError(
          'conflict',
          `run ${run.id} has no training-set explanation${p.epoch ? ` at epoch ${p.epoch}` : ''} with these settings: run explain --samples train first`,
        );
      const only = p.stable ? flagStability(db, e, completeExplanations(ctx, run.id, 'train', cam), p.stable).only : undefined;
      const ids = flaggedIds(ctx, run, e, p.confirmedOnly ?? false, only);
      const which = `${p.confirmedOnly ? 'confirmed ' : ''}${p.stable ? `stable (flagged at >= ${p.stable.min} of the last ${p.stable.of} explained epochs) ` : ''}flagged`;
      if (ids.length === 0) throw new ApiError('conflict', `no ${which} samples to exclude at epoch ${e.epoch}`);
      const excluded = [...new Set([...run.config.excluded, ...ids])].sort((a, b) => parseSampleId(a)!.index - parseSampleId(b)!.index);
      requireTrainable(ctx, { ...run.config, excluded }, `run ${run.id} without these ${ids.length} samples`, 'conflict');
      // The child follows the parent's probes, chosen now if the parent has none yet.
      ensureProbes(ctx, run);
      const child = createRun(db, {
        name: p.name ?? `${run.name} minus ${ids.length} ${p.stable ? `stable (${p.stable.min} of ${p.stable.of}) ` : ''}flagged (epoch ${e.epoch})`,
        config: { ...run.config, excluded },
        parentId: run.id,
        excluded: ids,
      });
      copyProbes(db, run.id, child.id);
      ctx.emit({ type: 'runState', run: child });
      return p.start ? startTraining(ctx, child.id) : child;
    },
    assessQuality: (p) => {
      const run = existingRun(ctx, p.id);
      const last = lastCompleteEpoch(db, run.id);
      if (last === null) throw new ApiError('conflict', `run ${run.id} has no finished epoch to assess yet`);
      const available = listEpochs(db, run.id).map((e) => e.epoch);
      const epochs = p.epochs ?? available;
      const missing = epochs.filter((e) => !available.includes(e));
      if (missing.length) throw new ApiError('bad_request', `run ${run.id} has no checkpoint at epoch ${missing.join(', ')}`);
      return track(
        wrapConflict(() =>
          startQuality(db, ctx.paths, ctx.launcher, ctx.jobs, {
            runId: run.id,
            nz: run.config.nz,
            epochs,
            count: p.count ?? DEFAULT_QUALITY_SAMPLES,
            seed: run.config.seed,
          }),
        ),
      );
    },
    getQuality: (p) => {
      existingRun(ctx, p.id);
      return listQuality(db, p.id);
    },
    sanityCheck: (p) => sanityCheck(ctx, p),
  };
}
