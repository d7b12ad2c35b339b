import type { Migration } from '../migrations.js';

// The run seed split in two: `seed` still draws the data subset, the probes
// and the z of grids and G quality; the new `trainingSeed` drives weight init,
// batch order and training noise. Runs stored before the split trained with
// one seed for everything, so their training seed is their seed: they
// reproduce (and resume) exactly as before.
export const trainingSeed: Migration = {
  version: 7,
  name: 'training-seed',
  up(db) {
    db.exec(`UPDATE runs SET config_json = json_set(config_json, '$.trainingSeed', json_extract(config_json, '$.seed'))
             WHERE json_type(config_json, '$.trainingSeed') IS NULL`);
  },
};
