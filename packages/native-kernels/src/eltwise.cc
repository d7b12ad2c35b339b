#include "eltwise.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "pool.h"

#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__)
// One clone per ISA, chosen at load time (ifunc): the compiler's vectoriser
// then uses AVX-512 or AVX2 where the CPU has them.
#define NK_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define NK_CLONES
#endif

namespace nk {
namespace {

constexpr int64_t kGrain = 1 << 15;  // elements per task, below which one thread is faster

// Splits [0, n) into pieces for the pool; fn(begin, end).
template <typename F>
void split(int64_t n, int64_t grain, F&& fn) {
  if (n <= 0) return;
  int T = pool_threads();
  int64_t parts = std::min<int64_t>(T * 4, std::max<int64_t>(1, n / grain));
  if (parts <= 1) {
    fn(int64_t(0), n);
    return;
  }
  parallel_for((int)parts, [&](int p) { fn(n * p / parts, n * (p + 1) / parts); });
}

template <int OP>
inline float bin(float a, float b) {
  if (OP == kAdd) return a + b;
  if (OP == kSub) return a - b;
  if (OP == kMul) return a * b;
  if (OP == kDiv) return a / b;
  float d = a - b;
  return d * d;
}

template <int OP>
NK_CLONES void row_vv(const float* a, const float* b, float* o, int64_t n) {
  for (int64_t i = 0; i < n; i++) o[i] = bin<OP>(a[i], b[i]);
}
template <int OP>
NK_CLONES void row_vs(const float* a, float b, float* o, int64_t n) {
  for (int64_t i = 0; i < n; i++) o[i] = bin<OP>(a[i], b);
}
template <int OP>
NK_CLONES void row_sv(float a, const float* b, float* o, int64_t n) {
  for (int64_t i = 0; i < n; i++) o[i] = bin<OP>(a, b[i]);
}

template <int OP>
void binary_op(const float* a, const int64_t* sa, const float* b, const int64_t* sb, float* out, const int64_t* shape,
               int ndim) {
  const int64_t L = shape[ndim - 1];
  const int64_t ia = sa[ndim - 1], ib = sb[ndim - 1];
  int64_t rows = 1;
  for (int d = 0; d < ndim - 1; d++) rows *= shape[d];
  split(rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(L, 1)), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      int64_t oa = 0, ob = 0, rem = r;
      for (int d = ndim - 2; d >= 0; d--) {
        int64_t idx = rem % shape[d];
        rem /= shape[d];
        oa += idx * sa[d];
        ob += idx * sb[d];
      }
      float* o = out + r * L;
      if (ia && ib) row_vv<OP>(a + oa, b + ob, o, L);
      else if (ia) row_vs<OP>(a + oa, b[ob], o, L);
      else if (ib) row_sv<OP>(a[oa], b + ob, o, L);
      else std::fill(o, o + L, bin<OP>(a[oa], b[ob]));
    }
  });
}

