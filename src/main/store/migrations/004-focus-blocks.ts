import { FOCUS_BLOCKS_SQL, writeFocusBlocks } from '../focus-blocks.js';
import type { Migration } from '../migrations.js';

interface FocusRecord {
  sample_index: number;
  digit: number | null;
  ratio: number | null;
  coverage: number;
  sharpness: number | null;
  score: number;
  flagged: number;
  cam: Buffer | null;
}

/**
 * Focus numbers move from a row per sample to a block of samples per row (see
 * focus-blocks.ts for why); every stored row and CAM is carried over.
 */
export const focusBlocks: Migration = {
  version: 4,
  name: 'focus-blocks',
  up(db) {
    db.exec(FOCUS_BLOCKS_SQL);
    const ids = db.prepare('SELECT DISTINCT explanation_id AS id FROM focus ORDER BY explanation_id').all() as { id: number }[];
    const rows = db.prepare('SELECT * FROM focus WHERE explanation_id = ? ORDER BY sample_index');
    for (const { id } of ids) {
      const old = rows.all(id) as FocusRecord[];
      writeFocusBlocks(
        db,
        id,
        old.map((r) => ({ ...r, index: r.sample_index, flagged: r.flagged === 1, cam: r.cam ? new Uint8Array(r.cam) : null })),
      );
    }
    db.exec('DROP TABLE focus');
  },
};
