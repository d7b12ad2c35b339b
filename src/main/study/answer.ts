import {
  FINAL_SAMPLES,
  STUDY_ARMS,
  type Effect,
  type StudyArm,
  type StudyArmName,
  type StudyDetail,
  type StudyProgress,
  type StudyRunCell,
  type StudyStatus,
  type StudySummary,
} from '../../shared/study.js';
import type { Database } from '../store/db.js';
import { listEpochs } from '../store/epochs.js';
import { requireRun } from '../store/runs.js';
import { getFinalQuality, requireStudy, studyArms, studyRuns } from '../store/studies.js';
import { spread, welchDifference } from './stats.js';

function cellOf(db: Database, runId: number, seed: number): { cell: StudyRunCell; seconds: number[] } {
  const run = requireRun(db, runId);
  const epochs = listEpochs(db, runId);
  return {
    cell: {
      id: run.id,
      seed,
      status: run.status,
      epochsCompleted: epochs.length,
      epochs: run.config.epochs,
      quality: epochs.map((e) => ({ epoch: e.epoch, fidMnist: e.quality?.fidMnist ?? null, digitsPresent: e.quality?.digitsPresent ?? null })),
      final: run.status === 'completed' ? getFinalQuality(db, runId, run.config.epochs, FINAL_SAMPLES) : null,
    },
    seconds: epochs.map((e) => e.seconds).filter((s): s is number => s !== null),
  };
}

function perEpoch(runs: StudyRunCell[]): StudyArm['perEpoch'] {
  const byEpoch = new Map<number, number[]>();
  for (const r of runs)
    for (const q of r.quality) {
      if (q.fidMnist === null) continue;
      byEpoch.set(q.epoch, [...(byEpoch.get(q.epoch) ?? []), q.fidMnist]);
    }
  return [...byEpoch.entries()].sort((a, b) => a[0] - b[0]).map(([epoch, xs]) => ({ epoch, ...spread(xs) }));
}

/** A study number as its verdict writes it (and the reports, so the two always agree). */
export function studyNumber(x: number): string {
  const a = Math.abs(x);
  return a !== 0 && (a < 0.01 || a >= 1e4) ? x.toExponential(2) : x.toFixed(a < 1 ? 4 : 2);
}

function effectWords(e: Effect | null, against: string): string {
  if (!e) return `against ${against}: not measured yet`;
  const diff = `KID difference ${e.estimate >= 0 ? '+' : ''}${studyNumber(e.estimate)}`;
  if (e.low === null || e.high === null) return `against ${against}: ${diff}, no interval (fewer than 2 seeds per arm)`;
  const interval = `95% interval ${studyNumber(e.low)} to ${studyNumber(e.high)}`;
  if (e.low <= 0 && e.high >= 0) return `against ${against}: no detectable effect (${diff}, ${interval})`;
  return `against ${against}: excluding the flagged samples made G ${e.estimate < 0 ? 'better' : 'worse'} (${diff}, ${interval})`;
}

/** One sentence: the two effects, with "no detectable effect" where an interval contains zero. */
export function verdict(effect: StudyDetail['effect'], finalsMissing: boolean): string {
  if (!effect.flaggedVsRandom && !effect.flaggedVsFull)
    return finalsMissing ? 'No answer yet: the final estimates of the runs are still missing.' : 'No answer yet: no run has finished.';
  return `Excluding the flagged samples, ${effectWords(effect.flaggedVsRandom, 'excluding as many random samples')}; ${effectWords(effect.flaggedVsFull, 'full data')}.`;
}

function statusOf(cells: StudyRunCell[], active: boolean, finalMissing: number): StudyStatus {
  if (active || cells.some((c) => c.status === 'running')) return 'running';
  if (cells.every((c) => c.status === 'completed')) return finalMissing === 0 ? 'completed' : 'stopped';
  if (cells.some((c) => c.status === 'failed')) return 'failed';
  if (cells.every((c) => c.status === 'queued' && c.epochsCompleted === 0)) return 'queued';
  return 'stopped';
}

/** The study with every number of its answer, computed from the store as it is now. */
export function studyDetail(db: Database, id: number, active: boolean): StudyDetail {
  const s = requireStudy(db, id);
  const links = studyRuns(db, id);
  const arms = studyArms(db, id);
  const seconds: number[] = [];
  const cells = new Map<number, StudyRunCell>();
  for (const l of links) {
    const c = cellOf(db, l.runId, l.seed);
    cells.set(l.runId, c.cell);
    seconds.push(...c.seconds);
  }
  const armRows: StudyArm[] = STUDY_ARMS.flatMap((name) => {
    const a = arms.find((x) => x.arm === name);
    if (!a) return [];
    const runs = links.filter((l) => l.arm === name).map((l) => cells.get(l.runId)!);
    const finals = runs.map((r) => r.final).filter((f) => f !== null);
    return [
      {
        name,
        excluded: a.excluded.length,
        digits: a.digits,
        runs,
        perEpoch: perEpoch(runs),
        final: spread(finals.map((f) => f.kid)),
        finalFidInfinity: spread(finals.map((f) => f.fidInfinity)),
        finalDigitsPresent: spread(
          finals.map((f) => f.digitsPresent),
          0.95,
          [0, 10],
        ),
      },
    ];
  });
  const kids = (name: StudyArmName) =>
    (armRows.find((a) => a.name === name)?.runs ?? []).flatMap((r) => (r.final ? [r.final.kid] : []));
  const effect = {
    flaggedVsRandom: welchDifference(kids('flagged-excluded'), kids('random-excluded')),
    flaggedVsFull: welchDifference(kids('flagged-excluded'), kids('full')),
  };
  const all = [...cells.values()];
  const finalMissing = all.filter((c) => c.status === 'completed' && c.final === null).length;
  const epochsTotal = all.reduce((a, c) => a + c.epochs, 0);
  const epochsDone = all.reduce((a, c) => a + Math.min(c.epochsCompleted, c.epochs), 0);
  const secondsPerEpoch = seconds.length ? seconds.reduce((a, b) => a + b, 0) / seconds.length : null;
  const currentLink = links.find((l) => cells.get(l.runId)!.status === 'running');
  const progress: StudyProgress = {
    runsDone: all.filter((c) => c.status === 'completed').length,
    runsTotal: all.length,
    epochsDone,
    epochsTotal,
    secondsPerEpoch,
    etaSeconds: secondsPerEpoch === null ? null : (epochsTotal - epochsDone) * secondsPerEpoch,
    current: currentLink ? { runId: currentLink.runId, arm: currentLink.arm, seed: currentLink.seed } : null,
    finalMissing,
  };
  return {
    id: s.id,
    name: s.name,
    parentId: s.parentId,
    epoch: s.epoch,
    seeds: s.seeds,
    status: statusOf(all, active, finalMissing),
    createdAt: s.createdAt,
    progress,
    verdict: verdict(effect, finalMissing > 0),
    explain: s.explain,
    drawSeed: s.drawSeed,
    metric: { name: 'kid', label: `KID on the classifier's features vs the MNIST test set, ${FINAL_SAMPLES} samples`, lowerIsBetter: true, samples: FINAL_SAMPLES },
    arms: armRows,
    effect,
  };
}

/** The study without its arms and effects, for lists. */
export function studySummary(d: StudyDetail): StudySummary {
  return { id: d.id, name: d.name, parentId: d.parentId, epoch: d.epoch, seeds: d.seeds, status: d.status, createdAt: d.createdAt, progress: d.progress, verdict: d.verdict };
}
