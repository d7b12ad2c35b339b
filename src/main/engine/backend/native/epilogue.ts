import * as tf from '@tensorflow/tfjs';
import type { NativeAddon } from './addon.js';
import type { NativeBackend } from './backend.js';
import { broadcastPlan } from './broadcast.js';
import { BINARY, UNARY } from './ops.js';

const ACTIVATIONS: Record<string, number | null> = {
  linear: null,
  relu: UNARY.Relu,
  relu6: UNARY.Relu6,
  leakyrelu: UNARY.LeakyRelu,
  sigmoid: UNARY.Sigmoid,
};

/** Fused ops' activations done natively; prelu and elu go to the JS kernel. */
export function canApplyActivation(activation: unknown, prelu: tf.TensorInfo | undefined): boolean {
  return prelu == null && (activation == null || String(activation) in ACTIVATIONS);
}

/** Adds the bias and applies the activation in place on a fresh kernel output. */
export function applyBiasAndActivation(
  addon: NativeAddon,
  backend: NativeBackend,
  y: tf.TensorInfo,
  bias: tf.TensorInfo | undefined,
  activation: unknown,
  alpha: unknown,
): tf.TensorInfo {
  const yv = backend.f32(y)!;
  if (bias != null) {
    const bv = backend.f32(bias);
    if (!bv) throw new Error('native fused op: bias must be float32');
    const plan = broadcastPlan(y.shape, bias.shape);
    if (plan.outShape.length !== y.shape.length || plan.outShape.some((d, i) => d !== y.shape[i]))
      throw new Error(`native fused op: bias of shape [${bias.shape}] does not broadcast to [${y.shape}]`);
    addon.binary(BINARY.Add, yv, plan.aStrides, bv, plan.bStrides, yv, plan.shape);
  }
  const op = ACTIVATIONS[String(activation ?? 'linear')];
  if (op != null) addon.unary(op, yv, yv, typeof alpha === 'number' ? alpha : 0.2);
  return y;
}
