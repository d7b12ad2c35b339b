import * as tf from '@tensorflow/tfjs';
import { bceWithLogits, meanProbability } from './losses.js';

export interface GanModels {
  generator: tf.LayersModel;
  discriminator: tf.LayersModel;
}

export interface GanOptimizers {
  d: tf.Optimizer;
  g: tf.Optimizer;
}

export interface StepValues {
  lossD: number;
  lossG: number;
  /** Mean D(x) on the real batch. */
  dx: number;
  /** Mean D(G(z)) during the D step, before D is updated (PyTorch's D_G_z1). */
  dgz: number;
}

/** What the stabilisers change in one iteration (all off: PyTorch's DCGAN step). */
export interface StepOptions {
  /** D's label for real images (1, or less with one-sided label smoothing). */
  realLabel: number;
  /** Instance noise for this iteration: one [N,64,64,1] tensor per image batch D sees, or none. */
  noise?: { real: tf.Tensor4D; fakeD: tf.Tensor4D; fakeG: tf.Tensor4D };
}

export const PLAIN_STEP: StepOptions = { realLabel: 1 };

function trainable(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * One DCGAN iteration as in PyTorch's example: update D on a real and a fake
 * batch, then G with the non-saturating loss (fake labelled real). G runs in
 * training mode in both halves, so its BatchNorm moving averages move twice per
 * iteration; they are only used for inference-mode sampling. With instance
 * noise, every image D sees (real or fake, in both halves) gets its noise
 * added, so D cannot tell the two apart by noise alone. The values are read
 * asynchronously: WebGPU has no synchronous read (dataSync fails there).
 */
export async function trainStep(
  models: GanModels,
  opt: GanOptimizers,
  real: tf.Tensor4D,
  z: tf.Tensor4D,
  step: StepOptions = PLAIN_STEP,
): Promise<StepValues> {
  const { generator: G, discriminator: D } = models;
  const noisy = (x: tf.Tensor, n: tf.Tensor | undefined) => (n ? tf.add(x, n) : x);
  const [lossD, dx, dgz, lossG] = tf.tidy(() => {
    let dxT: tf.Scalar | undefined;
    let dgzT: tf.Scalar | undefined;
    const dStep = tf.variableGrads(() => {
      // Gradients flow only to the variables asked for, so G gets none here.
      const fake = G.apply(z, { training: true }) as tf.Tensor;
      const realLogits = D.apply(noisy(real, step.noise?.real), { training: true }) as tf.Tensor;
      const fakeLogits = D.apply(noisy(fake, step.noise?.fakeD), { training: true }) as tf.Tensor;
      dxT = tf.keep(meanProbability(realLogits));
      dgzT = tf.keep(meanProbability(fakeLogits));
      return tf.add(bceWithLogits(realLogits, step.realLabel), bceWithLogits(fakeLogits, 0)) as tf.Scalar;
    }, trainable(D));
    opt.d.applyGradients(dStep.grads);
    const gStep = tf.variableGrads(() => {
      const fake = G.apply(z, { training: true }) as tf.Tensor;
      return bceWithLogits(D.apply(noisy(fake, step.noise?.fakeG), { training: true }) as tf.Tensor, 1);
    }, trainable(G));
    opt.g.applyGradients(gStep.grads);
    return [dStep.value, dxT!, dgzT!, gStep.value];
  });
  try {
    const [dL, gL, x, gz] = await Promise.all([lossD, lossG, dx, dgz].map((t) => t.data()));
    return { lossD: dL[0], lossG: gL[0], dx: x[0], dgz: gz[0] };
  } finally {
    tf.dispose([lossD, dx, dgz, lossG]);
  }
}
