#include "amx.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <vector>

#include "pool.h"

#if defined(__x86_64__) && defined(__linux__) && (defined(__clang__) || (defined(__GNUC__) && __GNUC__ >= 11))
#define NK_AMX 1
#include <cpuid.h>
#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace nk {
namespace {

#ifdef NK_AMX

// Linux keeps the 8 KB tile state off until a process asks for it.
constexpr long kArchReqXcompPerm = 0x1023;
constexpr long kXfeatureXtiledata = 18;

bool probe() {
  unsigned a, b, c, d;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  const bool tile = d & (1u << 24), amx_bf16 = d & (1u << 22), avx512bw = b & (1u << 30);
  if (!__get_cpuid_count(7, 1, &a, &b, &c, &d)) return false;
  const bool avx512_bf16 = a & (1u << 5);
  if (!(tile && amx_bf16 && avx512bw && avx512_bf16)) return false;
  return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
}

bool supported() {
  static const bool ok = probe();
  return ok;
}

std::atomic<bool> g_on{true};

// Tiles 0-3: a 32 x 32 block of C (2 x 2 tiles of 16 x 16 floats);
// 4-5: A's two 16-row tiles; 6-7: B's two 16-column tiles. All are 16 rows of 64 bytes.
struct alignas(64) TileConfig {
  uint8_t palette = 1, start_row = 0, reserved[14] = {};
  uint16_t colsb[16] = {};
  uint8_t rows[16] = {};
  TileConfig() {
    for (int t = 0; t < 8; t++) {
      colsb[t] = 64;
      rows[t] = 16;
    }
  }
};

constexpr int kKb = 32;          // k per tile step: a tile row holds 32 bf16
constexpr int kTile = 512;       // bf16 per 16 x 64-byte tile
// B's share of one pass over K, for all N: it stays in L2 while a task's row blocks use it.
constexpr size_t kChunkBytes = (size_t)1 << 20;

#define NK_AMX_TARGET __attribute__((target("amx-tile,amx-bf16,avx512f,avx512bw,avx512bf16")))

// hi = bf16(x), lo = bf16(x - hi) for 16 floats.
NK_AMX_TARGET inline void split16(__m512 x, __m256i* hi, __m256i* lo) {
  __m256bh h = _mm512_cvtneps_pbh(x);
  __m256i hv = (__m256i)h;
  __m512 hf = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(hv), 16));
  *hi = hv;
  *lo = (__m256i)_mm512_cvtneps_pbh(_mm512_sub_ps(x, hf));
}

// B strip (16 columns, Kp rows of floats) -> per tile step, a hi tile then a lo
// tile in the pair-interleaved layout TDPBF16PS reads: row p = (B[2p][j], B[2p+1][j]) for j < 16.
NK_AMX_TARGET void pack_b_strip(const float* f, int steps, uint16_t* out) {
  alignas(64) static const uint16_t kInterleave[32] = {0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23,
                                                       8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31};
  const __m512i idx = _mm512_load_si512(kInterleave);
  for (int kb = 0; kb < steps; kb++, out += 2 * kTile) {
    for (int p = 0; p < 16; p++) {
      const float* r = f + ((size_t)kb * kKb + 2 * p) * 16;
      __m256i h0, l0, h1, l1;
      split16(_mm512_loadu_ps(r), &h0, &l0);
      split16(_mm512_loadu_ps(r + 16), &h1, &l1);
      __m512i hh = _mm512_inserti64x4(_mm512_castsi256_si512(h0), h1, 1);
      __m512i ll = _mm512_inserti64x4(_mm512_castsi256_si512(l0), l1, 1);
      _mm512_storeu_si512(out + p * 32, _mm512_permutexvar_epi16(idx, hh));
      _mm512_storeu_si512(out + kTile + p * 32, _mm512_permutexvar_epi16(idx, ll));
    }
  }
}

// A's 32 rows for tile steps [kb0, kb0 + steps): per step, hi of rows 0-15,
// hi of rows 16-31, lo of rows 0-15, lo of rows 16-31 (one tile each).
NK_AMX_TARGET void pack_a_block(const float* const* tab, int mr, int L, int K, int kb0, int steps, uint16_t* out) {
  const int k0 = kb0 * kKb, k1 = k0 + steps * kKb;
  alignas(64) float row[kKb];
  for (int i = 0; i < 32; i++) {
    uint16_t* hi = out + (size_t)(i >> 4) * kTile + (i & 15) * 32;
    // Segment and offset of k, stepped without dividing.
    int seg = k0 / L, off = k0 % L;
    for (int k = k0; k < k1; k += 16) {
      const int q = (k - k0) >> 4;  // half-row index: step q/2, half q&1
      uint16_t* h = hi + (size_t)(q >> 1) * 4 * kTile + (q & 1) * 16;
      __m512 x;
      if (k + 16 <= K && (L & 15) == 0) {
        x = _mm512_loadu_ps(tab[(size_t)seg * mr + i] + off);
        if ((off += 16) == L) {
          off = 0;
          seg++;
        }
      } else {
        for (int j = 0; j < 16; j++) {
          if (k + j >= K) {
            row[j] = 0.f;
            continue;
          }
          row[j] = tab[(size_t)seg * mr + i][off];
          if (++off == L) {
            off = 0;
            seg++;
          }
        }
        x = _mm512_load_ps(row);
      }
      __m256i vh, vl;
      split16(x, &vh, &vl);
      _mm256_storeu_si256((__m256i*)h, vh);
      _mm256_storeu_si256((__m256i*)(h + 2 * kTile), vl);
    }
  }
}

