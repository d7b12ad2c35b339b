#include "conv.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "gemm.h"
#include "pool.h"
#include "ukernels.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#endif

#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__)
#define NK_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define NK_CLONES
#endif

namespace nk {
namespace {

// Adds a[i]*b[i] into 16 independent lanes (vectorisable without reassociating).
inline void dot_lanes(float* lanes, const float* a, const float* b, int n) {
  int i = 0;
  for (; i + 16 <= n; i += 16)
    for (int j = 0; j < 16; j++) lanes[j] += a[i + j] * b[i + j];
  for (; i < n; i++) lanes[i & 15] += a[i] * b[i];
}

inline float sum_lanes(const float* lanes) {
  float s = 0.f;
  for (int j = 0; j < 16; j++) s += lanes[j];
  return s;
}

// A run of zeros standing in for taps outside the input (scratch slot 2).
const float* zeros(size_t n) {
  float* z = scratch(2, n + 64);
  std::memset(z, 0, (n + 64) * sizeof(float));
  return z;
}

// Patch rows of a convolution's input: for output pixel m, segment s of S.
struct Segments : RowPointers {
  // out[s*stride + p] = segment s of pixel m0 + p, for p < count.
  virtual void pixels(int m0, int count, const float** out, int stride) const = 0;
  // Whether reading a few floats past a segment stays inside owned memory.
  bool overread = false;
  void fill(int m0, int mv, const float** table, int mr) const override {
    pixels(m0, mv, table, mr);
    for (int s = 0; s < S; s++)
      for (int i = mv; i < mr; i++) table[(size_t)s * mr + i] = table[(size_t)s * mr];
  }
};

// Walks output pixels m0, m0+1, ... as (n, oy, ox) without dividing per pixel.
struct PixelWalk {
  int n, oy, ox, oh, ow;
  PixelWalk(int m, int oh_, int ow_) : oh(oh_), ow(ow_) {
    int ohw = oh * ow;
    n = m / ohw;
    int r = m % ohw;
    oy = r / ow;
    ox = r % ow;
  }
  void next() {
    if (++ox == ow) {
      ox = 0;
      if (++oy == oh) {
        oy = 0;
        n++;
      }
    }
  }
};

// One segment per filter tap (L = ci); taps outside the input read zeros.
struct TapSegments : Segments {
  const ConvShape& s;
  const float* x;
  const float* zero;
  TapSegments(const ConvShape& sh, const float* xp) : s(sh), x(xp), zero(zeros(sh.ci)) {
    S = sh.kh * sh.kw;
    L = sh.ci;
  }
  void pixels(int m0, int count, const float** out, int stride) const override {
    PixelWalk w(m0, s.oh, s.ow);
    for (int p = 0; p < count; p++, w.next()) {
      const float* xn = x + (size_t)w.n * s.h * s.w * s.ci;
      int ix0 = w.ox * s.sw - s.pl;
      for (int ky = 0; ky < s.kh; ky++) {
        int iy = w.oy * s.sh - s.pt + ky * s.dh;
        const float** o = out + (size_t)ky * s.kw * stride + p;
        if (iy < 0 || iy >= s.h) {
          for (int kx = 0; kx < s.kw; kx++) o[(size_t)kx * stride] = zero;
          continue;
        }
        const float* row = xn + (size_t)iy * s.w * s.ci;
        for (int kx = 0, ix = ix0; kx < s.kw; kx++, ix += s.dw)
          o[(size_t)kx * stride] = ix >= 0 && ix < s.w ? row + (size_t)ix * s.ci : zero;
      }
    }
  }
};

// One segment per filter row (L = kw*ci): in NHWC a filter row's kw taps are
// one contiguous run of the input, so interior windows point straight into x.
// Windows cut by the left/right padding are copied, zero-filled, into a small
// side buffer (scratch slot 3); rows above/below the input read zeros.
struct RowSegments : Segments {
  const ConvShape& s;
  const float* x;
  const float* zero;
  std::vector<int> slot;  // per ox: -1 for an interior window, else its index among border windows
  int nborder = 0;
  float* edges = nullptr;
  RowSegments(const ConvShape& sh, const float* xp) : s(sh), x(xp) {
    S = sh.kh;
    L = sh.kw * sh.ci;
    zero = zeros(L);
    slot.assign(sh.ow, -1);
    for (int ox = 0; ox < sh.ow; ox++) {
      int ix0 = ox * sh.sw - sh.pl;
      if (ix0 < 0 || ix0 + sh.kw > sh.w) slot[ox] = nborder++;
    }
    if (nborder == 0) return;
    const int rows = sh.n * sh.h;
    edges = scratch(3, (size_t)rows * nborder * L);
    const int parts = std::min(rows, pool_threads() * 4);
    parallel_for(parts, [&](int t) {
      for (int r = (int)((long)rows * t / parts); r < (int)((long)rows * (t + 1) / parts); r++) {
        const float* xr = x + (size_t)r * sh.w * sh.ci;
        for (int ox = 0; ox < sh.ow; ox++) {
          if (slot[ox] < 0) continue;
          float* dst = edges + ((size_t)r * nborder + slot[ox]) * L;
          int ix0 = ox * sh.sw - sh.pl;
          for (int kx = 0; kx < sh.kw; kx++, dst += sh.ci) {
            int ix = ix0 + kx;
            if (ix < 0 || ix >= sh.w) std::memset(dst, 0, sh.ci * sizeof(float));
            else std::memcpy(dst, xr + (size_t)ix * sh.ci, sh.ci * sizeof(float));
          }
        }
      }
    });
  }
  void pixels(int m0, int count, const float** out, int stride) const override {
    PixelWalk w(m0, s.oh, s.ow);
    for (int p = 0; p < count; p++, w.next()) {
      int ix0 = w.ox * s.sw - s.pl, b = slot[w.ox];
      for (int ky = 0; ky < s.kh; ky++) {
        int iy = w.oy * s.sh - s.pt + ky * s.dh;
        const float* ptr;
        if (iy < 0 || iy >= s.h) ptr = zero;
        else if (b < 0) ptr = x + (((size_t)w.n * s.h + iy) * s.w + ix0) * s.ci;
        else ptr = edges + (((size_t)w.n * s.h + iy) * nborder + b) * L;
        out[(size_t)ky * stride + p] = ptr;
      }
    }
  }
};

// The whole patch matrix [pixels, kh*kw*ci] written out: for a tiny patch (the
// first layer's 4x4x1) one pointer per pixel beats one per 4-float run.
struct ExplicitSegments : Segments {
  const float* cols;
  // Built from the filter-row runs: each is kw*ci contiguous floats.
  ExplicitSegments(const ConvShape& sh, const float* x) {
    RowSegments rows(sh, x);
    S = 1;
    L = sh.kh * sh.kw * sh.ci;
    overread = true;
    const int M = sh.n * sh.oh * sh.ow, run = rows.L, kh = sh.kh;
    float* c = scratch(0, (size_t)M * L + 64);
    std::memset(c + (size_t)M * L, 0, 64 * sizeof(float));
    const int parts = std::min(M, pool_threads() * 4);
    parallel_for(parts, [&](int t) {
      const int PB = 64;
      std::vector<const float*> tab((size_t)kh * PB);
      for (int m0 = (int)((long)M * t / parts), m1 = (int)((long)M * (t + 1) / parts); m0 < m1; m0 += PB) {
        int P = std::min(PB, m1 - m0);
        rows.pixels(m0, P, tab.data(), PB);
        for (int p = 0; p < P; p++) {
          float* dst = c + (size_t)(m0 + p) * L;
          for (int k = 0; k < kh; k++, dst += run) {
            const float* src = tab[(size_t)k * PB + p];
            for (int q = 0; q < run; q++) dst[q] = src[q];
          }
        }
      }
    });
    cols = c;
  }
  void pixels(int m0, int count, const float** out, int) const override {
    for (int p = 0; p < count; p++) out[p] = cols + (size_t)(m0 + p) * L;
  }
};

enum class Layout { kExplicit, kRows, kTaps };

Layout layout_for(const ConvShape& s) {
  if (s.dw != 1) return Layout::kTaps;
  return s.kh * s.kw * s.ci <= 32 ? Layout::kExplicit : Layout::kRows;
}

// Runs fn with the segment source chosen for this shape.
template <typename F>
void with_segments(const ConvShape& s, const float* x, F&& fn) {
  switch (layout_for(s)) {
    case Layout::kExplicit: {
      ExplicitSegments seg(s, x);
      return fn(seg);
    }
    case Layout::kRows: {
      RowSegments seg(s, x);
      return fn(seg);
    }
    default: {
      TapSegments seg(s, x);
      return fn(seg);
    }
  }
}

// One stride phase of the transposed convolution: output pixels
// (py + sh*yy, px + sw*xx) only meet the filter taps listed in ty/tx.
struct Phase {
  int py, px, hp, wp;
  std::vector<int> ty, tx;
  // For tap ty[a]: oy = yy + cy[a]; for tx[b]: ox = xx + cx[b] (exact: the taps are the divisible ones).
  std::vector<int> cy, cx;
};

// Rows of a phase: for dx pixel m, one segment (L = co) of dy per tap.
struct PhaseSegments : RowPointers {
  const ConvShape& s;
  const Phase& ph;
  const float* dy;
  const float* zero;
  PhaseSegments(const ConvShape& sh, const Phase& p, const float* d, const float* z) : s(sh), ph(p), dy(d), zero(z) {
    S = (int)(p.ty.size() * p.tx.size());
    L = sh.co;
  }
  void fill(int m0, int mv, const float** table, int mr) const override {
    const int nty = (int)ph.ty.size(), ntx = (int)ph.tx.size();
    const size_t img = (size_t)s.oh * s.ow * s.co;
    PixelWalk w(m0, ph.hp, ph.wp);
    for (int i = 0; i < mr; i++) {
      if (i == mv) w = PixelWalk(m0, ph.hp, ph.wp);  // rows past the end repeat row m0
      const float* dyn = dy + (size_t)w.n * img;
      for (int a = 0; a < nty; a++) {
        int oy = w.oy + ph.cy[a];
        bool yin = oy >= 0 && oy < s.oh;
        const float* rowp = dyn + (size_t)oy * s.ow * s.co;
        const float** t = table + (size_t)a * ntx * mr + i;
        for (int b = 0; b < ntx; b++) {
          int ox = w.ox + ph.cx[b];
          t[(size_t)b * mr] = yin && ox >= 0 && ox < s.ow ? rowp + (size_t)ox * s.co : zero;
        }
      }
      if (i < mv) w.next();
    }
  }


};

// B(k, ci) for a phase: k = (tap, co) -> f[ky, kx, ci, co].
struct PhaseFilter : BPacker {
  const ConvShape& s;
  const Phase& ph;
  const float* f;
  PhaseFilter(const ConvShape& sh, const Phase& p, const float* fp) : s(sh), ph(p), f(fp) {}
  void pack(float* dst, int k0, int kc, int n0, int nc, int nr) const override {
    const int ntx = (int)ph.tx.size();
    for (int p = 0; p < kc; p++) {
      int k = k0 + p, t = k / s.co, c = k % s.co;
      int ky = ph.ty[t / ntx], kx = ph.tx[t % ntx];
      const float* src = f + ((size_t)(ky * s.kw + kx) * s.ci + n0) * s.co + c;
      float* dp = dst + (size_t)p * nr;
      for (int j = 0; j < nc; j++) dp[j] = src[(size_t)j * s.co];
      for (int j = nc; j < nr; j++) dp[j] = 0.f;
    }
  }
};

struct PhasePixels : CRows {
  const ConvShape& s;
  const Phase& ph;
  float* dx;
  PhasePixels(const ConvShape& sh, const Phase& p, float* d) : s(sh), ph(p), dx(d) {}
  float* row(int m) const override {
    const int hw = ph.hp * ph.wp;
    int n = m / hw, r = m % hw;
    int y = ph.py + s.sh * (r / ph.wp), x = ph.px + s.sw * (r % ph.wp);
    return dx + (((size_t)n * s.h + y) * s.w + x) * s.ci;
  }
  void rows(int m0, int count, float** out) const override {
    PixelWalk w(m0, ph.hp, ph.wp);
    for (int i = 0; i < count; i++, w.next())
      out[i] = dx + (((size_t)w.n * s.h + ph.py + s.sh * w.oy) * s.w + ph.px + s.sw * w.ox) * s.ci;
  }
};

// dy is 1x1 (G's first layer on z): each output pixel meets exactly one tap, so
// dx[n, (y, x, ci)] = dy[n, :] . f[ky(y), kx(x), ci, :] is one dense GEMM.
struct PointFilter : BPacker {
  const ConvShape& s;
  const float* f;
  PointFilter(const ConvShape& sh, const float* fp) : s(sh), f(fp) {}
  void pack(float* dst, int k0, int kc, int n0, int nc, int nr) const override {
    for (int j = 0; j < nr; j++) {
      const float* src = nullptr;
      if (j < nc) {
        int col = n0 + j, ci = col % s.ci, pix = col / s.ci, y = pix / s.w, x = pix % s.w;
        int ry = y + s.pt, rx = x + s.pl;
        int ky = ry % s.dh == 0 ? ry / s.dh : -1, kx = rx % s.dw == 0 ? rx / s.dw : -1;
        if (ky >= 0 && ky < s.kh && kx >= 0 && kx < s.kw) src = f + ((size_t)(ky * s.kw + kx) * s.ci + ci) * s.co + k0;
      }
      for (int p = 0; p < kc; p++) dst[(size_t)p * nr + j] = src ? src[p] : 0.f;
    }
  }
};

// Valid (tap, input index) pairs per output coordinate, precomputed so the
// single-channel loops do no division per pixel.
struct TapPairs {
  std::vector<int> start, tap, idx;
};

// Forward direction: for output coordinate o, taps k with in = o*stride - pad + k*dil inside [0, size).
TapPairs forward_pairs(int out, int size, int stride, int pad, int dil, int k) {
  TapPairs t;
  for (int o = 0; o < out; o++) {
    t.start.push_back((int)t.tap.size());
    for (int q = 0; q < k; q++) {
      int i = o * stride - pad + q * dil;
      if (i >= 0 && i < size) {
        t.tap.push_back(q);
        t.idx.push_back(i);
      }
    }
  }
  t.start.push_back((int)t.tap.size());
  return t;
}

// Transposed direction: for input coordinate i, taps k and outputs o with o*stride = i + pad - k*dil.
TapPairs backward_pairs(int in, int out, int stride, int pad, int dil, int k) {
  TapPairs t;
  for (int i = 0; i < in; i++) {
    t.start.push_back((int)t.tap.size());
    for (int q = 0; q < k; q++) {
      int r = i + pad - q * dil;
      if (r >= 0 && r % stride == 0 && r / stride < out) {
        t.tap.push_back(q);
        t.idx.push_back(r / stride);
      }
    }
  }
  t.start.push_back((int)t.tap.size());
  return t;
}

template <typename F>
void split_range(int n, F&& fn) {
  int parts = std::min(n, pool_threads() * 4);
  parallel_for(parts, [&](int t) { fn((int)((long)n * t / parts), (int)((long)n * (t + 1) / parts)); });
}

// Output pixels [a, b) of a dot-product convolution: out[m] = sum over valid
// (y pair, x pair) of src-run . filter-run, runs of `len` floats.
NK_CLONES void dot_pixels(int a, int b, int oh, int ow, const TapPairs& py, const TapPairs& px, const float* src,
                          size_t src_image, int src_w, const float* f, int kw, int len, float* out) {
  const int ohw = oh * ow;
  for (int m = a; m < b; m++) {
    int n = m / ohw, r = m % ohw, oy = r / ow, ox = r % ow;
    const float* sn = src + (size_t)n * src_image;
    float lanes[16] = {};
    for (int u = py.start[oy]; u < py.start[oy + 1]; u++)
      for (int v = px.start[ox]; v < px.start[ox + 1]; v++)
        dot_lanes(lanes, sn + ((size_t)py.idx[u] * src_w + px.idx[v]) * len, f + (size_t)(py.tap[u] * kw + px.tap[v]) * len,
                  len);
    out[m] = sum_lanes(lanes);
  }
}

// co == 1: a dot product per output pixel over its patch.
void conv2d_single_out(const ConvShape& s, const float* x, const float* f, float* y, const Epilogue& e) {
  TapPairs py = forward_pairs(s.oh, s.h, s.sh, s.pt, s.dh, s.kh), px = forward_pairs(s.ow, s.w, s.sw, s.pl, s.dw, s.kw);
  split_range(s.n * s.oh * s.ow, [&](int a, int b) {
    dot_pixels(a, b, s.oh, s.ow, py, px, x, (size_t)s.h * s.w * s.ci, s.w, f, s.kw, s.ci, y);
    if (!e.empty()) e.apply_pixels(y + a, b - a, 1);
  });
}

// A tiny patch (the first layer: 4x4 taps of 1 channel): per output row, the
// kh input rows it reads are copied once into a zero-padded strip; each output
// pixel is then K broadcasts times the filter's rows. off[k] is tap k's offset
// in the strip from the pixel's window start.
void small_patch_row_generic(const ConvShape& s, const float* strip, const int* off, int K, const float* f, float* y) {
  const int co = s.co;
  for (int ox = 0; ox < s.ow; ox++) {
    const float* win = strip + (size_t)ox * s.sw * s.ci;
    float* yo = y + (size_t)ox * co;
    for (int c = 0; c < co; c++) yo[c] = 0.f;
    for (int k = 0; k < K; k++) {
      const float v = win[off[k]];
      const float* fk = f + (size_t)k * co;
      for (int c = 0; c < co; c++) yo[c] += v * fk[c];
    }
  }
}

#if defined(__x86_64__) || defined(_M_X64)
// 8 output pixels x 16 channels per step: 8 independent accumulators hide the
// FMA latency; the filter row is one load shared by the 8 broadcasts.
__attribute__((target("avx512f"))) void small_patch_row_avx512(const ConvShape& s, const float* strip, const int* off,
                                                              int K, const float* f, float* y) {
  const int co = s.co, step = s.sw * s.ci;
  int c0 = 0;
  // 8 pixels x 32 channels: each broadcast feeds two FMAs, so the loads no
  // longer outnumber the FMAs (the first layer at width 32: 1.2 -> 0.7 ms).
  for (; c0 + 32 <= co; c0 += 32) {
    int ox = 0;
    for (; ox + 8 <= s.ow; ox += 8) {
      const float* w0 = strip + (size_t)ox * step;
      __m512 z = _mm512_setzero_ps();
      __m512 a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
      __m512 b0 = z, b1 = z, b2 = z, b3 = z, b4 = z, b5 = z, b6 = z, b7 = z;
      for (int k = 0; k < K; k++) {
        const __m512 f0 = _mm512_loadu_ps(f + (size_t)k * co + c0), f1 = _mm512_loadu_ps(f + (size_t)k * co + c0 + 16);
        const float* wk = w0 + off[k];
        __m512 v;
#define NK_P(i)                                \
  v = _mm512_set1_ps(wk[(i) * step]);          \
  a##i = _mm512_fmadd_ps(v, f0, a##i);         \
  b##i = _mm512_fmadd_ps(v, f1, b##i);
        NK_P(0) NK_P(1) NK_P(2) NK_P(3) NK_P(4) NK_P(5) NK_P(6) NK_P(7)
#undef NK_P
      }
      float* yo = y + (size_t)ox * co + c0;
      const __m512 as[8] = {a0, a1, a2, a3, a4, a5, a6, a7}, bs[8] = {b0, b1, b2, b3, b4, b5, b6, b7};
      for (int i = 0; i < 8; i++) {
        _mm512_storeu_ps(yo + (size_t)i * co, as[i]);
        _mm512_storeu_ps(yo + (size_t)i * co + 16, bs[i]);
      }
    }
    for (; ox < s.ow; ox++) {
      const float* w0 = strip + (size_t)ox * step;
      __m512 a0 = _mm512_setzero_ps(), b0 = a0;
      for (int k = 0; k < K; k++) {
        const __m512 v = _mm512_set1_ps(w0[off[k]]);
        a0 = _mm512_fmadd_ps(v, _mm512_loadu_ps(f + (size_t)k * co + c0), a0);
        b0 = _mm512_fmadd_ps(v, _mm512_loadu_ps(f + (size_t)k * co + c0 + 16), b0);
      }
      _mm512_storeu_ps(y + (size_t)ox * co + c0, a0);
      _mm512_storeu_ps(y + (size_t)ox * co + c0 + 16, b0);
    }
  }
  for (; c0 < co; c0 += 16) {
    const int cn = std::min(16, co - c0);
    const __mmask16 m = cn == 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << cn) - 1);
    int ox = 0;
    for (; ox + 8 <= s.ow; ox += 8) {
      const float* w0 = strip + (size_t)ox * step;
      __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
      for (int k = 0; k < K; k++) {
        const __m512 fk = _mm512_maskz_loadu_ps(m, f + (size_t)k * co + c0);
        const float* wk = w0 + off[k];
        a0 = _mm512_fmadd_ps(_mm512_set1_ps(wk[0]), fk, a0);
        a1 = _mm512_fmadd_ps(_mm512_set1_ps(wk[step]), fk, a1);
        a2 = _mm512_fmadd_ps(_mm512_set1_ps(wk[2 * step]), fk, a2);
        a3 = _mm512_fmadd_ps(_mm512_set1_ps(wk[3 * step]), fk, a3);
        a4 = _mm512_fmadd_ps(_mm512_set1_ps(wk[4 * step]), fk, a4);
        a5 = _mm512_fmadd_ps(_mm512_set1_ps(wk[5 * step]), fk, a5);
        a6 = _mm512_fmadd_ps(_mm512_set1_ps(wk[6 * step]), fk, a6);
        a7 = _mm512_fmadd_ps(_mm512_set1_ps(wk[7 * step]), fk, a7);
      }
      float* yo = y + (size_t)ox * co + c0;
      _mm512_mask_storeu_ps(yo, m, a0);
      _mm512_mask_storeu_ps(yo + co, m, a1);
      _mm512_mask_storeu_ps(yo + 2 * (size_t)co, m, a2);
      _mm512_mask_storeu_ps(yo + 3 * (size_t)co, m, a3);
      _mm512_mask_storeu_ps(yo + 4 * (size_t)co, m, a4);
      _mm512_mask_storeu_ps(yo + 5 * (size_t)co, m, a5);
      _mm512_mask_storeu_ps(yo + 6 * (size_t)co, m, a6);
      _mm512_mask_storeu_ps(yo + 7 * (size_t)co, m, a7);
    }
    for (; ox < s.ow; ox++) {
      const float* w0 = strip + (size_t)ox * step;
      __m512 a0 = _mm512_setzero_ps();
      for (int k = 0; k < K; k++)
        a0 = _mm512_fmadd_ps(_mm512_set1_ps(w0[off[k]]), _mm512_maskz_loadu_ps(m, f + (size_t)k * co + c0), a0);
      _mm512_mask_storeu_ps(y + (size_t)ox * co + c0, m, a0);
    }
  }
}
#endif

