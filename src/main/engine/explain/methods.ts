import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE } from '../../../shared/config.js';
import { CAM_METHODS, type CamMethod, type CamTarget } from '../../../shared/explain.js';
import { activationsAndGradients, CamError, defaultTargetLayer, targetLayer } from './activations.js';

// One CAM pipeline for the whole Grad-CAM family:
//   map = sum_k (weights * A)_k  ->  ReLU  ->  bilinear to 64x64  ->  min-max to [0, 1]
// The methods differ only in the weights (per channel, or per element), as in
// pytorch-grad-cam. Several layers: each layer's scaled CAM, averaged, re-scaled.

/** Below this share of its maximum, a CAM's range counts as flat. */
const FLAT = 1e-6;
const PP_EPS = 1e-6;

/**
 * The channel-summed map [N, h, w] before the ReLU.
 * - gradcam:   w_k = mean_ij dA_kij;                       map = sum_k w_k A_k
 * - gradcam++: a_kij = g^2 / (2 g^2 + sum_ij(A_k) g^3 + eps), g = dA_kij;
 *              w_k = sum_ij ReLU(g) a_kij;                  map = sum_k w_k A_k
 * - hirescam:  map = sum_k A_k * dA_k (element-wise)
 * - layercam:  map = sum_k ReLU(dA_k) * A_k (element-wise)
 */
export function weightedMap(method: CamMethod, A: tf.Tensor4D, dA: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => {
    switch (method) {
      case 'gradcam': {
        // sum_k w_k A_k as one matrix product per image ([hw, C] x [C, 1]),
        // without an [N, h, w, C] temporary.
        const [n, h, w, c] = A.shape;
        const weights = tf.reshape(tf.mean(dA, [1, 2]), [n, c, 1]);
        return tf.reshape(tf.matMul(tf.reshape(A, [n, h * w, c]), weights), [n, h, w]);
      }
      case 'gradcam++': {
        const g2 = tf.square(dA);
        const g3 = tf.mul(g2, dA);
        const sumA = tf.sum(A, [1, 2], true);
        // Where dA is 0 the numerator is 0 as well, so alpha is 0 there without
        // pytorch-grad-cam's explicit mask.
        const alpha = tf.div(g2, tf.add(tf.add(tf.mul(g2, 2), tf.mul(sumA, g3)), PP_EPS));
        const w = tf.sum(tf.mul(tf.relu(dA), alpha), [1, 2], true);
        return tf.sum(tf.mul(w, A), 3);
      }
      case 'hirescam':
        return tf.sum(tf.mul(A, dA), 3);
      case 'layercam':
        return tf.sum(tf.mul(tf.relu(dA), A), 3);
      default:
        throw new CamError(`unknown CAM method "${String(method)}"; use one of ${CAM_METHODS.join(', ')}`);
    }
  }) as tf.Tensor3D;
}

/**
 * Per image, (x - min) / (max - min) over [N, H, W] with x >= 0. A CAM whose
 * max is 0 stays all zeros ("no evidence"); a flat positive CAM (every pixel
 * equally important) becomes all ones rather than 0/0.
 */
export function minMaxScale(cams: tf.Tensor3D): tf.Tensor3D {
  // Per-image [n, 1] factors broadcast over the pixels (no tiling: Tile is
  // slow on wasm and the masks would be as large as the CAMs).
  return tf.tidy(() => {
    const [n, h, w] = cams.shape;
    const flat = tf.reshape(cams, [n, h * w]);
    const mn = tf.min(flat, 1, true);
    const mx = tf.max(flat, 1, true);
    const range = tf.sub(mx, mn);
    const isFlat = tf.lessEqual(range, tf.mul(mx, FLAT));
    const varies = tf.cast(tf.logicalNot(isFlat), 'float32');
    const flatPositive = tf.cast(tf.logicalAnd(isFlat, tf.greater(mx, 0)), 'float32');
    const scale = tf.div(varies, tf.where(isFlat, tf.onesLike(range), range));
    return tf.reshape(tf.add(tf.mul(tf.sub(flat, mn), scale), flatPositive), [n, h, w]);
  }) as tf.Tensor3D;
}

/** One layer's CAM: weighted map, ReLU, half-pixel bilinear to 64x64, min-max. */
export function camFromGradients(method: CamMethod, A: tf.Tensor4D, dA: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => {
    const map = tf.relu(weightedMap(method, A, dA));
    const up = tf.image.resizeBilinear(tf.expandDims(map, 3) as tf.Tensor4D, [IMAGE_SIZE, IMAGE_SIZE], false, true);
    return minMaxScale(tf.squeeze(up, [3]) as tf.Tensor3D);
  });
}

export interface CamOptions {
  /** Target layers (averaged when several); default: defaultTargetLayer(D). */
  layers?: string[];
  method?: CamMethod;
  target?: CamTarget;
  /** Images per forward/backward pass; bounds memory. */
  batchSize?: number;
}

export interface CamResult {
  /** N x 64 x 64 CAMs in [0, 1], row-major per image. */
  cams: Float32Array;
  /** D's pre-sigmoid logits, one per image (not negated for target "fake"). */
  scores: Float32Array;
  layers: string[];
  method: CamMethod;
  target: CamTarget;
}

/** Resolves and checks the target layers before any work. */
export function resolveLayers(D: tf.LayersModel, layers: string[] | undefined): string[] {
  const names = layers && layers.length > 0 ? [...new Set(layers)] : [defaultTargetLayer(D)];
  for (const n of names) targetLayer(D, n);
  return names;
}

/** CAMs of D for images [N, 64, 64, 1] in [-1, 1]. Leaves no tensors behind. */
export async function computeCams(D: tf.LayersModel, images: tf.Tensor4D, opts: CamOptions = {}): Promise<CamResult> {
  const method = opts.method ?? 'gradcam';
  const target = opts.target ?? 'real';
  const batchSize = opts.batchSize ?? 64;
  if (!CAM_METHODS.includes(method)) throw new CamError(`unknown CAM method "${method}"; use one of ${CAM_METHODS.join(', ')}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new CamError(`batchSize must be a whole number >= 1, got ${batchSize}`);
  const layers = resolveLayers(D, opts.layers);
  const n = images.shape[0];
  const pixels = IMAGE_SIZE * IMAGE_SIZE;
  const cams = new Float32Array(n * pixels);
  const scores = new Float32Array(n);
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const [cam, logits] = tf.tidy(() => {
      const x = count === n ? images : (tf.slice(images, [start, 0, 0, 0], [count, -1, -1, -1]) as tf.Tensor4D);
      const ag = activationsAndGradients(D, x, layers, target);
      const perLayer = ag.perLayer.map(({ activations, gradients }) => camFromGradients(method, activations, gradients));
      const mixed = perLayer.length === 1 ? perLayer[0] : minMaxScale(tf.mean(tf.stack(perLayer), 0) as tf.Tensor3D);
      return [mixed, ag.logits];
    });
    try {
      cams.set(await cam.data(), start * pixels);
      scores.set(await logits.data(), start);
    } finally {
      cam.dispose();
      logits.dispose();
    }
  }
  return { cams, scores, layers, method, target };
}
