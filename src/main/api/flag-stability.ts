import type { FlagStability } from '../../shared/api.js';
import type { ExplanationRow } from '../../shared/explain.js';
import type { Database } from '../store/db.js';
import { readFocusColumns } from '../store/focus-blocks.js';
import { flagCounts } from '../store/flag-stability.js';
import { ApiError } from './errors.js';

export interface StabilityView {
  stability: FlagStability;
  /** Per sample index: flagged at how many of stability.epochs. */
  counts: Map<number, number>;
  /** With a requirement: the samples that meet it (the flag list shows only these). */
  only: ReadonlySet<number> | undefined;
}

/**
 * How often each sample was flagged over `explained` (the run's training-set
 * explanations with e's settings) up to and including e's epoch; with a
 * requirement, over the last `of` of them.
 */
export function flagStability(db: Database, e: ExplanationRow, explained: ExplanationRow[], required?: { min: number; of: number }): StabilityView {
  if (required && required.min > required.of)
    throw new ApiError('bad_request', `stable: flagged at ${required.min} of the last ${required.of} epochs cannot happen (${required.min} > ${required.of})`);
  const upTo = explained.filter((x) => x.epoch <= e.epoch).sort((a, b) => a.epoch - b.epoch);
  const window = required ? upTo.slice(-required.of) : upTo;
  const counts = flagCounts(db, window.map((x) => x.id));
  const only = required ? new Set([...counts].filter(([, n]) => n >= required.min).map(([index]) => index)) : undefined;
  const here = readFocusColumns(db, e.id, ['index', 'flagged']);
  let stable = 0;
  for (let i = 0; i < here.length; i++) if (here.flagged[i] === 1 && (!only || only.has(here.index[i]))) stable++;
  return { stability: { epochs: window.map((x) => x.epoch), required: required ?? null, stable }, counts, only };
}
