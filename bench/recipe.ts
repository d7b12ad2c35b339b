import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { presetConfig } from '../src/shared/config.js';
import type { QualityRow } from '../src/shared/explain.js';

// `npm run bench -- --recipe [--seeds 1,2,3] [--args "--arch paper ..."]`:
// trains the default CPU preset through the real CLI, as a user would, and
// prints the wall time of each epoch and of the whole run, and G's quality at
// the last epoch against the goal a default must meet (issue 13: every digit,
// confident, FID-MNIST <= 100, within 15 minutes on a 2-core CPU).

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

export const RECIPE_GOAL = { digitsPresent: 10, meanConfidence: 0.8, fidMnist: 100, wallSeconds: 15 * 60 };

export interface RecipeResult {
  seed: number;
  backend: string | null;
  wallSeconds: number;
  epochSeconds: number[];
  final: QualityRow | null;
  meetsGoal: boolean;
  error: string | null;
}

interface EpochEvent {
  type: string;
  epoch?: { epoch: number; seconds: number | null; quality: QualityRow | null };
  run?: { backend: string | null; status: string; error: { message: string } | null };
}

function trainOnce(seed: number, extra: string[]): Promise<RecipeResult> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'gan-focus-recipe-'));
  const started = performance.now();
  const epochs: { seconds: number; quality: QualityRow | null }[] = [];
  let backend: string | null = null;
  let error: string | null = null;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'gan-focus.js'), '--home', home, 'train', '--seed', String(seed), ...extra, '--json'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffered = '';
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        const e = JSON.parse(line) as EpochEvent;
        if (e.type === 'epochDone' && e.epoch) epochs.push({ seconds: e.epoch.seconds ?? Number.NaN, quality: e.epoch.quality });
        if (e.run?.backend) backend = e.run.backend;
        if (e.type === 'finished' && e.run?.status !== 'completed') error = e.run?.error?.message ?? e.run?.status ?? 'failed';
      }
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => {
      rmSync(home, { recursive: true, force: true });
      const wallSeconds = (performance.now() - started) / 1000;
      const final = epochs.at(-1)?.quality ?? null;
      if (code !== 0 && !error) error = stderr.trim().split('\n').at(-1) ?? `exit code ${code}`;
      const meetsGoal =
        error === null &&
        final !== null &&
        final.digitsPresent >= RECIPE_GOAL.digitsPresent &&
        final.meanConfidence >= RECIPE_GOAL.meanConfidence &&
        final.fidMnist <= RECIPE_GOAL.fidMnist &&
        wallSeconds <= RECIPE_GOAL.wallSeconds;
      resolve({ seed, backend, wallSeconds, epochSeconds: epochs.map((e) => e.seconds), final, meetsGoal, error });
    });
  });
}

export async function runRecipe(opts: { seeds: number[]; extra: string[]; json: boolean }): Promise<void> {
  const c = presetConfig('quick');
  const say = (s: string) => process.stdout.write(opts.json ? `${JSON.stringify({ note: s })}\n` : `# ${s}\n`);
  say(
    `recipe: the quick preset (${c.arch} D, width ${c.ngf}/${c.ndf}, ${c.limit} images, batch ${c.batchSize}, ${c.epochs} epochs)` +
      `${opts.extra.length ? ` with ${opts.extra.join(' ')}` : ''}; goal: ${RECIPE_GOAL.digitsPresent} digits, confidence >= ${RECIPE_GOAL.meanConfidence}, ` +
      `FID-MNIST <= ${RECIPE_GOAL.fidMnist}, wall <= ${RECIPE_GOAL.wallSeconds / 60} min`,
  );
  for (const seed of opts.seeds) {
    const r = await trainOnce(seed, opts.extra);
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ case: 'recipe', ...r })}\n`);
      continue;
    }
    const q = r.final;
    process.stdout.write(
      `recipe seed ${seed} ${r.backend ?? '?'}: wall ${r.wallSeconds.toFixed(0)} s; per epoch ${r.epochSeconds.map((s) => s.toFixed(0)).join(' ')} s; ` +
        (q ? `FID-MNIST ${q.fidMnist.toFixed(1)}, ${q.digitsPresent} digits, confidence ${q.meanConfidence.toFixed(3)}` : 'no quality') +
        `; ${r.meetsGoal ? 'meets the goal' : `MISSES the goal${r.error ? ` (${r.error})` : ''}`}\n`,
    );
  }
}
