// AVX2 direct-convolution weight-gradient microkernel, 4 channels x 2 taps:
// 8 ymm accumulators, 4 dy runs and 2 shifted input runs per step (14 of
// the 16 ymm registers). Compiled with -mavx2 -mfma (this file only).
#include <immintrin.h>

#include "direct_conv_ukernel.h"

namespace convnode {
namespace {

inline float hsum(__m256 v) {
  const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(t, _mm_shuffle_ps(t, t, 1)));
}

}  // namespace

void f32_conv_direct_dw_4x2__avx2_fma(int64_t len, const float* dy, int64_t ld_dy,
                                      const int64_t* offs, const float* src, float* dw,
                                      int64_t ldw) {
  __m256 acc[4][2];
#pragma GCC unroll 4
  for (int k = 0; k < 4; ++k) acc[k][0] = acc[k][1] = _mm256_setzero_ps();
  const float* s0 = src + offs[0];
  const float* s1 = src + offs[1];
  for (int64_t j = 0; j < len; j += 8) {
    const __m256 x0 = _mm256_loadu_ps(s0 + j), x1 = _mm256_loadu_ps(s1 + j);
#pragma GCC unroll 4
    for (int k = 0; k < 4; ++k) {
      const __m256 g = _mm256_loadu_ps(dy + k * ld_dy + j);
      acc[k][0] = _mm256_fmadd_ps(g, x0, acc[k][0]);
      acc[k][1] = _mm256_fmadd_ps(g, x1, acc[k][1]);
    }
  }
#pragma GCC unroll 4
  for (int k = 0; k < 4; ++k) {
    dw[k * ldw] += hsum(acc[k][0]);
    dw[k * ldw + 1] += hsum(acc[k][1]);
  }
}

}  // namespace convnode
