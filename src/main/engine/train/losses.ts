import * as tf from '@tensorflow/tfjs';

// Binary cross-entropy on logits: numerically stable, and D stays a logit model
// so Grad-CAM can target the pre-sigmoid score.

export function bceWithLogits(logits: tf.Tensor, target: 0 | 1): tf.Scalar {
  const labels = target === 1 ? tf.onesLike(logits) : tf.zerosLike(logits);
  return tf.losses.sigmoidCrossEntropy(labels, logits, undefined, undefined, tf.Reduction.MEAN) as tf.Scalar;
}

export function meanProbability(logits: tf.Tensor): tf.Scalar {
  return tf.mean(tf.sigmoid(logits));
}
