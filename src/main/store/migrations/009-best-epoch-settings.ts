import type { Migration } from '../migrations.js';

// A confirmed best epoch belongs to the explain settings it was confirmed
// under (target layers, CAM method, target, focus settings): confirming under
// other settings is another confirmation, kept beside it. Earlier releases
// confirmed under their defaults only, which are written out here as they were
// then (frozen: a later change of the defaults must not move old rows): the
// deepest block with a spatial size above 1 (block3 of the paper's D, block4 of
// dcgan5), gradcam, real, mask level 0.25, dilation 1, CAM level 0.5, threshold 0.7.
export const bestEpochSettings: Migration = {
  version: 9,
  name: 'best-epoch-settings',
  up(db) {
    db.exec(`
      CREATE TABLE best_epochs_by_settings (
        run_id        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        layer         TEXT NOT NULL,
        method        TEXT NOT NULL,
        target        TEXT NOT NULL,
        settings_json TEXT NOT NULL CHECK (json_valid(settings_json)),
        recommended   INTEGER,
        confirmed     INTEGER NOT NULL CHECK (confirmed >= 1),
        rule          TEXT NOT NULL,
        note          TEXT NOT NULL DEFAULT '',
        confirmed_at  TEXT NOT NULL,
        PRIMARY KEY (run_id, layer, method, target, settings_json)
      ) STRICT;
      INSERT INTO best_epochs_by_settings (run_id, layer, method, target, settings_json, recommended, confirmed, rule, note, confirmed_at)
        SELECT b.run_id,
               CASE json_extract(r.config_json, '$.arch') WHEN 'paper' THEN 'block3' ELSE 'block4' END,
               'gradcam', 'real', '{"camLevel":0.5,"dilation":1,"maskLevel":0.25,"threshold":0.7}',
               b.recommended, b.confirmed, b.rule, b.note, b.confirmed_at
          FROM best_epochs b JOIN runs r ON r.id = b.run_id;
      DROP TABLE best_epochs;
      ALTER TABLE best_epochs_by_settings RENAME TO best_epochs;
    `);
  },
};