// One 32 x 32 block of C over `steps` tile steps: hi*hi + hi*lo + lo*hi; lo*lo,
// about 2^-16 of each product, is dropped. a: pack_a_block's layout; b0/b1:
// the two strips' tiles from this pass's first step.
NK_AMX_TARGET void block(int steps, const uint16_t* a, const uint16_t* b0, const uint16_t* b1) {
  for (int kb = 0; kb < steps; kb++, a += 4 * kTile, b0 += 2 * kTile, b1 += 2 * kTile) {
    _tile_loadd(4, a, 64);
    _tile_loadd(5, a + kTile, 64);
    _tile_loadd(6, b0 + kTile, 64);
    _tile_loadd(7, b1 + kTile, 64);
    _tile_dpbf16ps(0, 4, 6);
    _tile_dpbf16ps(1, 4, 7);
    _tile_dpbf16ps(2, 5, 6);
    _tile_dpbf16ps(3, 5, 7);
    _tile_loadd(6, b0, 64);
    _tile_loadd(7, b1, 64);
    _tile_dpbf16ps(0, 4, 6);
    _tile_dpbf16ps(1, 4, 7);
    _tile_dpbf16ps(2, 5, 6);
    _tile_dpbf16ps(3, 5, 7);
    _tile_loadd(4, a + 2 * kTile, 64);
    _tile_loadd(5, a + 3 * kTile, 64);
    _tile_dpbf16ps(0, 4, 6);
    _tile_dpbf16ps(1, 4, 7);
    _tile_dpbf16ps(2, 5, 6);
    _tile_dpbf16ps(3, 5, 7);
  }
}

// C tiles in and out for the 32 rows of one block: straight to C where C is
// dense and the 16 x 16 tile lies inside it, else through a staging tile and
// the rows' own addresses (a transposed convolution's phase writes every
// stride-th pixel).
struct CBlock {
  size_t ld;  // C's row stride when dense, else 0
  int M, N, m0, mv;
  float* rows[32];
  alignas(64) float stage[4][256];
  CBlock(const CRows& c, int m, int n) : ld(c.stride()), M(m), N(n) {}
  void start(const CRows& c, int m, int v) {
    m0 = m;
    mv = v;
    c.rows(m0, mv, rows);
  }
  // Tile (r, q) of the block: rows 16r.., columns n + 16q...
  bool direct(int r, int n) const { return ld && m0 + 16 * r + 16 <= M && n + 16 <= N; }
  float* at(int r, int n) const { return rows[16 * r] + n; }
  int height(int r) const { return std::max(0, std::min(16, mv - 16 * r)); }
  int width(int n) const { return std::max(0, std::min(16, N - n)); }
};

#define NK_TILE_IO(T, R)                                                                   \
  NK_AMX_TARGET void load_c##T(CBlock& cb, int n) {                                        \
    if (cb.direct(R, n)) {                                                                 \
      _tile_loadd(T, cb.at(R, n), cb.ld * 4);                                              \
      return;                                                                              \
    }                                                                                      \
    std::memset(cb.stage[T], 0, sizeof cb.stage[T]);                                       \
    for (int i = 0, h = cb.height(R), w = cb.width(n); i < h; i++)                         \
      std::memcpy(cb.stage[T] + i * 16, cb.rows[16 * (R) + i] + n, w * sizeof(float));     \
    _tile_loadd(T, cb.stage[T], 64);                                                       \
  }                                                                                        \
  NK_AMX_TARGET void store_c##T(CBlock& cb, int n) {                                       \
    if (cb.direct(R, n)) {                                                                 \
      _tile_stored(T, cb.at(R, n), cb.ld * 4);                                             \
      return;                                                                              \
    }                                                                                      \
    _tile_stored(T, cb.stage[T], 64);                                                      \
    for (int i = 0, h = cb.height(R), w = cb.width(n); i < h; i++)                         \
      std::memcpy(cb.rows[16 * (R) + i] + n, cb.stage[T] + i * 16, w * sizeof(float));     \
  }
NK_TILE_IO(0, 0)
NK_TILE_IO(1, 0)
NK_TILE_IO(2, 1)
NK_TILE_IO(3, 1)
#undef NK_TILE_IO

