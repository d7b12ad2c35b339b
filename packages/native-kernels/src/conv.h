// 2-D convolution in NHWC with HWIO filters (tfjs' layouts), forward and both
// gradients, on the packed GEMM.
#pragma once

#include "gemm.h"

namespace nk {

struct ConvShape {
  int n, h, w, ci;    // input x
  int kh, kw, co;     // filter [kh, kw, ci, co]
  int oh, ow;         // output y
  int sh, sw;         // strides
  int pt, pl;         // top / left padding
  int dh, dw;         // dilations
};

// y[n, oh, ow, co] = sum x[n, oy*sh - pt + kh*dh, ox*sw - pl + kw*dw, ci] * f[kh, kw, ci, co]
// e (bias per output channel, activation) is applied to y as it is produced.
void conv2d(const ConvShape& s, const float* x, const float* f, float* y, const Epilogue& e = {});
// dx from dy (the transposed convolution); dx is written, not accumulated.
void conv2d_backprop_input(const ConvShape& s, const float* dy, const float* f, float* dx);
// df from x and dy; df is written, not accumulated.
void conv2d_backprop_filter(const ConvShape& s, const float* x, const float* dy, float* df);

}  // namespace nk
