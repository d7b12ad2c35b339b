import * as tf from '@tensorflow/tfjs';

// Small discriminators with the real D's layer names and shapes (block{k}_conv,
// block{k}_bn from block 2, block{k} = LeakyReLU 0.2, head, logit), so the
// explain code is tested on the structure it will meet, at a tiny width.

export interface TinyDOptions {
  /** Channels of every block. */
  channels: number;
  /** 3 = the paper's D (head k8 over 8x8), 4 = dcgan5 (head k4 over 4x4). */
  blocks: 3 | 4;
  seed?: number;
}

export function buildTinyD({ channels, blocks, seed = 7 }: TinyDOptions): tf.LayersModel {
  const input = tf.input({ shape: [64, 64, 1], name: 'image' });
  let x: tf.SymbolicTensor = input;
  for (let k = 1; k <= blocks; k++) {
    x = tf.layers
      .conv2d({
        name: `block${k}_conv`,
        filters: channels,
        kernelSize: 4,
        strides: 2,
        padding: 'same',
        useBias: false,
        kernelInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 0.3, seed: seed + k }),
      })
      .apply(x) as tf.SymbolicTensor;
    if (k > 1) x = tf.layers.batchNormalization({ name: `block${k}_bn`, epsilon: 1e-5 }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.leakyReLU({ name: `block${k}`, alpha: 0.2 }).apply(x) as tf.SymbolicTensor;
  }
  const side = x.shape[1] as number;
  x = tf.layers
    .conv2d({
      name: 'head',
      filters: 1,
      kernelSize: side,
      padding: 'valid',
      useBias: false,
      kernelInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 0.3, seed: seed + 99 }),
    })
    .apply(x) as tf.SymbolicTensor;
  const logit = tf.layers.flatten({ name: 'logit' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logit, name: 'tiny_d' });
}

/** Gives every BatchNorm non-trivial moving statistics, so that using batch statistics instead would show. */
export function setBatchNormStats(D: tf.LayersModel, seed = 3): void {
  for (const l of D.layers) {
    if (l.getClassName() !== 'BatchNormalization') continue;
    const c = (l.outputShape as number[])[3];
    const [gamma, beta, mean, variance] = tf.tidy(() => [
      tf.randomUniform([c], 0.5, 1.5, 'float32', seed),
      tf.randomUniform([c], -0.2, 0.2, 'float32', seed + 1),
      tf.randomUniform([c], -0.3, 0.3, 'float32', seed + 2),
      tf.randomUniform([c], 0.5, 2, 'float32', seed + 3),
    ]);
    l.setWeights([gamma, beta, mean, variance]);
    tf.dispose([gamma, beta, mean, variance]);
  }
}

/**
 * A paper-shaped D with hand-set weights and two channels per block: channel 0
 * detects bright pixels (+1), channel 1 dark pixels (-1), on a mid-grey (0)
 * background; each block averages its channels over its 4x4 window, BatchNorm
 * is the identity. `headWeights(y, x)` gives the head's weight on channel 0 at
 * 8x8 cell (y, x); channel 1 never reaches the score.
 */
export function buildPlantedD(headWeights: (y: number, x: number) => number): tf.LayersModel {
  const D = buildTinyD({ channels: 2, blocks: 3 });
  const avg = 1 / 16;
  const set = (name: string, values: number[], shape: number[]) => {
    const t = tf.tensor(values, shape);
    D.getLayer(name).setWeights([t]);
    t.dispose();
  };
  const first: number[] = [];
  for (let i = 0; i < 16; i++) first.push(avg, -avg);
  set('block1_conv', first, [4, 4, 1, 2]);
  const same: number[] = [];
  for (let i = 0; i < 16; i++) same.push(avg, 0, 0, avg);
  for (const k of [2, 3]) {
    set(`block${k}_conv`, same, [4, 4, 2, 2]);
    const bn = [tf.ones([2]), tf.zeros([2]), tf.zeros([2]), tf.ones([2])];
    D.getLayer(`block${k}_bn`).setWeights(bn);
    tf.dispose(bn);
  }
  const head: number[] = [];
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) head.push(headWeights(y, x), 0);
  set('head', head, [8, 8, 2, 1]);
  return D;
}

/** A 64x64 image (flat, [-1, 1]) of `background` (default mid-grey) with value `v` on the squares [y0, y1) x [x0, x1). */
export function patchImage(patches: { y0: number; y1: number; x0: number; x1: number; v: number }[], background = 0): Float32Array {
  const img = new Float32Array(64 * 64).fill(background);
  for (const p of patches) for (let y = p.y0; y < p.y1; y++) for (let x = p.x0; x < p.x1; x++) img[y * 64 + x] = p.v;
  return img;
}

/** Share of a 64x64 CAM's mass in rows [y0, y1) x cols [x0, x1). */
export function massIn(cam: Float32Array, y0: number, y1: number, x0: number, x1: number): number {
  let inside = 0;
  let total = 0;
  for (let y = 0; y < 64; y++) {
    for (let x = 0; x < 64; x++) {
      const v = cam[y * 64 + x];
      total += v;
      if (y >= y0 && y < y1 && x >= x0 && x < x1) inside += v;
    }
  }
  return inside / total;
}

export function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}
