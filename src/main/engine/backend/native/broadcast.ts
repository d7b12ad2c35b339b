import * as tf from '@tensorflow/tfjs';
import { stridesOf } from './kernel-util.js';

export interface BroadcastPlan {
  outShape: number[];
  /** Collapsed iteration shape and per-input strides (0 = broadcast). */
  shape: Int32Array;
  aStrides: Int32Array;
  bStrides: Int32Array;
}

/**
 * How a binary op walks its inputs: tfjs' broadcast rules, with unit dims
 * dropped and neighbouring dims merged while both inputs stay contiguous (or
 * both broadcast) across them, so that x[N,H,W,C] op b[C] runs as [NHW, C] rows.
 */
export function broadcastPlan(aShape: number[], bShape: number[]): BroadcastPlan {
  const outShape = tf.broadcast_util.assertAndGetBroadcastShape(aShape, bShape);
  const rank = outShape.length;
  const pad = (s: number[]) => [...new Array<number>(rank - s.length).fill(1), ...s];
  const ap = pad(aShape);
  const bp = pad(bShape);
  const as = stridesOf(ap).map((s, d) => (ap[d] === 1 ? 0 : s));
  const bs = stridesOf(bp).map((s, d) => (bp[d] === 1 ? 0 : s));
  const dims: number[] = [];
  const sa: number[] = [];
  const sb: number[] = [];
  for (let d = 0; d < rank; d++) {
    if (outShape[d] === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && sa[last] === as[d] * outShape[d] && sb[last] === bs[d] * outShape[d]) {
      dims[last] *= outShape[d];
      sa[last] = as[d];
      sb[last] = bs[d];
    } else {
      dims.push(outShape[d]);
      sa.push(as[d]);
      sb.push(bs[d]);
    }
  }
  if (dims.length === 0) {
    dims.push(1);
    sa.push(0);
    sb.push(0);
  }
  // The innermost loop needs unit or zero strides: append a unit dim otherwise.
  if (sa[sa.length - 1] > 1 || sb[sb.length - 1] > 1) {
    dims.push(1);
    sa.push(0);
    sb.push(0);
  }
  return { outShape, shape: Int32Array.from(dims), aStrides: Int32Array.from(sa), bStrides: Int32Array.from(sb) };
}
