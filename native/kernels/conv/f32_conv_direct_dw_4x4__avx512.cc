// AVX-512 direct-convolution weight-gradient microkernel, 4 channels x 4
// taps: 16 zmm accumulators, 4 dy runs and 4 shifted input runs per step.
// Compiled with -mavx512f (this file only).
#include <immintrin.h>

#include "direct_conv_ukernel.h"

namespace convnode {

void f32_conv_direct_dw_4x4__avx512(int64_t len, const float* dy, int64_t ld_dy,
                                    const int64_t* offs, const float* src, float* dw,
                                    int64_t ldw) {
  __m512 acc[4][4];
#pragma GCC unroll 4
  for (int k = 0; k < 4; ++k) acc[k][0] = acc[k][1] = acc[k][2] = acc[k][3] = _mm512_setzero_ps();
  const float* s0 = src + offs[0];
  const float* s1 = src + offs[1];
  const float* s2 = src + offs[2];
  const float* s3 = src + offs[3];
  for (int64_t j = 0; j < len; j += 16) {
    const __m512 x0 = _mm512_loadu_ps(s0 + j), x1 = _mm512_loadu_ps(s1 + j);
    const __m512 x2 = _mm512_loadu_ps(s2 + j), x3 = _mm512_loadu_ps(s3 + j);
#pragma GCC unroll 4
    for (int k = 0; k < 4; ++k) {
      const __m512 g = _mm512_loadu_ps(dy + k * ld_dy + j);
      acc[k][0] = _mm512_fmadd_ps(g, x0, acc[k][0]);
      acc[k][1] = _mm512_fmadd_ps(g, x1, acc[k][1]);
      acc[k][2] = _mm512_fmadd_ps(g, x2, acc[k][2]);
      acc[k][3] = _mm512_fmadd_ps(g, x3, acc[k][3]);
    }
  }
#pragma GCC unroll 4
  for (int k = 0; k < 4; ++k) {
    dw[k * ldw] += _mm512_reduce_add_ps(acc[k][0]);
    dw[k * ldw + 1] += _mm512_reduce_add_ps(acc[k][1]);
    dw[k * ldw + 2] += _mm512_reduce_add_ps(acc[k][2]);
    dw[k * ldw + 3] += _mm512_reduce_add_ps(acc[k][3]);
  }
}

}  // namespace convnode
