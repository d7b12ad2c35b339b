import { parseArgs } from 'node:util';
import type { DoctorReport, RunDetail, RunSummary } from '../shared/api.js';
import { isDiskFull } from '../shared/disk-full.js';
import { ApiError } from './api/errors.js';
import { createRouter } from './api/router.js';
import { gpuLikely } from './engine/backend/gpu-probe.js';
import { configFromFlags, intFlag, OPTIONS, runId, stringFlag, UsageError, type Flags } from './cli/args.js';
import { camCommand } from './cli/cam-command.js';
import { excludeCommand, explainCommand, flagsCommand, qualityCommand, sanityCommand } from './cli/explain-commands.js';
import { guardOutput } from './cli/pipes.js';
import { printDoctor, printRun, printRuns } from './cli/print.js';
import { reportCommand } from './cli/report-command.js';
import { studyCommand } from './cli/study-command.js';
import { follow } from './cli/train-commands.js';
import { resolveHome } from './store/paths.js';

const HELP = `gan-focus: train DCGANs on MNIST and explain their discriminator with Grad-CAM

Usage: gan-focus [--home DIR] <command> [options]

Training:
  doctor                 show the tfjs backend in use and why better ones were skipped
  train [options]        create a run and train it
      --preset quick|paper   quick: sized for a CPU (default without a GPU); paper: 60k images, width 64, 25 epochs
      --images FILE --labels FILE   IDX files (plain or .gz) instead of the bundled MNIST
      --limit N|all          a seeded subset of N images
      --epochs N  --width N (ngf = ndf; --ngf N / --ndf N set one)  --batch N  --seed N (both seeds)  --training-seed N  --arch paper|dcgan5  --name TEXT
      --lr X  --lr-d X (D's own learning rate)  --label-smoothing X (D's real target 1-X)  --instance-noise X (std, falls to 0)
  resume RUN             continue a stopped run from its last complete epoch (or start a queued one)
  runs                   list runs
  show RUN               a run with its epochs and checkpoints

Explaining D (Grad-CAM):
  explain RUN            CAMs, off-digit shares and flags per epoch checkpoint, then the best-epoch recommendation
      --epochs 5,10,...  --layer NAME (repeat to average layers)  --method gradcam|gradcam++|hirescam|layercam
      --samples probe|train (probe: the run's probe set; train: every training image)  --threshold 0.7  --target real|fake
      --informative      first replace the probes by the 16 whose CAM changes most across epochs
  flags RUN [--epoch E] [--stable K/N] [--layer L] [--method M] [--target T] [--threshold X]
                         the training samples flagged at an epoch (off-digit share >= threshold), each with its baseline ratio
                         and at how many explained epochs it was flagged; --stable K/N: only those flagged at >= K of the last N;
                         read from the training-set explanation made with those settings (default: the app's defaults)
  sanity RUN --epoch E [--layer L] [--method M] [--seed N]
                         model-randomisation check: re-initialise D from the head down and see whether the CAMs change
  exclude RUN [--epoch E] [--confirmed-only] [--stable K/N]
                         create a derived run without the flagged samples (only the stable ones with --stable); prints its id
  quality RUN [--epochs 1,2] [--count N]       G quality per epoch: class coverage and FID-MNIST

Did excluding help? (docs/study.md)
  study RUN --epoch E [--seeds 3] [--epochs N] [--confirmed-only] [--layer L] [--method M] [--threshold 0.7]
                         arms full data / flagged excluded / as many random excluded (same digits), each trained
                         with the same training seeds and otherwise RUN's config, one run after another
  study resume ID        continue a stopped or killed study (finished epochs are kept)
  study show ID          per-arm quality with intervals over seeds, the effects and the verdict (--json)
  study list             all studies
  cam --checkpoint D/model.json --images FILE [--count N] [--layer NAME] [--method M] --out FILE.json

Reports:
  report RUN [--compare RUN2,RUN3] --format html|pdf|csv|json --out FILE
                         a shareable report: HTML (one offline file), PDF (needs Chromium), CSV (every focus row), JSON
      --layer NAME  --method M  --target T  --threshold 0.7   which CAMs it shows (default: the app's defaults)
  report --study ID --format html|pdf|csv|json --out FILE
                         a study's report: verdict, effects, per-arm final estimates, arms x seeds; JSON = study show --json
                         plus the report's metadata; CSV: one row per arm x seed x epoch

Serving:
  serve [--host H] [--port P] [--token T]      the workbench in a browser (127.0.0.1 unless --host; then a token is required,
                         from --token, $GAN_FOCUS_TOKEN, or a new one printed in the URL)
      --resume-interrupted   first continue the runs that were training when their process stopped (a killed or
                             restarted server, a crash, a reboot), each from its last complete epoch

Global:
  --home DIR             data folder (default: $GAN_FOCUS_HOME, else ~/.gan-focus)
  --json                 machine-readable output (JSON lines while training or explaining)
  -h, --help             this help
`;

