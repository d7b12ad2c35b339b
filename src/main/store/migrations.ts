import type BetterSqlite3 from 'better-sqlite3';
import { initial } from './migrations/001-initial.js';
import { explain } from './migrations/002-explain.js';
import { flaggedIndex } from './migrations/003-flagged-index.js';
import { focusBlocks } from './migrations/004-focus-blocks.js';
import { stabilisers } from './migrations/005-stabilisers.js';
import { baselineFaithfulness } from './migrations/006-baseline-faithfulness.js';
import { trainingSeed } from './migrations/007-training-seed.js';
import { studies } from './migrations/008-studies.js';
import { bestEpochSettings } from './migrations/009-best-epoch-settings.js';

type Database = BetterSqlite3.Database;

export interface Migration {
  /** 1, 2, 3... in order, no gaps. */
  version: number;
  name: string;
  /** Runs inside a transaction; must not change PRAGMA foreign_keys (SQLite ignores it there). */
  up(db: Database): void;
}

/** Append new migrations here, one file each under migrations/. */
export const MIGRATIONS: readonly Migration[] = [
  initial,
  explain,
  flaggedIndex,
  focusBlocks,
  stabilisers,
  baselineFaithfulness,
  trainingSeed,
  studies,
  bestEpochSettings,
];

export interface MigrationResult {
  from: number;
  to: number;
  applied: string[];
}

/** Highest applied version, 0 for a database without any. */
export function schemaVersion(db: Database): number {
  if (!hasTable(db, 'schema_version')) return 0;
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
  return row.v ?? 0;
}

/**
 * Brings the database up to the last migration. Each migration runs in its own
 * IMMEDIATE transaction and re-reads the version inside it, so two processes
 * opening the same new file do not apply one twice.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): MigrationResult {
  checkList(migrations);
  db.transaction(() => {
    if (!hasTable(db, 'schema_version')) {
      const other = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' LIMIT 1").get() as
        | { name: string }
        | undefined;
      if (other) {
        throw new Error(`${db.name} is a SQLite database but not a GAN Focus one (it has a table "${other.name}" and no schema_version)`);
      }
      db.exec('CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT');
    }
  }).immediate();

  const from = schemaVersion(db);
  const latest = migrations.at(-1);
  const latestVersion = latest?.version ?? 0;
  if (from > latestVersion) {
    throw new Error(
      `${db.name} has schema version ${from}, newer than this GAN Focus knows (${latestVersion}${latest ? `, "${latest.name}"` : ''}); ` +
        'it was written by a newer version: open it with that one, or use another home folder (--home or GAN_FOCUS_HOME)',
    );
  }

  const applied: string[] = [];
  const record = db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of migrations) {
    if (m.version <= from) continue;
    const ran = db.transaction(() => {
      if (schemaVersion(db) >= m.version) return false;
      m.up(db);
      record.run(m.version, m.name, new Date().toISOString());
      return true;
    });
    try {
      if (ran.immediate()) applied.push(`${m.version}-${m.name}`);
    } catch (e) {
      throw new Error(`${db.name}: migration ${m.version} (${m.name}) failed: ${(e as Error).message}`, { cause: e });
    }
  }
  return { from, to: schemaVersion(db), applied };
}

function hasTable(db: Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

function checkList(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`migration list: entry ${i} ("${m.name}") has version ${m.version}, expected ${i + 1} (versions run 1, 2, 3... without gaps)`);
    }
  });
}
