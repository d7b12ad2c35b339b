#include "ukernels.h"

#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define NK_X86 1
#endif

namespace nk {
namespace {

// ---- portable fallback: 4 x 16 and 4 x 16, left to the compiler ----

void ig_generic(int S, int L, const float* const* a, const float* b, float* const* c, int coff, int mv, int nv,
                bool acc) {
  float t[4][16] = {};
  for (int s = 0; s < S; s++) {
    const float* const* as = a + s * 4;
    for (int j = 0; j < L; j++, b += 16)
      for (int i = 0; i < 4; i++) {
        float ai = as[i][j];
        for (int q = 0; q < 16; q++) t[i][q] += ai * b[q];
      }
  }
  for (int i = 0; i < mv; i++) {
    float* ci = c[i] + coff;
    for (int q = 0; q < nv; q++) ci[q] = acc ? ci[q] + t[i][q] : t[i][q];
  }
}

void rg_generic(int P, const float* const* xp, int off, const float* dy, int ldy, float* c, int ldc, int mv, int nv,
                bool) {
  float t[4][16] = {};
  for (int p = 0; p < P; p++) {
    const float* x = xp[p] + off;
    const float* d = dy + (size_t)p * ldy;
    for (int i = 0; i < mv; i++)
      for (int q = 0; q < nv; q++) t[i][q] += x[i] * d[q];
  }
  for (int i = 0; i < mv; i++)
    for (int q = 0; q < nv; q++) c[(size_t)i * ldc + q] += t[i][q];
}

#ifdef NK_X86

// ---- AVX2 + FMA: igemm 6 x 16, rgemm 4 x 16 ----

__attribute__((target("avx2,fma"))) void ig_avx2(int S, int L, const float* const* a, const float* b, float* const* c,
                                                int coff, int mv, int nv, bool acc) {
  __m256 r[6][2];
  for (int i = 0; i < 6; i++) r[i][0] = r[i][1] = _mm256_setzero_ps();
  for (int s = 0; s < S; s++) {
    const float *a0 = a[s * 6], *a1 = a[s * 6 + 1], *a2 = a[s * 6 + 2], *a3 = a[s * 6 + 3], *a4 = a[s * 6 + 4],
                *a5 = a[s * 6 + 5];
    for (int j = 0; j < L; j++, b += 16) {
      __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8), x;
#define NK_R(i)                                     \
  x = _mm256_broadcast_ss(a##i + j);                \
  r[i][0] = _mm256_fmadd_ps(x, b0, r[i][0]);        \
  r[i][1] = _mm256_fmadd_ps(x, b1, r[i][1]);
      NK_R(0) NK_R(1) NK_R(2) NK_R(3) NK_R(4) NK_R(5)
#undef NK_R
    }
  }
  for (int i = 0; i < mv; i++) {
    float* ci = c[i] + coff;
    if (nv == 16) {
      if (acc) {
        r[i][0] = _mm256_add_ps(r[i][0], _mm256_loadu_ps(ci));
        r[i][1] = _mm256_add_ps(r[i][1], _mm256_loadu_ps(ci + 8));
      }
      _mm256_storeu_ps(ci, r[i][0]);
      _mm256_storeu_ps(ci + 8, r[i][1]);
    } else {
      float t[16];
      _mm256_storeu_ps(t, r[i][0]);
      _mm256_storeu_ps(t + 8, r[i][1]);
      for (int q = 0; q < nv; q++) ci[q] = acc ? ci[q] + t[q] : t[q];
    }
  }
}

__attribute__((target("avx2,fma"))) void rg_avx2(int P, const float* const* xp, int off, const float* dy, int ldy,
                                                float* c, int ldc, int mv, int nv, bool overread) {
  if (nv < 16 || (mv < 4 && !overread)) return rg_generic(P, xp, off, dy, ldy, c, ldc, mv, nv, overread);
  __m256 r[4][2];
  for (int i = 0; i < 4; i++) r[i][0] = r[i][1] = _mm256_setzero_ps();
  for (int p = 0; p < P; p++) {
    const float* x = xp[p] + off;
    const float* d = dy + (size_t)p * ldy;
    __m256 b0 = _mm256_loadu_ps(d), b1 = _mm256_loadu_ps(d + 8);
    for (int i = 0; i < 4; i++) {
      __m256 v = _mm256_broadcast_ss(x + i);
      r[i][0] = _mm256_fmadd_ps(v, b0, r[i][0]);
      r[i][1] = _mm256_fmadd_ps(v, b1, r[i][1]);
    }
  }
  for (int i = 0; i < mv; i++) {
    float* ci = c + (size_t)i * ldc;
    _mm256_storeu_ps(ci, _mm256_add_ps(r[i][0], _mm256_loadu_ps(ci)));
    _mm256_storeu_ps(ci + 8, _mm256_add_ps(r[i][1], _mm256_loadu_ps(ci + 8)));
  }
}

// ---- AVX-512: igemm 12 x 32 (24 accumulators), rgemm 8 x 32 ----

__attribute__((target("avx512f"))) void ig_avx512(int S, int L, const float* const* a, const float* b,
                                                 float* const* c, int coff, int mv, int nv, bool acc) {
  __m512 z = _mm512_setzero_ps();
  __m512 c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z,
         c60 = z, c61 = z, c70 = z, c71 = z, c80 = z, c81 = z, c90 = z, c91 = z, cA0 = z, cA1 = z, cB0 = z, cB1 = z;
  for (int s = 0; s < S; s++) {
    const float* const* as = a + s * 12;
    const float *a0 = as[0], *a1 = as[1], *a2 = as[2], *a3 = as[3], *a4 = as[4], *a5 = as[5], *a6 = as[6],
                *a7 = as[7], *a8 = as[8], *a9 = as[9], *aA = as[10], *aB = as[11];
    for (int j = 0; j < L; j++, b += 32) {
      __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16), x;
#define NK_R(i)                                   \
  x = _mm512_set1_ps(a##i[j]);                    \
  c##i##0 = _mm512_fmadd_ps(x, b0, c##i##0);      \
  c##i##1 = _mm512_fmadd_ps(x, b1, c##i##1);
      NK_R(0) NK_R(1) NK_R(2) NK_R(3) NK_R(4) NK_R(5) NK_R(6) NK_R(7) NK_R(8) NK_R(9) NK_R(A) NK_R(B)
#undef NK_R
    }
  }
  __m512 r[12][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51},
                     {c60, c61}, {c70, c71}, {c80, c81}, {c90, c91}, {cA0, cA1}, {cB0, cB1}};
  __mmask16 m0 = nv >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nv) - 1);
  __mmask16 m1 = nv >= 32 ? (__mmask16)0xFFFF : nv > 16 ? (__mmask16)((1u << (nv - 16)) - 1) : (__mmask16)0;
  for (int i = 0; i < mv; i++) {
    float* ci = c[i] + coff;
    if (acc) {
      r[i][0] = _mm512_add_ps(r[i][0], _mm512_maskz_loadu_ps(m0, ci));
      r[i][1] = _mm512_add_ps(r[i][1], _mm512_maskz_loadu_ps(m1, ci + 16));
    }
    _mm512_mask_storeu_ps(ci, m0, r[i][0]);
    _mm512_mask_storeu_ps(ci + 16, m1, r[i][1]);
  }
}

