#include <immintrin.h>

#include "fma_peak.h"

namespace convnode {

// 16 zmm chains: 16 x 16 lanes x 2 flops per iteration.
float f32_fma_peak__avx512(int64_t iters, float m, float a) {
  const __m512 vm = _mm512_set1_ps(m), va = _mm512_set1_ps(a);
  __m512 acc[16];
  for (int j = 0; j < 16; ++j) acc[j] = _mm512_set1_ps(float(j));
  for (int64_t i = 0; i < iters; ++i) {
#pragma GCC unroll 16
    for (int j = 0; j < 16; ++j) acc[j] = _mm512_fmadd_ps(acc[j], vm, va);
  }
  __m512 s = acc[0];
  for (int j = 1; j < 16; ++j) s = _mm512_add_ps(s, acc[j]);
  return _mm512_reduce_add_ps(s);
}

}  // namespace convnode
