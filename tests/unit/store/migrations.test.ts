import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/main/store/db.js';
import { MIGRATIONS, migrate, schemaVersion, type Migration } from '../../../src/main/store/migrations.js';
import { beginExplanation, getCam, getExplanation, insertFocusBatch, listFocus, setFaithfulness, type ExplanationKey } from '../../../src/main/store/explanations.js';
import type { Faithfulness } from '../../../src/shared/explain.js';
import { saveReview } from '../../../src/main/store/reviews.js';
import { createRun, getRun } from '../../../src/main/store/runs.js';
import { DEFAULT_FOCUS_SETTINGS } from '../../../src/shared/focus-settings.js';
import { config, tempDir } from './temp-db.js';

const LATEST = MIGRATIONS.length;

const tables = (db: Database) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map(
    (r) => r.name,
  );

const versions = (db: Database) => db.prepare('SELECT version, name FROM schema_version ORDER BY version').all();

// Stands in for the next real migration, to test an upgrade across more than one step.
const addColour: Migration = {
  version: LATEST + 1,
  name: 'run-colour',
  up: (db) => db.exec("ALTER TABLE runs ADD COLUMN colour TEXT NOT NULL DEFAULT 'grey'"),
};

describe('migrations', () => {
  it('builds the schema on an empty database and records each version', () => {
    const db = openDatabase(join(tempDir(), 'gan-focus.db'));
    expect(tables(db)).toEqual([
      'best_epochs', 'checkpoints', 'epochs', 'explanations', 'final_quality', 'focus_blocks', 'focus_cams', 'metrics', 'probes', 'quality', 'reviews', 'runs',
      'schema_version', 'studies', 'study_arms', 'study_runs',
    ]);
    expect(schemaVersion(db)).toBe(LATEST);
    expect(versions(db)).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    const applied = db.prepare('SELECT applied_at FROM schema_version').get() as { applied_at: string };
    expect(Number.isNaN(Date.parse(applied.applied_at))).toBe(false);
    db.close();
  });

  it('keeps data and version on reopen, and applying again changes nothing', () => {
    const file = join(tempDir(), 'gan-focus.db');
    const db = openDatabase(file);
    const run = createRun(db, { name: 'keep me', config: config() });
    db.close();

    const again = openDatabase(file);
    expect(getRun(again, run.id)?.name).toBe('keep me');
    expect(schemaVersion(again)).toBe(LATEST);
    expect(migrate(again)).toEqual({ from: LATEST, to: LATEST, applied: [] });
    expect(versions(again)).toHaveLength(LATEST);
    again.close();
  });

  it('upgrades a database built by the previous release', () => {
    const file = join(tempDir(), 'gan-focus.db');
    openDatabase(file, { migrations: MIGRATIONS.slice(0, -1) }).close();

    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(LATEST);
    expect(tables(db)).toContain('runs');
    db.close();
  });

  it('upgrades a database with data to a newer migration, keeping the data', () => {
    const file = join(tempDir(), 'gan-focus.db');
    const old = openDatabase(file);
    const run = createRun(old, { name: 'old run', config: config() });
    old.close();

    const db = openDatabase(file, { migrations: [...MIGRATIONS, addColour] });
    expect(schemaVersion(db)).toBe(LATEST + 1);
    expect(db.prepare('SELECT name, colour FROM runs WHERE id = ?').get(run.id)).toEqual({ name: 'old run', colour: 'grey' });
    db.close();
  });

  it('moves focus rows written before version 4 (a row per sample) into blocks, keeping every value and CAM', () => {
    const file = join(tempDir(), 'gan-focus.db');
    const old = openDatabase(file, { migrations: MIGRATIONS.slice(0, 3) });
    const run = createRun(old, { config: config() });
    const key: ExplanationKey = { runId: run.id, epoch: 1, layers: ['block3'], method: 'gradcam', target: 'real', samples: 'train', settings: DEFAULT_FOCUS_SETTINGS };
    const e = beginExplanation(old, key, 5);
    const other = beginExplanation(old, { ...key, epoch: 2 }, 1);
    const rows = [
      [e.id, 9, 3, 0.75, 0.5, 0.25, -2, 1, Buffer.alloc(4096, 9)],
      [e.id, 2, null, null, 0, null, 1.5, 0, null],
      [e.id, 4, 7, 0.125, 0.75, 0.5, 0.25, 0, null],
      [other.id, 2, 1, 1, 1, 1, 3, 1, Buffer.alloc(4096, 2)],
    ];
    const insert = old.prepare('INSERT INTO focus VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    for (const r of rows) insert.run(...r);
    saveReview(old, run.id, { index: 9, decision: 'confirmed' });
    old.close();

    const db = openDatabase(file);
    expect(tables(db)).not.toContain('focus');
    expect(listFocus(db, e.id, 'mnist-train')).toEqual([
      { index: 9, sampleId: 'mnist-train:9', digit: 3, ratio: 0.75, baselineRatio: null, coverage: 0.5, sharpness: 0.25, score: -2, flagged: true, review: 'confirmed', note: '' },
      { index: 4, sampleId: 'mnist-train:4', digit: 7, ratio: 0.125, baselineRatio: null, coverage: 0.75, sharpness: 0.5, score: 0.25, flagged: false, review: null, note: '' },
      { index: 2, sampleId: 'mnist-train:2', digit: null, ratio: null, baselineRatio: null, coverage: 0, sharpness: null, score: 1.5, flagged: false, review: null, note: '' },
    ]);
    expect(listFocus(db, other.id, 'mnist-train').map((r) => [r.index, r.ratio])).toEqual([[2, 1]]);
    expect(getCam(db, e.id, 9)).toEqual(new Uint8Array(4096).fill(9));
    expect(getCam(db, other.id, 2)).toEqual(new Uint8Array(4096).fill(2));
    expect(getCam(db, e.id, 2)).toBeNull();
    db.close();
  });

  it('version 5 writes the stabilisers, off, into configs stored before them, leaving the rest as it was', () => {
    const file = join(tempDir(), 'gan-focus.db');
    const old = openDatabase(file, { migrations: MIGRATIONS.slice(0, 4) });
    const { lrD: _lrD, labelSmoothing: _ls, instanceNoise: _noise, ...before } = config();
    old.prepare("INSERT INTO runs (name, status, config_json, excluded_json, created_at) VALUES ('old', 'completed', ?, '[]', '2026-01-01T00:00:00Z')").run(
      JSON.stringify({ ...before, lr: 3e-4 }),
    );
    old.close();

    const db = openDatabase(file);
    const run = getRun(db, 1)!;
    expect(run.config).toEqual({ ...before, lr: 3e-4, lrD: null, labelSmoothing: 0, instanceNoise: 0 });
    db.close();
  });

  it('adds baseline ratios and faithfulness in version 6: older rows read as not known, new ones round-trip', () => {
    const file = join(tempDir(), 'gan-focus.db');
    const old = openDatabase(file, { migrations: MIGRATIONS.slice(0, 5) });
    const run = createRun(old, { config: config() });
    const key: ExplanationKey = { runId: run.id, epoch: 1, layers: ['block3'], method: 'gradcam', target: 'real', samples: 'probe', settings: DEFAULT_FOCUS_SETTINGS };
    const e = beginExplanation(old, key, 2);
    const col = (Type: Float64ArrayConstructor | Int32ArrayConstructor | Int16ArrayConstructor | Uint8ArrayConstructor, values: number[]) =>
      Buffer.from(new Type(values).buffer);
    old
      .prepare('INSERT INTO focus_blocks (explanation_id, count, sample_index, digit, ratio, coverage, sharpness, score, flagged) VALUES (?, 2, ?, ?, ?, ?, ?, ?, ?)')
      .run(e.id, col(Int32Array, [5, 6]), col(Int16Array, [1, 2]), col(Float64Array, [0.25, 0.75]), col(Float64Array, [0.5, 0.5]), col(Float64Array, [0.1, 0.2]), col(Float64Array, [1, 2]), col(Uint8Array, [0, 1]));
    old.close();

    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(LATEST);
    expect(getExplanation(db, e.id)!.faithfulness).toBeNull();
    expect(listFocus(db, e.id, 'mnist-train').map((r) => [r.index, r.ratio, r.baselineRatio])).toEqual([
      [6, 0.75, null],
      [5, 0.25, null],
    ]);
    const next = beginExplanation(db, { ...key, epoch: 2 }, 1);
    insertFocusBatch(db, next.id, [{ index: 5, digit: 1, ratio: 0.5, baselineRatio: 0.3125, coverage: 0, sharpness: null, score: 0, flagged: false, cam: null }]);
    expect(listFocus(db, next.id, 'mnist-train')[0].baselineRatio).toBe(0.3125);
    const f: Faithfulness = {
      metric: 'road',
      fractions: [0.1, 0.2],
      samples: 1,
      score: 2,
      cam: 0.5,
      camSd: 0,
      random: 0.1,
      mask: 0.4,
      curves: { cam: { morf: [1, 0], lerf: [2, 2] }, random: { morf: [2, 1], lerf: [2, 1] }, mask: { morf: [1, 1], lerf: [2, 2] } },
    };
    setFaithfulness(db, next.id, f);
    expect(getExplanation(db, next.id)!.faithfulness).toEqual(f);
    expect(() => db.prepare('UPDATE focus_blocks SET baseline_ratio = zeroblob(12) WHERE explanation_id = ?').run(next.id)).toThrow(/CHECK/);
    db.close();
  });

  it('version 7 gives configs stored before the seed split their seed as training seed, so they train as before', () => {
    const file = join(tempDir(), 'gan-focus.db');
    const old = openDatabase(file, { migrations: MIGRATIONS.slice(0, 6) });
    const { trainingSeed: _t, ...before } = config();
    old.prepare("INSERT INTO runs (name, status, config_json, excluded_json, created_at) VALUES ('old', 'completed', ?, '[]', '2026-01-01T00:00:00Z')").run(
      JSON.stringify({ ...before, seed: 42 }),
    );
    old.close();

    const db = openDatabase(file);
    expect(getRun(db, 1)!.config).toEqual({ ...before, seed: 42, trainingSeed: 42 });
    const fresh = createRun(db, { config: { ...config(), seed: 3, trainingSeed: 9 } });
    expect(getRun(db, fresh.id)!.config).toMatchObject({ seed: 3, trainingSeed: 9 });
    db.close();
  });

  it('version 8 adds studies whose runs and final estimates go with their runs', () => {
    const db = openDatabase(join(tempDir(), 'gan-focus.db'));
    const parent = createRun(db, { config: config() });
    const child = createRun(db, { config: config(), parentId: parent.id });
    db.prepare("INSERT INTO studies (name, parent_id, epoch, explain_json, seeds_json, draw_seed, created_at) VALUES ('s', ?, 1, '{}', '[1]', 1, 'now')").run(parent.id);
    db.prepare("INSERT INTO study_arms (study_id, arm, excluded_json, digits_json) VALUES (1, 'full', '[]', NULL)").run();
    db.prepare("INSERT INTO study_runs (study_id, arm, seed, run_id, position) VALUES (1, 'full', 1, ?, 0)").run(child.id);
    expect(() => db.prepare("INSERT INTO study_arms (study_id, arm, excluded_json) VALUES (1, 'half', '[]')").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO study_runs (study_id, arm, seed, run_id, position) VALUES (1, 'random-excluded', 1, ?, 1)").run(parent.id)).toThrow(
      /FOREIGN KEY/,
    );
    db.prepare('DELETE FROM runs WHERE id = ?').run(child.id);
    expect(db.prepare('SELECT COUNT(*) FROM study_runs').pluck().get()).toBe(0);
    db.prepare('DELETE FROM runs WHERE id = ?').run(parent.id);
    expect(db.prepare('SELECT parent_id FROM studies').pluck().get()).toBeNull();
    db.close();
  });

  it('refuses a database written by a newer version, leaving it untouched', () => {
    const file = join(tempDir(), 'gan-focus.db');
    openDatabase(file, { migrations: [...MIGRATIONS, addColour] }).close();

    expect(() => openDatabase(file)).toThrow(
      new RegExp(`gan-focus\\.db has schema version ${LATEST + 1}, newer than this GAN Focus knows \\(${LATEST}`),
    );
    const db = openDatabase(file, { migrations: [...MIGRATIONS, addColour] });
    expect(schemaVersion(db)).toBe(LATEST + 1);
    db.close();
  });

  it('rolls back a failing migration entirely and names it', () => {
    const file = join(tempDir(), 'gan-focus.db');
    openDatabase(file).close();
    const broken: Migration = {
      version: LATEST + 1,
      name: 'half-done',
      up: (db) => {
        db.exec('CREATE TABLE half (x INTEGER)');
        db.exec('THIS IS NOT SQL');
      },
    };
    expect(() => openDatabase(file, { migrations: [...MIGRATIONS, broken] })).toThrow(`migration ${LATEST + 1} (half-done) failed`);
    const db = openDatabase(file);
    expect(schemaVersion(db)).toBe(LATEST);
    expect(tables(db)).not.toContain('half');
    db.close();
  });

  it('refuses a migration list with a gap', () => {
    const file = join(tempDir(), 'gan-focus.db');
    expect(() => openDatabase(file, { migrations: [...MIGRATIONS, { ...addColour, version: LATEST + 2 }] })).toThrow(
      `has version ${LATEST + 2}, expected ${LATEST + 1}`,
    );
  });
});
