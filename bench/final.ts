import * as tf from '@tensorflow/tfjs';
import { mkdirSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FINAL_SAMPLES } from '../src/shared/study.js';
import { initBackend } from '../src/main/engine/backend/choose.js';
import { buildGenerator } from '../src/main/engine/model/generator.js';
import { loadClassifier, OutputCollector } from '../src/main/engine/quality/classifier.js';
import { FEATURE_DIM } from '../src/main/engine/quality/classifier-model.js';
import { finalQuality, fidSizes } from '../src/main/engine/quality/final.js';
import { frechetDistance, gaussianStats } from '../src/main/engine/quality/frechet.js';
import { kernelInceptionDistance } from '../src/main/engine/quality/kid.js';
import { generatedOutputs } from '../src/main/engine/quality/quality.js';
import { testFeatures, testStats } from '../src/main/engine/quality/reference-stats.js';
import { createRng, fillNormal } from '../src/main/engine/rng.js';
import { kidReference } from '../tests/unit/quality/kid-reference.js';

// `npm run bench -- --final [--json] [--backend B] [--width N] [--count N] [--end-to-end | --kid-only]`:
// the study's final estimate of G (finalQuality) stage by stage, with wall and
// CPU time each (on a loaded machine wall time is mostly waiting for a core),
// and with --end-to-end finalQuality itself once more. G is an untrained
// width-N generator: the time of every stage depends on the shapes, not on the
// weights. The test set's features are cached in the OS temp folder, as in a
// study's HOME/cache: the first run classifies the 10,000 images, later ones
// read the file. --kid-only times KID alone (before and after), with the first
// `count` test-set features standing in for G's: on a machine so loaded that G
// takes minutes, it still compares the two under the same load.

const NZ = 100;
const BATCH = 100;

interface Stage {
  stage: string;
  /** Wall time. */
  ms: number;
  /** CPU time of this process (all its threads): wall much above it means waiting for a core. */
  cpuMs: number;
  detail?: string;
}

/** A stopwatch of wall and process CPU time. */
function clock(): () => { ms: number; cpuMs: number } {
  const t = performance.now();
  const c = process.cpuUsage();
  return () => {
    const d = process.cpuUsage(c);
    return { ms: performance.now() - t, cpuMs: (d.user + d.system) / 1000 };
  };
}

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function timed<T>(print: (s: Stage) => void, stage: string, fn: () => T | Promise<T>, detail?: string): Promise<T> {
  const stop = clock();
  const out = await fn();
  print({ stage, ...stop(), detail });
  return out;
}

/** KID as the float64 JS loops computed it (the tests' reference) and as kid.ts does now, on the same subsets. */
async function kidBeforeAfter(print: (s: Stage) => void, json: boolean, gen: Float32Array, count: number, test: Float32Array): Promise<void> {
  const r = test.length / FEATURE_DIM;
  const before = await timed(print, 'KID, float64 JS loops (before)', () => kidReference(gen, count, test, r, FEATURE_DIM, { seed: 1 }), `10 subsets of ${Math.min(1000, count)}`);
  const after = await timed(print, 'KID, backend matmul (after)', () => kernelInceptionDistance(gen, count, test, r, FEATURE_DIM, { seed: 1 }));
  const diff = Math.max(...after.values.map((v, k) => Math.abs(v - before[k])));
  process.stdout.write(
    json ? `${JSON.stringify({ kid: after.kid, kidMaxDifference: diff })}\n` : `# KID ${after.kid.toPrecision(6)}; largest difference of a subset's MMD^2 between the two: ${diff.toExponential(2)}\n`,
  );
}

