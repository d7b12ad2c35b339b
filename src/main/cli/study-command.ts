import type { ApiEvent } from '../../shared/api.js';
import type { Spread, StudyDetail, StudySummary } from '../../shared/study.js';
import type { Router } from '../api/router.js';
import { intFlag, layersFlag, oneOfFlag, fractionFlag, runId, UsageError, type Flags } from './args.js';
import { outputClosed } from './pipes.js';
import { formatDuration, printJson, printLine } from './print.js';
import { CAM_METHODS } from '../../shared/explain.js';

function num(x: number | null, digits = 4): string {
  return x === null ? '-' : x.toFixed(digits);
}

function spreadText(s: Spread, digits = 4): string {
  if (s.mean === null) return 'not measured';
  return s.low === null ? `${num(s.mean, digits)} (1 seed)` : `${num(s.mean, digits)} [${num(s.low, digits)}, ${num(s.high, digits)}] over ${s.n} seeds`;
}

export function printStudy(d: StudyDetail, json: boolean): void {
  if (json) {
    printJson(d);
    return;
  }
  const p = d.progress;
  const out: string[] = [
    `study ${d.id} "${d.name}": ${d.status}; parent run ${d.parentId ?? '(deleted)'}, flags of epoch ${d.epoch} (${d.explain.method} at ${d.explain.layers.join('+')}, threshold ${d.explain.settings.threshold}${d.explain.confirmedOnly ? ', confirmed only' : ''})`,
    `  training seeds ${d.seeds.join(', ')}; runs ${p.runsDone}/${p.runsTotal} done, epochs ${p.epochsDone}/${p.epochsTotal}` +
      (p.etaSeconds !== null && p.epochsDone < p.epochsTotal ? `, ETA ${formatDuration(p.etaSeconds)}` : '') +
      (p.finalMissing ? `; ${p.finalMissing} final estimate(s) missing (gan-focus study resume ${d.id})` : ''),
  ];
  for (const a of d.arms) {
    out.push(`  ${a.name}: ${a.excluded} excluded${a.digits ? ` (digits ${a.digits.join(' ')})` : ''}; final KID ${spreadText(a.final)}; FID-inf ${spreadText(a.finalFidInfinity, 2)}`);
    for (const r of a.runs) {
      const last = r.quality.at(-1);
      out.push(
        `    run ${r.id} seed ${r.seed}: ${r.status}, ${r.epochsCompleted}/${r.epochs} epochs` +
          (last?.fidMnist != null ? `, FID-MNIST ${last.fidMnist.toFixed(1)} at epoch ${last.epoch}` : '') +
          (r.final ? `, final KID ${r.final.kid.toFixed(4)} +- ${r.final.kidStd.toFixed(4)}, FID-inf ${r.final.fidInfinity.toFixed(2)}, ${r.final.digitsPresent} digits` : ''),
      );
    }
  }
  out.push(`  ${d.verdict}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

function printStudies(list: StudySummary[], json: boolean): void {
  if (json) {
    printJson(list);
    return;
  }
  if (list.length === 0) {
    process.stdout.write('no studies yet: gan-focus study RUN --epoch E\n');
    return;
  }
  for (const s of list)
    process.stdout.write(`${s.id}  ${s.status.padEnd(9)}  ${s.progress.runsDone}/${s.progress.runsTotal} runs  parent ${s.parentId ?? '-'}  ${s.name}\n`);
}

/** Progress while a study trains: one line per finished epoch with the study's progress and ETA. */
function reporter(router: Router, id: number, json: boolean): (e: ApiEvent) => void {
  let last = '';
  return (e) => {
    if (e.type !== 'epochDone' && e.type !== 'study') return;
    const d = router.handle('getStudy', { id }) as Promise<StudyDetail>;
    void d.then((s) => {
      const cell = s.arms.flatMap((a) => a.runs.map((r) => ({ arm: a.name, r }))).find((x) => e.type === 'epochDone' && x.r.id === e.runId);
      if (e.type === 'epochDone' && !cell) return;
      const p = s.progress;
      if (json) {
        printLine({ type: e.type === 'epochDone' ? 'studyEpoch' : 'study', studyId: id, status: s.status, progress: p, ...(e.type === 'epochDone' ? { runId: e.runId, epoch: e.epoch.epoch, quality: e.epoch.quality } : {}) });
        return;
      }
      // Between runs the study event repeats what the epoch line said; only a new run or a new status is news.
      if (e.type === 'study' && s.status === 'running' && !p.current) return;
      const eta = p.etaSeconds !== null && p.epochsDone < p.epochsTotal ? `, ETA ${formatDuration(p.etaSeconds)}` : '';
      const line =
        e.type === 'epochDone' && cell
          ? `study ${id}: run ${cell.r.id} (${cell.arm}, seed ${cell.r.seed}) epoch ${e.epoch.epoch}/${cell.r.epochs}` +
            `${e.epoch.quality ? ` FID-MNIST ${e.epoch.quality.fidMnist.toFixed(1)}` : ''}; study ${p.epochsDone}/${p.epochsTotal} epochs, ${p.runsDone}/${p.runsTotal} runs${eta}`
          : `study ${id}: ${s.status}, ${p.runsDone}/${p.runsTotal} runs${p.current ? `, training run ${p.current.runId} (${p.current.arm}, seed ${p.current.seed})` : ''}${eta}`;
      if (line !== last) process.stderr.write(`${line}\n`);
      last = line;
    });
  };
}

async function followStudy(router: Router, id: number, json: boolean): Promise<number> {
  const off = router.onEvent(reporter(router, id, json));
  let interrupts = 0;
  const cancel = (why: string) => void router.handle('cancelStudy', { id }).catch(() => undefined).then(() => why);
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(`\ncancelling study ${id} after the current iteration (Ctrl-C again to stop at once; gan-focus study resume ${id} continues it)\n`);
      cancel('Ctrl-C');
    } else {
      router.close({ status: 'cancelled', message: 'at once, with a second Ctrl-C in the terminal; the epoch in progress is lost' });
      process.exit(130);
    }
  };
  const onClosed = () => cancel('closed output');
  process.on('SIGINT', onSigint);
  if (outputClosed.aborted) onClosed();
  else outputClosed.addEventListener('abort', onClosed, { once: true });
  try {
    const end = await router.waitForStudy(id);
    const d = (await router.handle('getStudy', { id })) as StudyDetail;
    if (json) printLine({ type: 'finished', end, study: d });
    else {
      if (end && end.reason !== 'completed') process.stderr.write(`study ${id} stopped: ${end.message}; gan-focus study resume ${id} continues it\n`);
      printStudy(d, false);
    }
    return end?.reason === 'completed' ? 0 : end?.reason === 'cancelled' ? 130 : 1;
  } finally {
    off();
    process.off('SIGINT', onSigint);
    outputClosed.removeEventListener('abort', onClosed);
  }
}

/**
 * gan-focus study RUN --epoch E [--seeds K] ...: create and train a study;
 * study resume ID; study show ID; study list.
 */
export async function studyCommand(router: Router, args: string[], flags: Flags, json: boolean): Promise<number> {
  const [first, second] = args;
  if (first === 'show') {
    printStudy((await router.handle('getStudy', { id: studyId(second) })) as StudyDetail, json);
    return 0;
  }
  if (first === 'list') {
    printStudies((await router.handle('listStudies', {})) as StudySummary[], json);
    return 0;
  }
  if (first === 'resume') {
    const id = studyId(second);
    const d = (await router.handle('resumeStudy', { id })) as StudyDetail;
    if (!json) process.stderr.write(`study ${id}: resuming, ${d.progress.runsDone}/${d.progress.runsTotal} runs done\n`);
    return followStudy(router, id, json);
  }
  const parent = runId(first);
  const epoch = intFlag(flags, 'epoch');
  if (epoch === undefined) throw new UsageError('study needs --epoch E: the epoch whose flags it tests');
  const threshold = fractionFlag(flags, 'threshold');
  const layers = layersFlag(flags);
  const method = oneOfFlag(flags, 'method', CAM_METHODS);
  const d = (await router.handle('createStudy', {
    id: parent,
    epoch,
    seeds: intFlag(flags, 'seeds'),
    epochs: intFlag(flags, 'epochs'),
    confirmedOnly: flags['confirmed-only'] === true,
    ...(layers ? { layers } : {}),
    ...(method ? { method } : {}),
    ...(threshold !== undefined ? { settings: { threshold } } : {}),
    start: true,
  })) as StudyDetail;
  if (json) printLine({ type: 'created', study: d });
  else {
    const [, flagged, random] = d.arms;
    process.stderr.write(
      `study ${d.id} created: ${d.progress.runsTotal} runs (${d.arms.length} arms x ${d.seeds.length} seeds), ${flagged.excluded} flagged and ${random.excluded} random samples excluded; ` +
        `gan-focus study show ${d.id}\n`,
    );
  }
  return followStudy(router, d.id, json);
}

function studyId(arg: string | undefined): number {
  if (arg === undefined || !/^\d+$/.test(arg)) throw new UsageError(`expected a study id (a number), got ${arg === undefined ? 'nothing' : JSON.stringify(arg)}`);
  return Number(arg);
}
