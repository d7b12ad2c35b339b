// Intel AMX (Sapphire Rapids and later): igemm on the tile units in bf16,
// with each float split as hi + lo so that the result keeps float accuracy
// (relative error ~1e-5, against ~4e-3 for plain bf16).
#pragma once
#include <cstddef>

#include "gemm.h"

namespace nk {

// The CPU has AMX-BF16 and AVX512-BF16 and the kernel granted tile state.
bool amx_supported();
// Supported and not switched off by amx_set_enabled(false).
bool amx_enabled();
void amx_set_enabled(bool on);

// C = A * B, then the epilogue: igemm's contract. Returns false, having done
// nothing, where the AMX path is off or the product is too small for it.
bool igemm_amx(int M, int N, const RowPointers& a, const BPacker& b, const CRows& c, const Epilogue& e);

}  // namespace nk
