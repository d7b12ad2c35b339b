import type { Migration } from '../migrations.js';

// A study: a parent run, the explanation whose flags it tests, and arms x
// seeds of ordinary runs (each linked to the study here and to the parent by
// runs.parent_id). study_arms keeps each arm's excluded ids as drawn, so a
// resumed study trains exactly what was decided at its creation. final_quality
// holds the fair end-of-training estimate (KID, FID extrapolated to infinite
// samples, class coverage) of one run at one epoch on `count` samples.
export const studies: Migration = {
  version: 8,
  name: 'studies',
  up(db) {
    db.exec(`
      CREATE TABLE studies (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        name         TEXT NOT NULL,
        parent_id    INTEGER REFERENCES runs(id) ON DELETE SET NULL,
        epoch        INTEGER NOT NULL CHECK (epoch >= 1),
        explain_json TEXT NOT NULL CHECK (json_valid(explain_json)),
        seeds_json   TEXT NOT NULL CHECK (json_valid(seeds_json)),
        draw_seed    INTEGER NOT NULL,
        created_at   TEXT NOT NULL
      ) STRICT;

      CREATE TABLE study_arms (
        study_id      INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
        arm           TEXT NOT NULL CHECK (arm IN ('full', 'flagged-excluded', 'random-excluded')),
        excluded_json TEXT NOT NULL CHECK (json_valid(excluded_json)),
        digits_json   TEXT CHECK (digits_json IS NULL OR json_valid(digits_json)),
        PRIMARY KEY (study_id, arm)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE study_runs (
        study_id INTEGER NOT NULL,
        arm      TEXT NOT NULL,
        seed     INTEGER NOT NULL,
        run_id   INTEGER NOT NULL UNIQUE REFERENCES runs(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        PRIMARY KEY (study_id, arm, seed),
        FOREIGN KEY (study_id, arm) REFERENCES study_arms(study_id, arm) ON DELETE CASCADE
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE final_quality (
        run_id            INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch             INTEGER NOT NULL CHECK (epoch >= 1),
        count             INTEGER NOT NULL CHECK (count >= 2),
        kid               REAL NOT NULL,
        kid_std           REAL NOT NULL,
        fid_infinity      REAL NOT NULL,
        digits_present    INTEGER NOT NULL,
        class_counts_json TEXT NOT NULL CHECK (json_valid(class_counts_json)),
        detail_json       TEXT NOT NULL CHECK (json_valid(detail_json)),
        created_at        TEXT NOT NULL,
        PRIMARY KEY (run_id, epoch, count)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
