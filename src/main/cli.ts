import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ApiEvent, DoctorReport, RunDetail, RunSummary } from '../shared/api.js';
import { ARCHITECTURES, PRESETS, presetConfig, validateRunConfig, type PresetName, type RunConfig } from '../shared/config.js';
import { formatIssues } from '../shared/schema.js';
import { ApiError } from './api/errors.js';
import { createRouter, type Router } from './api/router.js';
import { gpuLikely } from './engine/backend/gpu-probe.js';
import { resolveHome } from './store/paths.js';

const HELP = `gan-focus: train DCGANs on MNIST and explain their discriminator with Grad-CAM

Usage: gan-focus [--home DIR] <command> [options]

Commands:
  doctor                 show the tfjs backend in use and why better ones were skipped
  train [options]        create a run and train it
      --preset quick|paper   quick: sized for a CPU (default without a GPU); paper: 60k images, width 64, 25 epochs
      --images FILE --labels FILE   IDX files (plain or .gz) instead of the bundled MNIST
      --limit N|all          a seeded subset of N images
      --epochs N  --width N (ngf = ndf)  --batch N  --seed N  --arch paper|dcgan5  --name TEXT
      --json                 one JSON object per line instead of a progress bar
  resume RUN [--json]    continue a stopped run from its last complete epoch
  runs [--json]          list runs
  show RUN [--json]      a run with its epochs and checkpoints

Global:
  --home DIR             data folder (default: $GAN_FOCUS_HOME, else ~/.gan-focus)
  -h, --help             this help
`;

class UsageError extends Error {}

type Flags = Record<string, string | boolean | undefined>;

const OPTIONS: ParseArgsConfig['options'] = {
  home: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  preset: { type: 'string' },
  images: { type: 'string' },
  labels: { type: 'string' },
  limit: { type: 'string' },
  epochs: { type: 'string' },
  width: { type: 'string' },
  batch: { type: 'string' },
  seed: { type: 'string' },
  arch: { type: 'string' },
  name: { type: 'string' },
};

function intFlag(flags: Flags, name: string): number | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || !/^\d+$/.test(v) || !Number.isSafeInteger(n)) throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(v)}`);
  return n;
}

function oneOfFlag<T extends string>(flags: Flags, name: string, allowed: readonly T[]): T | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}`);
  return v as T;
}

/** The run config the train command's flags describe, on top of a preset. */
export function configFromFlags(flags: Flags, defaultPreset: PresetName): RunConfig {
  const config = presetConfig(oneOfFlag(flags, 'preset', PRESETS) ?? defaultPreset);
  if (typeof flags.images === 'string') {
    config.dataset = typeof flags.labels === 'string' ? { kind: 'idx', images: flags.images, labels: flags.labels } : { kind: 'idx', images: flags.images };
  } else if (flags.labels !== undefined) {
    throw new UsageError('--labels needs --images');
  }
  if (flags.limit === 'all') config.limit = null;
  else config.limit = intFlag(flags, 'limit') ?? config.limit;
  config.epochs = intFlag(flags, 'epochs') ?? config.epochs;
  const width = intFlag(flags, 'width');
  if (width !== undefined) config.ngf = config.ndf = width;
  config.batchSize = intFlag(flags, 'batch') ?? config.batchSize;
  config.seed = intFlag(flags, 'seed') ?? config.seed;
  config.arch = oneOfFlag(flags, 'arch', ARCHITECTURES) ?? config.arch;
  const checked = validateRunConfig(config);
  if (!checked.ok) throw new UsageError(formatIssues(checked.issues));
  return checked.value;
}

function runId(arg: string | undefined): number {
  if (arg === undefined || !/^\d+$/.test(arg)) throw new UsageError(`expected a run id (a number), got ${arg === undefined ? 'nothing' : JSON.stringify(arg)}`);
  return Number(arg);
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m > 0 ? `${m}m${String(s).padStart(2, '0')}s` : `${s}s`;
}

/** Shows training as it happens: a bar on a terminal, JSON lines otherwise asked. */
function reporter(json: boolean, id: number): (e: ApiEvent) => void {
  const tty = process.stderr.isTTY && !json;
  let epochStart = Date.now();
  let lastEpoch = 0;
  return (e) => {
    if ((e.type === 'progress' || e.type === 'epochDone') && e.runId !== id) return;
    if (e.type === 'runState' && e.run.id !== id) return;
    if (json) {
      process.stdout.write(`${JSON.stringify(e)}\n`);
      return;
    }
    if (e.type === 'progress') {
      const m = e.metrics[e.metrics.length - 1];
      if (m.epoch !== lastEpoch) {
        lastEpoch = m.epoch;
        epochStart = Date.now();
      }
      const batch = m.iteration - (m.epoch - 1) * e.batches;
      const elapsed = (Date.now() - epochStart) / 1000;
      const eta = batch > 0 ? (elapsed / batch) * (e.batches - batch) : Number.NaN;
      const width = 24;
      const filled = Math.round((batch / e.batches) * width);
      const line =
        `epoch ${m.epoch}/${e.epochs} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${batch}/${e.batches} ` +
        `Loss_D ${m.lossD?.toFixed(3)} Loss_G ${m.lossG?.toFixed(3)} D(x) ${m.dx?.toFixed(3)} D(G(z)) ${m.dgz?.toFixed(3)} ETA ${formatDuration(eta)}`;
      if (tty) process.stderr.write(`\r${line}\x1b[K`);
    } else if (e.type === 'epochDone') {
      const ep = e.epoch;
      process.stderr.write(
        `${tty ? '\r\x1b[K' : ''}epoch ${ep.epoch} done in ${formatDuration(ep.seconds ?? 0)}: Loss_D ${ep.lossD?.toFixed(3)} Loss_G ${ep.lossG?.toFixed(3)} ` +
          `D(x) ${ep.dx?.toFixed(3)} D(G(z)) ${ep.dgz?.toFixed(3)}; checkpoint ${ep.checkpoint.discriminator}\n`,
      );
    } else if (e.type === 'runState' && e.run.backend && e.run.status === 'running' && !tty) {
      process.stderr.write(`run ${e.run.id} training on ${e.run.backend}\n`);
    }
  };
}

