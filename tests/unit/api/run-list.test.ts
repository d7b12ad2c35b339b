import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunListItem, RunSummary } from '../../../src/shared/api.js';
import { presetConfig } from '../../../src/shared/config.js';
import type { QualityRow } from '../../../src/shared/explain.js';
import { createRouter, type Router } from '../../../src/main/api/router.js';
import { openDatabase, type Database } from '../../../src/main/store/db.js';
import { homePaths } from '../../../src/main/store/paths.js';
import { saveQuality } from '../../../src/main/store/quality.js';
import { tempHome } from '../../helpers/cli.js';

const tiny = { ...presetConfig('quick'), limit: 128, ngf: 4, ndf: 4, batchSize: 32, epochs: 2 };
const home = tempHome();
let router: Router;
/** A second connection, as another process would have: rows written here are what the router reads. */
let db: Database;
beforeAll(() => {
  router = createRouter({ home });
  db = openDatabase(homePaths(home).db);
});
afterAll(() => {
  db.close();
  router.close();
});

const item = async (id: number) => ((await router.handle('listRuns', {})) as RunListItem[]).find((r) => r.id === id)!;
const quality = (epoch: number, fidMnist: number, digitsPresent: number): QualityRow => ({
  epoch,
  count: 1000,
  classCounts: [100, 100, 100, 100, 100, 100, 100, 100, 100, 100],
  digitsPresent,
  meanConfidence: 0.8,
  fidMnist,
});

describe('runs table rows', () => {
  it('carry the G quality of the latest epoch assessed, or null before any', async () => {
    const run = (await router.handle('createRun', { config: tiny })) as RunSummary;
    expect((await item(run.id)).quality).toBeNull();
    saveQuality(db, run.id, quality(1, 180.5, 6));
    saveQuality(db, run.id, quality(2, 95.25, 9));
    expect((await item(run.id)).quality).toEqual(quality(2, 95.25, 9));
  });
});
