import * as tf from '@tensorflow/tfjs';
import { ARCHITECTURES, defaultCamLayer, type Architecture } from '../../../shared/config.js';
import { CAM_TARGETS, type CamTarget } from '../../../shared/explain.js';
import { inferenceStages, isAffine, planStages, type Stage, type StagePlan } from './inference-stages.js';

// Activations A of D's target layers and the gradients dScore/dA, in inference
// mode (BatchNorm uses its moving statistics). D runs as fused stages
// (inference-stages.ts) that stop at each target layer, yielding A and D's
// logits; the layers after the target are re-applied to A as a function, so
// tf.grad differentiates the score by A directly, with nothing but tf ops (any
// backend); when those layers are affine the gradient is one constant, taken
// once per prepared D. A D that is not a plain chain before its targets runs as
// a Layers sub-model instead.

/** Thrown for a D or a request Grad-CAM cannot serve; the message says why. */
export class CamError extends Error {
  override name = 'CamError';
}

/**
 * The score Grad-CAM explains, per image, from D's logits [N, 1]: the
 * pre-sigmoid logit for "real" (the sigmoid saturates and flattens gradients),
 * or its negation for "fake" (the logit of 1 - D(x)).
 */
export const TARGET_SCORES: Record<CamTarget, (logits: tf.Tensor) => tf.Tensor> = {
  real: (logits) => logits,
  fake: (logits) => tf.neg(logits),
};

export interface LayerGradients {
  layer: string;
  /** A: [N, h, w, C]. */
  activations: tf.Tensor4D;
  /** dScore/dA: [N, h, w, C], or [1, h, w, C] when it is the same for every image (an affine tail). */
  gradients: tf.Tensor4D;
}

export interface ActivationsAndGradients {
  /** D's logits [N, 1] (the sign does not follow the target). */
  logits: tf.Tensor2D;
  perLayer: LayerGradients[];
}

function spatialSize(layer: tf.layers.Layer): { h: number; w: number } | null {
  const shape = layer.outputShape;
  if (!Array.isArray(shape) || Array.isArray(shape[0]) || shape.length !== 4) return null;
  return { h: shape[1] as number, w: shape[2] as number };
}

/** Layers whose output is a feature map larger than 1x1: the valid target layers. */
export function spatialLayerNames(D: tf.LayersModel): string[] {
  return D.layers
    .filter((l) => l.getClassName() !== 'InputLayer')
    .filter((l) => {
      const s = spatialSize(l);
      return s !== null && s.h * s.w > 1;
    })
    .map((l) => l.name);
}

/** The map size of a valid target layer (refused as targetLayer refuses). */
export function layerGrid(D: tf.LayersModel, name: string): { h: number; w: number } {
  return spatialSize(targetLayer(D, name))!;
}

/**
 * The target layer when none is named. This product's Ds carry their architecture in their name
 * (`discriminator_<arch>`, kept in every checkpoint's model.json), and get its measured default,
 * defaultCamLayer; any other D (`gan-focus cam` on a foreign checkpoint) gets its deepest block,
 * the one rule that needs no measurement of that D.
 */
export function defaultTargetLayer(D: tf.LayersModel): string {
  const arch = /^discriminator_(\w+)$/.exec(D.name)?.[1];
  return arch && (ARCHITECTURES as readonly string[]).includes(arch) ? defaultCamLayer(arch as Architecture) : deepestTargetLayer(D);
}

/** The deepest block (`block{k}`, a conv block's output) whose map is larger than 1x1. */
export function deepestTargetLayer(D: tf.LayersModel): string {
  const valid = new Set(spatialLayerNames(D));
  const blocks = D.layers.map((l) => l.name).filter((n) => /^block\d+$/.test(n) && valid.has(n));
  if (blocks.length === 0)
    throw new CamError(`D "${D.name}" has no block{k} layer with a spatial map larger than 1x1; name a target layer (valid: ${[...valid].join(', ') || 'none'})`);
  return blocks[blocks.length - 1];
}

/** The layer called `name`, refused with the reason when it cannot be a Grad-CAM target. */
export function targetLayer(D: tf.LayersModel, name: string): tf.layers.Layer {
  const valid = spatialLayerNames(D);
  const layer = D.layers.find((l) => l.name === name);
  if (!layer) throw new CamError(`D has no layer "${name}"; valid target layers: ${valid.join(', ')}`);
  const s = spatialSize(layer);
  if (s === null)
    throw new CamError(`layer "${name}" outputs ${JSON.stringify(layer.outputShape)}, not a feature map [N, h, w, C]; valid target layers: ${valid.join(', ')}`);
  if (s.h * s.w <= 1)
    throw new CamError(
      `layer "${name}" has a 1x1 map: a CAM from it is the same constant for every pixel and explains nothing ` +
        `(the pytorch-grad-cam issue #444 trap with a DCGAN discriminator's last conv); choose a block with a larger map: ${valid.join(', ')}`,
    );
  return layer;
}

