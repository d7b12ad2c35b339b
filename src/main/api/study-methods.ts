import { parseSampleId, sampleId, type RunConfig } from '../../shared/config.js';
import { DEFAULT_STUDY_SEEDS, STUDY_ARMS, type StudyArmName } from '../../shared/study.js';
import { trainingIndices } from '../engine/data/run-indices.js';
import { studyDetail, studySummary } from '../study/answer.js';
import { digitHistogram, drawRandomArm } from '../study/arms.js';
import { createStudy, getStudy, listStudies, studiesOfRun, studyRuns } from '../store/studies.js';
import { camChoice, flaggedIds, trainExplanation } from './explain-methods.js';
import type { MethodGroup, RouterContext } from './context.js';
import { ApiError, notFound } from './errors.js';
import { existingRun } from './run-methods.js';
import { requireTrainable } from './training-images.js';

export type StudyMethodNames = 'createStudy' | 'getStudy' | 'listStudies' | 'resumeStudy' | 'cancelStudy';

function byIndex(ids: string[]): string[] {
  return [...ids].sort((a, b) => parseSampleId(a)!.index - parseSampleId(b)!.index);
}

export function studyMethods(ctx: RouterContext): MethodGroup<StudyMethodNames> {
  const { db } = ctx;
  const detail = (id: number) => {
    if (!getStudy(db, id)) throw notFound(`study ${id}`);
    return studyDetail(db, id, ctx.studies.isActive(id));
  };
  const start = (id: number) => {
    for (const l of studyRuns(db, id)) {
      const run = existingRun(ctx, l.runId);
      if (run.status === 'running') throw new ApiError('conflict', `run ${run.id} of study ${id} is training in another process (pid ${run.hostPid})`);
    }
    void ctx.studies.start(id);
  };
  return {
    createStudy: (p) => {
      const parent = existingRun(ctx, p.id);
      const cam = camChoice(parent, p);
      const e = trainExplanation(ctx, parent, cam, p.epoch);
      if (!e)
        throw new ApiError(
          'conflict',
          `run ${parent.id} has no complete training-set explanation at epoch ${p.epoch} with these settings: run explain ${parent.id} --samples train --epochs ${p.epoch} first`,
        );
      const confirmedOnly = p.confirmedOnly ?? false;
      const flagged = flaggedIds(ctx, parent, e, confirmedOnly);
      if (flagged.length === 0) throw new ApiError('conflict', `no ${confirmedOnly ? 'confirmed ' : ''}flagged samples at epoch ${e.epoch}: nothing to test`);
      const dataset = ctx.dataset(parent.config.dataset);
      const flaggedIdx = flagged.map((id) => parseSampleId(id)!.index);
      let randomIdx: number[];
      try {
        randomIdx = drawRandomArm(dataset.labels, trainingIndices(dataset, parent.config), flaggedIdx, parent.config.seed);
      } catch (err) {
        throw new ApiError('conflict', (err as Error).message);
      }
      const armExcluded: Record<StudyArmName, string[]> = {
        full: [],
        'flagged-excluded': byIndex(flagged),
        'random-excluded': randomIdx.map((i) => sampleId(dataset.id, i)),
      };
      const configOf = (arm: StudyArmName, seed: number): RunConfig => ({
        ...parent.config,
        excluded: byIndex([...new Set([...parent.config.excluded, ...armExcluded[arm]])]),
        trainingSeed: seed,
        epochs: p.epochs ?? parent.config.epochs,
      });
      const k = p.seeds ?? DEFAULT_STUDY_SEEDS;
      const seeds = Array.from({ length: k }, (_, i) => parent.config.trainingSeed + i);
      for (const arm of STUDY_ARMS) requireTrainable(ctx, configOf(arm, seeds[0]), `the ${arm} arm`, 'conflict');
      const study = createStudy(db, {
        name: p.name ?? `${parent.name}: ${flagged.length} flagged at epoch ${e.epoch}, ${k} seed${k === 1 ? '' : 's'}`,
        parentId: parent.id,
        epoch: e.epoch,
        explain: { layers: cam.layers, method: cam.method, target: cam.target, settings: cam.settings, confirmedOnly },
        seeds,
        drawSeed: parent.config.seed,
        arms: STUDY_ARMS.map((arm) => ({
          arm,
          excluded: armExcluded[arm],
          digits: arm === 'full' ? null : digitHistogram(dataset.labels, arm === 'flagged-excluded' ? flaggedIdx : randomIdx),
        })),
        // Seed by seed, each seed's three arms together: a study stopped half-way still has balanced arms.
        runs: seeds.flatMap((seed) => STUDY_ARMS.map((arm) => ({ arm, seed, name: `${arm}, seed ${seed}`, config: configOf(arm, seed) }))),
      });
      for (const l of studyRuns(db, study.id)) ctx.emit({ type: 'runState', run: existingRun(ctx, l.runId) });
      if (p.start) start(study.id);
      return detail(study.id);
    },
    getStudy: (p) => detail(p.id),
    listStudies: (p) =>
      (p.runId === undefined ? listStudies(db) : studiesOfRun(db, existingRun(ctx, p.runId).id)).map((s) => studySummary(studyDetail(db, s.id, ctx.studies.isActive(s.id)))),
    resumeStudy: (p) => {
      const d = detail(p.id);
      if (d.status === 'completed') throw new ApiError('conflict', `study ${p.id} is already completed`);
      start(p.id);
      return detail(p.id);
    },
    cancelStudy: (p) => {
      detail(p.id);
      const { wasActive, runId } = ctx.studies.cancel(p.id);
      if (!wasActive) throw new ApiError('conflict', `study ${p.id} is not running in this process`);
      if (runId !== null) ctx.training.cancel(runId, `study ${p.id} was cancelled`);
      return detail(p.id);
    },
  };
}
