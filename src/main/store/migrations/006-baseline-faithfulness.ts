import type { Migration } from '../migrations.js';

// Each focus row's baseline ratio (the ideal CAM's off-digit ratio at the
// target layer's resolution), one little-endian float64 per sample like the
// other columns; NULL for blocks written before it was computed (read as "not
// known"). Each explanation's faithfulness (ROAD with its baselines) as JSON,
// NULL where it was not computed.
export const baselineFaithfulness: Migration = {
  version: 6,
  name: 'baseline-faithfulness',
  up(db) {
    db.exec(`
      ALTER TABLE focus_blocks ADD COLUMN baseline_ratio BLOB CHECK (baseline_ratio IS NULL OR length(baseline_ratio) = 8 * count);
      ALTER TABLE explanations ADD COLUMN faithfulness_json TEXT CHECK (faithfulness_json IS NULL OR json_valid(faithfulness_json));
    `);
  },
};