const COMMANDS = ['doctor', 'train', 'resume', 'runs', 'show', 'explain', 'flags', 'sanity', 'exclude', 'quality', 'cam', 'serve', 'report', 'study'];

async function serveCommand(home: string, flags: Flags): Promise<number> {
  const { serve } = await import('./web/serve.js');
  const flagToken = stringFlag(flags, 'token');
  // From the environment too, so a service's token stays out of `ps` and the same across restarts.
  const envToken = flagToken === undefined ? process.env.GAN_FOCUS_TOKEN || undefined : undefined;
  const serving = await serve({
    home,
    host: stringFlag(flags, 'host'),
    port: intFlag(flags, 'port'),
    token: flagToken ?? envToken,
    resumeInterrupted: flags['resume-interrupted'] === true,
  });
  // A token from the environment is a service's secret: the journal gets the variable's name, not its value.
  const url = envToken ? serving.url.replace(`token=${envToken}`, 'token=$GAN_FOCUS_TOKEN') : serving.url;
  process.stdout.write(`GAN Focus is serving ${home}\nopen ${url}\n`);
  for (const r of serving.resumed) {
    process.stdout.write(
      'fromEpoch' in r
        ? `resumed run ${r.id} "${r.name}" from epoch ${r.fromEpoch} (${r.why})\n`
        : `could not resume run ${r.id} "${r.name}": ${r.error}\n`,
    );
  }
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  // Runs still training stay resumable: `serve --resume-interrupted` continues them at its next start.
  await serving.close({ status: 'interrupted', message: `the server stopped (${signal}) during training`, code: 'process_stopped' });
  return 0;
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
  if (!COMMANDS.includes(command)) throw new UsageError(`unknown command ${JSON.stringify(command)} (try --help)`);
  const json = flags.json === true;
  const home = resolveHome(stringFlag(flags, 'home'));
  if (command === 'cam') {
    await camCommand(flags);
    return 0;
  }
  if (command === 'serve') return serveCommand(home, flags);
  const config = command === 'train' ? configFromFlags(flags, gpuLikely() ? 'paper' : 'quick') : undefined;
  const router = createRouter({ home });
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
        const name = stringFlag(flags, 'name');
        const run = (await router.handle('createRun', name ? { name, config, start: true } : { config, start: true })) as RunSummary;
        if (!json) process.stderr.write(`run ${run.id} created in ${router.home}\n`);
        return await follow(router, run, json);
      }
      case 'resume': {
        const id = runId(rest[0]);
        const current = (await router.handle('getRun', { id })) as RunDetail;
        const run = (await router.handle(current.status === 'queued' ? 'startRun' : 'resumeRun', { id })) as RunSummary;
        return await follow(router, run, json);
      }
      case 'explain':
        await explainCommand(router, runId(rest[0]), flags, json);
        return 0;
      case 'flags':
        await flagsCommand(router, runId(rest[0]), flags, json);
        return 0;
      case 'sanity':
        await sanityCommand(router, runId(rest[0]), flags, json);
        return 0;
      case 'exclude':
        await excludeCommand(router, runId(rest[0]), flags);
        return 0;
      case 'quality':
        await qualityCommand(router, runId(rest[0]), flags, json);
        return 0;
      case 'report':
        await reportCommand(router, rest[0], flags, json);
        return 0;
      case 'study':
        return await studyCommand(router, rest, flags, json);
    }
    return 0;
  } finally {
    router.close();
  }
}

export async function runCli(argv: string[]): Promise<void> {
  guardOutput();
  try {
    process.exitCode = await main(argv);
  } catch (err) {
    const message = err instanceof UsageError || err instanceof ApiError || err instanceof Error ? err.message : String(err);
    const line = message.split('\n')[0];
    process.stderr.write(`gan-focus: ${isDiskFull(err) ? `disk full (${line}); free space, then try again` : line}\n`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  }
}