// exp and tanh in plain arithmetic the vectoriser handles (libm's are scalar
// calls): exp by 2^n * polynomial(r), |r| <= ln2/2, ~2 ulp; tanh by the
// rational approximation Eigen uses for float, ~2 ulp on [-7.9, 7.9] (and +-1
// beyond, where float tanh rounds to +-1).
inline float fast_exp(float x0) {
  float x = x0 < -87.3f ? -87.3f : (x0 > 88.7f ? 88.7f : x0);
  float n = std::floor(x * 1.44269504088896341f + 0.5f);
  float r = x - n * 0.693359375f - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.f;
  int32_t bits = ((int32_t)n + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return x0 > 88.7228f ? INFINITY : (x0 < -87.3f ? 0.f : p * scale);
}

inline float fast_tanh(float x) {
  const float c = 7.90531110763549805f;
  float xc = x < -c ? -c : (x > c ? c : x);
  float x2 = xc * xc;
  float p = -2.76076847742355e-16f;
  p = p * x2 + 2.00018790482477e-13f;
  p = p * x2 + -8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-08f;
  p = p * x2 + 1.48572235717979e-05f;
  p = p * x2 + 6.37261928875436e-04f;
  p = p * x2 + 4.89352455891786e-03f;
  p = p * xc;
  float q = 1.19825839466702e-06f;
  q = q * x2 + 1.18534705686654e-04f;
  q = q * x2 + 2.26843463243900e-03f;
  q = q * x2 + 4.89352518554385e-03f;
  float t = p / q;
  return (x < 4e-4f && x > -4e-4f) ? x : t;
}

template <int OP>
NK_CLONES void unary_range(const float* x, float* o, int64_t n, float alpha) {
  for (int64_t i = 0; i < n; i++) {
    float v = x[i];
    float r;
    if (OP == kNeg) r = -v;
    else if (OP == kSquare) r = v * v;
    else if (OP == kSqrt) r = std::sqrt(v);
    else if (OP == kRsqrt) r = 1.f / std::sqrt(v);
    else if (OP == kExp) r = v != v ? v : fast_exp(v);
    else if (OP == kLog) r = std::log(v);
    else if (OP == kAbs) r = std::fabs(v);
    else if (OP == kRelu) r = v < 0.f ? 0.f : v;
    else if (OP == kLeakyRelu) r = v < 0.f ? alpha * v : v;
    else if (OP == kTanh) r = v != v ? v : fast_tanh(v);
    else if (OP == kSigmoid) r = v != v ? v : 1.f / (1.f + fast_exp(-v));
    else if (OP == kStep) r = v != v ? v : (v > 0.f ? 1.f : alpha);
    else if (OP == kReciprocal) r = 1.f / v;
    else if (OP == kLog1p) r = std::log1p(v);
    else r = v < 0.f ? 0.f : (v > 6.f ? 6.f : v);
    o[i] = r;
  }
}

template <int OP>
void unary_op(const float* x, float* out, int64_t n, float alpha) {
  split(n, kGrain, [&](int64_t a, int64_t b) { unary_range<OP>(x + a, out + a, b - a, alpha); });
}

// Sum of a contiguous run with 16 independent lanes (vectorisable, and more
// accurate than one running float).
NK_CLONES double sum_run(const float* x, int64_t n) {
  float lanes[16] = {};
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int j = 0; j < 16; j++) lanes[j] += x[i + j];
  double s = 0;
  for (int j = 0; j < 16; j++) s += lanes[j];
  for (; i < n; i++) s += x[i];
  return s;
}

NK_CLONES void add_rows(float* acc, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; i++) acc[i] += x[i];
}

void reduce_sum(const float* x, float* out, int64_t outer, int64_t red, int64_t inner, double scale) {
  if (inner == 1) {
    if (outer >= pool_threads() * 2 || red < kGrain) {
      split(outer, std::max<int64_t>(1, kGrain / std::max<int64_t>(red, 1)), [&](int64_t a, int64_t b) {
        for (int64_t o = a; o < b; o++) out[o] = (float)(sum_run(x + o * red, red) * scale);
      });
      return;
    }
    for (int64_t o = 0; o < outer; o++) {
      const float* xo = x + o * red;
      int T = pool_threads();
      std::vector<double> part(T * 4, 0.0);
      int parts = (int)std::min<int64_t>(T * 4, red / 4096 + 1);
      parallel_for(parts, [&](int p) {
        int64_t a = red * p / parts, b = red * (p + 1) / parts;
        part[p] = sum_run(xo + a, b - a);
      });
      double s = 0;
      for (int p = 0; p < parts; p++) s += part[p];
      out[o] = (float)(s * scale);
    }
    return;
  }
  // Reduce over rows of `inner` floats: per-thread float partials over blocks of
  // rows, summed in double.
  for (int64_t o = 0; o < outer; o++) {
    const float* xo = x + o * red * inner;
    int T = pool_threads();
    int parts = (int)std::min<int64_t>(T * 2, std::max<int64_t>(1, red * inner / kGrain));
    std::vector<double> acc((size_t)parts * inner, 0.0);
    parallel_for(parts, [&](int p) {
      int64_t a = red * p / parts, b = red * (p + 1) / parts;
      std::vector<float> blk(inner);
      double* ap = acc.data() + (size_t)p * inner;
      for (int64_t r0 = a; r0 < b; r0 += 64) {
        std::fill(blk.begin(), blk.end(), 0.f);
        int64_t r1 = std::min(b, r0 + 64);
        for (int64_t r = r0; r < r1; r++) add_rows(blk.data(), xo + r * inner, inner);
        for (int64_t i = 0; i < inner; i++) ap[i] += blk[i];
      }
    });
    for (int64_t i = 0; i < inner; i++) {
      double s = 0;
      for (int p = 0; p < parts; p++) s += acc[(size_t)p * inner + i];
      out[o * inner + i] = (float)(s * scale);
    }
  }
}

