import * as tf from '@tensorflow/tfjs';

// tfjs-backend-wasm 4.22 ships no Conv2DBackpropFilter kernel, so the gradient
// of every conv2d and conv2dTranspose fails on wasm. The filter gradient is a
// correlation of the input with the output gradient; written as one forward
// Conv2D over batch-transposed tensors it runs on wasm's fast XNNPACK conv:
//   dW[kh,kw,ci,co] = sum_{n,oh,ow} x[n, oh*s+kh-p, ow*s+kw-p, ci] * dy[n,oh,ow,co]
// = conv2d(input = x^T [ci,H,W,n], filter = dy^T [OH,OW,n,co],
//          stride 1, dilation s, padding p)  -> [ci,KH',KW',co], cropped to KH x KW.

type TensorInfo = tf.TensorInfo;
type KernelArgs = { inputs: Record<string, TensorInfo>; backend: tf.KernelBackend; attrs?: Record<string, unknown> };

function call(name: string, backend: tf.KernelBackend, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown>): TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`wasm kernel ${name} is missing`);
  return kernel.kernelFunc({ inputs, backend, attrs } as never) as TensorInfo;
}

function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as {
    strides: number | [number, number];
    pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  if (dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter on wasm supports NHWC only');
  const convInfo = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const [kh, kw] = [convInfo.filterHeight, convInfo.filterWidth];
  const { top, bottom, left, right } = convInfo.padInfo;
  const temps: TensorInfo[] = [];
  const keep = (t: TensorInfo) => (temps.push(t), t);
  try {
    const xT = keep(call('Transpose', backend, { x }, { perm: [3, 1, 2, 0] }));
    const dyT = keep(call('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] }));
    // Extra bottom/right padding rows that the forward conv never read must not
    // enter the gradient: the crop below drops any output beyond KH x KW.
    const corr = keep(
      call('Conv2D', backend, { x: xT, filter: dyT }, {
        strides: [1, 1],
        pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
        dataFormat: 'NHWC',
        dilations: [convInfo.strideHeight, convInfo.strideWidth],
        dimRoundingMode: undefined,
      }),
    );
    const needsCrop = corr.shape[1] !== kh || corr.shape[2] !== kw;
    const cropped = needsCrop
      ? keep(call('Slice', backend, { x: corr }, { begin: [0, 0, 0, 0], size: [corr.shape[0], kh, kw, corr.shape[3]] }))
      : corr;
    return call('Transpose', backend, { x: cropped }, { perm: [1, 2, 0, 3] });
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

// wasm's own Conv2DBackpropInput is a scalar loop, ~30x slower than its conv
// (it was 60% of a training step). The input gradient is a stride-1 forward
// conv of the zero-dilated output gradient with the spatially flipped,
// in/out-swapped filter:
//   dx[i] = sum_kh dyDilated[i + padTop - kh] * W[kh]
//         = conv2d(pad(dyDilated, k-1-padTop), flip(W)^T), stride 1.
function conv2DBackpropInput({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as {
    strides: number | [number, number];
    pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    inputShape: [number, number, number, number];
  };
  if (dataFormat === 'NCHW') throw new Error('Conv2DBackpropInput on wasm supports NHWC only');
  const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode);
  const [n, oh, ow, co] = dy.shape;
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw, inHeight, inWidth } = info;
  const temps: TensorInfo[] = [];
  const keep = (t: TensorInfo) => (temps.push(t), t);
  try {
    let dilated = dy;
    if (sh > 1 || sw > 1) {
      const six = keep(call('Reshape', backend, { x: dy }, { shape: [n, oh, 1, ow, 1, co] }));
      const padded = keep(
        call('PadV2', backend, { x: six }, {
          paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]],
          constantValue: 0,
        }),
      );
      dilated = keep(call('Reshape', backend, { x: padded }, { shape: [n, oh * sh, ow * sw, co] }));
    }
    const top = kh - 1 - info.padInfo.top;
    const left = kw - 1 - info.padInfo.left;
    let bottom = inHeight + kh - 1 - top - dilated.shape[1];
    let right = inWidth + kw - 1 - left - dilated.shape[2];
    if (bottom < 0 || right < 0) {
      dilated = keep(
        call('Slice', backend, { x: dilated }, {
          begin: [0, 0, 0, 0],
          size: [n, dilated.shape[1] + Math.min(bottom, 0), dilated.shape[2] + Math.min(right, 0), co],
        }),
      );
      bottom = Math.max(bottom, 0);
      right = Math.max(right, 0);
    }
    const flipped = keep(call('Reverse', backend, { x: filter }, { dims: [0, 1] }));
    const swapped = keep(call('Transpose', backend, { x: flipped }, { perm: [0, 1, 3, 2] }));
    return call('Conv2D', backend, { x: dilated, filter: swapped }, {
      strides: [1, 1],
      pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
      dataFormat: 'NHWC',
      dilations: [1, 1],
      dimRoundingMode: undefined,
    });
  } finally {
    for (const t of temps) if (t !== dy) backend.disposeData(t.dataId);
  }
}

let registered = false;

/**
 * Registers the composed conv gradients on wasm; idempotent. The built-in
 * Conv2DBackpropInput is replaced, so it is unregistered first.
 */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  if (tf.getKernel('Conv2DBackpropInput', 'wasm')) tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm'))
    tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc });
  tf.registerKernel({ kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: conv2DBackpropInput as unknown as tf.KernelFunc });
  registered = true;
}
