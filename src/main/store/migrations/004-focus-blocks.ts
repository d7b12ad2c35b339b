import type { Migration } from '../migrations.js';

// Frozen: this file holds its own copy of the version-4 block schema and writer
// (migration 5 added a column to the live ones in focus-blocks.ts).

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

const COLUMNS = {
  sample_index: Int32Array,
  digit: Int16Array,
  ratio: Float64Array,
  coverage: Float64Array,
  sharpness: Float64Array,
  score: Float64Array,
  flagged: Uint8Array,
} as const;
type Column = keyof typeof COLUMNS;
const NAMES = Object.keys(COLUMNS) as Column[];

const SCHEMA = `
  CREATE TABLE focus_blocks (
    id             INTEGER PRIMARY KEY,
    explanation_id INTEGER NOT NULL REFERENCES explanations(id) ON DELETE CASCADE,
    count          INTEGER NOT NULL CHECK (count > 0),
    ${NAMES.map((n) => `${n} BLOB NOT NULL CHECK (length(${n}) = ${COLUMNS[n].BYTES_PER_ELEMENT} * count)`).join(',\n    ')}
  ) STRICT;
  CREATE INDEX focus_blocks_explanation ON focus_blocks(explanation_id);
  -- 8-bit 64x64 CAMs: every probe sample's, and the training set's where kept.
  CREATE TABLE focus_cams (
    explanation_id INTEGER NOT NULL REFERENCES explanations(id) ON DELETE CASCADE,
    sample_index   INTEGER NOT NULL CHECK (sample_index >= 0),
    cam            BLOB NOT NULL,
    PRIMARY KEY (explanation_id, sample_index)
  ) STRICT;`;

/** Rows per block, as the writer of version 4 cut them. */
const BLOCK_ROWS = 4096;

/**
 * Focus numbers move from a row per sample to a block of samples per row (see
 * focus-blocks.ts for why); every stored row and CAM is carried over.
 */
export const focusBlocks: Migration = {
  version: 4,
  name: 'focus-blocks',
  up(db) {
    db.exec(SCHEMA);
    const ids = db.prepare('SELECT DISTINCT explanation_id AS id FROM focus ORDER BY explanation_id').all() as { id: number }[];
    const rows = db.prepare('SELECT * FROM focus WHERE explanation_id = ? ORDER BY sample_index');
    const insert = db.prepare(`INSERT INTO focus_blocks (explanation_id, count, ${NAMES.join(', ')}) VALUES (?, ?, ${NAMES.map(() => '?').join(', ')})`);
    const cam = db.prepare('INSERT INTO focus_cams (explanation_id, sample_index, cam) VALUES (?, ?, ?)');
    for (const { id } of ids) {
      const old = rows.all(id) as FocusRecord[];
      for (let start = 0; start < old.length; start += BLOCK_ROWS) {
        const chunk = old.slice(start, start + BLOCK_ROWS);
        const n = chunk.length;
        const c = Object.fromEntries(NAMES.map((name) => [name, new COLUMNS[name](n)])) as { [K in Column]: InstanceType<(typeof COLUMNS)[K]> };
        chunk.forEach((r, i) => {
          c.sample_index[i] = r.sample_index;
          c.digit[i] = r.digit ?? -1;
          c.ratio[i] = r.ratio ?? NaN;
          c.coverage[i] = r.coverage;
          c.sharpness[i] = r.sharpness ?? NaN;
          c.score[i] = r.score;
          c.flagged[i] = r.flagged;
        });
        insert.run(id, n, ...NAMES.map((name) => Buffer.from(c[name].buffer)));
        for (const r of chunk) if (r.cam) cam.run(id, r.sample_index, r.cam);
      }
    }
    db.exec('DROP TABLE focus');
  },
};
