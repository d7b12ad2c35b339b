import * as tf from '@tensorflow/tfjs';
import { composed, type KernelArgs, type Temps, type TensorInfo } from './wasm-call.js';
import { stridedCopy } from './wasm-copy.js';

// tfjs-backend-wasm 4.22 ships no Conv2DBackpropFilter kernel. The filter
// gradient is a correlation of the input with the output gradient; written as
// one forward Conv2D over batch-transposed tensors it runs on XNNPACK:
//   dW[kh,kw,ci,co] = sum_{n,oh,ow} x[n, oh*s+kh-p, ow*s+kw-p, ci] * dy[n,oh,ow,co]
// = conv2d(input = x^T [ci,H,W,n], filter = dy^T [OH,OW,n,co],
//          stride 1, dilation s, padding p)  -> [ci,KH',KW',co], cropped to KH x KW.
// XNNPACK packs its "filter" (here dy) on every call, which dominates when x has
// a single channel (an image: 1 GFLOP/s). Then the gradient is one matmul
//   dW[(kh,kw,ci), co] = A[(kh,kw,ci), (n,oh,ow)] x dy[(n,oh,ow), co]
// with A gathered from x (16 rows for a 4x4 kernel); measured 2x faster for 1
// channel, slower from 4 channels on (the gather grows with them).

function viaMatMul(t: Temps, x: TensorInfo, dy: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const [n, h, w, ci] = x.shape;
  const [, oh, ow, co] = dy.shape;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const k = n * oh * ow;
  const a = t.zeros([1, kh * kw * ci, k]);
  // Output rows/cols whose tap p reads inside x: 0 <= o*s + p - pad < size.
  const range = (p: number, pad: number, s: number, size: number, outs: number) =>
    [Math.max(0, Math.ceil((pad - p) / s)), Math.min(outs, Math.floor((size - 1 + pad - p) / s) + 1)] as const;
  for (let p = 0; p < kh; p++) {
    const [y0, y1] = range(p, top, sh, h, oh);
    for (let q = 0; q < kw; q++) {
      const [z0, z1] = range(q, left, sw, w, ow);
      for (let c = 0; c < ci; c++) {
        const row = ((p * kw + q) * ci + c) * k;
        stridedCopy(t.backend, a, row + y0 * ow + z0, x, ((y0 * sh + p - top) * w + (z0 * sw + q - left)) * ci + c, [
          { count: n, dst: oh * ow, src: h * w * ci },
          { count: y1 - y0, dst: ow, src: sh * w * ci },
          { count: z1 - z0, dst: 1, src: sw * ci },
        ], 1);
      }
    }
  }
  const dw = t.run('BatchMatMul', { a, b: t.reshape(dy, [1, k, co]) }, { transposeA: false, transposeB: false });
  return t.reshape(dw, [kh, kw, ci, co]);
}

export function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as {
    strides: number | [number, number];
    pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  if (dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter on wasm supports NHWC only');
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode);
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const [n, h, w, ci] = x.shape;
  const [, oh, ow, co] = dy.shape;
  // Pad the far side at least as far as the last tap reads (x is zero there);
  // tfjs' own shape rules can hand in a dy that reaches past the padding.
  const bottom = Math.max(info.padInfo.bottom, (oh - 1) * sh + kh - h - top);
  const right = Math.max(info.padInfo.right, (ow - 1) * sw + kw - w - left);
  return composed(backend, (t) => {
    if (ci === 1) return viaMatMul(t, x, dy, info);
    // x^T [ci,H,W,n] and dy^T [OH,OW,n,co], pixel by pixel so both stay in cache.
    const xT = t.alloc([ci, h, w, n]);
    stridedCopy(backend, xT, 0, x, 0, [
      { count: h * w, dst: n, src: ci },
      { count: n, dst: 1, src: h * w * ci },
      { count: ci, dst: h * w * n, src: 1 },
    ], 1);
    const dyT = t.alloc([oh, ow, n, co]);
    stridedCopy(backend, dyT, 0, dy, 0, [
      { count: oh * ow, dst: n * co, src: co },
      { count: n, dst: co, src: oh * ow * co },
    ], co);
    const corr = t.run('Conv2D', { x: xT, filter: dyT }, {
      strides: [1, 1],
      pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
      dataFormat: 'NHWC',
      dilations: [sh, sw],
      dimRoundingMode: undefined,
    });
    // [ci,KH',KW',co] -> [KH,KW,ci,co], dropping rows/cols beyond the kernel.
    const dw = t.alloc([kh, kw, ci, co]);
    const [, ch, cw] = corr.shape;
    stridedCopy(backend, dw, 0, corr, 0, [
      { count: kh, dst: kw * ci * co, src: cw * co },
      { count: kw, dst: ci * co, src: co },
      { count: ci, dst: co, src: ch * cw * co },
    ], co);
    return dw;
  });
}
