import { writeFileSync } from 'node:fs';
import { IMAGE_SIZE } from '../../shared/config.js';
import { CAM_METHODS, DEFAULT_CAM_METHOD } from '../../shared/explain.js';
import { intFlag, layersFlag, oneOfFlag, stringFlag, UsageError, type Flags } from './args.js';

/**
 * `gan-focus cam`: Grad-CAM of any D checkpoint on images of an IDX file,
 * without a run or a store, for scripts and other tools.
 */
export async function camCommand(flags: Flags): Promise<void> {
  const checkpoint = stringFlag(flags, 'checkpoint');
  const images = stringFlag(flags, 'images');
  const out = stringFlag(flags, 'out');
  if (!checkpoint || !images || !out) throw new UsageError('cam needs --checkpoint D/model.json --images FILE --out FILE.json');
  const count = intFlag(flags, 'count') ?? 16;
  const method = oneOfFlag(flags, 'method', CAM_METHODS) ?? DEFAULT_CAM_METHOD;
  const [tf, { initBackend }, { loadModel }, { computeCams }, { readIdxImages }, { resizeBatchTo64 }] = await Promise.all([
    import('@tensorflow/tfjs'),
    import('../engine/backend/choose.js'),
    import('../engine/train/checkpoint.js'),
    import('../engine/explain/methods.js'),
    import('../engine/data/idx.js'),
    import('../engine/data/resize.js'),
  ]);
  await initBackend();
  const idx = readIdxImages(images);
  const n = Math.min(count, idx.count);
  const pixels = IMAGE_SIZE * IMAGE_SIZE;
  const input = new Float32Array(n * pixels);
  resizeBatchTo64(idx.pixels, idx.rows, idx.cols, Array.from({ length: n }, (_, i) => i), input);
  const d = await loadModel(checkpoint);
  const x = tf.tensor4d(input, [n, IMAGE_SIZE, IMAGE_SIZE, 1]);
  try {
    const r = await computeCams(d, x, { layers: layersFlag(flags), method });
    const layer = r.layers.join(',');
    const result = Array.from({ length: n }, (_, i) => ({
      index: i,
      score: r.scores[i],
      layer,
      method,
      cam: Array.from({ length: IMAGE_SIZE }, (_, row) => Array.from(r.cams.subarray(i * pixels + row * IMAGE_SIZE, i * pixels + (row + 1) * IMAGE_SIZE))),
    }));
    writeFileSync(out, JSON.stringify({ checkpoint, images, layer, method, count: n, results: result }));
    process.stderr.write(`wrote ${n} CAMs (${method}, layer ${layer}) to ${out}\n`);
  } finally {
    x.dispose();
    d.dispose();
  }
}
