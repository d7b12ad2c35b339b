import { heapF32, runKernel, type KernelArgs, type TensorInfo } from './wasm-call.js';

// Layout kernels whose wasm versions are generic index loops: Tile of a
// broadcast block ran at ~100 ns per element (0.5 s of a training step, from
// BatchNorm's gradient), and Identity copies data that tfjs never mutates.

/** Identity shares the data, as the cpu backend does: tensors are immutable. */
export function identity({ inputs, backend }: KernelArgs): TensorInfo {
  const { x } = inputs;
  if (x.dtype === 'string') return runKernel('Identity', backend, inputs);
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * Tile where the repeated axes all come first and x has size 1 along them (a
 * broadcast, e.g. [1,1,1,C] x [N,H,W,1]) is x's data repeated end to end:
 * doubling copies. Any other tile runs the built-in.
 */
export function tile({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { x } = inputs;
  const reps = attrs.reps as number[];
  const last = reps.reduce((acc, r, i) => (r > 1 ? i : acc), -1);
  const wholeBlock = x.dtype === 'float32' && x.shape.every((d, i) => i > last || d === 1);
  if (!wholeBlock) return runKernel('Tile', backend, inputs, attrs);
  const out = backend.makeOutput(
    x.shape.map((d, i) => d * reps[i]),
    'float32',
  );
  const dst = heapF32(backend, out);
  const src = heapF32(backend, x);
  if (dst.length === 0) return out;
  dst.set(src);
  for (let filled = src.length; filled < dst.length; filled *= 2) dst.copyWithin(filled, 0, Math.min(filled, dst.length - filled));
  return out;
}
