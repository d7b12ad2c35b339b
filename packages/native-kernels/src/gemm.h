// Indirect GEMM: C[M, N] = A[M, K] * B[K, N] where each row of A is given as S
// segments of L contiguous floats reached through pointers (K = S*L). A
// convolution passes pointers into its NHWC input (a patch row per filter row
// or per tap), so nothing is copied into a column matrix; B (the filter) is
// packed once per call.
#pragma once
#include <cstddef>

namespace nk {

struct RowPointers {
  int S = 1, L = 0;
  virtual ~RowPointers() = default;
  // For rows [m0, m0+mv): table[s*mr + i] = start of segment s of row m0+i.
  // Entries for i in [mv, mr) must be readable pointers too (fill with row m0's).
  virtual void fill(int m0, int mv, const float** table, int mr) const = 0;
};

struct BPacker {
  virtual ~BPacker() = default;
  // Packs rows [k0, k0+kc) x cols [n0, n0+nc) of B into dst[p*nr + j] = B(k0+p, n0+j),
  // zero for j >= nc.
  virtual void pack(float* dst, int k0, int kc, int n0, int nc, int nr) const = 0;
};

struct CRows {
  virtual ~CRows() = default;
  // Address of C(m, 0); a row holds N contiguous floats.
  virtual float* row(int m) const = 0;
  // out[i] = row(m0 + i) for i < count.
  virtual void rows(int m0, int count, float** out) const {
    for (int i = 0; i < count; i++) out[i] = row(m0 + i);
  }
  // ld when every row(m) is row(0) + m * ld, else 0.
  virtual size_t stride() const { return 0; }
};

struct DenseRows : CRows {
  float* base;
  size_t ld;
  DenseRows(float* b, size_t l) : base(b), ld(l) {}
  float* row(int m) const override { return base + (size_t)m * ld; }
  size_t stride() const override { return ld; }
};

// A row-major [M, K] matrix as one segment per row.
struct DenseA : RowPointers {
  const float* a;
  size_t lda;
  DenseA(const float* p, int k, size_t ld) : a(p), lda(ld) { L = k; }
  void fill(int m0, int mv, const float** table, int mr) const override {
    for (int i = 0; i < mr; i++) table[i] = a + (size_t)(m0 + (i < mv ? i : 0)) * lda;
  }
};

// Row-major B (ldb), or its transpose: B(k, n) = b[n*ldb + k].
struct DenseB : BPacker {
  const float* b;
  size_t ldb;
  bool trans;
  DenseB(const float* p, size_t l, bool t) : b(p), ldb(l), trans(t) {}
  void pack(float* dst, int k0, int kc, int n0, int nc, int nr) const override;
};

// What a fused op does to each output tile while it is still in cache:
// c[j] = act(c[j] + bias[col0 + j]).
struct Epilogue {
  enum Act { kLinear = 0, kRelu = 1, kLeakyRelu = 2 };
  const float* bias = nullptr;
  int act = kLinear;
  float alpha = 0.f;
  bool empty() const { return bias == nullptr && act == kLinear; }
  // c[0..n) holds columns [col0, col0 + n) of one output row.
  void apply(float* c, int col0, int n) const { apply_pixels(c, 1, n, col0); }
  // `pixels` consecutive rows of n columns from col0 (row stride n).
  void apply_pixels(float* c, int pixels, int n, int col0 = 0) const;
};

void igemm(int M, int N, const RowPointers& a, const BPacker& b, const CRows& c, const Epilogue& e = {});

// y[m] = a[m, :] . x for a row-major [M, K] matrix (lda): the N = 1 product,
// which a GEMM's 16-wide column strips would mostly waste.
void gemv(int M, int K, const float* a, size_t lda, const float* x, float* y);

// Per-thread scratch, 64-byte aligned, reused across calls; slots are
// independent: 0 explicit patch matrix, 1 packed B (float or, on AMX, bf16),
// 2 zero run, 3 convolution side buffers (border windows, the transposed
// convolution's T), 4 and 5 an AMX task's converted A block and B strip.
float* scratch(int slot, size_t floats);

inline int ceil_div(int a, int b) { return (a + b - 1) / b; }

}  // namespace nk
