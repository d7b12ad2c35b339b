// Register-blocked micro-kernels, one set per instruction set, picked at run
// time so that one build runs on any x86-64 (and elsewhere, the generic one).
#pragma once

namespace nk {

// Indirect GEMM tile: C rows c[0..mv) at column offset coff get
//   sum over s < S, j < L of a[s*mr + i][j] * b[(s*L + j)*nr + col]
// (a: per segment, mr row pointers; b: packed strip of S*L x nr).
// Rows i >= mv must still point to readable memory (they are computed, not stored).
using IgemmFn = void (*)(int S, int L, const float* const* a, const float* b, float* const* c, int coff, int mv,
                         int nv, bool accumulate);

// Reduction tile: C[i][col] += sum over p < P of (xp[p] + off)[i] * (dy + p*ldy)[col],
// for rows i < mv and cols col < nv; c points at C(0, 0) of the tile, row stride ldc.
// (xp[p] + off)[i] for i >= mv is read only when overread is true.
using RgemmFn = void (*)(int P, const float* const* xp, int off, const float* dy, int ldy, float* c, int ldc, int mv,
                         int nv, bool overread);

struct MicroKernels {
  const char* isa;
  int mr, nr;    // indirect GEMM tile
  int rmr, rnr;  // reduction tile
  IgemmFn igemm;
  RgemmFn rgemm;
  // Narrow variants for N (or co) <= 16, where the wide tile would compute half zeros.
  int mr16, rmr16;
  IgemmFn igemm16;
  RgemmFn rgemm16;
};

const MicroKernels& micro_kernels();

}  // namespace nk
