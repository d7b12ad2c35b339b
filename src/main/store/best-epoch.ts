import type { BestEpochConfirmation, CamMethod, CamTarget } from '../../shared/explain.js';
import type { FocusSettings } from '../../shared/focus-settings.js';
import { transaction, type Database } from './db.js';
import { settingsJson } from './explanations.js';
import { requireRun } from './runs.js';

/** The explain settings a confirmation belongs to. */
export interface BestEpochKey {
  layers: string[];
  method: CamMethod;
  target: CamTarget;
  settings: FocusSettings;
}

interface BestEpochRecord {
  layer: string;
  method: CamMethod;
  target: CamTarget;
  settings_json: string;
  recommended: number | null;
  confirmed: number;
  rule: string;
  note: string;
  confirmed_at: string;
}

const toConfirmation = (r: BestEpochRecord): BestEpochConfirmation => ({
  layers: r.layer.split(','),
  method: r.method,
  target: r.target,
  settings: JSON.parse(r.settings_json) as FocusSettings,
  recommended: r.recommended,
  confirmed: r.confirmed,
  rule: r.rule,
  note: r.note,
  confirmedAt: r.confirmed_at,
});

const keyParams = (runId: number, k: BestEpochKey) => [runId, k.layers.join(','), k.method, k.target, settingsJson(k.settings)];

/** A person's choice of the best epoch under these settings, with what was recommended at the time; replaces an earlier one under the same settings. */
export function confirmBestEpoch(
  db: Database,
  runId: number,
  key: BestEpochKey,
  input: { recommended: number | null; confirmed: number; rule: string; note?: string },
): BestEpochConfirmation {
  return transaction(db, () => {
    const run = requireRun(db, runId);
    if (!Number.isInteger(input.confirmed) || input.confirmed < 1 || input.confirmed > run.config.epochs)
      throw new Error(`best epoch must be between 1 and ${run.config.epochs}, got ${input.confirmed}`);
    db.prepare(
      `INSERT INTO best_epochs (run_id, layer, method, target, settings_json, recommended, confirmed, rule, note, confirmed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, layer, method, target, settings_json) DO UPDATE SET recommended = excluded.recommended, confirmed = excluded.confirmed,
         rule = excluded.rule, note = excluded.note, confirmed_at = excluded.confirmed_at`,
    ).run(...keyParams(runId, key), input.recommended, input.confirmed, input.rule, input.note ?? '', new Date().toISOString());
    return getBestEpoch(db, runId, key)!;
  });
}

/** The confirmation under exactly these settings, or null. */
export function getBestEpoch(db: Database, runId: number, key: BestEpochKey): BestEpochConfirmation | null {
  const r = db
    .prepare('SELECT * FROM best_epochs WHERE run_id = ? AND layer = ? AND method = ? AND target = ? AND settings_json = ?')
    .get(...keyParams(runId, key)) as BestEpochRecord | undefined;
  return r ? toConfirmation(r) : null;
}

/** Every confirmation of the run, the latest first. */
export function listBestEpochs(db: Database, runId: number): BestEpochConfirmation[] {
  return (db.prepare('SELECT * FROM best_epochs WHERE run_id = ? ORDER BY confirmed_at DESC, rowid DESC').all(runId) as BestEpochRecord[]).map(toConfirmation);
}
