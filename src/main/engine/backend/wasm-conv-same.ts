import * as tf from '@tensorflow/tfjs';
import { runKernel, type KernelArgs, type TensorInfo } from './wasm-call.js';

// wasm's Conv2D/FusedConv2D hand 'same' padding to XNNPACK as its TensorFlow
// SAME flag, which pads differently from tfjs for some shapes (e.g. a 1-row
// kernel with row stride 2: results off by ~100%). Spelling the padding out as
// tfjs computes it gives the right answer at the same speed.

function explicitSame(x: TensorInfo, filter: TensorInfo, attrs: KernelArgs['attrs']): KernelArgs['attrs'] {
  if (attrs.pad !== 'same') return attrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides as [number, number],
    attrs.dilations as [number, number],
    'same',
    undefined,
    false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat as 'NHWC' | 'NCHW'),
  );
  const { top, bottom, left, right } = info.padInfo;
  return { ...attrs, pad: [[0, 0], [top, bottom], [left, right], [0, 0]] };
}

export function conv2D({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  return runKernel('Conv2D', backend, inputs, explicitSame(inputs.x, inputs.filter, attrs));
}

export function fusedConv2D({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  return runKernel('FusedConv2D', backend, inputs, explicitSame(inputs.x, inputs.filter, attrs));
}
