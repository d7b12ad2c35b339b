// GAN Focus benchmark: training step and Grad-CAM batch (batch 64, 64x64) at
// widths 16/32/64 on every available tfjs path, against PyTorch on the same
// machine. Run: npx tsx bench/run.ts [--json] [--width N] [--arch paper|dcgan5]
//   [--backends native-cpu,wasm,cpu,webgpu] [--kind train|gradcam] [--steps N] [--no-reference]
// (webgpu only when asked: it uses any adapter Dawn finds, software ones included)
// or: npx tsx bench/run.ts --charts [--json] [--rounds N]: curve charts, 4 runs x 23,450 iterations, in Chromium
// or: npx tsx bench/run.ts --recipe [--seeds 1,2,3] [--json] [-- train flags]: the default preset, trained end to end
// or: npx tsx bench/run.ts --final [--json] [--backend B] [--width N] [--count N]: the study's final estimate of G, stage by stage (final.ts)
// or: npx tsx bench/run.ts --cam-table --home H --run R --epoch E [--samples N] [--json]: every CAM method x layer measured (cam-table.ts)
// or: npx tsx bench/run.ts --explain-cost [--rounds N] [--width W] [--json]: a training-set explanation's cost per image at every target layer (explain-cost.ts)
import { fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { extraCases } from './cases.js';
import { runCamTable } from './cam-table.js';
import { runChartBench } from './charts.js';
import { runFinalBench } from './final.js';
import { runExplainCost } from './explain-cost.js';
import { runRecipe } from './recipe.js';
import { type ReferenceResult, referenceUnavailable, runReference } from './reference.js';
import { median } from './timing.js';
import type { WorkerResult } from './worker.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Rounds per case for PyTorch and the native path (see main); wasm and cpu run once. */
const ROUNDS: Record<string, number> = { train: 3, gradcam: 5 };
const ALL_BACKENDS = ['native-cpu', 'wasm', 'cpu'];
/** The pure-JS backend takes minutes per training step: width 16 and the first D variant only. */
const CPU_WIDTHS = new Set([16]);

interface Options {
  json: boolean;
  widths: number[];
  archs: string[];
  backends: string[];
  kinds: string[];
  steps: number;
  reference: boolean;
}

const USAGE = `usage: npx tsx bench/run.ts [--json] [--width N]... [--arch paper|dcgan5]... [--backends a,b] [--kind train|gradcam]... [--steps N] [--no-reference]`;

function parse(argv: string[]): Options {
  const o: Options = { json: false, widths: [], archs: [], backends: [], kinds: [], steps: 0, reference: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === '--json') o.json = true;
    else if (a === '--no-reference') o.reference = false;
    else if (a === '--width') o.widths.push(...value().split(',').map(Number));
    else if (a === '--arch') o.archs.push(...value().split(','));
    else if (a === '--backends' || a === '--backend') o.backends.push(...value().split(','));
    else if (a === '--kind') o.kinds.push(...value().split(','));
    else if (a === '--steps') o.steps = Number(value());
    else if (a === '--help' || a === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  if (o.widths.length === 0) o.widths = [16, 32, 64];
  if (o.archs.length === 0) o.archs = ['dcgan5', 'paper'];
  if (o.backends.length === 0) o.backends = ALL_BACKENDS;
  if (o.kinds.length === 0) o.kinds = ['train', 'gradcam'];
  for (const w of o.widths) if (!Number.isInteger(w) || w < 1) throw new Error(`--width must be a whole number >= 1, got ${w}`);
  for (const a of o.archs) if (a !== 'paper' && a !== 'dcgan5') throw new Error(`--arch must be paper or dcgan5, got ${a}`);
  for (const k of o.kinds) if (k !== 'train' && k !== 'gradcam') throw new Error(`--kind must be train or gradcam, got ${k}`);
  if (!Number.isInteger(o.steps) || o.steps < 0) throw new Error(`--steps must be a whole number >= 0, got ${o.steps}`);
  return o;
}

/** Runs bench/worker-main.ts in a child (its own peak RSS); resolves with its results or its error. */
function runChild(args: string[]): Promise<{ results: WorkerResult[]; error: string | null }> {
  return new Promise((resolve) => {
    const results: WorkerResult[] = [];
    let stderr = '';
    const child = fork(path.join(HERE, 'worker-main.ts'), args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    child.on('message', (m) => results.push(m as WorkerResult));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => {
      const lines = stderr.split('\n').filter((l) => l.trim() && !/Hi, looks like|tfjs-node|={10,}/.test(l));
      resolve({ results, error: code === 0 ? null : lines.find((l) => /Error|error/.test(l)) ?? lines[0] ?? `exit code ${code}` });
    });
  });
}

/** One case's rounds as one result: the median time, the highest peak RSS, the tensor counts of every round. */
function combineRounds(rounds: WorkerResult[]): WorkerResult {
  const grew = rounds.find((r) => r.tensorsAfter !== r.tensorsBefore) ?? rounds[0];
  return {
    ...rounds[0],
    ms: median(rounds.map((r) => r.ms)),
    runs: rounds.reduce((n, r) => n + r.runs, 0),
    peakRssMb: Math.max(...rounds.map((r) => r.peakRssMb)),
    tensorsBefore: grew.tensorsBefore,
    tensorsAfter: grew.tensorsAfter,
  };
}

interface Row extends WorkerResult {
  referenceMs: number | null;
  /** What referenceMs is: PyTorch's time, or a case's goal. */
  referenceLabel: 'torch' | 'goal';
  referencePeakRssMb: number | null;
  ratio: number | null;
}

function printRow(o: Options, r: Row): void {
  if (o.json) {
    const { detail: _detail, referenceLabel: _label, ...rest } = r;
    process.stdout.write(`${JSON.stringify({ ...rest, ms: round(r.ms), referenceMs: r.referenceMs && round(r.referenceMs), ratio: r.ratio && round(r.ratio, 3) })}\n`);
    return;
  }
  const ref = r.referenceMs == null ? '' : `  ${r.referenceLabel} ${fmt(r.referenceMs)} ms  ratio ${r.ratio!.toFixed(2)}`;
  const rss = `  peak RSS ${r.peakRssMb} MB${r.referencePeakRssMb ? ` (torch ${r.referencePeakRssMb})` : ''}`;
  const leak = r.tensorsAfter === r.tensorsBefore ? '' : `  TENSORS GREW ${r.tensorsBefore} -> ${r.tensorsAfter}`;
  process.stdout.write(`${r.case.padEnd(15)} w${String(r.width).padEnd(3)} ${r.backend.padEnd(11)} ${fmt(r.ms).padStart(9)} ms${ref}${rss}${leak}\n`);
}

function printNote(o: Options, note: string): void {
  if (o.json) process.stdout.write(`${JSON.stringify({ note })}\n`);
  else process.stdout.write(`# ${note}\n`);
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--recipe')) return recipe(argv);
  if (argv.includes('--cam-table')) return runCamTable(argv);
  if (argv.includes('--charts')) return runChartBench(argv);
  if (argv.includes('--final')) return runFinalBench(argv);
  if (argv.includes('--explain-cost')) return runExplainCost(argv);
  const o = parse(argv);
  const [load1] = os.loadavg();
  printNote(o, `${os.cpus()[0]?.model ?? 'cpu'}; ${os.availableParallelism()} cores; load average ${load1.toFixed(1)}${load1 > os.availableParallelism() / 2 ? ' (busy: timings will be noisy)' : ''}`);
  const noReference = o.reference ? referenceUnavailable() : 'disabled (--no-reference)';
  if (noReference) printNote(o, `PyTorch reference: ${noReference}`);
  // One process per case and path (and per case for PyTorch): each peak RSS is
  // that case's own, not the maximum of everything run before it.
  for (const width of o.widths) {
    for (const arch of o.archs) {
      for (const kind of o.kinds) {
        // Interleaved rounds (PyTorch, then each path, again and again): on a
        // shared machine a slow minute then hits both sides, not whichever
        // happened to run in it. Printed: each side's median time, and the
        // median of the rounds' ratios.
        const refs = new Map<string, ReferenceResult[]>();
        const ours = new Map<string, WorkerResult[]>();
        for (let round = 0; round < ROUNDS[kind]; round++) {
          if (!noReference) {
            try {
              for (const r of runReference(width, arch, [kind])) refs.set(r.case, [...(refs.get(r.case) ?? []), r]);
            } catch (err) {
              printNote(o, (err as Error).message);
            }
          }
          // Only the native path is near PyTorch's time; the others run once.
          for (const backend of round === 0 ? o.backends : o.backends.filter((b) => b === 'native-cpu')) {
            if (backend === 'cpu' && (!CPU_WIDTHS.has(width) || arch !== o.archs[0])) continue;
            const args = ['--backend', backend, '--widths', String(width), '--archs', arch, '--kinds', kind];
            if (o.steps) args.push('--steps', String(o.steps));
            const { results, error } = await runChild(args);
            for (const r of results) ours.set(`${r.case} ${r.backend}`, [...(ours.get(`${r.case} ${r.backend}`) ?? []), r]);
            if (error) printNote(o, `${backend} w${width} ${arch} ${kind}${ROUNDS[kind] > 1 ? ` (round ${round + 1})` : ''}: ${error}`);
          }
        }
        for (const rounds of ours.values()) {
          const r = combineRounds(rounds);
          const ref = refs.get(r.case);
          const refMs = ref ? median(ref.map((x) => x.ms)) : null;
          // Each round's ratio is of two runs a few seconds apart: their median
          // resists the machine's speed drifting between rounds.
          const paired = ref && ref.length === rounds.length ? median(rounds.map((x, k) => x.ms / ref[k].ms)) : null;
          printRow(o, {
            ...r,
            referenceMs: refMs,
            referenceLabel: 'torch',
            referencePeakRssMb: ref ? Math.max(...ref.map((x) => x.peakRssMB)) : null,
            ratio: paired ?? (refMs ? r.ms / refMs : null),
          });
        }
      }
    }
  }
  if (extraCases.length > 0) {
    const { results, error } = await runChild(['--extra']);
    for (const r of results) {
      const goal = extraCases.find((c) => c.name === r.case)?.goalMs ?? null;
      printRow(o, { ...r, referenceMs: goal, referenceLabel: 'goal', referencePeakRssMb: null, ratio: goal ? r.ms / goal : null });
    }
    if (error) printNote(o, `extra cases: ${error}`);
  }
}

/** --recipe: train flags after `--` are passed to `gan-focus train` (e.g. to try a stabiliser). */
async function recipe(argv: string[]): Promise<void> {
  const dashes = argv.indexOf('--');
  const own = dashes < 0 ? argv : argv.slice(0, dashes);
  const extra = dashes < 0 ? [] : argv.slice(dashes + 1);
  const seedsAt = own.indexOf('--seeds');
  const seeds = seedsAt < 0 ? [1] : own[seedsAt + 1].split(',').map(Number);
  if (!seeds.every((s) => Number.isInteger(s) && s >= 0)) throw new Error(`--seeds must be whole numbers, got ${own[seedsAt + 1]}`);
  const [load1] = os.loadavg();
  const json = own.includes('--json');
  const note = `${os.cpus()[0]?.model ?? 'cpu'}; ${os.availableParallelism()} cores; load average ${load1.toFixed(1)}`;
  process.stdout.write(json ? `${JSON.stringify({ note })}\n` : `# ${note}\n`);
  await runRecipe({ seeds, extra, json });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
