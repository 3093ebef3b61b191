#include <arm_neon.h>

#include "fma_peak.h"

namespace convnode {

// 16 q-register chains: 16 x 4 lanes x 2 flops per iteration.
float f32_fma_peak__neon(int64_t iters, float m, float a) {
  const float32x4_t vm = vdupq_n_f32(m), va = vdupq_n_f32(a);
  float32x4_t acc[16];
  for (int j = 0; j < 16; ++j) acc[j] = vdupq_n_f32(float(j));
  for (int64_t i = 0; i < iters; ++i) {
    for (int j = 0; j < 16; ++j) acc[j] = vfmaq_f32(va, acc[j], vm);
  }
  float32x4_t s = acc[0];
  for (int j = 1; j < 16; ++j) s = vaddq_f32(s, acc[j]);
  return vaddvq_f32(s);
}

}  // namespace convnode
