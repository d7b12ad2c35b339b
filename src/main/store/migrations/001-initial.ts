import type { Migration } from '../migrations.js';

// Frozen once released: value lists are spelled out here rather than imported,
// so a later change to the shared constants cannot change what migration 1 did.
// Change the schema by appending a migration.
export const initial: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE runs (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        name          TEXT NOT NULL,
        status        TEXT NOT NULL CHECK (status IN ('queued','running','completed','failed','cancelled','interrupted')),
        config_json   TEXT NOT NULL CHECK (json_valid(config_json)),
        dataset_id    TEXT,
        parent_id     INTEGER REFERENCES runs(id) ON DELETE SET NULL,
        excluded_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(excluded_json)),
        backend       TEXT,
        host_pid      INTEGER,
        created_at    TEXT NOT NULL,
        started_at    TEXT,
        finished_at   TEXT,
        notes         TEXT NOT NULL DEFAULT '',
        tags_json     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags_json)),
        error_json    TEXT CHECK (error_json IS NULL OR json_valid(error_json))
      ) STRICT;
      -- status: the run list filter and the start-up sweep for dead hosts.
      CREATE INDEX runs_status ON runs(status);
      -- parent_id: ON DELETE SET NULL looks children up by it.
      CREATE INDEX runs_parent ON runs(parent_id);

      CREATE TABLE epochs (
        run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch       INTEGER NOT NULL CHECK (epoch >= 1),
        loss_d      REAL,
        loss_g      REAL,
        dx          REAL,
        dgz         REAL,
        seconds     REAL,
        iterations  INTEGER,
        grid_path   TEXT,
        finished_at TEXT NOT NULL,
        PRIMARY KEY (run_id, epoch)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE checkpoints (
        run_id INTEGER NOT NULL,
        epoch  INTEGER NOT NULL,
        kind   TEXT NOT NULL CHECK (kind IN ('generator','discriminator','optimizer')),
        path   TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        bytes  INTEGER NOT NULL CHECK (bytes >= 0),
        PRIMARY KEY (run_id, epoch, kind),
        FOREIGN KEY (run_id, epoch) REFERENCES epochs(run_id, epoch) ON DELETE CASCADE
      ) STRICT, WITHOUT ROWID;

      -- Every iteration is kept: the paper's size (60k images, batch 64, 25
      -- epochs) is about 23k rows a run, small enough that thinning is left to
      -- whoever draws the chart.
      CREATE TABLE metrics (
        run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        iteration INTEGER NOT NULL CHECK (iteration >= 1),
        epoch     INTEGER NOT NULL CHECK (epoch >= 1),
        loss_d    REAL,
        loss_g    REAL,
        dx        REAL,
        dgz       REAL,
        PRIMARY KEY (run_id, iteration)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
