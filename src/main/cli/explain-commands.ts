import type { FlagList, FocusSummaryResult, JobInfo, ResultOf, RunDetail, RunSummary } from '../../shared/api.js';
import { baselineNearThreshold, faithfulnessText, resolutionWarning, SAMPLE_SETS } from '../../shared/explain.js';
import type { QualityRow, SanityResult } from '../../shared/explain.js';
import { DEFAULT_FOCUS_SETTINGS } from '../../shared/focus-settings.js';
import type { Router } from '../api/router.js';
import { camFlags, intFlag, intListFlag, oneOfFlag, stableFlag, UsageError, type Flags } from './args.js';
import { outputClosed } from './pipes.js';
import { printJson, printLine } from './print.js';

/** Waits for a job, showing its progress on a terminal; Ctrl-C cancels it. */
async function waitForJob(router: Router, job: JobInfo, json: boolean): Promise<JobInfo> {
  const tty = process.stderr.isTTY && !json;
  const off = router.onEvent((e) => {
    if (e.type !== 'job' || e.job.jobId !== job.jobId) return;
    if (json) printLine(e);
    else if (tty) process.stderr.write(`\r${e.job.label}: ${e.job.done}/${e.job.total}\x1b[K`);
  });
  const onSigint = () => void router.handle('cancelJob', { jobId: job.jobId }).catch(() => undefined);
  process.on('SIGINT', onSigint);
  if (outputClosed.aborted) onSigint();
  else outputClosed.addEventListener('abort', onSigint, { once: true });
  try {
    const end = await router.waitForJob(job.jobId);
    if (tty) process.stderr.write('\r\x1b[K');
    if (end.status === 'failed') throw new Error(end.message ?? 'the job failed');
    return end;
  } finally {
    off();
    process.off('SIGINT', onSigint);
    outputClosed.removeEventListener('abort', onSigint);
  }
}

const pct = (v: number | null) => (v === null ? '   -  ' : `${(v * 100).toFixed(1).padStart(5)}%`);

const fixed = (v: number | null, digits: number) => (v === null ? '-' : v.toFixed(digits));

/** The best-epoch rule's view of each explained epoch: what it read and why it passed over an epoch. */
function printGates(s: FocusSummaryResult): void {
  process.stdout.write('best-epoch gates\nepoch   D(x)  D(G(z))  FID-MNIST  digits  flag rate  no evidence  verdict\n');
  s.recommendation.verdicts.forEach((v, k) => {
    const f = s.summaries[k];
    const verdict = v.epoch === s.recommendation.epoch ? 'recommended' : v.excluded.length ? `excluded: ${v.excluded.join('; ')}` : 'passes';
    process.stdout.write(
      `${String(v.epoch).padStart(5)}  ${fixed(v.dx, 3).padStart(5)}  ${fixed(v.dgz, 3).padStart(7)}  ${fixed(v.fidMnist, 1).padStart(9)}  ` +
        `${String(v.digitsPresent ?? '-').padStart(6)}  ${pct(f.flagRate).padStart(9)}  ${`${f.noEvidence}/${f.samples}`.padStart(11)}  ${verdict}\n`,
    );
  });
}

function printSummary(s: FocusSummaryResult, threshold: number): void {
  process.stdout.write(
    `layer ${s.layers.join('+')}, ${s.method}\n` +
      'epoch  off-digit share (mean) (median)  flag rate  baseline  sharpness  no evidence  faithfulness ROAD (random, mask)\n',
  );
  for (const e of s.summaries)
    process.stdout.write(
      `${String(e.epoch).padStart(5)}  ${pct(e.meanOffDigit).padStart(22)} ${pct(e.medianOffDigit).padStart(8)}  ${pct(e.flagRate).padStart(9)}  ` +
        `${pct(e.meanBaselineRatio).padStart(8)}  ${(e.meanSharpness === null ? '-' : e.meanSharpness.toFixed(3)).padStart(9)}  ${String(e.noEvidence).padStart(11)}  ` +
        `${faithfulnessText(e.faithfulness)}\n`,
    );
  const baselines = s.summaries.map((e) => e.meanBaselineRatio).filter((b): b is number => b !== null);
  const warning = resolutionWarning(baselines.length ? baselines.reduce((a, b) => a + b, 0) / baselines.length : null, threshold, s.layers);
  if (warning) process.stdout.write(`warning: ${warning}\n`);
  const r = s.recommendation;
  printGates(s);
  process.stdout.write(
    r.epoch === null
      ? `no recommendation: ${r.reason}\n`
      : `recommended best epoch: ${r.epoch}. ${r.reason}\n`,
  );
  if (s.confirmed) process.stdout.write(`confirmed best epoch: ${s.confirmed.confirmed}\n`);
}

