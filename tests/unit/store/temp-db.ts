import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { openDatabase, type Database } from '../../../src/main/store/db.js';
import { presetConfig } from '../../../src/shared/config.js';

const cleanups: (() => void)[] = [];

afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** A fresh folder removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gan-focus-store-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A migrated database in a fresh folder, closed after the test. */
export function tempDb(): { db: Database; file: string } {
  const file = join(tempDir(), 'gan-focus.db');
  const db = openDatabase(file);
  cleanups.push(() => db.open && db.close());
  return { db, file };
}

export const config = () => presetConfig('quick');

export const sha = (c: string) => c.repeat(64);
