import { afterAll } from 'vitest';
import { createRouter, type Router } from '../../../src/main/api/router.js';
import { openDatabase, type Database } from '../../../src/main/store/db.js';
import { homePaths } from '../../../src/main/store/paths.js';
import { tempHome } from '../../helpers/cli.js';

export interface RouterAndStore {
  home: string;
  router: Router;
  /** A second connection, as the CLI in another process would have: rows written here are what the router reads. */
  db: Database;
}

/**
 * The real router on a fresh temporary home and a second connection to its
 * store, open from the test file's collection and closed after its last test.
 */
export function openRouterAndStore(): RouterAndStore {
  const home = tempHome();
  const router = createRouter({ home });
  const db = openDatabase(homePaths(home).db);
  afterAll(() => {
    db.close();
    router.close();
  });
  return { home, router, db };
}
