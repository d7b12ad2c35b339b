import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { migrate, MIGRATIONS, type Migration } from './migrations.js';

export type Database = BetterSqlite3.Database;

export interface OpenOptions {
  /** Tests build older schemas with a prefix of MIGRATIONS. */
  migrations?: readonly Migration[];
}

/**
 * Opens (creating if needed) the store and brings its schema up to date.
 * WAL lets the UI read while a run writes; NORMAL sync is safe under WAL (a
 * power cut may lose the last commits, never corrupt the file).
 */
export function openDatabase(file: string, options: OpenOptions = {}): Database {
  if (file !== ':memory:') mkdirSync(dirname(resolve(file)), { recursive: true });
  let db: Database;
  try {
    db = new BetterSqlite3(file);
  } catch (e) {
    throw new Error(`cannot open database ${file}: ${(e as Error).message}`, { cause: e });
  }
  try {
    // busy_timeout first: switching to WAL needs a lock another process may hold.
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, options.migrations ?? MIGRATIONS);
    return db;
  } catch (e) {
    db.close();
    throw explain(file, e);
  }
}

/**
 * Runs fn in an IMMEDIATE transaction (savepoint when nested). IMMEDIATE takes
 * the write lock up front, so a second process waits on busy_timeout instead
 * of failing with SQLITE_BUSY when a read would upgrade to a write.
 */
export function transaction<T>(db: Database, fn: () => T): T {
  return db.transaction(fn).immediate();
}

const statements = new WeakMap<Database, Map<string, BetterSqlite3.Statement>>();

/** The statement for `sql`, prepared once per connection: preparing costs more than running a small write. */
export function cachedStatement(db: Database, sql: string): BetterSqlite3.Statement {
  let bySql = statements.get(db);
  if (!bySql) statements.set(db, (bySql = new Map()));
  let st = bySql.get(sql);
  if (!st) bySql.set(sql, (st = db.prepare(sql)));
  return st;
}

function explain(file: string, e: unknown): Error {
  const code = (e as { code?: string }).code;
  if (code === 'SQLITE_NOTADB') {
    return new Error(`${file} is not a SQLite database; move it away or choose another home folder`, { cause: e });
  }
  if (code === 'SQLITE_CORRUPT') {
    return new Error(`${file} is a damaged SQLite database (${(e as Error).message})`, { cause: e });
  }
  return e instanceof Error ? e : new Error(String(e));
}
