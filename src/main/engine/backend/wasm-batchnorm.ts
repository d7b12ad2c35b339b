import { composed, heapF32, runKernel, type KernelArgs, type TensorInfo } from './wasm-call.js';

// wasm's FusedBatchNorm is a scalar loop (~12 ns per element). With per-channel
// statistics it is x * a + b, a = scale / sqrt(variance + eps) and
// b = offset - mean * a: one XNNPACK 1x1 depthwise conv with bias.

export function fusedBatchNorm({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { x, mean, variance, offset, scale } = inputs;
  const c = x.shape[x.shape.length - 1];
  const perChannel = (t?: TensorInfo) => !t || (t.dtype === 'float32' && t.shape.reduce((p, d) => p * d, 1) === c);
  if (x.dtype !== 'float32' || x.shape.length === 0 || c === 0 || ![mean, variance, offset, scale].every(perChannel))
    return runKernel('FusedBatchNorm', backend, inputs, attrs);
  const eps = attrs.varianceEpsilon as number;
  return composed(backend, (t) => {
    const a = t.alloc([1, 1, c, 1]);
    const b = t.alloc([c]);
    const av = heapF32(backend, a);
    const bv = heapF32(backend, b);
    const m = heapF32(backend, mean);
    const v = heapF32(backend, variance);
    const g = scale ? heapF32(backend, scale) : null;
    const o = offset ? heapF32(backend, offset) : null;
    for (let i = 0; i < c; i++) {
      av[i] = (g ? g[i] : 1) / Math.sqrt(v[i] + eps);
      bv[i] = (o ? o[i] : 0) - m[i] * av[i];
    }
    const rows = x.shape.reduce((p, d) => p * d, 1) / c;
    const y = t.run('FusedDepthwiseConv2D', { x: t.reshape(x, [1, 1, rows, c]), filter: a, bias: b }, {
      strides: [1, 1],
      pad: 'valid',
      dataFormat: 'NHWC',
      dilations: [1, 1],
      dimRoundingMode: undefined,
      activation: 'linear',
    });
    return t.reshape(y, x.shape);
  });
}