// NaN wins, as in tfjs: once a lane holds NaN no comparison replaces it.
template <bool MAX>
inline float pick(float best, float v) {
  return (v != v || (MAX ? v > best : v < best)) ? v : best;
}

// Extreme of a contiguous run in 16 lanes (vectorisable).
template <bool MAX>
NK_CLONES float extreme_run(const float* x, int64_t n) {
  float lanes[16];
  for (int j = 0; j < 16; j++) lanes[j] = x[0];
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int j = 0; j < 16; j++) lanes[j] = pick<MAX>(lanes[j], x[i + j]);
  float best = lanes[0];
  for (int j = 1; j < 16; j++) best = pick<MAX>(best, lanes[j]);
  for (; i < n; i++) best = pick<MAX>(best, x[i]);
  return best;
}

// Row-wise extreme over `red` rows of `inner` floats into out[inner].
template <bool MAX>
NK_CLONES void extreme_rows(const float* x, int64_t red, int64_t inner, float* out) {
  for (int64_t i = 0; i < inner; i++) out[i] = x[i];
  for (int64_t r = 1; r < red; r++) {
    const float* xr = x + r * inner;
    for (int64_t i = 0; i < inner; i++) out[i] = pick<MAX>(out[i], xr[i]);
  }
}

template <bool MAX>
void reduce_extreme(const float* x, float* out, int64_t outer, int64_t red, int64_t inner) {
  if (inner == 1) {
    split(outer, std::max<int64_t>(1, kGrain / std::max<int64_t>(red, 1)), [&](int64_t a, int64_t b) {
      for (int64_t o = a; o < b; o++) out[o] = extreme_run<MAX>(x + o * red, red);
    });
    return;
  }
  split(outer, std::max<int64_t>(1, kGrain / std::max<int64_t>(red * inner, 1)), [&](int64_t a, int64_t b) {
    for (int64_t o = a; o < b; o++) extreme_rows<MAX>(x + o * red * inner, red, inner, out + o * inner);
  });
}

}  // namespace

void binary(int op, const float* a, const int64_t* sa, const float* b, const int64_t* sb, float* out,
            const int64_t* shape, int ndim) {
  switch (op) {
    case kAdd: return binary_op<kAdd>(a, sa, b, sb, out, shape, ndim);
    case kSub: return binary_op<kSub>(a, sa, b, sb, out, shape, ndim);
    case kMul: return binary_op<kMul>(a, sa, b, sb, out, shape, ndim);
    case kDiv: return binary_op<kDiv>(a, sa, b, sb, out, shape, ndim);
    default: return binary_op<kSquaredDiff>(a, sa, b, sb, out, shape, ndim);
  }
}

