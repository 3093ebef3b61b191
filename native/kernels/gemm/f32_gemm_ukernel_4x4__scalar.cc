// Portable reference microkernel: always built, the last entry of dispatch.
#include "gemm_ukernel.h"

namespace convnode {

void f32_gemm_ukernel_4x4__scalar(int64_t kc, const float* a, const float* b,
                                  float* c, int64_t ldc, int64_t m, int64_t n,
                                  float alpha, float beta) {
  constexpr int kMr = 4, kNr = 4;
  float acc[kMr * kNr] = {};
  for (int64_t p = 0; p < kc; ++p) {
    for (int i = 0; i < kMr; ++i) {
      const float ai = a[p * kMr + i];
      for (int j = 0; j < kNr; ++j) acc[i * kNr + j] += ai * b[p * kNr + j];
    }
  }
  gemm_store_tile(acc, kNr, c, ldc, m, n, alpha, beta);
}

}  // namespace convnode
