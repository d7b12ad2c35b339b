import * as tf from '@tensorflow/tfjs';
import { composed, heapF32, type KernelArgs, type Temps, type TensorInfo } from './wasm-call.js';
import { stridedCopy } from './wasm-copy.js';

// Conv2DBackpropInput (the input gradient of conv2d, and the forward pass of
// conv2dTranspose) on wasm's XNNPACK Conv2D/BatchMatMul, without multiplying
// zeros:
//
// * polyphase: output row i = m*s + phase only receives the filter taps
//   kh = r, r+s, r+2s, ... with r = (phase + padTop) mod s, so each phase is a
//   plain stride-1 conv of dy with a small flipped sub-filter; the phases are
//   then interleaved. A k4/s2 transposed conv becomes four 2x2 convs instead of
//   one 4x4 conv over a 4x larger zero-dilated dy.
// * when dx has few channels, XNNPACK is slow for convs with few output
//   channels, so all phases run as one conv over the union of their windows,
//   with s*s*Ci output channels (a few zero taps, one conv, one interleave).
// * for a single dx channel (an image), a matmul dy x W^T then col2im: as fast
//   at width 16, 2.3x faster at width 64 (measured).
// * a 1x1 dy (e.g. z in G's first layer) is a single matmul dy x W^T.

interface Axis {
  /** dy index offset of the first tap row for output m of this phase. */
  lo: number;
  /** taps (0 if the phase gets none). */
  taps: number;
  /** filter row of tap t (t = 0 reads the lowest dy row). */
  tap: (t: number) => number;
}

/** Output rows per phase, and each phase's taps, along one spatial axis. */
function phases(kernel: number, stride: number, padBefore: number): Axis[] {
  const out: Axis[] = [];
  for (let phase = 0; phase < stride; phase++) {
    const r = (phase + padBefore) % stride;
    const c = Math.floor((phase + padBefore) / stride);
    const taps = r < kernel ? Math.ceil((kernel - r) / stride) : 0;
    // dx[m*s + phase] = sum_t dy[m + c - t] * W[r + s*t]; listing taps from the
    // lowest dy row up reverses t.
    out.push({ lo: c - (taps - 1), taps, tap: (t) => r + stride * (taps - 1 - t) });
  }
  return out;
}

/**
 * Stride-1 conv of dy whose output row m reads dy rows m+lo .. m+lo+k-1 (zero
 * outside dy), producing exactly outH x outW rows/cols.
 */
function windowConv(t: Temps, dy: TensorInfo, filter: TensorInfo, loH: number, loW: number, outH: number, outW: number): TensorInfo {
  const [n, oh, ow] = dy.shape;
  const [kh, kw, , co] = filter.shape;
  let top = -loH;
  let left = -loW;
  let bottom = outH + kh - 1 - top - oh;
  let right = outW + kw - 1 - left - ow;
  let x = dy;
  if (top < 0 || left < 0 || bottom < 0 || right < 0) {
    const h0 = Math.max(0, -top);
    const w0 = Math.max(0, -left);
    const h = oh - h0 - Math.max(0, -bottom);
    const w = ow - w0 - Math.max(0, -right);
    if (h <= 0 || w <= 0) return t.zeros([n, outH, outW, co]);
    x = t.run('Slice', { x: dy }, { begin: [0, h0, w0, 0], size: [n, h, w, dy.shape[3]] });
    [top, left, bottom, right] = [Math.max(top, 0), Math.max(left, 0), Math.max(bottom, 0), Math.max(right, 0)];
  }
  return t.run('Conv2D', { x, filter }, {
    strides: [1, 1],
    pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
    dataFormat: 'NHWC',
    dilations: [1, 1],
    dimRoundingMode: undefined,
  });
}

/** dx for a 1x1 dy: dx[n, i, j] = dy[n] . W[i + padTop, j + padLeft]^T, a single matmul. */
function viaMatMul(t: Temps, dy: TensorInfo, filter: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const [kh, kw, ci, co] = filter.shape;
  const n = dy.shape[0];
  const { top, left } = info.padInfo;
  const wT = t.run('Transpose', { x: t.reshape(filter, [kh * kw * ci, co]) }, { perm: [1, 0] });
  const cols = t.run('BatchMatMul', { a: t.reshape(dy, [1, n, co]), b: t.reshape(wT, [1, co, kh * kw * ci]) }, {
    transposeA: false,
    transposeB: false,
  });
  let dx = t.reshape(cols, [n, kh, kw, ci]);
  const h = Math.min(info.inHeight, kh - top);
  const w = Math.min(info.inWidth, kw - left);
  if (top > 0 || left > 0 || h < kh || w < kw) dx = t.run('Slice', { x: dx }, { begin: [0, top, left, 0], size: [n, h, w, ci] });
  if (h < info.inHeight || w < info.inWidth)
    dx = t.run('PadV2', { x: dx }, { paddings: [[0, 0], [0, info.inHeight - h], [0, info.inWidth - w], [0, 0]], constantValue: 0 });
  return dx;
}

