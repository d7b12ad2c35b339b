import * as tf from '@tensorflow/tfjs';
import { composed, heapF32, type KernelArgs, type Temps, type TensorInfo } from './wasm-call.js';

// tfjs-backend-wasm 4.22 ships no Conv2DBackpropFilter kernel. The filter
// gradient is a correlation of the input with the output gradient; written as
// one forward Conv2D over batch-transposed tensors it runs on XNNPACK:
//   dW[kh,kw,ci,co] = sum_{n,oh,ow} x[n, oh*s+kh-p, ow*s+kw-p, ci] * dy[n,oh,ow,co]
// = conv2d(input = x^T [ci,H,W,n], filter = dy^T [OH,OW,n,co],
//          stride 1, dilation s, padding p)  -> [ci,KH',KW',co], cropped to KH x KW.
// XNNPACK packs its "filter" (here dy) on every call, which dominates when x has
// a single channel (an image: 1 GFLOP/s). Then the gradient is one matmul
//   dW[(kh,kw,ci), co] = A[(kh,kw,ci), (n,oh,ow)] x dy[(n,oh,ow), co]
// with A gathered from x in JavaScript (16 rows for a 4x4 kernel); measured 2x
// faster for 1 channel, slower from 4 channels on (the gather grows with them).

function viaMatMul(t: Temps, x: TensorInfo, dy: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const [n, h, w, ci] = x.shape;
  const [, oh, ow, co] = dy.shape;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const k = n * oh * ow;
  const a = t.alloc([1, kh * kw * ci, k]);
  const dst = heapF32(t.backend, a);
  const src = heapF32(t.backend, x);
  let d = 0;
  for (let p = 0; p < kh; p++) {
    for (let q = 0; q < kw; q++) {
      for (let c = 0; c < ci; c++) {
        for (let b = 0; b < n; b++) {
          for (let y = 0; y < oh; y++) {
            const i = y * sh + p - top;
            if (i < 0 || i >= h) {
              dst.fill(0, d, d + ow);
              d += ow;
              continue;
            }
            const row = (b * h + i) * w;
            for (let z = 0; z < ow; z++) {
              const j = z * sw + q - left;
              dst[d++] = j >= 0 && j < w ? src[(row + j) * ci + c] : 0;
            }
          }
        }
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
  // Pad the far side at least as far as the last tap reads (x is zero there);
  // tfjs' own shape rules can hand in a dy that reaches past the padding.
  const bottom = Math.max(info.padInfo.bottom, (dy.shape[1] - 1) * sh + kh - x.shape[1] - top);
  const right = Math.max(info.padInfo.right, (dy.shape[2] - 1) * sw + kw - x.shape[2] - left);
  return composed(backend, (t) => {
    if (x.shape[3] === 1) return viaMatMul(t, x, dy, info);
    const xT = t.run('Transpose', { x }, { perm: [3, 1, 2, 0] });
    const dyT = t.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
    // Extra bottom/right padding rows that the forward conv never read must not
    // enter the gradient: the crop below drops any output beyond KH x KW.
    const corr = t.run('Conv2D', { x: xT, filter: dyT }, {
      strides: [1, 1],
      pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
      dataFormat: 'NHWC',
      dilations: [sh, sw],
      dimRoundingMode: undefined,
    });
    const cropped =
      corr.shape[1] !== kh || corr.shape[2] !== kw
        ? t.run('Slice', { x: corr }, { begin: [0, 0, 0, 0], size: [corr.shape[0], kh, kw, corr.shape[3]] })
        : corr;
    return t.run('Transpose', { x: cropped }, { perm: [1, 2, 0, 3] });
  });
}