export async function explainCommand(router: Router, id: number, flags: Flags, json: boolean): Promise<void> {
  const cam = camFlags(flags);
  const samples = oneOfFlag(flags, 'samples', SAMPLE_SETS) ?? 'probe';
  if (flags.informative === true) {
    if (!json) process.stderr.write('choosing informative probes (the samples whose CAM changes most across epochs)...\n');
    await router.handle('setProbes', { id, mode: 'informative' });
  }
  const epochs = intListFlag(flags, 'epochs') ?? ((await router.handle('getRun', { id })) as RunDetail).epochs.map((e) => e.epoch);
  const job = (await router.handle('explain', { id, epochs, samples, ...cam })) as JobInfo;
  const end = await waitForJob(router, job, json);
  if (end.status === 'cancelled') {
    if (outputClosed.aborted) return;
    throw new Error('cancelled');
  }
  const summary = (await router.handle('getFocusSummary', { id, ...cam })) as FocusSummaryResult;
  if (samples === 'train') {
    // Each epoch this call explained, named: the run may hold training-set explanations of other epochs too.
    const training = [];
    for (const epoch of [...new Set(epochs)].sort((a, b) => a - b)) {
      const list = (await router.handle('listFlags', { id, epoch, ...cam, limit: 1 })) as FlagList;
      training.push({ epoch, total: list.total, flagged: list.flagged, noEvidence: list.noEvidence });
    }
    if (json) printLine({ type: 'result', job: end, summary, training: training.at(-1), trainingByEpoch: training });
    else
      for (const t of training)
        process.stdout.write(`training set at epoch ${t.epoch}: ${t.flagged} of ${t.total} flagged, ${t.noEvidence} without evidence\n`);
  } else if (json) {
    printLine({ type: 'result', job: end, summary });
  } else {
    printSummary(summary, cam.settings?.threshold ?? DEFAULT_FOCUS_SETTINGS.threshold);
  }
}

export async function flagsCommand(router: Router, id: number, flags: Flags, json: boolean): Promise<void> {
  const stable = stableFlag(flags);
  const list = (await router.handle('listFlags', { id, epoch: intFlag(flags, 'epoch'), ...camFlags(flags), stable })) as FlagList;
  if (list.explanationId === null) throw new Error(`run ${id} has no training-set explanation${list.epoch ? ` at epoch ${list.epoch}` : ''}: run gan-focus explain ${id} --samples train first`);
  const items = list.items.map((f) => ({
    sampleId: f.sampleId,
    digit: f.digit,
    ratio: f.ratio,
    baselineRatio: f.baselineRatio,
    coverage: f.coverage,
    flagged: f.flagged,
    flaggedIn: f.flaggedIn,
    review: f.review,
  }));
  const st = list.stability;
  const window = `${st.epochs.length} explained epoch${st.epochs.length === 1 ? '' : 's'} (${st.epochs.join(', ')})`;
  const short = st.required && st.epochs.length < st.required.of ? `only ${window} with these settings, fewer than the ${st.required.of} asked for` : null;
  const warning = resolutionWarning(list.meanBaselineRatio, list.settings.threshold, list.layers);
  if (json) {
    printJson({
      runId: id,
      epoch: list.epoch,
      layers: list.layers,
      threshold: list.settings.threshold,
      total: list.total,
      flagged: list.flagged,
      noEvidence: list.noEvidence,
      meanBaselineRatio: list.meanBaselineRatio,
      warning,
      stability: st,
      stabilityWarning: short,
      items,
    });
    return;
  }
  process.stdout.write(
    `epoch ${list.epoch}: ${list.flagged} of ${list.total} samples flagged (off-digit share >= ${list.settings.threshold}), ${list.noEvidence} without evidence; ` +
      `mean baseline ${pct(list.meanBaselineRatio).trim()} at ${list.layers.join('+')}\n`,
  );
  if (warning) process.stdout.write(`warning: ${warning}\n`);
  process.stdout.write(
    st.required
      ? `stable: ${st.stable} of the ${list.flagged} flagged at >= ${st.required.min} of the last ${st.required.of} explained epochs (${st.epochs.join(', ')})\n`
      : `stability counts over ${window}\n`,
  );
  if (short) process.stdout.write(`warning: ${short}\n`);
  for (const f of items)
    process.stdout.write(
      `${f.sampleId.padEnd(20)} digit ${f.digit ?? '-'}  ratio ${pct(f.ratio)}  baseline ${pct(f.baselineRatio)}  coverage ${pct(f.coverage)}  ` +
        `flagged ${f.flaggedIn}/${st.epochs.length}  ${baselineNearThreshold(f.baselineRatio, list.settings.threshold) ? 'baseline near threshold  ' : ''}${f.review ?? ''}\n`,
    );
}

