import * as tf from '@tensorflow/tfjs';

// A chain of D's layers in inference mode as a few fused stages. BatchNorm with
// its moving statistics is an affine map per channel, so it folds into the
// convolution before it (W * s, bias + beta - mean * s, s = gamma / sqrt(var + eps)),
// and a LeakyReLU/ReLU after it fuses into the same kernel: D's block (conv, BN,
// LeakyReLU) is one FusedConv2D instead of three kernels and a Layers call each.
// Fusion never crosses a layer whose output is asked for.

export interface Stage {
  /** The last layer the stage covers: its output is the stage's output. */
  layer: string;
  /** The stage's output, by the fastest kernels (no gradient needed). */
  forward(x: tf.Tensor): tf.Tensor;
  /** The same maths by differentiable ops (fused kernels have no LeakyReLU gradient). */
  differentiable(x: tf.Tensor): tf.Tensor;
}

interface ConvConfig {
  strides: [number, number];
  padding: 'same' | 'valid';
  dataFormat?: string;
  dilationRate: number | [number, number];
  activation?: string;
  useBias?: boolean;
}

interface BatchNormConfig {
  axis: number | number[];
  epsilon: number;
  center: boolean;
  scale: boolean;
}

type Activation = { kind: 'linear' } | { kind: 'relu' } | { kind: 'leakyrelu'; alpha: number };

function isConv(l: tf.layers.Layer): boolean {
  const c = l.getConfig() as unknown as ConvConfig;
  return l.getClassName() === 'Conv2D' && (c.dataFormat ?? 'channelsLast') === 'channelsLast' && (c.activation ?? 'linear') === 'linear';
}

function isChannelBatchNorm(l: tf.layers.Layer | undefined): boolean {
  if (!l || l.getClassName() !== 'BatchNormalization') return false;
  const axis = (l.getConfig() as unknown as BatchNormConfig).axis;
  const a = Array.isArray(axis) ? axis : [axis];
  return a.length === 1 && (a[0] === -1 || a[0] === 3);
}

function activationOf(l: tf.layers.Layer | undefined): Activation | null {
  if (!l) return null;
  const c = l.getConfig() as { alpha?: number; activation?: string; maxValue?: number | null };
  switch (l.getClassName()) {
    case 'LeakyReLU':
      return { kind: 'leakyrelu', alpha: c.alpha ?? 0.3 };
    case 'ReLU':
      return c.maxValue == null ? { kind: 'relu' } : null;
    case 'Activation':
      return c.activation === 'relu' ? { kind: 'relu' } : c.activation === 'linear' ? { kind: 'linear' } : null;
    default:
      return null;
  }
}

/** W * s and bias + beta - mean * s for the BatchNorm `bn` after a conv with filter W [kh, kw, in, out]. */
function foldBatchNorm(bn: tf.layers.Layer, filter: tf.Tensor4D, bias: tf.Tensor1D | null): { filter: tf.Tensor4D; bias: tf.Tensor1D } {
  const c = bn.getConfig() as unknown as BatchNormConfig;
  const w = bn.getWeights();
  let i = 0;
  const gamma = c.scale ? w[i++] : null;
  const beta = c.center ? w[i++] : null;
  const [mean, variance] = [w[i], w[i + 1]];
  return tf.tidy(() => {
    const invStd = tf.rsqrt(tf.add(variance, c.epsilon));
    const s = gamma ? tf.mul(gamma, invStd) : invStd;
    const folded = tf.mul(bias ? tf.sub(bias, mean) : tf.neg(mean), s);
    return { filter: tf.mul(filter, s) as tf.Tensor4D, bias: (beta ? tf.add(folded, beta) : folded) as tf.Tensor1D };
  });
}

