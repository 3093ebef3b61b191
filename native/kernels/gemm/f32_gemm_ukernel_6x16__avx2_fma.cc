// AVX2 + FMA microkernel, 6 x 16: 12 ymm accumulators, 2 for the B row and
// 1 broadcast of A, within the 16 ymm registers. Compiled with -mavx2 -mfma
// (this file only).
//
// The accumulators are named variables, not an array: when the edge path
// stored an accumulator array through a pointer, GCC kept the array in
// memory and wrote all 12 back to the stack on every k step (31% of peak).
#include <immintrin.h>

#include "gemm_ukernel.h"

namespace convnode {

void f32_gemm_ukernel_6x16__avx2_fma(int64_t kc, const float* a, const float* b,
                                     float* c, int64_t ldc, int64_t m, int64_t n,
                                     float alpha, float beta) {
  constexpr int kMr = 6, kNr = 16;
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();

#pragma GCC unroll 4
  for (int64_t p = 0; p < kc; ++p) {
    const __m256 b0 = _mm256_loadu_ps(b);
    const __m256 b1 = _mm256_loadu_ps(b + 8);
    __m256 ai = _mm256_broadcast_ss(a + 0);
    c00 = _mm256_fmadd_ps(ai, b0, c00);
    c01 = _mm256_fmadd_ps(ai, b1, c01);
    ai = _mm256_broadcast_ss(a + 1);
    c10 = _mm256_fmadd_ps(ai, b0, c10);
    c11 = _mm256_fmadd_ps(ai, b1, c11);
    ai = _mm256_broadcast_ss(a + 2);
    c20 = _mm256_fmadd_ps(ai, b0, c20);
    c21 = _mm256_fmadd_ps(ai, b1, c21);
    ai = _mm256_broadcast_ss(a + 3);
    c30 = _mm256_fmadd_ps(ai, b0, c30);
    c31 = _mm256_fmadd_ps(ai, b1, c31);
    ai = _mm256_broadcast_ss(a + 4);
    c40 = _mm256_fmadd_ps(ai, b0, c40);
    c41 = _mm256_fmadd_ps(ai, b1, c41);
    ai = _mm256_broadcast_ss(a + 5);
    c50 = _mm256_fmadd_ps(ai, b0, c50);
    c51 = _mm256_fmadd_ps(ai, b1, c51);
    a += kMr;
    b += kNr;
  }

  const __m256 acc[kMr][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  const __m256 va = _mm256_set1_ps(alpha);
  if (m == kMr && n == kNr) {
    const __m256 vb = _mm256_set1_ps(beta);
    for (int i = 0; i < kMr; ++i) {
      float* crow = c + i * ldc;
      __m256 r0 = _mm256_mul_ps(va, acc[i][0]);
      __m256 r1 = _mm256_mul_ps(va, acc[i][1]);
      if (beta != 0.0f) {
        r0 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(crow), r0);
        r1 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(crow + 8), r1);
      }
      _mm256_storeu_ps(crow, r0);
      _mm256_storeu_ps(crow + 8, r1);
    }
    return;
  }
  alignas(32) float tile[kMr * kNr];
  for (int i = 0; i < kMr; ++i) {
    _mm256_store_ps(tile + i * kNr, acc[i][0]);
    _mm256_store_ps(tile + i * kNr + 8, acc[i][1]);
  }
  gemm_store_tile(tile, kNr, c, ldc, m, n, alpha, beta);
}

}  // namespace convnode
