// Memory-bound kernels: broadcasting binary ops, unary maps, reductions over a
// contiguous axis range, batch norm and the fused gradients tfjs spreads over
// many small ops. All float32, multi-threaded over the pool.
#pragma once
#include <cstdint>

namespace nk {

enum BinaryOp { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3, kSquaredDiff = 4 };

// out has `ndim` dims (shape); a and b are read with per-dim strides (0 =
// broadcast). The last dim's strides must be 0 or 1.
void binary(int op, const float* a, const int64_t* sa, const float* b, const int64_t* sb, float* out,
            const int64_t* shape, int ndim);

enum UnaryOp {
  kNeg = 0, kSquare, kSqrt, kRsqrt, kExp, kLog, kAbs, kRelu, kLeakyRelu, kTanh, kSigmoid, kStep, kReciprocal,
  kLog1p, kRelu6
};
void unary(int op, const float* x, float* out, int64_t n, float alpha);

enum ReduceOp { kSum = 0, kMean, kMax, kMin };
// x viewed as [outer, red, inner]; out is [outer, inner].
void reduce(int op, const float* x, float* out, int64_t outer, int64_t red, int64_t inner);

// y = (x - mean) * scale / sqrt(var + eps) + offset, params of length 1 or C
// (the last dim); a null scale/offset means 1/0.
void batch_norm(const float* x, const float* mean, int lm, const float* var, int lv, const float* scale, int ls,
                const float* offset, int lo, float eps, float* y, int64_t rows, int c);

// The gradient of batch_norm with respect to each input (tfjs' FusedBatchNorm
// gradient, fused): dx = dy*scale*rstd; per channel dmean = -sum(dy*scale)*rstd,
// dvar = -0.5*rstd^3*sum(dy*scale*(x-mean)), dscale = sum(dy*(x-mean))*rstd,
// doffset = sum(dy). Params have length C (scale may be null).
void batch_norm_grad(const float* x, const float* dy, const float* mean, const float* var, const float* scale,
                     float eps, int64_t rows, int c, float* dx, float* dmean, float* dvar, float* dscale,
                     float* doffset);

// Elementwise gradients.
void leaky_relu_grad(const float* x, const float* dy, float alpha, float* dx, int64_t n);
void relu_grad(const float* x, const float* dy, float* dx, int64_t n);
void tanh_grad(const float* y, const float* dy, float* dx, int64_t n);
// dx = 2 * x * dy
void square_grad(const float* x, const float* dy, float* dx, int64_t n);
// dx = 2 * (x - mean[c]) * dy over rows of c channels (the gradient of (x - mean)^2).
void centered_square_grad(const float* x, const float* mean, const float* dy, float* dx, int64_t rows, int c);
// out[r, :] = x[:] * scale for every row r (a broadcast of a reduced gradient).
void broadcast_rows(const float* x, int64_t inner, float scale, float* out, int64_t rows);

// tfjs Tile: out = x repeated reps times along each dim.
void tile(const float* x, const int64_t* xshape, const int64_t* reps, int ndim, float* out);

// tfjs ResizeBilinear on NHWC float32 (same index arithmetic, in double).
void resize_bilinear(const float* x, int n, int h, int w, int c, int oh, int ow, bool align_corners, bool half_pixel,
                     float* out);

}  // namespace nk
