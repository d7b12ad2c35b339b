import Database from 'better-sqlite3';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE } from '../src/shared/config.js';
import { CAM_METHODS, type CamMethod } from '../src/shared/explain.js';
import { DEFAULT_FOCUS_SETTINGS } from '../src/shared/focus-settings.js';
import { initBackend } from '../src/main/engine/backend/choose.js';
import { fillBatch, loadDataset } from '../src/main/engine/data/dataset.js';
import { trainingIndices } from '../src/main/engine/data/run-indices.js';
import { camTable, EDGE_AREA, EDGE_WIDTH, type CamTableRow } from '../src/main/engine/explain/cam-table.js';
import { stratifiedProbes } from '../src/main/engine/explain/probes.js';
import { loadModel, verifyCheckpointKind } from '../src/main/engine/train/checkpoint.js';
import { getCheckpoints } from '../src/main/store/epochs.js';
import { homePaths, layout } from '../src/main/store/paths.js';
import { getRun } from '../src/main/store/runs.js';

// `npm run bench -- --cam-table --home H --run R --epoch E [--samples 64]
//   [--methods a,b] [--layers block2,block3] [--json]`: the measurements that
// choose the CAM defaults (docs/explain.md, "Choosing the method and layer"),
// for every method x target layer of one checkpoint, on the run's stratified
// training images (the first 16 are its probes). The store is opened read-only:
// a run that is still training elsewhere is not disturbed.

const USAGE = 'usage: npm run bench -- --cam-table --home DIR --run ID --epoch E [--samples N] [--methods a,b] [--layers l1,l2] [--json]';

interface Options {
  home: string;
  run: number;
  epoch: number;
  samples: number;
  methods: CamMethod[];
  layers: string[] | undefined;
  json: boolean;
}

function parse(argv: string[]): Options {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`--${name} needs a value\n${USAGE}`);
    return v;
  };
  const home = get('home');
  const whole = (name: string, fallback?: number) => {
    const v = get(name);
    if (v === undefined && fallback !== undefined) return fallback;
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number >= 1${v === undefined ? '' : `, got ${v}`}\n${USAGE}`);
    return n;
  };
  if (!home) throw new Error(`--home is required\n${USAGE}`);
  const methods = (get('methods')?.split(',') ?? [...CAM_METHODS]) as CamMethod[];
  for (const m of methods) if (!CAM_METHODS.includes(m)) throw new Error(`unknown method "${m}"; use ${CAM_METHODS.join(', ')}`);
  return { home, run: whole('run'), epoch: whole('epoch'), samples: whole('samples', 64), methods, layers: get('layers')?.split(','), json: argv.includes('--json') };
}

const pct = (x: number | null | undefined) => (x == null ? '-' : `${(100 * x).toFixed(0)}%`);
const num = (x: number | null | undefined, d = 2) => (x == null ? '-' : x.toFixed(d));

function sanityText(r: CamTableRow): string {
  return r.sanity.stages
    .slice(1)
    .map((s) => `${s.stage} ${num(s.spearman)}/${num(s.jaccard)}`)
    .join(' ');
}

/** One markdown row: the table docs/explain.md publishes. */
function markdownRow(r: CamTableRow): string {
  const f = r.faithfulness;
  const v = r.sanity.verdict;
  return (
    `| ${r.layer} ${r.grid.h}x${r.grid.w} | ${r.method} | ${f ? `${num(f.cam)} ± ${num(f.camSd)}` : '-'} | ${num(f?.random)} | ${num(f?.mask)} | ` +
    `${v.passes === null ? '-' : v.passes ? 'pass' : 'FAIL'} (${v.stage} ρ ${num(v.spearman)}) | ${sanityText(r)} | ` +
    `${pct(r.noEvidence)} | ${pct(r.edge?.edge)} (br ${pct(r.edge?.bottomRight)}, tl ${pct(r.edge?.topLeft)}) | ${num(r.baselineRatio)} | ${num(r.meanRatio)} | ${pct(r.flagRate)} | ${num(r.scoreGap, 3)} |`
  );
}

export async function runCamTable(argv: string[]): Promise<void> {
  const o = parse(argv);
  const paths = homePaths(o.home);
  const db = new Database(paths.db, { readonly: true, fileMustExist: true });
  let run;
  let checkpoint;
  try {
    run = getRun(db, o.run);
    if (!run) throw new Error(`no run ${o.run} in ${paths.db}`);
    checkpoint = getCheckpoints(db, o.run, o.epoch).find((c) => c.kind === 'discriminator');
    if (!checkpoint) throw new Error(`run ${o.run} has no discriminator checkpoint at epoch ${o.epoch}`);
  } finally {
    db.close();
  }
  const backend = await initBackend();
  const dir = path.join(paths.home, ...layout.checkpointDir(o.run, o.epoch).split('/'));
  verifyCheckpointKind(dir, 'discriminator', checkpoint.sha256);
  const D = await loadModel(path.join(dir, 'discriminator', 'model.json'));
  const dataset = loadDataset(run.config.dataset);
  const indices = stratifiedProbes(dataset.labels, trainingIndices(dataset, run.config), o.samples, run.config.seed);
  const images = new Float32Array(indices.length * IMAGE_SIZE * IMAGE_SIZE);
  fillBatch(dataset, indices, images);
  const say = (s: string) => process.stdout.write(o.json ? `${JSON.stringify({ note: s })}\n` : `${s}\n`);
  say(
    `cam-table: run ${run.id} (${run.name}, ${run.config.arch} D width ${run.config.ndf}) epoch ${o.epoch}, ${indices.length} stratified training images, ` +
      `target real, threshold ${DEFAULT_FOCUS_SETTINGS.threshold}, backend ${backend.chosen}`,
  );
  if (!o.json) {
    say(`ROAD in logit units (higher = more faithful); sanity: Spearman/Jaccard vs the trained D after each cascade step; edge = CAM mass in the outer ${EDGE_WIDTH} px (uniform: ${pct(EDGE_AREA)}); score gap = mean |sum of the map before ReLU - logit| / mean |logit|`);
    say('| layer | method | ROAD cam | random | mask | sanity verdict | cascade ρ/Jaccard | no evidence | edge mass | baseline ratio | mean ratio | flag rate | score gap |');
    say('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  }
  const started = performance.now();
  await camTable(D, images, {
    methods: o.methods,
    layers: o.layers,
    target: 'real',
    settings: DEFAULT_FOCUS_SETTINGS,
    seed: run.config.seed,
    ids: indices,
    onRow: (r) => {
      if (o.json) {
        const { faithfulness, ...rest } = r;
        const { curves: _curves, ...road } = faithfulness ?? { curves: null };
        process.stdout.write(`${JSON.stringify({ case: 'cam-table', run: run.id, epoch: o.epoch, ...rest, faithfulness: faithfulness ? road : null })}\n`);
      } else say(markdownRow(r));
    },
  });
  say(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  D.dispose();
  tf.disposeVariables();
}
