import { describe, expect, it } from 'vitest';
import type { FocusSample } from '../../../src/shared/explain.js';
import { DEFAULT_FOCUS_SETTINGS } from '../../../src/shared/focus-settings.js';
import { beginExplanation, countFocus, getExplanation, insertFocusBatch, listFocus, getCam } from '../../../src/main/store/explanations.js';
import { saveReview } from '../../../src/main/store/reviews.js';
import { createRun } from '../../../src/main/store/runs.js';
import { config, tempDb } from './temp-db.js';

function explanation(total: number) {
  const { db } = tempDb();
  const run = createRun(db, { config: config() });
  const e = beginExplanation(
    db,
    { runId: run.id, epoch: 1, layers: ['block3'], method: 'gradcam', target: 'real', samples: 'train', settings: DEFAULT_FOCUS_SETTINGS },
    total,
  );
  return { db, runId: run.id, id: e.id };
}

/** Row i: every 7th flagged (with a CAM), every 50th without evidence. */
function row(i: number): FocusSample {
  const ratio = i % 50 === 0 ? null : ((i * 37) % 101) / 100;
  const flagged = ratio !== null && i % 7 === 0;
  return { index: i, digit: i % 10, ratio, coverage: (i % 13) / 13, sharpness: i % 3 === 0 ? null : 0.25, score: i - 150, flagged, cam: flagged ? new Uint8Array(4096).fill(i % 256) : null };
}

describe('focus rows', () => {
  it('writes batches of any size (several INSERT statements, a short last one) with every value intact', () => {
    const { db, id } = explanation(300);
    const rows = Array.from({ length: 300 }, (_, i) => row(i));
    insertFocusBatch(db, id, rows.slice(0, 1));
    insertFocusBatch(db, id, rows.slice(1, 260));
    insertFocusBatch(db, id, rows.slice(260));
    expect(getExplanation(db, id)!.done).toBe(300);
    const counts = countFocus(db, id);
    expect(counts).toEqual({ total: 300, flagged: rows.filter((r) => r.flagged).length, noEvidence: 6 });
    const stored = listFocus(db, id, 'mnist-train').sort((a, b) => a.index - b.index);
    expect(stored).toHaveLength(300);
    for (const r of rows) {
      const s = stored[r.index];
      expect([s.digit, s.ratio, s.coverage, s.sharpness, s.score, s.flagged]).toEqual([r.digit, r.ratio, r.coverage, r.sharpness, r.score, r.flagged]);
    }
    expect(getCam(db, id, 7)).toEqual(new Uint8Array(4096).fill(7));
    expect(getCam(db, id, 8)).toBeNull();
  });

  it('rewrites a sample written twice (a retried batch) instead of failing or duplicating it', () => {
    const { db, id } = explanation(2);
    insertFocusBatch(db, id, [row(1), row(2)]);
    insertFocusBatch(db, id, [{ ...row(2), ratio: 0.99, flagged: true }]);
    expect(countFocus(db, id).total).toBe(2);
    expect(listFocus(db, id, 'mnist-train', { flaggedOnly: true }).map((r) => [r.index, r.ratio])).toEqual([[2, 0.99]]);
  });

  it('lists flagged rows through the index of flagged rows, highest ratio first, with their reviews', () => {
    const { db, runId, id } = explanation(300);
    insertFocusBatch(db, id, Array.from({ length: 300 }, (_, i) => row(i)));
    saveReview(db, runId, { index: 14, decision: 'confirmed', note: 'a smudge' });
    const flagged = listFocus(db, id, 'mnist-train', { flaggedOnly: true });
    expect(flagged.length).toBe(countFocus(db, id).flagged);
    expect(flagged.every((r) => r.flagged && r.index % 7 === 0)).toBe(true);
    const ratios = flagged.map((r) => r.ratio!);
    expect([...ratios].sort((a, b) => b - a)).toEqual(ratios);
    expect(flagged.find((r) => r.index === 14)).toMatchObject({ review: 'confirmed', note: 'a smudge' });
    const index = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'focus_flagged'").get() as { sql: string };
    expect(index.sql).toMatch(/WHERE flagged = 1/);
    const plan = db
      .prepare('EXPLAIN QUERY PLAN SELECT sample_index FROM focus f WHERE f.explanation_id = ? AND f.flagged = 1 ORDER BY f.ratio DESC')
      .all(id) as { detail: string }[];
    expect(plan.map((p) => p.detail).join('; ')).toMatch(/INDEX focus_flagged/);
  });
});
