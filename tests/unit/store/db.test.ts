import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, transaction } from '../../../src/main/store/db.js';
import { createRun, getRun } from '../../../src/main/store/runs.js';
import { config, tempDb, tempDir } from './temp-db.js';

describe('openDatabase', () => {
  it('sets WAL, foreign keys, busy timeout and NORMAL sync', () => {
    const { db } = tempDb();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
  });

  it('creates the folder the file goes in', () => {
    const file = join(tempDir(), 'a', 'b', 'gan-focus.db');
    const db = openDatabase(file);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('refuses a text file, naming it', () => {
    const file = join(tempDir(), 'gan-focus.db');
    writeFileSync(file, 'these are my notes, not a database\n'.repeat(50));
    expect(() => openDatabase(file)).toThrow(`${file} is not a SQLite database`);
  });

  it('refuses a SQLite database that belongs to something else', () => {
    const file = join(tempDir(), 'other.db');
    const other = openDatabase(file, { migrations: [] });
    other.exec('DROP TABLE schema_version; CREATE TABLE contacts (name TEXT)');
    other.close();
    expect(() => openDatabase(file)).toThrow(/other\.db is a SQLite database but not a GAN Focus one \(it has a table "contacts"/);
  });

  it('passes the integrity check after writes', () => {
    const { db } = tempDb();
    for (let i = 0; i < 20; i++) createRun(db, { config: config() });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });

  it('enforces foreign keys', () => {
    const { db } = tempDb();
    expect(() =>
      db.prepare("INSERT INTO epochs (run_id, epoch, finished_at) VALUES (999, 1, 'now')").run(),
    ).toThrow(/FOREIGN KEY constraint failed/);
    const run = createRun(db, { config: config() });
    expect(() =>
      db.prepare("INSERT INTO checkpoints (run_id, epoch, kind, path, sha256, bytes) VALUES (?, 3, 'generator', 'x', 'y', 1)").run(run.id),
    ).toThrow(/FOREIGN KEY constraint failed/);
  });
});

describe('transaction', () => {
  it('rolls everything back when the function throws, and returns its value otherwise', () => {
    const { db } = tempDb();
    expect(() =>
      transaction(db, () => {
        createRun(db, { name: 'kept?', config: config() });
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(db.prepare('SELECT COUNT(*) AS n FROM runs').get()).toEqual({ n: 0 });
    const id = transaction(db, () => createRun(db, { config: config() }).id);
    expect(getRun(db, id)?.name).toBe(`run-${id}`);
  });
});