void unary(int op, const float* x, float* out, int64_t n, float alpha) {
  switch (op) {
    case kNeg: return unary_op<kNeg>(x, out, n, alpha);
    case kSquare: return unary_op<kSquare>(x, out, n, alpha);
    case kSqrt: return unary_op<kSqrt>(x, out, n, alpha);
    case kRsqrt: return unary_op<kRsqrt>(x, out, n, alpha);
    case kExp: return unary_op<kExp>(x, out, n, alpha);
    case kLog: return unary_op<kLog>(x, out, n, alpha);
    case kAbs: return unary_op<kAbs>(x, out, n, alpha);
    case kRelu: return unary_op<kRelu>(x, out, n, alpha);
    case kLeakyRelu: return unary_op<kLeakyRelu>(x, out, n, alpha);
    case kTanh: return unary_op<kTanh>(x, out, n, alpha);
    case kSigmoid: return unary_op<kSigmoid>(x, out, n, alpha);
    case kStep: return unary_op<kStep>(x, out, n, alpha);
    case kReciprocal: return unary_op<kReciprocal>(x, out, n, alpha);
    case kLog1p: return unary_op<kLog1p>(x, out, n, alpha);
    default: return unary_op<kRelu6>(x, out, n, alpha);
  }
}

void reduce(int op, const float* x, float* out, int64_t outer, int64_t red, int64_t inner) {
  if (red == 0) {
    float v = op == kMax ? -INFINITY : op == kMin ? INFINITY : op == kMean ? NAN : 0.f;
    std::fill(out, out + outer * inner, v);
    return;
  }
  if (op == kSum) return reduce_sum(x, out, outer, red, inner, 1.0);
  if (op == kMean) return reduce_sum(x, out, outer, red, inner, 1.0 / (double)red);
  if (op == kMax) return reduce_extreme<true>(x, out, outer, red, inner);
  return reduce_extreme<false>(x, out, outer, red, inner);
}

namespace {
NK_CLONES void affine_row(const float* x, const float* mean, const float* a, const float* off, float* y, int c) {
  for (int i = 0; i < c; i++) y[i] = (x[i] - mean[i]) * a[i] + off[i];
}
}  // namespace

void batch_norm(const float* x, const float* mean, int lm, const float* var, int lv, const float* scale, int ls,
                const float* offset, int lo, float eps, float* y, int64_t rows, int c) {
  std::vector<float> m(c), a(c), off(c);
  for (int i = 0; i < c; i++) {
    double v = var[lv == 1 ? 0 : i];
    double s = scale ? scale[ls == 1 ? 0 : i] : 1.0;
    m[i] = mean[lm == 1 ? 0 : i];
    a[i] = (float)(s / std::sqrt(v + eps));
    off[i] = offset ? offset[lo == 1 ? 0 : i] : 0.f;
  }
  split(rows, std::max<int64_t>(1, kGrain / c), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) affine_row(x + r * c, m.data(), a.data(), off.data(), y + r * c, c);
  });
}

namespace {
NK_CLONES void bn_grad_rows(const float* x, const float* dy, const float* mean, const float* g, float* dx, int64_t nrows,
                            int c, float* s_dy, float* s_dyxc) {
  for (int64_t r = 0; r < nrows; r++) {
    const float* xr = x + r * c;
    const float* dr = dy + r * c;
    float* o = dx + r * c;
    for (int i = 0; i < c; i++) {
      float d = dr[i];
      s_dy[i] += d;
      s_dyxc[i] += d * (xr[i] - mean[i]);
      o[i] = d * g[i];
    }
  }
}
}  // namespace