NK_AMX_TARGET void start_tiles(CBlock& cb, int n, bool zero) {
  if (zero) {
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
    return;
  }
  load_c0(cb, n);
  load_c1(cb, n + 16);
  load_c2(cb, n);
  load_c3(cb, n + 16);
}

NK_AMX_TARGET void finish_tiles(CBlock& cb, int n) {
  store_c0(cb, n);
  store_c1(cb, n + 16);
  store_c2(cb, n);
  store_c3(cb, n + 16);
}

NK_AMX_TARGET void configure() {
  static const TileConfig cfg;
  _tile_loadconfig(&cfg);
}

NK_AMX_TARGET void release() { _tile_release(); }

// Slots of scratch() holding bf16: uint16 counts rounded up to floats.
uint16_t* scratch_u16(int slot, size_t n) { return reinterpret_cast<uint16_t*>(scratch(slot, (n + 1) / 2)); }

#endif  // NK_AMX

}  // namespace

bool amx_supported() {
#ifdef NK_AMX
  return supported();
#else
  return false;
#endif
}

bool amx_enabled() {
#ifdef NK_AMX
  return g_on.load(std::memory_order_relaxed) && supported();
#else
  return false;
#endif
}

void amx_set_enabled(bool on) {
#ifdef NK_AMX
  g_on.store(on, std::memory_order_relaxed);
#else
  (void)on;
#endif
}

bool igemm_amx(int M, int N, const RowPointers& a, const BPacker& b, const CRows& c, const Epilogue& e) {
#ifdef NK_AMX
  const int S = a.S, L = a.L, K = S * L;
  // Blocks are 32 x 32 and steps 32 deep: a smaller product would be mostly padding.
  if (!amx_enabled() || M < 32 || N < 32 || K < 64) return false;
  const int steps = ceil_div(K, kKb), Kp = steps * kKb;
  const int strips = ceil_div(N, 16), pairs = ceil_div(strips, 2);
  const int T = pool_threads();
  // B for all of K, strip after strip; an odd last strip gets a zero partner.
  const size_t strip_u16 = (size_t)steps * 2 * kTile;
  uint16_t* bpack = scratch_u16(1, strip_u16 * pairs * 2);
  parallel_for(pairs * 2, [&](int s) {
    uint16_t* dst = bpack + (size_t)s * strip_u16;
    if (s >= strips) return (void)std::memset(dst, 0, strip_u16 * sizeof(uint16_t));
    float* f = scratch(5, (size_t)Kp * 16);
    b.pack(f, 0, K, s * 16, std::min(16, N - s * 16), 16);
    std::memset(f + (size_t)K * 16, 0, (size_t)(Kp - K) * 16 * sizeof(float));
    pack_b_strip(f, steps, dst);
  });
  const int blocks = ceil_div(M, 32);
  // Each task streams all of B once: few tasks when B is large.
  const size_t bbytes = strip_u16 * pairs * 2 * sizeof(uint16_t);
  const int tasks = std::min(blocks, bbytes > kChunkBytes ? 2 * T : 4 * T);
  const int chunk = std::max(4, std::min(steps, (int)(kChunkBytes / (bbytes / steps))));
  parallel_for(tasks, [&](int t) {
    const int bl0 = (int)((long)blocks * t / tasks), bl1 = (int)((long)blocks * (t + 1) / tasks);
    std::vector<const float*> tab((size_t)S * 32);
    CBlock cb(c, M, N);
    uint16_t* apack = scratch_u16(4, (size_t)chunk * 4 * kTile);
    configure();
    for (int kb0 = 0; kb0 < steps; kb0 += chunk) {
      const int cs = std::min(chunk, steps - kb0);
      const bool first = kb0 == 0, last = kb0 + cs == steps;
      for (int bl = bl0; bl < bl1; bl++) {
        const int m0 = bl * 32, mv = std::min(32, M - m0);
        a.fill(m0, mv, tab.data(), 32);
        pack_a_block(tab.data(), 32, L, K, kb0, cs, apack);
        cb.start(c, m0, mv);
        for (int p = 0; p < pairs; p++) {
          const int n0 = p * 32;
          start_tiles(cb, n0, first);
          block(cs, apack, bpack + (size_t)(2 * p) * strip_u16 + (size_t)kb0 * 2 * kTile,
                bpack + (size_t)(2 * p + 1) * strip_u16 + (size_t)kb0 * 2 * kTile);
          finish_tiles(cb, n0);
          if (last && !e.empty()) {
            const int nv = std::min(32, N - n0);
            for (int i = 0; i < mv; i++) e.apply(cb.rows[i] + n0, n0, nv);
          }
        }
      }
    }
    release();
  });
  return true;
#else
  (void)M, (void)N, (void)a, (void)b, (void)c, (void)e;
  return false;
#endif
}

}  // namespace nk
