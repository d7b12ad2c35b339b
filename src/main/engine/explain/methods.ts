import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE } from '../../../shared/config.js';
import { CAM_METHODS, CAM_TARGETS, DEFAULT_CAM_METHOD, type CamMethod, type CamTarget } from '../../../shared/explain.js';
import { camImages, type LayerMaps } from './cam-image.js';
import { CamError, checkImages, defaultTargetLayer, layerGrid, prepareGradCam, targetLayer } from './activations.js';

// One CAM pipeline for the whole Grad-CAM family:
//   map = sum_k (weights * A)_k  ->  ReLU  ->  bilinear to 64x64  ->  min-max to [0, 1]
// The methods differ only in the weights (per channel, or per element), as in
// pytorch-grad-cam. Several layers: each layer's scaled CAM, averaged, re-scaled.
// The map is the backend's work; the rest is done on the host (cam-image.ts).

const PP_EPS = 1e-6;

/**
 * The channel-summed map [N, h, w] before the ReLU, for A [N, h, w, C] and
 * dA of the same shape or [1, h, w, C] (the same for every image).
 * - gradcam:   w_k = mean_ij dA_kij;                       map = sum_k w_k A_k
 * - gradcam++: a_kij = g^2 / (2 g^2 + sum_ij(ReLU(A_k)) g^3 + eps), g = dA_kij;
 *              w_k = sum_ij ReLU(g) a_kij;                  map = sum_k w_k A_k
 * - hirescam:  map = sum_k A_k * dA_k (element-wise)
 * - layercam:  map = sum_k ReLU(dA_k) * A_k (element-wise)
 */
export function weightedMap(method: CamMethod, A: tf.Tensor4D, dA: tf.Tensor4D): tf.Tensor3D {
  return tf.tidy(() => {
    switch (method) {
      case 'gradcam': {
        // sum_k w_k A_k as one matrix-vector product per image ([hw, C] x [C, 1]),
        // without an [N, h, w, C] temporary; one product for the whole batch
        // when the weights are the same for every image (dA of batch 1).
        const [n, h, w, c] = A.shape;
        if (dA.shape[0] === 1) return tf.reshape(tf.matMul(tf.reshape(A, [n * h * w, c]), tf.reshape(tf.mean(dA, [1, 2]), [c, 1])), [n, h, w]);
        const weights = tf.reshape(tf.mean(dA, [1, 2]), [n, c, 1]);
        return tf.reshape(tf.matMul(tf.reshape(A, [n, h * w, c]), weights), [n, h, w]);
      }
      case 'gradcam++': {
        const g2 = tf.square(dA);
        const g3 = tf.mul(g2, dA);
        // The sum of the positive part: Grad-CAM++'s alpha (its eq. 19) is derived
        // for ReLU maps (A >= 0), where this is sum_ij A. D's LeakyReLU maps go
        // negative; with the plain sum, 2 g^2 + sum(A) g^3 crosses zero in ~12% of
        // a block's channels, so alpha explodes there (weights 10-30x the others,
        // of any sign) and picks channels that only show the zero-padding frame:
        // the bright band along the image edges (docs/explain.md). With sum(A+) the
        // denominator is >= 2 g^2 for g > 0, so alpha lies in (0, 1/2].
        const sumA = tf.sum(tf.relu(A), [1, 2], true);
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

/** D prepared for CAMs at fixed layers, method and target: one per checkpoint, for all its batches. */
export interface CamExplainer {
  layers: string[];
  /** Each target layer's map size, in the order of `layers`. */
  grids: { h: number; w: number }[];
  method: CamMethod;
  target: CamTarget;
  /** CAMs of images [N, 64, 64, 1] in [-1, 1]. Leaves no tensors behind. */
  explain(images: tf.Tensor4D): Promise<CamResult>;
  /** Frees what preparing made (D stays). Use before D's weights change. */
  dispose(): void;
}

export function createCamExplainer(D: tf.LayersModel, opts: CamOptions = {}): CamExplainer {
  const method = opts.method ?? DEFAULT_CAM_METHOD;
  const target = opts.target ?? 'real';
  const batchSize = opts.batchSize ?? 64;
  if (!CAM_METHODS.includes(method)) throw new CamError(`unknown CAM method "${method}"; use one of ${CAM_METHODS.join(', ')}`);
  if (!CAM_TARGETS.includes(target)) throw new CamError(`unknown target "${target}"; use one of ${CAM_TARGETS.join(', ')}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new CamError(`batchSize must be a whole number >= 1, got ${batchSize}`);
  const layers = resolveLayers(D, opts.layers);
  const prepared = prepareGradCam(D, layers);
  const pixels = IMAGE_SIZE * IMAGE_SIZE;
  const explain = async (images: tf.Tensor4D): Promise<CamResult> => {
    checkImages(D, images);
    const n = images.shape[0];
    const cams = new Float32Array(n * pixels);
    const scores = new Float32Array(n);
    for (let start = 0; start < n; start += batchSize) {
      const count = Math.min(batchSize, n - start);
      const [logits, ...maps] = tf.tidy(() => {
        const x = count === n ? images : (tf.slice(images, [start, 0, 0, 0], [count, -1, -1, -1]) as tf.Tensor4D);
        const ag = prepared.activationsAndGradients(x, target);
        return [ag.logits, ...ag.perLayer.map(({ activations, gradients }) => weightedMap(method, activations, gradients))];
      });
      try {
        const perLayer = await Promise.all(maps.map(async (m): Promise<LayerMaps> => ({ data: (await m.data()) as Float32Array, h: m.shape[1]!, w: m.shape[2]! })));
        camImages(perLayer, count, cams.subarray(start * pixels, (start + count) * pixels));
        scores.set(await logits.data(), start);
      } finally {
        tf.dispose([logits, ...maps]);
      }
    }
    return { cams, scores, layers, method, target };
  };
  return { layers, grids: layers.map((l) => layerGrid(D, l)), method, target, explain, dispose: () => prepared.dispose() };
}

/** CAMs of D for images [N, 64, 64, 1] in [-1, 1], D prepared for this call only. Leaves no tensors behind. */
export async function computeCams(D: tf.LayersModel, images: tf.Tensor4D, opts: CamOptions = {}): Promise<CamResult> {
  const explainer = createCamExplainer(D, opts);
  try {
    return await explainer.explain(images);
  } finally {
    explainer.dispose();
  }
}