void batch_norm_grad(const float* x, const float* dy, const float* mean, const float* var, const float* scale,
                     float eps, int64_t rows, int c, float* dx, float* dmean, float* dvar, float* dscale,
                     float* doffset) {
  std::vector<double> rstd(c);
  std::vector<float> g(c);
  for (int i = 0; i < c; i++) {
    rstd[i] = 1.0 / std::sqrt((double)var[i] + eps);
    g[i] = (float)((scale ? scale[i] : 1.0) * rstd[i]);
  }
  int T = pool_threads();
  int parts = (int)std::min<int64_t>(T * 2, std::max<int64_t>(1, rows * c / kGrain));
  std::vector<double> acc((size_t)parts * 2 * c, 0.0);
  parallel_for(parts, [&](int p) {
    int64_t a = rows * p / parts, b = rows * (p + 1) / parts;
    std::vector<float> s1(c), s2(c);
    double* ap = acc.data() + (size_t)p * 2 * c;
    for (int64_t r0 = a; r0 < b; r0 += 64) {
      std::fill(s1.begin(), s1.end(), 0.f);
      std::fill(s2.begin(), s2.end(), 0.f);
      int64_t n = std::min<int64_t>(64, b - r0);
      bn_grad_rows(x + r0 * c, dy + r0 * c, mean, g.data(), dx + r0 * c, n, c, s1.data(), s2.data());
      for (int i = 0; i < c; i++) {
        ap[i] += s1[i];
        ap[c + i] += s2[i];
      }
    }
  });
  for (int i = 0; i < c; i++) {
    double sdy = 0, sdyxc = 0;
    for (int p = 0; p < parts; p++) {
      sdy += acc[(size_t)p * 2 * c + i];
      sdyxc += acc[(size_t)p * 2 * c + c + i];
    }
    double s = scale ? scale[i] : 1.0, r = rstd[i];
    if (dmean) dmean[i] = (float)(-r * s * sdy);
    if (dvar) dvar[i] = (float)(-0.5 * r * r * r * s * sdyxc);
    if (dscale) dscale[i] = (float)(r * sdyxc);
    if (doffset) doffset[i] = (float)sdy;
  }
}

namespace {
NK_CLONES void lrelu_grad_range(const float* x, const float* dy, float alpha, float* dx, int64_t n) {
  for (int64_t i = 0; i < n; i++) dx[i] = x[i] > 0.f ? dy[i] : dy[i] * alpha;
}
NK_CLONES void relu_grad_range(const float* x, const float* dy, float* dx, int64_t n) {
  for (int64_t i = 0; i < n; i++) dx[i] = x[i] > 0.f ? dy[i] : (x[i] != x[i] ? x[i] * dy[i] : 0.f * dy[i]);
}
NK_CLONES void tanh_grad_range(const float* y, const float* dy, float* dx, int64_t n) {
  for (int64_t i = 0; i < n; i++) dx[i] = (1.f - y[i] * y[i]) * dy[i];
}
NK_CLONES void square_grad_range(const float* x, const float* dy, float* dx, int64_t n) {
  for (int64_t i = 0; i < n; i++) dx[i] = dy[i] * (x[i] * 2.f);
}
NK_CLONES void centered_square_row(const float* x, const float* mean, const float* dy, float* dx, int c) {
  for (int i = 0; i < c; i++) dx[i] = dy[i] * ((x[i] - mean[i]) * 2.f);
}
NK_CLONES void scale_copy(const float* x, float s, float* o, int64_t n) {
  for (int64_t i = 0; i < n; i++) o[i] = x[i] * s;
}
}  // namespace

void leaky_relu_grad(const float* x, const float* dy, float alpha, float* dx, int64_t n) {
  split(n, kGrain, [&](int64_t a, int64_t b) { lrelu_grad_range(x + a, dy + a, alpha, dx + a, b - a); });
}
void relu_grad(const float* x, const float* dy, float* dx, int64_t n) {
  split(n, kGrain, [&](int64_t a, int64_t b) { relu_grad_range(x + a, dy + a, dx + a, b - a); });
}
void tanh_grad(const float* y, const float* dy, float* dx, int64_t n) {
  split(n, kGrain, [&](int64_t a, int64_t b) { tanh_grad_range(y + a, dy + a, dx + a, b - a); });
}
void square_grad(const float* x, const float* dy, float* dx, int64_t n) {
  split(n, kGrain, [&](int64_t a, int64_t b) { square_grad_range(x + a, dy + a, dx + a, b - a); });
}
void centered_square_grad(const float* x, const float* mean, const float* dy, float* dx, int64_t rows, int c) {
  split(rows, std::max<int64_t>(1, kGrain / std::max(c, 1)), [&](int64_t a, int64_t b) {
    for (int64_t r = a; r < b; r++) centered_square_row(x + r * c, mean, dy + r * c, dx + r * c, c);
  });
}

void broadcast_rows(const float* x, int64_t inner, float scale, float* out, int64_t rows) {
  split(rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(inner, 1)), [&](int64_t a, int64_t b) {
    for (int64_t r = a; r < b; r++) scale_copy(x, scale, out + r * inner, inner);
  });
}

