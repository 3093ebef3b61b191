// AVX-512 direct-convolution microkernel, 4 channels x 48 positions: 12 zmm
// accumulators, 3 for the shifted input runs, 1 broadcast filter tap.
// Compiled with -mavx512f (this file only).
#include <immintrin.h>

#include "direct_conv_ukernel.h"

namespace convnode {

void f32_conv_direct_4x48__avx512(int64_t taps, const int64_t* offs, const float* src,
                                  const float* w, float* out, int64_t ld) {
  __m512 acc[4][3];
#pragma GCC unroll 4
  for (int k = 0; k < 4; ++k) acc[k][0] = acc[k][1] = acc[k][2] = _mm512_setzero_ps();
  for (int64_t t = 0; t < taps; ++t) {
    const float* s = src + offs[t];
    const __m512 x0 = _mm512_loadu_ps(s), x1 = _mm512_loadu_ps(s + 16), x2 = _mm512_loadu_ps(s + 32);
#pragma GCC unroll 4
    for (int k = 0; k < 4; ++k) {
      const __m512 wk = _mm512_set1_ps(w[t * 4 + k]);
      acc[k][0] = _mm512_fmadd_ps(wk, x0, acc[k][0]);
      acc[k][1] = _mm512_fmadd_ps(wk, x1, acc[k][1]);
      acc[k][2] = _mm512_fmadd_ps(wk, x2, acc[k][2]);
    }
  }
#pragma GCC unroll 4
  for (int k = 0; k < 4; ++k) {
    _mm512_storeu_ps(out + k * ld, acc[k][0]);
    _mm512_storeu_ps(out + k * ld + 16, acc[k][1]);
    _mm512_storeu_ps(out + k * ld + 32, acc[k][2]);
  }
}

}  // namespace convnode
