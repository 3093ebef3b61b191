#include "fma_peak.h"

namespace convnode {

// 8 chains of multiply-add in portable code (the baseline compiler may use
// SSE2 or NEON lanes for them: that is what the scalar path can do).
float f32_fma_peak__scalar(int64_t iters, float m, float a) {
  float acc[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  for (int64_t i = 0; i < iters; ++i)
    for (float& v : acc) v = v * m + a;
  float s = 0;
  for (float v : acc) s += v;
  return s;
}

}  // namespace convnode
