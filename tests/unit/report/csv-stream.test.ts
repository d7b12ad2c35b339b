import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presetConfig } from '../../../src/shared/config.js';
import { DEFAULT_FOCUS_SETTINGS } from '../../../src/shared/focus-settings.js';
import type { FocusSample } from '../../../src/shared/explain.js';
import { CSV_COLUMNS, csvField, writeFocusCsv } from '../../../src/main/report/csv.js';
import { openDatabase } from '../../../src/main/store/db.js';
import { beginExplanation, finishExplanation, insertFocusBatch } from '../../../src/main/store/explanations.js';
import { saveReview } from '../../../src/main/store/reviews.js';
import { createRun, setDatasetId } from '../../../src/main/store/runs.js';

// A paper-size training set (60k samples) explained at 5 epochs: 300k focus
// rows. Holding them as row objects takes ~58 MB of live heap; streamed, one
// explanation's typed arrays (~2.3 MB) at a time.
const SAMPLES = 60_000;
const EPOCHS = 5;
const HEAP_BOUND = 20 * 2 ** 20;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const dir = mkdtempSync(path.join(tmpdir(), 'gan-focus-csv-'));
const dbFile = path.join(dir, 'gan-focus.db');
let runId = 0;

/** Deterministic synthetic values: every field is recomputable from (epoch, index). */
const ratioOf = (epoch: number, i: number) => (i % 97 === 0 ? null : ((i * 7919 + epoch * 104729) % 10007) / 10007);

beforeAll(() => {
  const db = openDatabase(dbFile);
  const run = createRun(db, { name: 'stream', config: presetConfig('quick') });
  runId = run.id;
  setDatasetId(db, run.id, 'mnist-train');
  saveReview(db, run.id, { index: 5, decision: 'confirmed' });
  saveReview(db, run.id, { index: 6, decision: 'dismissed' });
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    const e = beginExplanation(
      db,
      { runId: run.id, epoch, layers: ['block3'], method: 'gradcam', target: 'real', samples: 'train', settings: DEFAULT_FOCUS_SETTINGS },
      SAMPLES,
    );
    for (let start = 0; start < SAMPLES; start += 10_000) {
      const rows: FocusSample[] = [];
      for (let i = start; i < start + 10_000; i++) {
        const ratio = ratioOf(epoch, i);
        rows.push({ index: i, digit: i % 10, ratio, baselineRatio: 0.3, coverage: (i % 100) / 100, sharpness: null, score: 0, flagged: ratio !== null && ratio >= 0.7, cam: null });
      }
      insertFocusBatch(db, e.id, rows);
    }
    finishExplanation(db, e.id, 'complete');
  }
  db.close();
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** V8's heap plus ArrayBuffers (typed arrays' bytes live outside the heap). */
function live(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

describe('CSV export of a large run', () => {
  it(`streams ${SAMPLES * EPOCHS} rows with the heap bounded (live memory growth < ${HEAP_BOUND / 2 ** 20} MB)`, async () => {
    const file = path.join(dir, 'focus.csv');
    const disk = createWriteStream(file);
    gc();
    const base = live();
    let peak = base;
    let chunks = 0;
    // Measures the live heap (garbage collected first) every 20th chunk the
    // exporter hands over, i.e. all through the export: what is held, not
    // what V8 has yet to collect.
    const out = new Writable({
      highWaterMark: 64 * 1024,
      write(chunk: Buffer, _enc, done) {
        if (chunks++ % 20 === 0) {
          gc();
          peak = Math.max(peak, live());
        }
        if (disk.write(chunk)) done();
        else disk.once('drain', () => done());
      },
      final(done) {
        disk.end(done);
      },
    });
    const { rows } = await writeFocusCsv(dbFile, [runId], out);
    gc();
    const after = live();
    expect(rows).toBe(SAMPLES * EPOCHS);
    expect(chunks).toBeGreaterThan(100);
    expect(peak - base).toBeLessThan(HEAP_BOUND);
    expect(after - base).toBeLessThan(HEAP_BOUND);

    // The file holds exactly those rows, each recomputable from its epoch and index.
    let lines = 0;
    let header = '';
    for await (const line of createInterface({ input: createReadStream(file) })) {
      if (lines++ === 0) {
        header = line;
        continue;
      }
      if (lines % 9973 !== 0) continue;
      const [run, epoch, sampleId, digit, ratio, coverage, flagged, review, sampleSet] = line.split(',');
      const index = Number(sampleId.split(':')[1]);
      const expected = ratioOf(Number(epoch), index);
      expect(Number(run)).toBe(runId);
      expect(sampleId).toBe(`mnist-train:${index}`);
      expect(Number(digit)).toBe(index % 10);
      expect(ratio === '' ? null : Number(ratio)).toBe(expected);
      expect(Number(coverage)).toBe((index % 100) / 100);
      expect(flagged).toBe(expected !== null && expected >= 0.7 ? '1' : '0');
      expect(review).toBe(index === 5 ? 'confirmed' : index === 6 ? 'dismissed' : '');
      expect(sampleSet).toBe('train');
    }
    expect(header).toBe(CSV_COLUMNS.join(','));
    expect(lines).toBe(SAMPLES * EPOCHS + 1);
  }, 120_000);
});

describe('csvField', () => {
  it('quotes fields holding a comma, a quote or a line break, doubling quotes; null is empty', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField(0.25)).toBe('0.25');
    expect(csvField(null)).toBe('');
  });
});
