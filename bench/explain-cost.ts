import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { camLayers, IMAGE_SIZE, presetConfig, type Architecture } from '../src/shared/config.js';
import { DEFAULT_CAM_METHOD, type CamMethod } from '../src/shared/explain.js';
import { DEFAULT_FOCUS_SETTINGS } from '../src/shared/focus-settings.js';
import { initBackend } from '../src/main/engine/backend/choose.js';
import { fillBatch, loadDataset } from '../src/main/engine/data/dataset.js';
import { trainingIndices } from '../src/main/engine/data/run-indices.js';
import { deepestTargetLayer } from '../src/main/engine/explain/activations.js';
import { baselineRatios } from '../src/main/engine/explain/baseline.js';
import { measureFocusBatch } from '../src/main/engine/explain/focus.js';
import { createCamExplainer, type CamExplainer } from '../src/main/engine/explain/methods.js';
import { buildDiscriminator } from '../src/main/engine/model/discriminator.js';
import { EXPLAIN_BATCH } from '../src/main/jobs/explaining.js';
import { median } from './timing.js';

// `npm run bench -- --explain-cost [--rounds N] [--width W] [--json]`: what a
// training-set explanation costs per image at each target layer of both Ds, with
// the default method, against the former default layer (the deepest block, whose
// affine tail gives one constant gradient per checkpoint; shallower targets take
// a backward pass per batch). The work timed is the explain job's per batch
// (src/main/engine/explain/job.ts): CAMs of EXPLAIN_BATCH images, then their focus
// rows and baseline ratios; SQLite writes are not in it (`sqlite-focus-60k-job-batches`).
// D is untrained (seed 1): the cost does not depend on the weights' values.

const USAGE = 'usage: npm run bench -- --explain-cost [--rounds N] [--width W] [--json]';
const ARCHS: Architecture[] = ['dcgan5', 'paper'];
// One untimed batch per case: the backend and its kernels are warm after the first cases.
const WARMUP = 1;
const PROJECTIONS = [6_400, 60_000];

interface Options {
  rounds: number;
  width: number;
  json: boolean;
}