/**
 * Writes phase (ph, pw) of dx from a conv output: dx[n, m*sh+ph, q*sw+pw, :] =
 * src[n, m, q, slot, :], where a source pixel holds `slots` channel groups.
 */
function scatterPhase(t: Temps, dx: TensorInfo, src: TensorInfo, slots: number, slot: number, sh: number, sw: number, ph: number, pw: number): void {
  const [n, h, w, c] = dx.shape;
  const [, mh, mw] = src.shape;
  const pixel = slots * c;
  stridedCopy(t.backend, dx, (ph * w + pw) * c, src, slot * c, [
    { count: n, dst: h * w * c, src: mh * mw * pixel },
    { count: Math.min(mh, Math.ceil((h - ph) / sh)), dst: sh * w * c, src: mw * pixel },
    { count: Math.min(mw, Math.ceil((w - pw) / sw)), dst: sw * c, src: pixel },
  ], c);
}

/**
 * For few dx channels: cols = dy x W^T as one XNNPACK matmul (the small filter
 * is the packed operand), then col2im: each tap's columns added to the dx
 * pixels they feed, one strided pass per tap.
 */
function viaMatMulCol2Im(t: Temps, dy: TensorInfo, filter: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const [kh, kw, ci, co] = filter.shape;
  const [n, oh, ow] = dy.shape;
  const { inHeight: h, inWidth: w, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const taps = kh * kw * ci;
  const wT = t.run('Transpose', { x: t.reshape(filter, [taps, co]) }, { perm: [1, 0] });
  const cols = t.run('BatchMatMul', { a: t.reshape(dy, [1, n * oh * ow, co]), b: t.reshape(wT, [1, co, taps]) }, {
    transposeA: false,
    transposeB: false,
  });
  const dx = t.zeros([n, h, w, ci]);
  // dy rows/cols whose tap p lands inside dx: 0 <= o*s + p - pad < size.
  const range = (p: number, pad: number, s: number, size: number, outs: number) =>
    [Math.max(0, Math.ceil((pad - p) / s)), Math.min(outs, Math.floor((size - 1 + pad - p) / s) + 1)] as const;
  for (let p = 0; p < kh; p++) {
    const [y0, y1] = range(p, top, sh, h, oh);
    for (let q = 0; q < kw; q++) {
      const [z0, z1] = range(q, left, sw, w, ow);
      stridedCopy(t.backend, dx, ((y0 * sh + p - top) * w + (z0 * sw + q - left)) * ci, cols, (y0 * ow + z0) * taps + (p * kw + q) * ci, [
        { count: n, dst: h * w * ci, src: oh * ow * taps },
        { count: y1 - y0, dst: sh * w * ci, src: ow * taps },
        { count: z1 - z0, dst: sw * ci, src: taps },
      ], ci, true);
    }
  }
  return dx;
}

/** One conv for all phases: out channel (phH, phW, ci) of the union window. */
function viaMergedPhases(t: Temps, dy: TensorInfo, filter: TensorInfo, rows: Axis[], cols: Axis[], dxShape: number[]): TensorInfo {
  const [, kw, ci, co] = filter.shape;
  const span = (ax: Axis[]) => {
    const live = ax.filter((a) => a.taps > 0);
    const lo = Math.min(...live.map((a) => a.lo));
    return { lo, size: Math.max(...live.map((a) => a.lo + a.taps)) - lo };
  };
  const u = span(rows);
  const v = span(cols);
  const sh = rows.length;
  const sw = cols.length;
  const oc = sh * sw * ci;
  const f = t.zeros([u.size, v.size, co, oc]);
  const src = heapF32(t.backend, filter);
  const dst = heapF32(t.backend, f);
  rows.forEach((ra, ph) => {
    for (let a = 0; a < ra.taps; a++) {
      const fr = ra.tap(a);
      const ur = ra.lo + a - u.lo;
      cols.forEach((ca, pw) => {
        for (let b = 0; b < ca.taps; b++) {
          const fc = ca.tap(b);
          const vc = ca.lo + b - v.lo;
          const base = (ph * sw + pw) * ci;
          for (let c = 0; c < ci; c++) {
            const s0 = ((fr * kw + fc) * ci + c) * co;
            const d0 = (ur * v.size + vc) * co * oc + base + c;
            for (let o = 0; o < co; o++) dst[d0 + o * oc] = src[s0 + o];
          }
        }
      });
    }
  });
  const y = windowConv(t, dy, f, u.lo, v.lo, Math.ceil(dxShape[1] / sh), Math.ceil(dxShape[2] / sw));
  const dx = t.alloc(dxShape);
  for (let ph = 0; ph < sh; ph++) for (let pw = 0; pw < sw; pw++) scatterPhase(t, dx, y, sh * sw, ph * sw + pw, sh, sw, ph, pw);
  return dx;
}

/** One exact conv per phase, each scattered into its rows/cols of dx. */
function viaSeparatePhases(t: Temps, dy: TensorInfo, filter: TensorInfo, rows: Axis[], cols: Axis[], dxShape: number[]): TensorInfo {
  const [, kw, ci, co] = filter.shape;
  const sh = rows.length;
  const sw = cols.length;
  const outH = Math.ceil(dxShape[1] / sh);
  const outW = Math.ceil(dxShape[2] / sw);
  const phaseOut: (TensorInfo | null)[] = [];
  for (const ra of rows) {
    for (const ca of cols) {
      if (ra.taps === 0 || ca.taps === 0) {
        phaseOut.push(null);
        continue;
      }
      // Sub-filter [taps, taps, co, ci]: the conv maps dy's co channels to ci.
      const f = t.alloc([ra.taps, ca.taps, co, ci]);
      const src = heapF32(t.backend, filter);
      const dst = heapF32(t.backend, f);
      for (let a = 0; a < ra.taps; a++) {
        for (let b = 0; b < ca.taps; b++) {
          const s0 = (ra.tap(a) * kw + ca.tap(b)) * ci * co;
          const d0 = (a * ca.taps + b) * co * ci;
          for (let c = 0; c < ci; c++) for (let o = 0; o < co; o++) dst[d0 + o * ci + c] = src[s0 + c * co + o];
        }
      }
      phaseOut.push(windowConv(t, dy, f, ra.lo, ca.lo, outH, outW));
    }
  }
  if (sh * sw === 1) return phaseOut[0]!;
  const dx = phaseOut.includes(null) ? t.zeros(dxShape) : t.alloc(dxShape);
  phaseOut.forEach((y, i) => {
    if (y) scatterPhase(t, dx, y, 1, 0, sh, sw, Math.floor(i / sw), i % sw);
  });
  return dx;
}

// Below this many output channels per phase, one merged conv beats s*s convs
// (measured: XNNPACK runs a conv with 1 output channel at ~1.5 GFLOP/s).
const MERGE_BELOW_CHANNELS = 8;

export function conv2DBackpropInput({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as {
    strides: number | [number, number];
    pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    inputShape: [number, number, number, number];
  };
  if (dataFormat === 'NCHW') throw new Error('Conv2DBackpropInput on wasm supports NHWC only');
  const fShape = filter.shape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(inputShape, fShape, strides, 1, pad, dimRoundingMode);
  const [kh, kw, ci] = fShape;
  const { strideHeight: sh, strideWidth: sw, inHeight: h, inWidth: w } = info;
  const { top, left } = info.padInfo;
  return composed(backend, (t) => {
    if (dy.shape[1] === 1 && dy.shape[2] === 1 && top < kh && left < kw) return viaMatMul(t, dy, filter, info);
    if (ci === 1) return viaMatMulCol2Im(t, dy, filter, info);
    const rows = phases(kh, sh, top);
    const cols = phases(kw, sw, left);
    const dxShape = [dy.shape[0], h, w, ci];
    const anyTaps = rows.some((r) => r.taps > 0) && cols.some((c) => c.taps > 0);
    if (!anyTaps) return t.zeros(dxShape);
    const merge = sh * sw > 1 && ci < MERGE_BELOW_CHANNELS;
    return (merge ? viaMergedPhases : viaSeparatePhases)(t, dy, filter, rows, cols, dxShape);
  });
}