void conv2d_small_patch(const ConvShape& s, const float* x, const float* f, float* y, const Epilogue& e) {
  const int wpad = (s.ow - 1) * s.sw + (s.kw - 1) * s.dw + 1;  // padded columns read
  const int stripw = wpad * s.ci;
  const int K = s.kh * s.kw * s.ci;
  std::vector<int> off(K);
  for (int ky = 0, k = 0; ky < s.kh; ky++)
    for (int kx = 0; kx < s.kw; kx++)
      for (int ci = 0; ci < s.ci; ci++, k++) off[k] = ky * stripw + kx * s.dw * s.ci + ci;
#if defined(__x86_64__) || defined(_M_X64)
  const bool avx512 = std::strcmp(micro_kernels().isa, "avx512") == 0;
#else
  const bool avx512 = false;
#endif
  split_range(s.n * s.oh, [&](int r0, int r1) {
    std::vector<float> strip((size_t)s.kh * stripw);
    for (int r = r0; r < r1; r++) {
      int n = r / s.oh, oy = r % s.oh;
      for (int ky = 0; ky < s.kh; ky++) {
        float* dst = strip.data() + (size_t)ky * stripw;
        int iy = oy * s.sh - s.pt + ky * s.dh;
        if (iy < 0 || iy >= s.h) {
          std::memset(dst, 0, stripw * sizeof(float));
          continue;
        }
        const float* src = x + (((size_t)n * s.h + iy) * s.w) * s.ci;
        // Strip columns [xa, xb) come from the input row; the rest is padding.
        int xa = std::min(wpad, std::max(0, s.pl)), xb = std::max(xa, std::min(wpad, s.pl + s.w));
        std::memset(dst, 0, (size_t)xa * s.ci * sizeof(float));
        std::memcpy(dst + (size_t)xa * s.ci, src + (size_t)(xa - s.pl) * s.ci, (size_t)(xb - xa) * s.ci * sizeof(float));
        std::memset(dst + (size_t)xb * s.ci, 0, (size_t)(wpad - xb) * s.ci * sizeof(float));
      }
      float* yr = y + (size_t)r * s.ow * s.co;
#if defined(__x86_64__) || defined(_M_X64)
      if (avx512)
        small_patch_row_avx512(s, strip.data(), off.data(), K, f, yr);
      else
#endif
        small_patch_row_generic(s, strip.data(), off.data(), K, f, yr);
      if (!e.empty()) e.apply_pixels(yr, s.ow, s.co);
    }
  });
}

