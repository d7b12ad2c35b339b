import { describe, expect, it } from 'vitest';
import { getReview, listReviews, saveReview } from '../../../src/main/store/reviews.js';
import { createRun } from '../../../src/main/store/runs.js';
import { config, tempDb } from './temp-db.js';

describe('reviews', () => {
  it('sets a decision, never toggles it: confirming twice leaves the sample confirmed, with its first time', async () => {
    const { db } = tempDb();
    const run = createRun(db, { config: config() });
    const first = saveReview(db, run.id, { index: 7, decision: 'confirmed' });
    await new Promise((r) => setTimeout(r, 5));
    const again = saveReview(db, run.id, { index: 7, decision: 'confirmed' });
    expect(again).toEqual(first);
    expect(getReview(db, run.id, 7)).toMatchObject({ decision: 'confirmed', updatedAt: first.updatedAt });
    expect(listReviews(db, run.id, 'confirmed').map((r) => r.index)).toEqual([7]);
  });

  it('changes a decision only when told to, keeps the note unless given, and clears with null (undo)', () => {
    const { db } = tempDb();
    const run = createRun(db, { config: config() });
    saveReview(db, run.id, { index: 3, decision: 'confirmed', note: 'a smudge' });
    expect(saveReview(db, run.id, { index: 3, decision: 'dismissed' })).toMatchObject({ decision: 'dismissed', note: 'a smudge' });
    expect(saveReview(db, run.id, { index: 3, note: 'not a smudge' })).toMatchObject({ decision: 'dismissed', note: 'not a smudge' });
    expect(saveReview(db, run.id, { index: 3, decision: null })).toMatchObject({ decision: null, note: 'not a smudge' });
    expect(listReviews(db, run.id, 'dismissed')).toEqual([]);
  });
});
