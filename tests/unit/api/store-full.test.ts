import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startExplain } from '../../../src/main/jobs/explaining.js';
import { forkLauncher } from '../../../src/main/jobs/launcher.js';
import { JobRegistry } from '../../../src/main/jobs/registry.js';
import { TrainingService } from '../../../src/main/jobs/training.js';
import { openDatabase, type Database } from '../../../src/main/store/db.js';
import { homePaths } from '../../../src/main/store/paths.js';
import { createRun, getRun } from '../../../src/main/store/runs.js';
import { DEFAULT_CAM_METHOD } from '../../../src/shared/explain.js';
import { DEFAULT_FOCUS_SETTINGS } from '../../../src/shared/focus-settings.js';
import { presetConfig } from '../../../src/shared/config.js';
import { runCli, tempHome, TINY } from '../../helpers/cli.js';

// SQLITE_FULL from the store, everywhere: SQLite's own page limit
// (max_page_count) makes the database refuse to grow with the error a full
// disk gives, so the host's paths run against a real store and real engines.

/**
 * The store of `home`, unable to grow past its present size and with no room
 * left at the end of the metrics table: the padding run's rows fill it until
 * SQLite refuses one, so the next run's first metrics need a page it cannot have.
 */
function fullStore(home: string, paddingRunId: number): Database {
  const db = openDatabase(path.join(home, 'gan-focus.db'));
  db.exec('VACUUM');
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
  const insert = db.prepare('INSERT INTO metrics (run_id, iteration, epoch, loss_d, loss_g, dx, dgz) VALUES (?, ?, 1, 1, 1, 0.5, 0.5)');
  for (let i = 1; ; i++) {
    try {
      insert.run(paddingRunId, i);
    } catch (err) {
      expect((err as { code?: string }).code).toBe('SQLITE_FULL');
      return db;
    }
  }
}

describe('the store is full while training', () => {
  it('the run stops as interrupted by a full disk; the engine is stopped and leaves no partial files', async () => {
    const home = tempHome();
    const paths = homePaths(home);
    const db0 = openDatabase(paths.db);
    const padding = createRun(db0, { name: 'padding', config: presetConfig('quick') });
    const run = createRun(db0, { config: { ...presetConfig('quick'), arch: 'paper' as const, limit: 128, ngf: 4, ndf: 4, batchSize: 32, epochs: 2 } });
    db0.close();
    // As a process killed while writing would leave it.
    mkdirSync(path.join(paths.runDir(run.id), 'checkpoints', 'epoch-001.partial-999999'), { recursive: true });

    const db = fullStore(home, padding.id);
    try {
      const training = new TrainingService(db, paths, forkLauncher, () => undefined);
      const end = await training.start(run.id).finished;
      expect(end.status).toBe('interrupted');
      expect(end.error).toMatchObject({ code: 'disk_full', message: 'disk full (database or disk is full); free space, then resume' });
      expect(getRun(db, run.id)).toMatchObject({ status: 'interrupted', error: { code: 'disk_full' } });
      const left = readdirSync(paths.runDir(run.id), { recursive: true, encoding: 'utf8' });
      expect(left.filter((p) => p.includes('.partial-'))).toEqual([]);
    } finally {
      db.close();
    }
  });
});

describe('the store is full while explaining', () => {
  const home = tempHome();
  beforeAll(() => {
    const r = runCli(['--home', home, 'train', ...TINY, '--epochs', '1', '--seed', '5']);
    expect(r.code, r.stderr).toBe(0);
  }, 300_000);

  it('the job ends failed, saying so, instead of an unhandled rejection; the explanation is not left running', async () => {
    const db0 = openDatabase(path.join(home, 'gan-focus.db'));
    const padding = createRun(db0, { name: 'padding', config: presetConfig('quick') });
    db0.close();
    const db = fullStore(home, padding.id);
    try {
      const registry = new JobRegistry(() => undefined);
      const run = getRun(db, 1)!;
      const { finished } = startExplain(db, homePaths(home), forkLauncher, registry, {
        runId: 1,
        config: run.config,
        epochs: [1],
        layers: [],
        method: DEFAULT_CAM_METHOD,
        target: 'real',
        samples: 'train',
        probeIndices: [],
        settings: { ...DEFAULT_FOCUS_SETTINGS },
        keepCams: 'flagged',
      });
      const job = await finished;
      expect(job.status).toBe('failed');
      expect(job.message).toMatch(/database or disk is full/);
      const states = db.prepare('SELECT status FROM explanations WHERE run_id = 1').pluck().all();
      expect(states.every((s) => s !== 'running')).toBe(true);
    } finally {
      db.close();
    }
  });
});