// Few input channels in the transposed direction (G's output layer): first
// T[dy pixel, (tap, ci)] = dy . f (one GEMM with N = kh*kw*ci), then each dx
// pixel gathers its taps' entries of T.
void backprop_input_small(const ConvShape& s, const float* dy, const float* f, float* dx) {
  const int Mdy = s.n * s.oh * s.ow, ntap = s.kh * s.kw, N = ntap * s.ci;
  float* t = scratch(3, (size_t)Mdy * N);
  DenseA a(dy, s.co, s.co);
  DenseB b(f, s.co, true);
  DenseRows c(t, N);
  igemm(Mdy, N, a, b, c);
  // dx row (n, y) sums, for each (ky, oy) that reaches it, T row (n, oy) placed
  // at x = ox*sw - pl + kx*dw.
  TapPairs py = backward_pairs(s.h, s.oh, s.sh, s.pt, s.dh, s.kh);
  const int rows = s.n * s.h, ci = s.ci;
  split_range(rows, [&](int r0, int r1) {
    for (int r = r0; r < r1; r++) {
      int n = r / s.h, y = r % s.h;
      float* out = dx + (size_t)r * s.w * ci;
      std::memset(out, 0, (size_t)s.w * ci * sizeof(float));
      for (int u = py.start[y]; u < py.start[y + 1]; u++) {
        const float* trow = t + ((size_t)n * s.oh + py.idx[u]) * s.ow * N + (size_t)py.tap[u] * s.kw * ci;
        // kx outer: within one kx, consecutive ox write distinct x (no chain
        // through memory); ox limited to the ones landing inside the row.
        for (int kx = 0; kx < s.kw; kx++) {
          int base = kx * s.dw - s.pl;  // x = ox*sw + base
          int oxa = base >= 0 ? 0 : (-base + s.sw - 1) / s.sw;
          int oxb = std::min(s.ow, s.w - 1 - base >= 0 ? (s.w - 1 - base) / s.sw + 1 : 0);
          const float* e = trow + (size_t)kx * ci;
          if (ci == 1) {
            for (int ox = oxa; ox < oxb; ox++) out[ox * s.sw + base] += e[(size_t)ox * N];
          } else {
            for (int ox = oxa; ox < oxb; ox++)
              for (int c = 0; c < ci; c++) out[(size_t)(ox * s.sw + base) * ci + c] += e[(size_t)ox * N + c];
          }
        }
      }
    }
  });
}

}  // namespace