__attribute__((target("avx512f"))) void rg_avx512(int P, const float* const* xp, int off, const float* dy, int ldy,
                                                 float* c, int ldc, int mv, int nv, bool overread) {
  __mmask16 m0 = nv >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nv) - 1);
  __mmask16 m1 = nv >= 32 ? (__mmask16)0xFFFF : nv > 16 ? (__mmask16)((1u << (nv - 16)) - 1) : (__mmask16)0;
  __m512 z = _mm512_setzero_ps();
  __m512 c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z,
         c60 = z, c61 = z, c70 = z, c71 = z;
  float tail[8];
  for (int p = 0; p < P; p++) {
    const float* x = xp[p] + off;
    if (mv < 8 && !overread) {
      for (int i = 0; i < 8; i++) tail[i] = i < mv ? x[i] : 0.f;
      x = tail;
    }
    const float* d = dy + (size_t)p * ldy;
    __m512 b0 = _mm512_maskz_loadu_ps(m0, d), b1 = _mm512_maskz_loadu_ps(m1, d + 16), v;
#define NK_R(i)                                   \
  v = _mm512_set1_ps(x[i]);                       \
  c##i##0 = _mm512_fmadd_ps(v, b0, c##i##0);      \
  c##i##1 = _mm512_fmadd_ps(v, b1, c##i##1);
    NK_R(0) NK_R(1) NK_R(2) NK_R(3) NK_R(4) NK_R(5) NK_R(6) NK_R(7)
#undef NK_R
  }
  __m512 r[8][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}, {c60, c61}, {c70, c71}};
  for (int i = 0; i < mv; i++) {
    float* ci = c + (size_t)i * ldc;
    _mm512_mask_storeu_ps(ci, m0, _mm512_add_ps(r[i][0], _mm512_maskz_loadu_ps(m0, ci)));
    _mm512_mask_storeu_ps(ci + 16, m1, _mm512_add_ps(r[i][1], _mm512_maskz_loadu_ps(m1, ci + 16)));
  }
}


