import { describe, expect, it } from 'vitest';
import type { FocusSample } from '../../../src/shared/explain.js';
import { DEFAULT_FOCUS_SETTINGS } from '../../../src/shared/focus-settings.js';
import { beginExplanation, countFocus, getExplanation, insertFocusBatch, listFocus, getCam } from '../../../src/main/store/explanations.js';
import { BLOCK_ROWS } from '../../../src/main/store/focus-blocks.js';
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
  return { index: i, digit: i % 10, ratio, baselineRatio: i % 11 === 0 ? null : (i % 17) / 17, coverage: (i % 13) / 13, sharpness: i % 3 === 0 ? null : 0.25, score: i - 150, flagged, cam: flagged ? new Uint8Array(4096).fill(i % 256) : null };
}

describe('focus rows', () => {
  it('writes batches of any size with every value intact', () => {
    const { db, id } = explanation(300);
    const rows = Array.from({ length: 300 }, (_, i) => row(i));
    insertFocusBatch(db, id, rows.slice(0, 1));
    insertFocusBatch(db, id, rows.slice(1, 260));
    insertFocusBatch(db, id, rows.slice(260));
    expect(getExplanation(db, id)!.done).toBe(300);
    const counts = countFocus(db, id);
    const baselines = rows.map((r) => r.baselineRatio).filter((b): b is number => b !== null);
    expect(counts).toEqual({
      total: 300,
      flagged: rows.filter((r) => r.flagged).length,
      noEvidence: 6,
      meanBaselineRatio: expect.closeTo(baselines.reduce((a, b) => a + b, 0) / baselines.length, 12),
    });
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

  it('lists flagged rows highest ratio first, with their reviews', () => {
    const { db, runId, id } = explanation(300);
    insertFocusBatch(db, id, Array.from({ length: 300 }, (_, i) => row(i)));
    saveReview(db, runId, { index: 14, decision: 'confirmed', note: 'a smudge' });
    const flagged = listFocus(db, id, 'mnist-train', { flaggedOnly: true });
    expect(flagged.length).toBe(countFocus(db, id).flagged);
    expect(flagged.every((r) => r.flagged && r.index % 7 === 0)).toBe(true);
    const ratios = flagged.map((r) => r.ratio!);
    expect([...ratios].sort((a, b) => b - a)).toEqual(ratios);
    expect(flagged.find((r) => r.index === 14)).toMatchObject({ review: 'confirmed', note: 'a smudge', sampleId: 'mnist-train:14' });
  });

  it('filters, orders and pages as the query asks (no evidence last, ties by sample index)', () => {
    const { db, id } = explanation(300);
    const rows = Array.from({ length: 300 }, (_, i) => row(i));
    insertFocusBatch(db, id, rows.slice(150));
    insertFocusBatch(db, id, rows.slice(0, 150));
    const byRatio = (a: FocusSample, b: FocusSample) =>
      a.ratio === null || b.ratio === null ? Number(a.ratio === null) - Number(b.ratio === null) || a.index - b.index : b.ratio - a.ratio || a.index - b.index;
    const expected = (keep: (r: FocusSample) => boolean) => rows.filter(keep).sort(byRatio).map((r) => r.index);
    const listed = (q: Parameters<typeof listFocus>[3]) => listFocus(db, id, 'mnist-train', q).map((r) => r.index);
    expect(listed({})).toEqual(expected(() => true));
    expect(listed({}).slice(-6)).toEqual([0, 50, 100, 150, 200, 250]);
    expect(listed({ minRatio: 0.3, maxRatio: 0.6 })).toEqual(expected((r) => r.ratio !== null && r.ratio >= 0.3 && r.ratio <= 0.6));
    expect(listed({ digit: 4, flaggedOnly: true })).toEqual(expected((r) => r.digit === 4 && r.flagged));
    expect(listed({ limit: 10, offset: 20 })).toEqual(expected(() => true).slice(20, 30));
  });

  it('stores a Grad-CAM batch as one block row, and a larger write in blocks of BLOCK_ROWS', () => {
    const { db, id } = explanation(BLOCK_ROWS + 64);
    insertFocusBatch(db, id, Array.from({ length: 64 }, (_, i) => row(i)));
    insertFocusBatch(db, id, Array.from({ length: BLOCK_ROWS }, (_, i) => row(64 + i)));
    const blocks = db.prepare('SELECT count FROM focus_blocks WHERE explanation_id = ? ORDER BY id').pluck().all(id);
    expect(blocks).toEqual([64, BLOCK_ROWS]);
    expect(countFocus(db, id).total).toBe(BLOCK_ROWS + 64);
  });

  it('refuses a batch with an impossible value, naming the sample, and keeps every batch written before', () => {
    const { db, id } = explanation(20);
    insertFocusBatch(db, id, Array.from({ length: 10 }, (_, i) => row(i)));
    const bad = Array.from({ length: 10 }, (_, i) => row(10 + i));
    bad[3] = { ...bad[3], ratio: 1.5 };
    expect(() => insertFocusBatch(db, id, bad)).toThrow('focus row of sample 13: ratio 1.5 is outside [0, 1]');
    expect(() => insertFocusBatch(db, id, [{ ...row(10), score: NaN }])).toThrow("focus row of sample 10: D's score is NaN");
    expect(() => insertFocusBatch(db, id, [{ ...row(10), index: -1 }])).toThrow('the sample index must be a whole number >= 0');
    expect(getExplanation(db, id)!.done).toBe(10);
    expect(countFocus(db, id).total).toBe(10);
    expect(listFocus(db, id, 'mnist-train').map((r) => r.index).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('names a damaged block instead of reading past it, and keeps listing the other explanations', () => {
    const { db, runId, id } = explanation(64);
    insertFocusBatch(db, id, Array.from({ length: 64 }, (_, i) => row(i)));
    const other = beginExplanation(
      db,
      { runId, epoch: 2, layers: ['block3'], method: 'gradcam', target: 'real', samples: 'train', settings: DEFAULT_FOCUS_SETTINGS },
      3,
    );
    insertFocusBatch(db, other.id, [row(1), row(2), row(3)]);
    // As a hand edit or a damaged page would leave it: the CHECKs refuse this write otherwise.
    db.pragma('ignore_check_constraints = ON');
    db.prepare('UPDATE focus_blocks SET ratio = substr(ratio, 1, 100) WHERE explanation_id = ?').run(id);
    expect(() => listFocus(db, id, 'mnist-train')).toThrow(/focus block \d+ of explanation \d+ is damaged: ratio holds 100 bytes for 64 samples/);
    expect(countFocus(db, other.id).total).toBe(3);
  });

  it('deletes an explanation\'s blocks and CAMs with it', () => {
    const { db, id } = explanation(30);
    insertFocusBatch(db, id, Array.from({ length: 30 }, (_, i) => row(i)));
    db.prepare('DELETE FROM explanations WHERE id = ?').run(id);
    expect(db.prepare('SELECT COUNT(*) FROM focus_blocks').pluck().get()).toBe(0);
    expect(db.prepare('SELECT COUNT(*) FROM focus_cams').pluck().get()).toBe(0);
  });
});
