// AVX-512 microkernel, 12 x 32: 24 zmm accumulators, 2 for the B row and 1
// broadcast of A, within the 32 zmm registers. Edge tiles use masked loads
// and stores, which never touch memory outside the tile. Compiled with
// -mavx512f (this file only).
#include <immintrin.h>

#include "gemm_ukernel.h"

namespace convnode {

void f32_gemm_ukernel_12x32__avx512(int64_t kc, const float* a, const float* b,
                                    float* c, int64_t ldc, int64_t m, int64_t n,
                                    float alpha, float beta) {
  constexpr int kMr = 12, kNr = 32;
  __m512 acc[kMr][2];
#pragma GCC unroll 12
  for (int i = 0; i < kMr; ++i) acc[i][0] = acc[i][1] = _mm512_setzero_ps();

  for (int64_t p = 0; p < kc; ++p) {
    const __m512 b0 = _mm512_loadu_ps(b);
    const __m512 b1 = _mm512_loadu_ps(b + 16);
#pragma GCC unroll 12
    for (int i = 0; i < kMr; ++i) {
      const __m512 ai = _mm512_set1_ps(a[i]);
      acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
    }
    a += kMr;
    b += kNr;
  }

  // Column masks for the two 16-wide halves of the tile.
  const __mmask16 m0 = n >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << n) - 1u);
  const __mmask16 m1 = n >= 32 ? __mmask16(0xFFFF)
                       : n <= 16 ? __mmask16(0)
                                 : __mmask16((1u << (n - 16)) - 1u);
  const __m512 va = _mm512_set1_ps(alpha);
  const __m512 vb = _mm512_set1_ps(beta);
#pragma GCC unroll 12
  for (int i = 0; i < kMr; ++i) {
    if (i >= m) break;
    float* crow = c + i * ldc;
    __m512 r0 = _mm512_mul_ps(va, acc[i][0]);
    __m512 r1 = _mm512_mul_ps(va, acc[i][1]);
    if (beta != 0.0f) {
      r0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, crow), r0);
      r1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m1, crow + 16), r1);
    }
    _mm512_mask_storeu_ps(crow, m0, r0);
    _mm512_mask_storeu_ps(crow + 16, m1, r1);
  }
}

}  // namespace convnode
