#include "gemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "amx.h"
#include "pool.h"
#include "ukernels.h"

namespace nk {
namespace {

struct Scratch {
  float* ptr = nullptr;
  size_t cap = 0;
  ~Scratch() { std::free(ptr); }
};

thread_local Scratch t_scratch[6];

// Rows of B per pass over K: 256 x 32 floats is 32 KB, within a 48 KB L1.
constexpr int kChunkRows = 256;

}  // namespace

float* scratch(int slot, size_t floats) {
  Scratch& s = t_scratch[slot];
  if (s.cap < floats) {
    std::free(s.ptr);
    size_t bytes = ((floats * sizeof(float) + 63) / 64) * 64;
    s.ptr = static_cast<float*>(std::aligned_alloc(64, bytes ? bytes : 64));
    s.cap = floats;
  }
  return s.ptr;
}

void DenseB::pack(float* dst, int k0, int kc, int n0, int nc, int nr) const {
  for (int p = 0; p < kc; p++) {
    float* dp = dst + (size_t)p * nr;
    if (trans) {
      for (int j = 0; j < nc; j++) dp[j] = b[(size_t)(n0 + j) * ldb + k0 + p];
    } else {
      std::memcpy(dp, b + (size_t)(k0 + p) * ldb + n0, nc * sizeof(float));
    }
    for (int j = nc; j < nr; j++) dp[j] = 0.f;
  }
}

#if defined(__x86_64__) && defined(__GNUC__)
#define NK_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define NK_CLONES
#endif

namespace {

template <int ACT>
NK_CLONES void epilogue_pixels(float* c, int pixels, int n, const float* bias, float alpha) {
  for (int p = 0; p < pixels; p++, c += n) {
    for (int j = 0; j < n; j++) {
      float v = bias ? c[j] + bias[j] : c[j];
      if (ACT == Epilogue::kRelu) v = v < 0.f ? 0.f : v;
      if (ACT == Epilogue::kLeakyRelu) v = v < 0.f ? alpha * v : v;
      c[j] = v;
    }
  }
}

}  // namespace

void Epilogue::apply_pixels(float* c, int pixels, int n, int col0) const {
  const float* b = bias ? bias + col0 : nullptr;
  if (act == kRelu) return epilogue_pixels<kRelu>(c, pixels, n, b, alpha);
  if (act == kLeakyRelu) return epilogue_pixels<kLeakyRelu>(c, pixels, n, b, alpha);
  epilogue_pixels<kLinear>(c, pixels, n, b, alpha);
}

NK_CLONES void gemv(int M, int K, const float* a, size_t lda, const float* x, float* y) {
  for (int m = 0; m < M; m++) {
    const float* row = a + (size_t)m * lda;
    // 16 independent lanes: vectorisable without reassociating one sum.
    float lanes[16] = {};
    int k = 0;
    for (; k + 16 <= K; k += 16)
      for (int j = 0; j < 16; j++) lanes[j] += row[k + j] * x[k + j];
    for (; k < K; k++) lanes[k & 15] += row[k] * x[k];
    float s = 0.f;
    for (int j = 0; j < 16; j++) s += lanes[j];
    y[m] = s;
  }
}

void igemm(int M, int N, const RowPointers& a, const BPacker& b, const CRows& c, const Epilogue& e) {
  if (M <= 0 || N <= 0) return;
  if (igemm_amx(M, N, a, b, c, e)) return;
  const MicroKernels& uk = micro_kernels();
  const bool narrow = N <= 16;
  const int mr = narrow ? uk.mr16 : uk.mr, nr = narrow ? 16 : uk.nr;
  const IgemmFn kernel = narrow ? uk.igemm16 : uk.igemm;
  const int S = a.S, L = a.L, K = S * L;
  if (K <= 0) {
    for (int m = 0; m < M; m++) std::memset(c.row(m), 0, N * sizeof(float));
    return;
  }
  const int nstrips = ceil_div(N, nr);
  float* bpack = scratch(1, (size_t)K * nstrips * nr);
  // A tiny product is done on the calling thread: splitting it costs more
  // than it saves (a woken or preempted worker holds the join).
  const int T = (double)M * N * K < 4e6 ? 1 : pool_threads();
  auto pack = [&](int s) { b.pack(bpack + (size_t)s * K * nr, 0, K, s * nr, std::min(nr, N - s * nr), nr); };
  if (T == 1) {
    for (int s = 0; s < nstrips; s++) pack(s);
  } else {
    parallel_for(nstrips, pack);
  }

  // K in passes of whole segments, about kChunkRows rows of B each: that much
  // of a B strip stays in L1 while the task's row tiles use it, instead of
  // streaming from L2 for each tile. (Splitting a longer segment measured no gain.)
  const int per = std::max(1, kChunkRows / L);
  const int mblocks = ceil_div(M, mr);
  // Rows per task: up to 8 micro-blocks, but at least ~4 tasks per thread.
  const int sub = std::max(1, std::min(8, mblocks / (4 * T)));
  const int nm = ceil_div(mblocks, sub);
  const int ns = nm >= 2 * T ? 1 : std::min(nstrips, ceil_div(2 * T, nm));
  const int sper = ceil_div(nstrips, ns);
  auto task = [&](int t) {
    const int mb = t / ns, g = t % ns;
    const int s0 = g * sper, s1 = std::min(nstrips, s0 + sper);
    const int m0 = mb * sub * mr;
    const int blocks = std::min(sub, mblocks - mb * sub);
    std::vector<const float*> tab((size_t)blocks * S * mr);
    std::vector<float*> rows((size_t)blocks * mr, nullptr);
    std::vector<int> mvs(blocks);
    for (int q = 0; q < blocks; q++) {
      int mq = m0 + q * mr;
      mvs[q] = std::min(mr, M - mq);
      a.fill(mq, mvs[q], tab.data() + (size_t)q * S * mr, mr);
      c.rows(mq, mvs[q], rows.data() + (size_t)q * mr);
    }
    for (int g0 = 0; g0 < S; g0 += per) {
      const int gc = std::min(per, S - g0);
      const bool last = g0 + gc == S;
      for (int s = s0; s < s1; s++) {
        const float* bs = bpack + (size_t)s * K * nr + (size_t)g0 * L * nr;
        int nv = std::min(nr, N - s * nr);
        for (int q = 0; q < blocks; q++) {
          float* const* cq = rows.data() + (size_t)q * mr;
          kernel(gc, L, tab.data() + (size_t)q * S * mr + (size_t)g0 * mr, bs, cq, s * nr, mvs[q], nv, g0 > 0);
          if (last && !e.empty())
            for (int i = 0; i < mvs[q]; i++) e.apply(cq[i] + s * nr, s * nr, nv);
        }
      }
    }
  };
  if (T == 1) {
    for (int t = 0; t < nm * ns; t++) task(t);
  } else {
    parallel_for(nm * ns, task);
  }
}

}  // namespace nk