/**
 * D's layers after `layer`, checked to form a plain chain that ends at D's
 * output: re-applying them in order then computes exactly what D computes.
 */
function layersAfter(D: tf.LayersModel, layer: tf.layers.Layer): tf.layers.Layer[] {
  const start = D.layers.indexOf(layer);
  const rest = D.layers.slice(start + 1);
  let previous = layer;
  for (const l of rest) {
    const node = l.inboundNodes[0];
    const inbound = node ? node.inboundLayers : [];
    if (inbound.length !== 1 || inbound[0] !== previous)
      throw new CamError(
        `D is not a plain chain after "${layer.name}": layer "${l.name}" takes its input from ` +
          `${inbound.map((x) => `"${x.name}"`).join(', ') || 'nothing'}, not from "${previous.name}"; Grad-CAM here supports sequential discriminators only`,
      );
    previous = l;
  }
  if (D.outputs.length !== 1 || previous.getOutputAt(0) !== D.outputs[0])
    throw new CamError(`D must have one output, produced by its last layer "${previous.name}"`);
  return rest;
}

function checkModel(D: tf.LayersModel): void {
  if (D.inputs.length !== 1 || D.outputs.length !== 1) throw new CamError(`D must have one input and one output, has ${D.inputs.length} and ${D.outputs.length}`);
  const out = D.outputs[0].shape;
  if (out.length !== 2 || out[1] !== 1) throw new CamError(`D must output one logit per image, shape [N, 1]; its output is ${JSON.stringify(out)}`);
}

/** Refuses images that do not match D's input, naming both shapes. */
export function checkImages(D: tf.LayersModel, images: tf.Tensor): void {
  const want = D.inputs[0].shape;
  const got = images.shape;
  const fits = got.length === want.length && got[0] > 0 && want.every((d, i) => i === 0 || d === null || d === got[i]);
  if (!fits) throw new CamError(`images have shape ${JSON.stringify(got)}; D takes [N >= 1, ${want.slice(1).join(', ')}]`);
  if (images.dtype !== 'float32') throw new CamError(`images must be float32 in [-1, 1], got ${images.dtype}`);
}

interface SplitD {
  /** D as fused stages that stop at each target, when D is a plain chain up to its deepest target. */
  forward: StagePlan[] | null;
  /** images -> [A_1, ..., A_L, logits], for a D that is not a chain before its targets. */
  features: tf.LayersModel | null;
  /** For each target, the stages of the (plain) chain of layers after it. */
  tails: StagePlan[][];
}

// Sub-models share D's layers and weights; they are cached, never disposed
// (disposing one would dispose D's weights).
const splits = new WeakMap<tf.LayersModel, Map<string, SplitD>>();

/** D's layers after its input up to `last`, or null when one of them is not fed by the layer before it. */
function chainTo(D: tf.LayersModel, last: tf.layers.Layer): tf.layers.Layer[] | null {
  const end = D.layers.indexOf(last);
  let previous = D.layers[0];
  if (previous.getClassName() !== 'InputLayer') return null;
  for (const l of D.layers.slice(1, end + 1)) {
    const inbound = l.inboundNodes[0]?.inboundLayers ?? [];
    if (inbound.length !== 1 || inbound[0] !== previous) return null;
    previous = l;
  }
  return D.layers.slice(1, end + 1);
}

function split(D: tf.LayersModel, layerNames: string[]): SplitD {
  const key = layerNames.join('\n');
  let byKey = splits.get(D);
  if (!byKey) splits.set(D, (byKey = new Map()));
  const cached = byKey.get(key);
  if (cached) return cached;
  checkModel(D);
  const layers = layerNames.map((n) => targetLayer(D, n));
  const chains = layers.map((l) => layersAfter(D, l));
  const deepest = layers.reduce((a, b) => (D.layers.indexOf(b) > D.layers.indexOf(a) ? b : a));
  const prefix = chainTo(D, deepest);
  const outputs = [...layers.map((l) => l.getOutputAt(0) as tf.SymbolicTensor), D.outputs[0]];
  const made = {
    forward: prefix ? planStages([...prefix, ...chains[layers.indexOf(deepest)]], new Set(layerNames)) : null,
    features: prefix ? null : tf.model({ inputs: D.inputs, outputs }),
    tails: chains.map((c) => planStages(c, new Set())),
  };
  byKey.set(key, made);
  return made;
}

