import * as tf from '@tensorflow/tfjs';

// LeakyRelu's registered gradient is where(x > 0, dy, alpha * dy): on wasm a
// scalar Greater and Select (~10 ns per element). dy * step(x, alpha) is the
// same for every number (step gives 1 for x > 0, else alpha) and is two XNNPACK
// passes. Gradients are registered for all backends, so other backends keep
// the original.

let registered = false;

export function registerWasmGradients(): void {
  if (registered) return;
  const original = tf.getGradient('LeakyRelu');
  if (!original) throw new Error('tfjs has no LeakyRelu gradient to wrap');
  tf.registerGradient({
    kernelName: 'LeakyRelu',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      if (tf.getBackend() !== 'wasm') return original.gradFunc(dy, saved, attrs);
      const [x] = saved;
      const alpha = (attrs as { alpha: number }).alpha;
      return { x: () => tf.mul(dy as tf.Tensor, tf.step(x, alpha)) };
    },
  });
  registered = true;
}
