import * as tf from '@tensorflow/tfjs';

// Binary cross-entropy on logits: numerically stable, and D stays a logit model
// so Grad-CAM can target the pre-sigmoid score.

/** `target` is the label of every element: 1 real, 0 fake, or a smoothed value in between. */
export function bceWithLogits(logits: tf.Tensor, target: number): tf.Scalar {
  const labels = tf.fill(logits.shape, target);
  return tf.losses.sigmoidCrossEntropy(labels, logits, undefined, undefined, tf.Reduction.MEAN) as tf.Scalar;
}

export function meanProbability(logits: tf.Tensor): tf.Scalar {
  return tf.mean(tf.sigmoid(logits));
}