void conv2d(const ConvShape& s, const float* x, const float* f, float* y, const Epilogue& e) {
  const int M = s.n * s.oh * s.ow;
  if (M == 0 || s.co == 0) return;
  if (s.co == 1) return conv2d_single_out(s, x, f, y, e);
  if (s.kh * s.kw * s.ci <= 32) return conv2d_small_patch(s, x, f, y, e);
  DenseB b(f, s.co, false);
  DenseRows c(y, s.co);
  with_segments(s, x, [&](const Segments& a) { igemm(M, s.co, a, b, c, e); });
}

void conv2d_backprop_input(const ConvShape& s, const float* dy, const float* f, float* dx) {
  if ((size_t)s.n * s.h * s.w * s.ci == 0) return;
  if (s.ci <= 4 && s.co >= 8) return backprop_input_small(s, dy, f, dx);
  if (s.oh == 1 && s.ow == 1 && s.pt >= 0) {
    DenseA a(dy, s.co, s.co);
    PointFilter b(s, f);
    DenseRows c(dx, (size_t)s.h * s.w * s.ci);
    igemm(s.n, s.h * s.w * s.ci, a, b, c);
    return;
  }
  const float* zero = zeros(s.co);
  for (int py = 0; py < s.sh; py++) {
    for (int px = 0; px < s.sw; px++) {
      Phase ph;
      ph.py = py;
      ph.px = px;
      ph.hp = py < s.h ? (s.h - py + s.sh - 1) / s.sh : 0;
      ph.wp = px < s.w ? (s.w - px + s.sw - 1) / s.sw : 0;
      if (ph.hp == 0 || ph.wp == 0) continue;
      for (int ky = 0; ky < s.kh; ky++)
        if ((py + s.pt - ky * s.dh) % s.sh == 0) {
          ph.ty.push_back(ky);
          ph.cy.push_back((py + s.pt - ky * s.dh) / s.sh);
        }
      for (int kx = 0; kx < s.kw; kx++)
        if ((px + s.pl - kx * s.dw) % s.sw == 0) {
          ph.tx.push_back(kx);
          ph.cx.push_back((px + s.pl - kx * s.dw) / s.sw);
        }
      PhasePixels c(s, ph, dx);
      PhaseSegments a(s, ph, dy, zero);
      PhaseFilter b(s, ph, f);
      igemm(s.n * ph.hp * ph.wp, s.ci, a, b, c);
    }
  }
}