export async function runFinalBench(argv: string[]): Promise<void> {
  const json = argv.includes('--json');
  const width = Number(arg(argv, 'width') ?? 64);
  const count = Number(arg(argv, 'count') ?? FINAL_SAMPLES);
  const [load1] = os.loadavg();
  const report = await initBackend(arg(argv, 'backend') ?? 'native-cpu');
  const note = `${os.cpus()[0]?.model ?? 'cpu'}; ${os.availableParallelism()} cores; load average ${load1.toFixed(1)}; ${report.detail}; untrained width-${width} G, ${count} samples`;
  const print = (s: Stage) =>
    process.stdout.write(json
      ? `${JSON.stringify({ ...s, ms: Math.round(s.ms), cpuMs: Math.round(s.cpuMs) })}\n`
      : `${s.stage.padEnd(34)} ${s.ms.toFixed(0).padStart(8)} ms  cpu ${s.cpuMs.toFixed(0).padStart(8)} ms${s.detail ? `  ${s.detail}` : ''}\n`);
  process.stdout.write(json ? `${JSON.stringify({ note })}\n` : `# ${note}\n`);

  const cache = path.join(os.tmpdir(), 'gan-focus-bench-final');
  mkdirSync(cache, { recursive: true });
  const cached = readdirSync(cache).some((f) => f.startsWith('test-features-'));
  const G = buildGenerator({ nz: NZ, ngf: width, seed: 1 });
  try {
    const classifier = await timed(print, 'load classifier', () => loadClassifier());
    const reference = await timed(print, 'test-set stats (shipped file)', () => testStats(classifier));
    const test = await timed(print, cached ? 'test-set features (cache file)' : 'test-set features (classify 10k)', () => testFeatures(classifier, cache), cached ? 'as every later process of a study' : "as a study's first process");
    const tensors = tf.memory().numTensors;
    if (argv.includes('--kid-only')) {
      await kidBeforeAfter(print, json, test.subarray(0, count * FEATURE_DIM), count, test);
      return classifier.dispose();
    }

    // G and the classifier apart, batch by batch as generatedOutputs runs them.
    const noise = fillNormal(createRng(1), new Float32Array(count * NZ));
    const collector = new OutputCollector(count);
    const g = { stage: `G forward (${count})`, ms: 0, cpuMs: 0 };
    const c = { stage: `classifier features (${count})`, ms: 0, cpuMs: 0 };
    const add = (s: Stage, d: { ms: number; cpuMs: number }) => {
      s.ms += d.ms;
      s.cpuMs += d.cpuMs;
    };
    for (let start = 0; start < count; start += BATCH) {
      const n = Math.min(BATCH, count - start);
      let stop = clock();
      const images = tf.tidy(() => G.apply(tf.tensor4d(noise.subarray(start * NZ, (start + n) * NZ), [n, 1, 1, NZ]), { training: false }) as tf.Tensor4D);
      await images.data();
      add(g, stop());
      stop = clock();
      await collector.add(classifier, images);
      add(c, stop());
      images.dispose();
    }
    print(g);
    print(c);
    const gen = collector.finish().features;

    await kidBeforeAfter(print, json, gen, count, test);
    const cov = { stage: 'FID_N covariances (all)', ms: 0, cpuMs: 0 };
    const eig = { stage: 'FID_N eigen/sqrt (all)', ms: 0, cpuMs: 0 };
    for (const n of fidSizes(count)) {
      let stop = clock();
      const stats = gaussianStats(gen.subarray(0, n * FEATURE_DIM), n, FEATURE_DIM);
      const s = stop();
      stop = clock();
      frechetDistance(stats, reference);
      const f = stop();
      add(cov, s);
      add(eig, f);
      print({ stage: `FID_${n}`, ms: s.ms + f.ms, cpuMs: s.cpuMs + f.cpuMs, detail: `covariance ${s.ms.toFixed(0)} ms, eigen/sqrt ${f.ms.toFixed(0)} ms` });
    }
    print(cov);
    print(eig);
    process.stdout.write(json ? `${JSON.stringify({ tensorsBefore: tensors, tensorsAfter: tf.memory().numTensors })}\n` : `# tensors on the backend before G and after FID: ${tensors} -> ${tf.memory().numTensors}\n`);
    if (!argv.includes('--end-to-end')) return classifier.dispose();

    // End to end, as the engine's job runs it (classifier and caches warm). A
    // warm-up batch first makes what tfjs creates once per process (kernels'
    // constants): a leak then shows as a tensor count that grew.
    await generatedOutputs(G, classifier, BATCH, 1, NZ);
    const start = tf.memory().numTensors;
    const stop = clock();
    await finalQuality(G, { seed: 1, nz: NZ, count, classifier, cacheDir: cache });
    const m = tf.memory();
    print({ stage: 'finalQuality end to end', ...stop(), detail: `tensors ${start} -> ${m.numTensors}, ${(m.numBytes / 1048576).toFixed(1)} MB on the backend` });
    classifier.dispose();
  } finally {
    G.dispose();
  }
}