async function follow(router: Router, run: RunSummary, json: boolean): Promise<number> {
  const off = router.onEvent(reporter(json, run.id));
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write('\ncancelling after the current iteration (Ctrl-C again to stop at once)\n');
      void router.handle('cancelRun', { id: run.id }).catch(() => undefined);
    } else {
      router.close();
      process.exit(130);
    }
  };
  process.on('SIGINT', onSigint);
  try {
    const done = await router.waitForRun(run.id);
    if (json) process.stdout.write(`${JSON.stringify({ type: 'finished', run: done })}\n`);
    else process.stderr.write(`run ${done.id} ${done.status}${done.error ? `: ${done.error.message}` : ''} (${done.epochs.length} epochs)\n`);
    return done.status === 'completed' ? 0 : done.status === 'cancelled' ? 130 : 1;
  } finally {
    off();
    process.off('SIGINT', onSigint);
  }
}

function printRuns(runs: RunSummary[], json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
    return;
  }
  if (runs.length === 0) {
    process.stdout.write('no runs yet: gan-focus train\n');
    return;
  }
  const rows = runs.map((r) => [String(r.id), r.name, r.status, `${r.epochsCompleted}/${r.config.epochs}`, r.backend ?? '-', r.createdAt.slice(0, 19)]);
  const head = ['ID', 'NAME', 'STATUS', 'EPOCHS', 'BACKEND', 'CREATED'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [head, ...rows]) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i])).join('  ')}\n`);
}

function printRun(run: RunDetail, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
    return;
  }
  const c = run.config;
  process.stdout.write(
    `run ${run.id} "${run.name}": ${run.status}${run.error ? ` (${run.error.message})` : ''}\n` +
      `  arch ${c.arch}, ngf ${c.ngf}, ndf ${c.ndf}, nz ${c.nz}, batch ${c.batchSize}, epochs ${c.epochs}, seed ${c.seed}, ` +
      `images ${c.limit ?? 'all'}${c.excluded.length ? ` minus ${c.excluded.length} excluded` : ''}, backend ${run.backend ?? '-'}\n`,
  );
  for (const e of run.epochs)
    process.stdout.write(
      `  epoch ${String(e.epoch).padStart(3)}  Loss_D ${e.lossD?.toFixed(4)}  Loss_G ${e.lossG?.toFixed(4)}  D(x) ${e.dx?.toFixed(3)}  ` +
        `D(G(z)) ${e.dgz?.toFixed(3)}  ${formatDuration(e.seconds ?? 0)}  ${e.checkpoint.discriminator}\n`,
    );
}

function printDoctor(r: DoctorReport, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return;
  }
  process.stdout.write(`backend: ${r.chosen} (tfjs '${r.tfBackend}'): ${r.detail}\n`);
  for (const s of r.skipped) process.stdout.write(`  skipped ${s.candidate}: ${s.reason}\n`);
  for (const [k, v] of Object.entries(r.versions)) process.stdout.write(`${k} ${v}\n`);
  process.stdout.write(`node ${r.node}; ${r.cores} cores; ${(r.memoryBytes / 2 ** 30).toFixed(1)} GiB memory\nhome: ${r.home}\n`);
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const flags = parsed.values as Flags;
  const [command, ...rest] = parsed.positionals;
  if (flags.help || command === undefined || command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  const json = flags.json === true;
  const known = ['doctor', 'train', 'resume', 'runs', 'show'];
  if (!known.includes(command)) throw new UsageError(`unknown command ${JSON.stringify(command)} (try --help)`);
  const config = command === 'train' ? configFromFlags(flags, gpuLikely() ? 'paper' : 'quick') : undefined;
  const router = createRouter({ home: resolveHome(flags.home as string | undefined) });
  try {
    switch (command) {
      case 'doctor':
        printDoctor((await router.handle('doctor', {})) as DoctorReport, json);
        return 0;
      case 'runs':
        printRuns((await router.handle('listRuns', {})) as RunSummary[], json);
        return 0;
      case 'show':
        printRun((await router.handle('getRun', { id: runId(rest[0]) })) as RunDetail, json);
        return 0;
      case 'train': {
        const params = typeof flags.name === 'string' ? { name: flags.name, config, start: true } : { config, start: true };
        const run = (await router.handle('createRun', params)) as RunSummary;
        process.stderr.write(json ? '' : `run ${run.id} created in ${router.home}\n`);
        return await follow(router, run, json);
      }
      case 'resume': {
        const run = (await router.handle('resumeRun', { id: runId(rest[0]) })) as RunSummary;
        return await follow(router, run, json);
      }
    }
    return 0;
  } finally {
    router.close();
  }
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    process.exitCode = await main(argv);
  } catch (err) {
    const message = err instanceof UsageError || err instanceof ApiError || err instanceof Error ? err.message : String(err);
    process.stderr.write(`gan-focus: ${message.split('\n')[0]}\n`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  }
}
