// Entry of a benchmark child process (forked by bench/run.ts): measures one
// backend (or the extra cases) and sends each result to the parent.
import { ARCHITECTURES, type Architecture } from '../src/shared/config.js';
import { extraCases } from './cases.js';
import { peakRssMb } from './timing.js';
import { runWorker, type WorkerResult } from './worker.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function send(r: WorkerResult): void {
  if (process.send) process.send(r);
  else process.stdout.write(`${JSON.stringify(r)}\n`);
}

const RUNS: Record<string, Record<'train' | 'gradcam', Record<number, number>>> = {
  'native-cpu': { train: { 16: 8, 32: 5, 64: 3 }, gradcam: { 16: 30, 32: 20, 64: 10 } },
  wasm: { train: { 16: 3, 32: 2, 64: 1 }, gradcam: { 16: 5, 32: 3, 64: 2 } },
  cpu: { train: { 16: 1, 32: 1, 64: 1 }, gradcam: { 16: 2, 32: 1, 64: 1 } },
  // After one warm-up step, which compiles every shader (minutes on lavapipe).
  webgpu: { train: { 16: 5, 32: 5, 64: 3 }, gradcam: { 16: 10, 32: 10, 64: 5 } },
};

async function main(): Promise<void> {
  if (process.argv.includes('--extra')) {
    for (const c of extraCases) {
      const r = await c.run();
      send({ case: c.name, backend: r.backend ?? 'none', width: 0, ms: r.ms, runs: r.runs ?? 1, tensorsBefore: 0, tensorsAfter: 0, peakRssMb: peakRssMb(), detail: r.detail });
    }
    return;
  }
  const backend = arg('backend') ?? 'native-cpu';
  const widths = (arg('widths') ?? '16,32,64').split(',').map(Number);
  const archs = (arg('archs') ?? ARCHITECTURES.join(',')).split(',') as Architecture[];
  const kinds = (arg('kinds') ?? 'train,gradcam').split(',') as ('train' | 'gradcam')[];
  const steps = Number(arg('steps') ?? 0);
  const table = RUNS[backend] ?? RUNS.wasm;
  await runWorker({
    backend,
    widths,
    archs,
    kinds,
    runs: (kind, width) => steps || table[kind][width] || 1,
    send,
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
