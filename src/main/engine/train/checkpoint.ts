import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// Checkpoints use TensorFlow.js' standard layers format (model.json +
// weights.bin) so tf.loadLayersModel('file://.../model.json') in tfjs-node, or
// any tfjs tool, loads them. Pure tfjs has no file:// handler, so the files are
// written and read here through in-memory IO handlers.

export interface CheckpointFile {
  kind: 'generator' | 'discriminator' | 'optimizer';
  /** Path relative to the checkpoint folder. */
  file: string;
  sha256: string;
  bytes: number;
}

async function saveModel(model: tf.LayersModel, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(weightData));
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
}

export async function loadModel(modelJsonPath: string): Promise<tf.LayersModel> {
  const json = JSON.parse(readFileSync(modelJsonPath, 'utf8')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const dir = path.dirname(modelJsonPath);
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      const b = readFileSync(path.join(dir, p));
      buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
    }
  }
  return tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: specs, weightData: tf.io.concatenateArrayBuffers(buffers) }),
  );
}

interface OptimizerFile {
  format: 'gan-focus-optimizer';
  version: 1;
  optimizers: Record<string, { specs: tf.io.WeightsManifestEntry[]; byteOffset: number; byteLength: number }>;
}

async function saveOptimizers(optimizers: Record<string, tf.Optimizer>, dir: string): Promise<void> {
  const manifest: OptimizerFile = { format: 'gan-focus-optimizer', version: 1, optimizers: {} };
  const parts: Buffer[] = [];
  let offset = 0;
  for (const [name, opt] of Object.entries(optimizers)) {
    const { data, specs } = await tf.io.encodeWeights(await opt.getWeights());
    const buf = Buffer.from(tf.io.CompositeArrayBuffer.join(data));
    manifest.optimizers[name] = { specs, byteOffset: offset, byteLength: buf.length };
    parts.push(buf);
    offset += buf.length;
  }
  writeFileSync(path.join(dir, 'optimizer.bin'), Buffer.concat(parts));
  writeFileSync(path.join(dir, 'optimizer.json'), JSON.stringify(manifest));
}

export async function loadOptimizers(optimizerJsonPath: string, optimizers: Record<string, tf.Optimizer>): Promise<void> {
  const manifest = JSON.parse(readFileSync(optimizerJsonPath, 'utf8')) as OptimizerFile;
  if (manifest.format !== 'gan-focus-optimizer') throw new Error(`${optimizerJsonPath}: not a GAN Focus optimiser state file`);
  const bin = readFileSync(path.join(path.dirname(optimizerJsonPath), 'optimizer.bin'));
  for (const [name, opt] of Object.entries(optimizers)) {
    const entry = manifest.optimizers[name];
    if (!entry) throw new Error(`${optimizerJsonPath}: no state for optimiser ${name}`);
    const slice = bin.buffer.slice(bin.byteOffset + entry.byteOffset, bin.byteOffset + entry.byteOffset + entry.byteLength);
    const named = tf.io.decodeWeights(slice as ArrayBuffer, entry.specs);
    await opt.setWeights(Object.entries(named).map(([n, tensor]) => ({ name: n, tensor })));
  }
}

/** Each kind's files: the JSON that names it and the binary it points to. */
const KIND_FILES: Record<CheckpointFile['kind'], [string, string]> = {
  generator: ['generator/model.json', 'generator/weights.bin'],
  discriminator: ['discriminator/model.json', 'discriminator/weights.bin'],
  optimizer: ['optimizer.json', 'optimizer.bin'],
};

/** One hash over a kind's JSON and binary, so a damaged weights file is caught too. */
export function hashCheckpointKind(dir: string, kind: CheckpointFile['kind']): { sha256: string; bytes: number } {
  const h = createHash('sha256');
  let bytes = 0;
  for (const f of KIND_FILES[kind]) {
    const b = readFileSync(path.join(dir, f));
    h.update(b);
    bytes += b.length;
  }
  return { sha256: h.digest('hex'), bytes };
}

/**
 * Writes G, D and the optimisers' state into `<dir>.partial-<pid>`, then renames
 * it to `dir`: a crash leaves either no folder or a complete one, and only a
 * complete one is ever recorded in the store.
 */
export async function writeCheckpoint(
  dir: string,
  models: { generator: tf.LayersModel; discriminator: tf.LayersModel },
  optimizers: Record<string, tf.Optimizer>,
  /** A test hook: throws where a full disk would, after the models are written. */
  fault?: () => void,
): Promise<CheckpointFile[]> {
  const tmp = `${dir}.partial-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    await saveModel(models.generator, path.join(tmp, 'generator'));
    await saveModel(models.discriminator, path.join(tmp, 'discriminator'));
    fault?.();
    await saveOptimizers(optimizers, tmp);
  } catch (err) {
    // A half-written folder is never used; on a full disk it also holds the space the next try needs.
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  // A folder left by an earlier attempt at this epoch (its run died before the
  // store recorded it) is replaced.
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return (Object.keys(KIND_FILES) as CheckpointFile['kind'][]).map((kind) => ({
    kind,
    file: KIND_FILES[kind][0],
    ...hashCheckpointKind(dir, kind),
  }));
}

export function verifyCheckpointKind(dir: string, kind: CheckpointFile['kind'], expectedSha256: string): void {
  let actual: string;
  try {
    actual = hashCheckpointKind(dir, kind).sha256;
  } catch (err) {
    throw new Error(`${path.join(dir, KIND_FILES[kind][0])}: checkpoint file missing (${(err as Error).message})`);
  }
  if (actual !== expectedSha256)
    throw new Error(`${path.join(dir, KIND_FILES[kind][0])}: checksum mismatch (the checkpoint was modified or is corrupt)`);
}