function convStage(plan: ConvPlan, owned: tf.Tensor[]): Stage {
  const [kernel, ownBias] = plan.conv.getWeights() as [tf.Tensor4D, tf.Tensor1D | undefined];
  const convBias = plan.useBias ? (ownBias ?? null) : null;
  let filter = kernel;
  let bias = convBias;
  if (plan.bn) {
    ({ filter, bias } = foldBatchNorm(plan.bn, kernel, convBias));
    owned.push(filter, bias);
  }
  const { strides, padding, dilationRate: dilations } = plan.config;
  const act = plan.act;
  const base = { filter, strides, pad: padding, dilations, bias: bias ?? undefined };
  return {
    layer: plan.layer,
    forward: (x) =>
      tf.fused.conv2d({ x: x as tf.Tensor4D, ...base, activation: act.kind, leakyreluAlpha: act.kind === 'leakyrelu' ? act.alpha : undefined }),
    // Unfused ops: a fused op's gradient is one function for all its inputs,
    // so it would also compute the filter's gradient, which Grad-CAM never needs.
    differentiable: (x) => {
      const conv = tf.conv2d(x as tf.Tensor4D, filter, strides, padding, 'NHWC', dilations);
      const y = bias ? tf.add(conv, bias) : conv;
      return act.kind === 'leakyrelu' ? tf.leakyRelu(y, act.alpha) : act.kind === 'relu' ? tf.relu(y) : y;
    },
  };
}

function layerStage(l: tf.layers.Layer): Stage {
  const apply = (x: tf.Tensor) => l.apply(x, { training: false }) as tf.Tensor;
  return { layer: l.name, forward: apply, differentiable: apply };
}

interface ConvPlan {
  kind: 'conv';
  /** The last layer covered. */
  layer: string;
  conv: tf.layers.Layer;
  config: ConvConfig;
  useBias: boolean;
  bn: tf.layers.Layer | null;
  act: Activation;
}

/** Which layers fuse into which stage: read from the layers' configs once per D and targets. */
export type StagePlan = ConvPlan | { kind: 'layer'; layer: tf.layers.Layer };

/** The stages of `chain` (layers each fed by the one before), no fusion across a layer named in `keep`. */
export function planStages(chain: tf.layers.Layer[], keep: ReadonlySet<string>): StagePlan[] {
  const plans: StagePlan[] = [];
  for (let i = 0; i < chain.length; i++) {
    const l = chain[i];
    if (!isConv(l)) {
      plans.push({ kind: 'layer', layer: l });
      continue;
    }
    const config = l.getConfig() as unknown as ConvConfig;
    let last = l;
    let bn: tf.layers.Layer | null = null;
    if (!keep.has(last.name) && isChannelBatchNorm(chain[i + 1])) last = bn = chain[++i];
    const act = keep.has(last.name) ? null : activationOf(chain[i + 1]);
    if (act) last = chain[++i];
    plans.push({ kind: 'conv', layer: last.name, conv: l, config, useBias: config.useBias ?? false, bn, act: act ?? { kind: 'linear' } });
  }
  return plans;
}

/** Layers that are affine maps in inference mode, whatever their weights. */
const AFFINE_LAYERS = new Set(['Flatten', 'Reshape', 'BatchNormalization']);

/**
 * Whether the planned chain is an affine map of its input (convolutions and
 * dense layers without an activation, BatchNorm in inference mode, reshapes):
 * then its gradient is one constant, whatever the input.
 */
export function isAffine(plans: StagePlan[]): boolean {
  return plans.every((p) => {
    if (p.kind === 'conv') return p.act.kind === 'linear';
    const name = p.layer.getClassName();
    const activation = (p.layer.getConfig() as { activation?: string }).activation;
    return AFFINE_LAYERS.has(name) || ((name === 'Conv2D' || name === 'Dense') && (activation ?? 'linear') === 'linear');
  });
}

/** D's planned stages with its current weights; the folded weights are D's until `dispose`. */
export interface InferenceStages {
  stages: Stage[];
  /** Frees the folded weights (never D's own). */
  dispose(): void;
}

/**
 * Folds once for many batches: the explain job runs hundreds of batches through
 * one checkpoint, and folding is ~8 small kernels per block. The stages read D's
 * weights as they are now: make new ones after D's weights change.
 */
export function inferenceStages(plans: StagePlan[]): InferenceStages {
  const owned: tf.Tensor[] = [];
  const stages = plans.map((p) => (p.kind === 'conv' ? convStage(p, owned) : layerStage(p.layer)));
  // Kept: a caller inside tf.tidy must not lose them at the end of its scope.
  for (const t of owned) tf.keep(t);
  return { stages, dispose: () => tf.dispose(owned) };
}
