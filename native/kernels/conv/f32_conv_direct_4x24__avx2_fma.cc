// AVX2 direct-convolution microkernel, 4 channels x 24 positions: 12 ymm
// accumulators, 3 for the shifted input runs, 1 broadcast filter tap.
// Compiled with -mavx2 -mfma (this file only).
#include <immintrin.h>

#include "direct_conv_ukernel.h"

namespace convnode {

void f32_conv_direct_4x24__avx2_fma(int64_t taps, const int64_t* offs, const float* src,
                                    const float* w, float* out, int64_t ld) {
  __m256 acc[4][3];
#pragma GCC unroll 4
  for (int k = 0; k < 4; ++k) acc[k][0] = acc[k][1] = acc[k][2] = _mm256_setzero_ps();
  for (int64_t t = 0; t < taps; ++t) {
    const float* s = src + offs[t];
    const __m256 x0 = _mm256_loadu_ps(s), x1 = _mm256_loadu_ps(s + 8), x2 = _mm256_loadu_ps(s + 16);
#pragma GCC unroll 4
    for (int k = 0; k < 4; ++k) {
      const __m256 wk = _mm256_broadcast_ss(w + t * 4 + k);
      acc[k][0] = _mm256_fmadd_ps(wk, x0, acc[k][0]);
      acc[k][1] = _mm256_fmadd_ps(wk, x1, acc[k][1]);
      acc[k][2] = _mm256_fmadd_ps(wk, x2, acc[k][2]);
    }
  }
#pragma GCC unroll 4
  for (int k = 0; k < 4; ++k) {
    _mm256_storeu_ps(out + k * ld, acc[k][0]);
    _mm256_storeu_ps(out + k * ld + 8, acc[k][1]);
    _mm256_storeu_ps(out + k * ld + 16, acc[k][2]);
  }
}

}  // namespace convnode
