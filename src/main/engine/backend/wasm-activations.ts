import { heapF32, runKernel, type KernelArgs, type TensorInfo } from './wasm-call.js';

// wasm's LeakyRelu, Greater and Select are scalar loops (~8 ns per element);
// XNNPACK's Prelu does LeakyRelu at memory speed, and the mask/select pair of
// LeakyRelu's gradient is cheaper as branch-free JavaScript.

export function leakyRelu({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { x } = inputs;
  const channels = x.shape[x.shape.length - 1];
  if (x.dtype !== 'float32' || x.shape.length === 0 || channels === 0) return runKernel('LeakyRelu', backend, inputs, attrs);
  const alpha = backend.makeOutput([channels], 'float32');
  heapF32(backend, alpha).fill(attrs.alpha as number);
  try {
    return runKernel('Prelu', backend, { x, alpha });
  } finally {
    backend.disposeData(alpha.dataId);
  }
}

const sameShape = (a: TensorInfo, b: TensorInfo) => a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
const size = (t: TensorInfo) => t.shape.reduce((p, d) => p * d, 1);

/** a > b for float32 a and a float32 scalar or same-shape b. */
export function greater({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { a, b } = inputs;
  const scalarB = size(b) === 1 && b.shape.length <= a.shape.length;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || !(scalarB || sameShape(a, b))) return runKernel('Greater', backend, inputs, attrs);
  const out = backend.makeOutput(a.shape, 'bool');
  const o = backend.typedArrayFromHeap(out) as Uint8Array;
  const av = heapF32(backend, a);
  const bv = heapF32(backend, b);
  if (scalarB) {
    const s = bv[0];
    for (let i = 0; i < av.length; i++) o[i] = +(av[i] > s);
  } else {
    for (let i = 0; i < av.length; i++) o[i] = +(av[i] > bv[i]);
  }
  return out;
}

/** where(condition, t, e) for same-shape bool/float32 tensors, selecting bits with a mask. */
export function select({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { condition, t, e } = inputs;
  if (condition.dtype !== 'bool' || t.dtype !== 'float32' || e.dtype !== 'float32' || !sameShape(condition, t) || !sameShape(t, e))
    return runKernel('Select', backend, inputs, attrs);
  const out = backend.makeOutput(t.shape, 'float32');
  const o = new Int32Array(heapF32(backend, out).buffer, heapF32(backend, out).byteOffset, size(t));
  const c = backend.typedArrayFromHeap(condition) as Uint8Array;
  const tv = new Int32Array(heapF32(backend, t).buffer, heapF32(backend, t).byteOffset, size(t));
  const ev = new Int32Array(heapF32(backend, e).buffer, heapF32(backend, e).byteOffset, size(e));
  for (let i = 0; i < o.length; i++) {
    const m = -c[i];
    o[i] = (tv[i] & m) | (ev[i] & ~m);
  }
  return out;
}