void tile(const float* x, const int64_t* xshape, const int64_t* reps, int ndim, float* out) {
  // Output rows of the last dim; each is the source row repeated reps[last] times.
  int64_t last = xshape[ndim - 1], olast = last * reps[ndim - 1];
  std::vector<int64_t> oshape(ndim), xstride(ndim);
  int64_t orows = 1;
  for (int d = 0; d < ndim; d++) oshape[d] = xshape[d] * reps[d];
  for (int d = 0; d < ndim - 1; d++) orows *= oshape[d];
  xstride[ndim - 1] = 1;
  for (int d = ndim - 2; d >= 0; d--) xstride[d] = xstride[d + 1] * xshape[d + 1];
  split(orows, std::max<int64_t>(1, kGrain / std::max<int64_t>(olast, 1)), [&](int64_t a, int64_t b) {
    for (int64_t r = a; r < b; r++) {
      int64_t rem = r, off = 0;
      for (int d = ndim - 2; d >= 0; d--) {
        int64_t idx = rem % oshape[d];
        rem /= oshape[d];
        off += (idx % xshape[d]) * xstride[d];
      }
      float* o = out + r * olast;
      for (int64_t k = 0; k < reps[ndim - 1]; k++) std::memcpy(o + k * last, x + off, last * sizeof(float));
    }
  });
}

namespace {
NK_CLONES void lerp_rows(const float* top, const float* bot, float f, float* out, size_t n) {
  for (size_t i = 0; i < n; i++) out[i] = top[i] + (bot[i] - top[i]) * f;
}
}  // namespace

void resize_bilinear(const float* x, int n, int h, int w, int c, int oh, int ow, bool align_corners, bool half_pixel,
                     float* out) {
  const double ry = (double)((align_corners && oh > 1) ? h - 1 : h) / ((align_corners && oh > 1) ? oh - 1 : oh);
  const double rx = (double)((align_corners && ow > 1) ? w - 1 : w) / ((align_corners && ow > 1) ? ow - 1 : ow);
  struct Tap {
    int lo, hi;
    float frac;
  };
  // Source positions as tfjs computes them (in double); the blend in float.
  auto taps = [&](int out_size, int in_size, double ratio) {
    std::vector<Tap> t(out_size);
    for (int i = 0; i < out_size; i++) {
      double src = half_pixel ? ratio * (i + 0.5) - 0.5 : ratio * i;
      int lo = std::max(0, (int)std::floor(src));
      t[i] = {lo, std::min(in_size - 1, (int)std::ceil(src)), (float)(src - lo)};
    }
    return t;
  };
  std::vector<Tap> ty = taps(oh, h, ry), tx = taps(ow, w, rx);
  const size_t orow = (size_t)ow * c;
  // Per image: each source row blended horizontally once, then each output
  // row is a blend of two of those (contiguous, vectorisable).
  split(n, std::max<int64_t>(1, kGrain / std::max<int64_t>(1, (int64_t)oh * orow)), [&](int64_t a, int64_t b) {
    std::vector<float> hrows((size_t)h * orow);
    for (int64_t bi = a; bi < b; bi++) {
      const float* img = x + (size_t)bi * h * w * c;
      for (int yy = 0; yy < h; yy++) {
        const float* src = img + (size_t)yy * w * c;
        float* dst = hrows.data() + (size_t)yy * orow;
        for (int xo = 0; xo < ow; xo++) {
          const Tap& t = tx[xo];
          for (int ch = 0; ch < c; ch++) {
            float l = src[(size_t)t.lo * c + ch], r = src[(size_t)t.hi * c + ch];
            dst[(size_t)xo * c + ch] = l + (r - l) * t.frac;
          }
        }
      }
      float* o = out + (size_t)bi * oh * orow;
      for (int y = 0; y < oh; y++, o += orow) lerp_rows(hrows.data() + (size_t)ty[y].lo * orow, hrows.data() + (size_t)ty[y].hi * orow, ty[y].frac, o, orow);
    }
  });
}

}  // namespace nk