function run(stages: Stage[], x: tf.Tensor, differentiable: boolean): tf.Tensor {
  return stages.reduce((t, s) => (differentiable ? s.differentiable(t) : s.forward(t)), x);
}

/** D ready to explain at some target layers: its stages built (and BatchNorm folded) once for many batches. */
export interface GradCamD {
  layers: string[];
  /**
   * A and dScore/dA for each target layer, for a batch of images [N, 64, 64, 1].
   * The gradient is of the batch's summed score: in inference mode each image's
   * score depends on its own activations only, so each slice of the gradient is
   * that image's own dScore/dA (or one slice for all, see LayerGradients). The
   * caller owns (and disposes) the tensors.
   */
  activationsAndGradients(images: tf.Tensor4D, target?: CamTarget): ActivationsAndGradients;
  /** Frees what preparing made; D itself stays. Use before D's weights change. */
  dispose(): void;
}

export function prepareGradCam(D: tf.LayersModel, layerNames: string[]): GradCamD {
  if (layerNames.length === 0) throw new CamError('name at least one target layer');
  checkModel(D);
  const s = split(D, layerNames);
  const head = s.forward ? inferenceStages(s.forward) : null;
  const tails = s.tails.map((t) => inferenceStages(t));
  // After the default target (the last block) D is one linear convolution to
  // the logit: the gradient is the same for every image, so it is computed
  // once (per target) instead of by a forward and a backward pass per batch.
  const constants = s.tails.map((t) => (isAffine(t) ? new Map<CamTarget, tf.Tensor>() : null));
  const gradient = (i: number, a: tf.Tensor, target: CamTarget): tf.Tensor => {
    const score = TARGET_SCORES[target];
    const of = (x: tf.Tensor) => tf.grad((y: tf.Tensor) => tf.sum(score(run(tails[i].stages, y, true))))(x);
    const cache = constants[i];
    if (!cache) return of(a);
    let g = cache.get(target);
    if (!g) {
      g = tf.keep(of(tf.zeros([1, ...a.shape.slice(1)])));
      cache.set(target, g);
    }
    // Not broadcast to N copies: the CAM methods broadcast it as they use it.
    return tf.clone(g);
  };
  const dispose = () => {
    head?.dispose();
    for (const t of tails) t.dispose();
    for (const c of constants) if (c) tf.dispose([...c.values()]);
  };
  const forward = (images: tf.Tensor4D): tf.Tensor[] => {
    if (!head) return s.features!.apply(images, { training: false }) as tf.Tensor[];
    const at = new Map<string, tf.Tensor>();
    const logits = head.stages.reduce((t, stage) => {
      const y = stage.forward(t);
      at.set(stage.layer, y);
      return y;
    }, images as tf.Tensor);
    return [...layerNames.map((n) => at.get(n)!), logits];
  };
  return {
    layers: layerNames,
    activationsAndGradients(images, target = 'real') {
      if (!TARGET_SCORES[target]) throw new CamError(`unknown target "${target}"; use one of ${CAM_TARGETS.join(', ')}`);
      checkImages(D, images);
      const [logits, ...pairs] = tf.tidy(() => {
        const outs = forward(images);
        const grads = layerNames.map((_, i) => gradient(i, outs[i], target));
        return [outs[outs.length - 1], ...layerNames.flatMap((_, i) => [outs[i], grads[i]])];
      });
      return {
        logits: logits as tf.Tensor2D,
        perLayer: layerNames.map((layer, i) => ({
          layer,
          activations: pairs[2 * i] as tf.Tensor4D,
          gradients: pairs[2 * i + 1] as tf.Tensor4D,
        })),
      };
    },
    dispose,
  };
}

/** prepareGradCam's activations and gradients for one batch, with nothing kept after. */
export function activationsAndGradients(
  D: tf.LayersModel,
  images: tf.Tensor4D,
  layerNames: string[],
  target: CamTarget = 'real',
): ActivationsAndGradients {
  const prepared = prepareGradCam(D, layerNames);
  try {
    return prepared.activationsAndGradients(images, target);
  } finally {
    prepared.dispose();
  }
}
