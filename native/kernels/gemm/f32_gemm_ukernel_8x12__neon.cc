// NEON (arm64 Advanced SIMD) microkernel, 8 x 12: 24 q-register accumulators,
// 3 for the B row and 2 holding 8 values of A used by lane (fmla by element).
#include <arm_neon.h>

#include "gemm_ukernel.h"

namespace convnode {

void f32_gemm_ukernel_8x12__neon(int64_t kc, const float* a, const float* b,
                                 float* c, int64_t ldc, int64_t m, int64_t n,
                                 float alpha, float beta) {
  constexpr int kMr = 8, kNr = 12;
  float32x4_t acc[kMr][3];
  for (int i = 0; i < kMr; ++i)
    acc[i][0] = acc[i][1] = acc[i][2] = vdupq_n_f32(0.0f);

  for (int64_t p = 0; p < kc; ++p) {
    const float32x4_t b0 = vld1q_f32(b);
    const float32x4_t b1 = vld1q_f32(b + 4);
    const float32x4_t b2 = vld1q_f32(b + 8);
    const float32x4_t a0 = vld1q_f32(a);
    const float32x4_t a1 = vld1q_f32(a + 4);
#define CONVNODE_ROW(i, av, lane)                         \
  acc[i][0] = vfmaq_laneq_f32(acc[i][0], b0, av, lane);   \
  acc[i][1] = vfmaq_laneq_f32(acc[i][1], b1, av, lane);   \
  acc[i][2] = vfmaq_laneq_f32(acc[i][2], b2, av, lane);
    CONVNODE_ROW(0, a0, 0) CONVNODE_ROW(1, a0, 1) CONVNODE_ROW(2, a0, 2)
    CONVNODE_ROW(3, a0, 3) CONVNODE_ROW(4, a1, 0) CONVNODE_ROW(5, a1, 1)
    CONVNODE_ROW(6, a1, 2) CONVNODE_ROW(7, a1, 3)
#undef CONVNODE_ROW
    a += kMr;
    b += kNr;
  }

  if (m == kMr && n == kNr) {
    for (int i = 0; i < kMr; ++i) {
      float* crow = c + i * ldc;
      for (int v = 0; v < 3; ++v) {
        float32x4_t r = vmulq_n_f32(acc[i][v], alpha);
        if (beta != 0.0f) r = vfmaq_n_f32(r, vld1q_f32(crow + 4 * v), beta);
        vst1q_f32(crow + 4 * v, r);
      }
    }
    return;
  }
  float tile[kMr * kNr];
  for (int i = 0; i < kMr; ++i)
    for (int v = 0; v < 3; ++v) vst1q_f32(tile + i * kNr + 4 * v, acc[i][v]);
  gemm_store_tile(tile, kNr, c, ldc, m, n, alpha, beta);
}

}  // namespace convnode
