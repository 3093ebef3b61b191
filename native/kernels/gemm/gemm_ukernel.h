// The GEMM microkernel contract: the only ISA-specific piece of the GEMM.
//
// A microkernel computes one MR x NR tile of C from packed panels:
//   a: MR x kc, packed column by column:   a[p * MR + i] = op(A)(i, p)
//   b: kc x NR, packed row by row:         b[p * NR + j] = op(B)(p, j)
//   C(i, j) = alpha * sum_p a[p*MR+i] * b[p*NR+j] + beta * C(i, j)
// for i < m <= MR and j < n <= NR (edge tiles are handled inside: the packed
// panels are zero-padded to full MR / NR, only the first m x n of C is
// touched). C is row-major with leading dimension ldc. When beta == 0, C is
// never read. kc may be 0 (then C = beta * C).
//
// Naming: f32_gemm_ukernel_<MR>x<NR>__<isa>, one file each (XNNPACK style).
// Block sizes for the cache loops (MC, KC, NC) live with the kernel in a
// GemmKernel record, so tuning one ISA never touches the others.
#pragma once

#include <cstdint>

#include "convnode/runtime.h"

namespace convnode {

using GemmUkernelFn = void (*)(int64_t kc, const float* a, const float* b,
                               float* c, int64_t ldc, int64_t m, int64_t n,
                               float alpha, float beta);

struct GemmKernel {
  const char* name;
  int mr, nr;      // register tile
  int mc, kc, nc;  // cache blocks: A block mc x kc (L2), B panel kc x nc (L3)
  GemmUkernelFn ukernel;
};

// The records, one per ISA path, are in native/cpu/dispatch.cc (KernelTable::gemm).

// Writes an m x n tile held in a dense row-major buffer (ld = nr) into C,
// applying alpha and beta. Shared by the microkernels' edge-tile paths.
inline void gemm_store_tile(const float* tile, int64_t nr, float* c,
                            int64_t ldc, int64_t m, int64_t n, float alpha,
                            float beta) {
  for (int64_t i = 0; i < m; ++i) {
    float* crow = c + i * ldc;
    const float* t = tile + i * nr;
    if (beta == 0.0f) {
      for (int64_t j = 0; j < n; ++j) crow[j] = alpha * t[j];
    } else {
      for (int64_t j = 0; j < n; ++j) crow[j] = alpha * t[j] + beta * crow[j];
    }
  }
}

// Declarations of every microkernel, built or not on this architecture.
void f32_gemm_ukernel_4x4__scalar(int64_t, const float*, const float*, float*,
                                  int64_t, int64_t, int64_t, float, float);
void f32_gemm_ukernel_6x16__avx2_fma(int64_t, const float*, const float*, float*,
                                     int64_t, int64_t, int64_t, float, float);
void f32_gemm_ukernel_12x32__avx512(int64_t, const float*, const float*, float*,
                                    int64_t, int64_t, int64_t, float, float);
void f32_gemm_ukernel_8x12__neon(int64_t, const float*, const float*, float*,
                                 int64_t, int64_t, int64_t, float, float);

}  // namespace convnode