// 12 x 16: one vector of B per k, for N <= 16.
__attribute__((target("avx512f"))) void ig_avx512_n16(int S, int L, const float* const* a, const float* b,
                                                     float* const* c, int coff, int mv, int nv, bool acc) {
  __m512 z = _mm512_setzero_ps();
  __m512 c0 = z, c1 = z, c2 = z, c3 = z, c4 = z, c5 = z, c6 = z, c7 = z, c8 = z, c9 = z, cA = z, cB = z;
  for (int s = 0; s < S; s++) {
    const float* const* as = a + s * 12;
    const float *a0 = as[0], *a1 = as[1], *a2 = as[2], *a3 = as[3], *a4 = as[4], *a5 = as[5], *a6 = as[6],
                *a7 = as[7], *a8 = as[8], *a9 = as[9], *aA = as[10], *aB = as[11];
    for (int j = 0; j < L; j++, b += 16) {
      __m512 b0 = _mm512_loadu_ps(b);
#define NK_R(i) c##i = _mm512_fmadd_ps(_mm512_set1_ps(a##i[j]), b0, c##i);
      NK_R(0) NK_R(1) NK_R(2) NK_R(3) NK_R(4) NK_R(5) NK_R(6) NK_R(7) NK_R(8) NK_R(9) NK_R(A) NK_R(B)
#undef NK_R
    }
  }
  __m512 r[12] = {c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, cA, cB};
  __mmask16 m0 = nv >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nv) - 1);
  for (int i = 0; i < mv; i++) {
    float* ci = c[i] + coff;
    if (acc) r[i] = _mm512_add_ps(r[i], _mm512_maskz_loadu_ps(m0, ci));
    _mm512_mask_storeu_ps(ci, m0, r[i]);
  }
}

// 16 x 16 reduction tile, for co <= 16.
__attribute__((target("avx512f"))) void rg_avx512_n16(int P, const float* const* xp, int off, const float* dy, int ldy,
                                                     float* c, int ldc, int mv, int nv, bool overread) {
  __mmask16 m0 = nv >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nv) - 1);
  __m512 r[16];
  for (int i = 0; i < 16; i++) r[i] = _mm512_setzero_ps();
  float tail[16];
  for (int p = 0; p < P; p++) {
    const float* x = xp[p] + off;
    if (mv < 16 && !overread) {
      for (int i = 0; i < 16; i++) tail[i] = i < mv ? x[i] : 0.f;
      x = tail;
    }
    __m512 b0 = _mm512_maskz_loadu_ps(m0, dy + (size_t)p * ldy);
#pragma GCC unroll 16
    for (int i = 0; i < 16; i++) r[i] = _mm512_fmadd_ps(_mm512_set1_ps(x[i]), b0, r[i]);
  }
  for (int i = 0; i < mv; i++) {
    float* ci = c + (size_t)i * ldc;
    _mm512_mask_storeu_ps(ci, m0, _mm512_add_ps(r[i], _mm512_maskz_loadu_ps(m0, ci)));
  }
}

#endif

MicroKernels pick() {
  const char* force = std::getenv("NK_ISA");
#ifdef NK_X86
  __builtin_cpu_init();
  bool want512 = !force || std::strcmp(force, "avx512") == 0;
  bool want2 = !force || std::strcmp(force, "avx2") == 0 || std::strcmp(force, "avx512") == 0;
  if (want512 && __builtin_cpu_supports("avx512f")) return {"avx512", 12, 32, 8, 32, ig_avx512, rg_avx512, 12, 16, ig_avx512_n16, rg_avx512_n16};
  if (want2 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return {"avx2", 6, 16, 4, 16, ig_avx2, rg_avx2, 6, 4, ig_avx2, rg_avx2};
#endif
  (void)force;
  return {"generic", 4, 16, 4, 16, ig_generic, rg_generic, 4, 4, ig_generic, rg_generic};
}

}  // namespace

const MicroKernels& micro_kernels() {
  static const MicroKernels k = pick();
  return k;
}

}  // namespace nk
