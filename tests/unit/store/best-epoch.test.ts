import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/main/store/db.js';
import { confirmBestEpoch, getBestEpoch, listBestEpochs, type BestEpochKey } from '../../../src/main/store/best-epoch.js';
import { MIGRATIONS } from '../../../src/main/store/migrations.js';
import { createRun } from '../../../src/main/store/runs.js';
import { DEFAULT_FOCUS_SETTINGS } from '../../../src/shared/focus-settings.js';
import { config, tempDb, tempDir } from './temp-db.js';

const DEFAULTS: BestEpochKey = { layers: ['block3'], method: 'gradcam', target: 'real', settings: { ...DEFAULT_FOCUS_SETTINGS } };
const HIRES: BestEpochKey = { layers: ['block2'], method: 'hirescam', target: 'real', settings: { ...DEFAULT_FOCUS_SETTINGS, threshold: 0.6 } };

describe('best-epoch confirmations', () => {
  it('are kept per explain settings: confirming under other settings is another confirmation', () => {
    const { db } = tempDb();
    const run = createRun(db, { config: { ...config(), epochs: 5 } });
    confirmBestEpoch(db, run.id, DEFAULTS, { recommended: 3, confirmed: 3, rule: 'r' });
    confirmBestEpoch(db, run.id, HIRES, { recommended: null, confirmed: 4, rule: 'r', note: 'block2 looks on-digit' });
    expect(getBestEpoch(db, run.id, DEFAULTS)).toMatchObject({ ...DEFAULTS, confirmed: 3, recommended: 3 });
    expect(getBestEpoch(db, run.id, HIRES)).toMatchObject({ ...HIRES, confirmed: 4, note: 'block2 looks on-digit' });
    // Only the threshold differs: still another set of settings.
    expect(getBestEpoch(db, run.id, { ...HIRES, settings: { ...HIRES.settings, threshold: 0.7 } })).toBeNull();
    // Again under the same settings replaces that one only.
    confirmBestEpoch(db, run.id, DEFAULTS, { recommended: 3, confirmed: 2, rule: 'r' });
    expect(listBestEpochs(db, run.id).map((c) => [c.method, c.confirmed])).toEqual([
      ['gradcam', 2],
      ['hirescam', 4],
    ]);
    expect(() => confirmBestEpoch(db, run.id, HIRES, { recommended: null, confirmed: 6, rule: 'r' })).toThrow(/between 1 and 5/);
  });

  it('the best-epoch-settings migration ties a confirmation made before it to the defaults of its time', () => {
    const file = `${tempDir()}/gan-focus.db`;
    const old = openDatabase(file, { migrations: MIGRATIONS.slice(0, MIGRATIONS.findIndex((m) => m.name === 'best-epoch-settings')) });
    const paper = createRun(old, { config: { ...config(), arch: 'paper' } });
    const dcgan5 = createRun(old, { config: { ...config(), arch: 'dcgan5' } });
    const insert = old.prepare('INSERT INTO best_epochs (run_id, recommended, confirmed, rule, note, confirmed_at) VALUES (?, ?, ?, ?, ?, ?)');
    insert.run(paper.id, 2, 3, 'old rule', 'kept', '2026-01-02T03:04:05.000Z');
    insert.run(dcgan5.id, null, 1, 'old rule', '', '2026-01-03T00:00:00.000Z');
    old.close();

    const db = openDatabase(file);
    expect(getBestEpoch(db, paper.id, DEFAULTS)).toEqual({
      ...DEFAULTS,
      recommended: 2,
      confirmed: 3,
      rule: 'old rule',
      note: 'kept',
      confirmedAt: '2026-01-02T03:04:05.000Z',
    });
    expect(listBestEpochs(db, dcgan5.id)).toEqual([
      { ...DEFAULTS, layers: ['block4'], recommended: null, confirmed: 1, rule: 'old rule', note: '', confirmedAt: '2026-01-03T00:00:00.000Z' },
    ]);
    db.close();
  });
});