export async function excludeCommand(router: Router, id: number, flags: Flags): Promise<void> {
  const run = (await router.handle('excludeAndRetrain', {
    id,
    epoch: intFlag(flags, 'epoch'),
    confirmedOnly: flags['confirmed-only'] === true,
    ...camFlags(flags),
    stable: stableFlag(flags),
  })) as RunSummary;
  process.stdout.write(`${run.id}\n`);
  process.stderr.write(`run ${run.id} "${run.name}" excludes ${run.excluded.length} more samples than run ${id}; start it with gan-focus resume ${run.id}\n`);
}

export async function qualityCommand(router: Router, id: number, flags: Flags, json: boolean): Promise<void> {
  const have = new Set(((await router.handle('getQuality', { id })) as QualityRow[]).map((q) => q.epoch));
  const detail = (await router.handle('getRun', { id })) as ResultOf<'getRun'>;
  const wanted = intListFlag(flags, 'epochs') ?? detail.epochs.map((e) => e.epoch).filter((e) => !have.has(e));
  if (wanted.length > 0) {
    const job = (await router.handle('assessQuality', { id, epochs: wanted, count: intFlag(flags, 'count') })) as JobInfo;
    await waitForJob(router, job, json);
  }
  const rows = (await router.handle('getQuality', { id })) as QualityRow[];
  if (json) {
    printLine({ type: 'result', runId: id, epochs: rows });
    return;
  }
  process.stdout.write('epoch  FID-MNIST  digits present  mean confidence  share per digit 0-9\n');
  for (const q of rows)
    process.stdout.write(
      `${String(q.epoch).padStart(5)}  ${q.fidMnist.toFixed(2).padStart(9)}  ${String(q.digitsPresent).padStart(14)}  ${q.meanConfidence.toFixed(3).padStart(15)}  ` +
        `${q.classCounts.map((c) => Math.round((c / q.count) * 100)).join(' ')}\n`,
    );
}

/** `gan-focus sanity RUN --epoch E`: the cascading model-randomisation check of that epoch's CAMs on the probes. */
export async function sanityCommand(router: Router, id: number, flags: Flags, json: boolean): Promise<void> {
  const epoch = intFlag(flags, 'epoch');
  if (epoch === undefined) throw new UsageError('sanity needs --epoch E (the checkpoint whose CAMs are checked)');
  const r = (await router.handle('sanityCheck', { id, epoch, ...camFlags(flags), seed: intFlag(flags, 'seed') })) as SanityResult;
  if (json) {
    printJson(r);
    return;
  }
  process.stdout.write(
    `sanity check of run ${id}, epoch ${epoch}: ${r.method} at ${r.layers.join('+')}, ${r.samples} probe samples, weights re-initialised from the head down (seed ${r.seed})\n` +
      'randomised     spearman  compared  jaccard  flagged  no evidence  mean ratio\n',
  );
  for (const st of r.stages)
    process.stdout.write(
      `${(st.stage === 'original' ? 'none (trained)' : `+ ${st.stage}`).padEnd(14)} ${(st.spearman === null ? '-' : st.spearman.toFixed(3)).padStart(8)}  ` +
        `${String(st.compared).padStart(8)}  ${(st.jaccard === null ? '-' : st.jaccard.toFixed(2)).padStart(7)}  ${String(st.flagged).padStart(7)}  ` +
        `${String(st.noEvidence).padStart(11)}  ${pct(st.meanRatio).padStart(10)}\n`,
    );
  const v = r.verdict;
  process.stdout.write(
    v.passes === null
      ? `verdict: none (no sample could be compared after randomising ${v.stage}). ${v.rule}\n`
      : `verdict: ${v.passes ? 'passes' : 'FAILS'} (spearman ${v.spearman!.toFixed(3)} after randomising down to ${v.stage}). ${v.rule}\n`,
  );
}
