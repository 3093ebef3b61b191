#include <immintrin.h>

#include "fma_peak.h"

namespace convnode {

// 12 ymm chains: 12 x 8 lanes x 2 flops per iteration.
float f32_fma_peak__avx2_fma(int64_t iters, float m, float a) {
  const __m256 vm = _mm256_set1_ps(m), va = _mm256_set1_ps(a);
  __m256 acc[12];
  for (int j = 0; j < 12; ++j) acc[j] = _mm256_set1_ps(float(j));
  for (int64_t i = 0; i < iters; ++i) {
#pragma GCC unroll 12
    for (int j = 0; j < 12; ++j) acc[j] = _mm256_fmadd_ps(acc[j], vm, va);
  }
  __m256 s = acc[0];
  for (int j = 1; j < 12; ++j) s = _mm256_add_ps(s, acc[j]);
  alignas(32) float out[8];
  _mm256_store_ps(out, s);
  return out[0] + out[7];
}

}  // namespace convnode