function parse(argv: string[]): Options {
  const whole = (name: string, fallback: number) => {
    const i = argv.indexOf(`--${name}`);
    if (i < 0) return fallback;
    const n = Number(argv[i + 1]);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number >= 1, got ${argv[i + 1]}\n${USAGE}`);
    return n;
  };
  return { rounds: whole('rounds', 5), width: whole('width', 64), json: argv.includes('--json') };
}

interface Case {
  arch: Architecture;
  layer: string;
  size: number;
  method: CamMethod;
  /** The ratio reference: the default method at the former default layer. */
  reference: boolean;
  explainer: CamExplainer;
  camMs: number[];
  jobMs: number[];
}

export interface ExplainCostRow {
  arch: Architecture;
  layer: string;
  grid: string;
  method: CamMethod;
  camMsPerImage: number;
  jobMsPerImage: number;
  projectedSeconds: Record<string, number>;
  /** jobMsPerImage over the reference's of the same D. */
  ratio: number;
}

const duration = (s: number) => (s >= 120 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(0)} s`);

export async function runExplainCost(argv: string[]): Promise<void> {
  const o = parse(argv);
  const print = (line: string, json: object) => process.stdout.write(o.json ? `${JSON.stringify(json)}\n` : `${line}\n`);
  const report = await initBackend();
  const load = () => os.loadavg()[0].toFixed(1);
  const loadBefore = load();
  const config = presetConfig('quick');
  const dataset = loadDataset(config.dataset);
  const indices = trainingIndices(dataset, config);
  const pixels = IMAGE_SIZE * IMAGE_SIZE;
  // Real training images, one batch per round: the focus rows depend on the ink.
  const batches = Array.from({ length: o.rounds }, (_, r) => {
    const images = new Float32Array(EXPLAIN_BATCH * pixels);
    fillBatch(dataset, indices.subarray(r * EXPLAIN_BATCH, (r + 1) * EXPLAIN_BATCH), images);
    return { images, x: tf.tensor4d(images, [EXPLAIN_BATCH, IMAGE_SIZE, IMAGE_SIZE, 1]) };
  });
  const models = ARCHS.map((arch) => buildDiscriminator({ arch, ndf: o.width, seed: 1 }));
  const cases: Case[] = ARCHS.flatMap((arch, a) => {
    const d = models[a];
    const deepest = deepestTargetLayer(d);
    const make = (layer: string, size: number, method: CamMethod): Case => ({
      arch,
      layer,
      size,
      method,
      reference: layer === deepest && method === DEFAULT_CAM_METHOD,
      explainer: createCamExplainer(d, { layers: [layer], method }),
      camMs: [],
      jobMs: [],
    });
    const layers = camLayers(arch);
    // The former default in full (Grad-CAM at the deepest block) beside the default method at every layer.
    return [...layers.map((l) => make(l.name, l.size, DEFAULT_CAM_METHOD)), make(deepest, layers.at(-1)!.size, 'gradcam')];
  });
  const batchWork = async (c: Case, b: (typeof batches)[number]) => {
    const t0 = performance.now();
    const r = await c.explainer.explain(b.x);
    const t1 = performance.now();
    measureFocusBatch(r.cams, b.images, DEFAULT_FOCUS_SETTINGS);
    baselineRatios(b.images, DEFAULT_FOCUS_SETTINGS, c.explainer.grids);
    return { cam: t1 - t0, job: performance.now() - t0 };
  };
  for (const c of cases) for (let w = 0; w < WARMUP; w++) await batchWork(c, batches[w % batches.length]);
  // Rounds interleave the cases, so a slow minute on a shared machine hits all of them.
  for (const b of batches) {
    for (const c of cases) {
      const t = await batchWork(c, b);
      c.camMs.push(t.cam);
      c.jobMs.push(t.job);
    }
  }
  const cpu = os.cpus()[0]?.model ?? 'cpu';
  print(
    `# ${cpu}; ${os.availableParallelism()} cores; load average ${loadBefore} before, ${load()} after; backend ${report.tfBackend} (${report.detail})`,
    { note: { cpu, cores: os.availableParallelism(), loadBefore: Number(loadBefore), loadAfter: Number(load()), backend: report.tfBackend, detail: report.detail } },
  );
  print(
    `# width ${o.width}, batch ${EXPLAIN_BATCH} (the explain job's), ${o.rounds} timed batches per case after ${WARMUP}, medians; untrained D (seed 1): cost does not depend on the weights`,
    { note: { width: o.width, batch: EXPLAIN_BATCH, rounds: o.rounds, warmup: WARMUP } },
  );
  print(
    `${'D'.padEnd(7)} ${'layer'.padEnd(14)} ${'method'.padEnd(9)} ${'CAM ms/img'.padStart(10)} ${'job ms/img'.padStart(10)} ${PROJECTIONS.map((n) => `${n.toLocaleString('en-US')} imgs`.padStart(12)).join(' ')}  x deepest block`,
    { note: 'columns' },
  );
  for (const c of cases) {
    const ref = cases.find((x) => x.arch === c.arch && x.reference)!;
    const jobMs = median(c.jobMs) / EXPLAIN_BATCH;
    const row: ExplainCostRow = {
      arch: c.arch,
      layer: c.layer,
      grid: `${c.size}x${c.size}`,
      method: c.method,
      camMsPerImage: median(c.camMs) / EXPLAIN_BATCH,
      jobMsPerImage: jobMs,
      projectedSeconds: Object.fromEntries(PROJECTIONS.map((n) => [n, (jobMs * n) / 1000])),
      ratio: jobMs / (median(ref.jobMs) / EXPLAIN_BATCH),
    };
    print(
      `${c.arch.padEnd(7)} ${`${c.layer} ${row.grid}`.padEnd(14)} ${c.method.padEnd(9)} ${row.camMsPerImage.toFixed(2).padStart(10)} ${jobMs.toFixed(2).padStart(10)} ` +
        `${PROJECTIONS.map((n) => duration(row.projectedSeconds[n]).padStart(12)).join(' ')}  ${row.ratio.toFixed(2)}${c.reference ? ' (reference)' : ''}`,
      row,
    );
  }
  for (const c of cases) c.explainer.dispose();
  for (const m of models) m.dispose();
  for (const b of batches) b.x.dispose();
}