namespace {

// df[s*L + j][co] = sum over pixels m of seg(m, s)[j] * dy[m][co]: tiles of rmr
// filter rows x rnr output channels, accumulated over blocks of pixels.
void filter_grad(const ConvShape& s, const Segments& seg, const float* dy, float* df) {
  const MicroKernels& uk = micro_kernels();
  const bool narrow = s.co <= 16;
  const int rmr = narrow ? uk.rmr16 : uk.rmr, rnr = narrow ? 16 : uk.rnr;
  const RgemmFn kernel = narrow ? uk.rgemm16 : uk.rgemm;
  const int S = seg.S, L = seg.L, co = s.co;
  const int M = s.n * s.oh * s.ow;
  const size_t dfsize = (size_t)S * L * co;
  struct Tile {
    int s, j0, mv, co0, nv;
  };
  std::vector<Tile> tiles;
  for (int si = 0; si < S; si++)
    for (int j0 = 0; j0 < L; j0 += rmr)
      for (int c0 = 0; c0 < co; c0 += rnr) tiles.push_back({si, j0, std::min(rmr, L - j0), c0, std::min(rnr, co - c0)});
  const int T = pool_threads();
  const int PB = 256;
  const int ntiles = (int)tiles.size();
  auto run = [&](int p0, int p1, int t0, int t1, float* out) {
    std::vector<const float*> tab((size_t)S * PB);
    for (int b0 = p0; b0 < p1; b0 += PB) {
      int P = std::min(PB, p1 - b0);
      seg.pixels(b0, P, tab.data(), PB);
      const float* dyb = dy + (size_t)b0 * co;
      for (int t = t0; t < t1; t++) {
        const Tile& tl = tiles[t];
        kernel(P, tab.data() + (size_t)tl.s * PB, tl.j0, dyb + tl.co0, co, out + ((size_t)tl.s * L + tl.j0) * co + tl.co0,
                 co, tl.mv, tl.nv, seg.overread);
      }
    }
  };
  std::memset(df, 0, dfsize * sizeof(float));
  if (ntiles >= 4 * T) {
    int parts = std::min(ntiles, 4 * T);
    parallel_for(parts, [&](int q) { run(0, M, (int)((long)ntiles * q / parts), (int)((long)ntiles * (q + 1) / parts), df); });
    return;
  }
  // Few tiles: split the pixels, each thread into its own partial sums.
  int chunks = std::max(1, std::min(T, ceil_div(M, PB)));
  std::vector<float> partial((size_t)(chunks - 1) * dfsize, 0.f);
  parallel_for(chunks, [&](int q) {
    float* out = q == 0 ? df : partial.data() + (size_t)(q - 1) * dfsize;
    run((int)((long)M * q / chunks), (int)((long)M * (q + 1) / chunks), 0, ntiles, out);
  });
  for (int q = 1; q < chunks; q++) {
    const float* src = partial.data() + (size_t)(q - 1) * dfsize;
    for (size_t i = 0; i < dfsize; i++) df[i] += src[i];
  }
}

}  // namespace

void conv2d_backprop_filter(const ConvShape& s, const float* x, const float* dy, float* df) {
  if ((size_t)s.kh * s.kw * s.ci * s.co == 0) return;
  with_segments(s, x, [&](const Segments& seg) { filter_grad(s, seg, dy, df); });
}

}  // namespace nk
