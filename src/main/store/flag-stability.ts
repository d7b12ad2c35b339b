import type { Database } from './db.js';
import { readFocusColumns } from './focus-blocks.js';

/** Per sample index, at how many of these explanations it was flagged (samples never flagged are absent). */
export function flagCounts(db: Database, explanationIds: number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const id of explanationIds) {
    const c = readFocusColumns(db, id, ['index', 'flagged']);
    for (let i = 0; i < c.length; i++) if (c.flagged[i] === 1) counts.set(c.index[i], (counts.get(c.index[i]) ?? 0) + 1);
  }
  return counts;
}
