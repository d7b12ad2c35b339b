import type { Migration } from '../migrations.js';

// Grad-CAM results, probes, reviews, best-epoch confirmations and G quality.
// Samples are stored by dataset index: a run trains on one dataset, and the
// sample id `<dataset id>:<index>` is derived from the run's dataset_id.
export const explain: Migration = {
  version: 2,
  name: 'explain',
  up(db) {
    db.exec(`
      CREATE TABLE explanations (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch         INTEGER NOT NULL CHECK (epoch >= 1),
        layer         TEXT NOT NULL,
        method        TEXT NOT NULL CHECK (method IN ('gradcam','gradcam++','hirescam','layercam')),
        target        TEXT NOT NULL CHECK (target IN ('real','fake')),
        samples       TEXT NOT NULL CHECK (samples IN ('probe','train')),
        settings_json TEXT NOT NULL CHECK (json_valid(settings_json)),
        status        TEXT NOT NULL CHECK (status IN ('running','complete','cancelled','failed')),
        total         INTEGER NOT NULL CHECK (total >= 0),
        done          INTEGER NOT NULL DEFAULT 0,
        error         TEXT,
        host_pid      INTEGER,
        created_at    TEXT NOT NULL,
        finished_at   TEXT,
        UNIQUE (run_id, epoch, layer, method, target, samples, settings_json)
      ) STRICT;
      CREATE INDEX explanations_run ON explanations(run_id, samples, epoch);

      -- ratio NULL = "no evidence" (a CAM that sums to zero), never a flag.
      -- cam: 64x64 8-bit, kept for probes and, on request, for the training set.
      CREATE TABLE focus (
        explanation_id INTEGER NOT NULL REFERENCES explanations(id) ON DELETE CASCADE,
        sample_index   INTEGER NOT NULL CHECK (sample_index >= 0),
        digit          INTEGER,
        ratio          REAL CHECK (ratio IS NULL OR (ratio >= 0 AND ratio <= 1)),
        coverage       REAL NOT NULL,
        sharpness      REAL,
        score          REAL NOT NULL,
        flagged        INTEGER NOT NULL CHECK (flagged IN (0, 1)),
        cam            BLOB,
        PRIMARY KEY (explanation_id, sample_index)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX focus_flagged ON focus(explanation_id, flagged, ratio);

      CREATE TABLE probes (
        run_id       INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        position     INTEGER NOT NULL CHECK (position >= 0),
        sample_index INTEGER NOT NULL,
        digit        INTEGER,
        PRIMARY KEY (run_id, position),
        UNIQUE (run_id, sample_index)
      ) STRICT;

      CREATE TABLE reviews (
        run_id       INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        sample_index INTEGER NOT NULL,
        decision     TEXT CHECK (decision IS NULL OR decision IN ('confirmed','dismissed')),
        note         TEXT NOT NULL DEFAULT '',
        updated_at   TEXT NOT NULL,
        PRIMARY KEY (run_id, sample_index)
      ) STRICT;

      CREATE TABLE best_epochs (
        run_id       INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
        recommended  INTEGER,
        confirmed    INTEGER NOT NULL CHECK (confirmed >= 1),
        rule         TEXT NOT NULL,
        note         TEXT NOT NULL DEFAULT '',
        confirmed_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE quality (
        run_id            INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch             INTEGER NOT NULL CHECK (epoch >= 1),
        count             INTEGER NOT NULL,
        class_counts_json TEXT NOT NULL CHECK (json_valid(class_counts_json)),
        digits_present    INTEGER NOT NULL,
        mean_confidence   REAL NOT NULL,
        fid_mnist         REAL NOT NULL,
        created_at        TEXT NOT NULL,
        PRIMARY KEY (run_id, epoch)
      ) STRICT;
    `);
  },
};
