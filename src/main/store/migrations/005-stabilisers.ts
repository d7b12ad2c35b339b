import type { Migration } from '../migrations.js';

// Runs gained three stabiliser settings (D's own learning rate, one-sided label
// smoothing, instance noise). Runs stored before them trained with all three
// off; their configs say so explicitly, so every stored config is complete.
export const stabilisers: Migration = {
  version: 5,
  name: 'stabilisers',
  up(db) {
    db.exec(`
      UPDATE runs SET config_json = json_set(config_json, '$.lrD', json('null')) WHERE json_type(config_json, '$.lrD') IS NULL;
      UPDATE runs SET config_json = json_set(config_json, '$.labelSmoothing', 0) WHERE json_type(config_json, '$.labelSmoothing') IS NULL;
      UPDATE runs SET config_json = json_set(config_json, '$.instanceNoise', 0) WHERE json_type(config_json, '$.instanceNoise') IS NULL;
    `);
  },
};
