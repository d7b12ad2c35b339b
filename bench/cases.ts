import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { presetConfig } from '../src/shared/config.js';
import type { FocusSample } from '../src/shared/explain.js';
import { DEFAULT_FOCUS_SETTINGS } from '../src/shared/focus-settings.js';
import { openDatabase } from '../src/main/store/db.js';
import { beginExplanation, insertFocusBatch } from '../src/main/store/explanations.js';
import { createRun } from '../src/main/store/runs.js';
import { median } from './timing.js';

/**
 * Extra benchmark cases beyond training and Grad-CAM: add an entry here and
 * `npm run bench` runs it once, in a process of its own, and prints it with the
 * rest. `goalMs`, when set, is printed as the reference to beat.
 */
export interface BenchCase {
  name: string;
  goalMs?: number;
  run(): Promise<{ ms: number; runs?: number; backend?: string; detail?: string }>;
}

const SAMPLES = 60_000;
/** The explain job's batch: one transaction per Grad-CAM batch. */
const JOB_BATCH = 64;

/** A training set's focus rows as the explain job makes them: numbers, a CAM only for the 1% flagged. */
function focusRows(): FocusSample[] {
  const cam = new Uint8Array(64 * 64).fill(7);
  return Array.from({ length: SAMPLES }, (_, i) => {
    const flagged = i % 100 === 0;
    const ratio = flagged ? 0.8 : ((i * 7919) % 7001) / 10_001;
    return { index: i, digit: i % 10, ratio, baselineRatio: 0.3, coverage: (i % 100) / 100, sharpness: 0.5, score: -1.25, flagged, cam: flagged ? cam : null };
  });
}

/** Writes the 60k rows into a fresh store per run, `batch` rows per transaction. */
async function focusWrite(batch: number): Promise<{ ms: number; runs: number; detail: string }> {
  const rows = focusRows();
  const runs = 5;
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    // A fresh store each time: the timed part is the writes only.
    const dir = mkdtempSync(path.join(tmpdir(), 'gan-focus-bench-'));
    try {
      const db = openDatabase(path.join(dir, 'bench.db'));
      const run = createRun(db, { name: 'bench', config: presetConfig('quick') });
      const e = beginExplanation(
        db,
        { runId: run.id, epoch: 1, layers: ['block3'], method: 'gradcam', target: 'real', samples: 'train', settings: DEFAULT_FOCUS_SETTINGS },
        SAMPLES,
      );
      const t = performance.now();
      for (let start = 0; start < SAMPLES; start += batch) insertFocusBatch(db, e.id, rows.slice(start, start + batch));
      times.push(performance.now() - t);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const ms = median(times);
  return { ms, runs, detail: `60k focus rows (1% with a 4 KB CAM), ${batch === SAMPLES ? 'one transaction' : `${batch} rows per transaction`}, WAL, synchronous=NORMAL` };
}

export const extraCases: BenchCase[] = [
  { name: 'sqlite-focus-60k', goalMs: 100, run: () => focusWrite(SAMPLES) },
  { name: 'sqlite-focus-60k-job-batches', goalMs: 100, run: () => focusWrite(JOB_BATCH) },
];
