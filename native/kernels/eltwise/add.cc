// y = a + b. ResNet's residual sums and the autograd engine's gradient sums
// ran as JavaScript loops: 20% of a ResNet-20 training step at 2 threads.
// The compiler vectorises the loop; threads split it once it is large
// enough (parallel_ranges.h).
#include "convnode/kernels.h"
#include "../parallel_ranges.h"

namespace convnode {

void add(int64_t len, const float* a, const float* b, float* y) {
  for_each_chunk(len, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) y[i] = a[i] + b[i];
  });
}

// A residual block's sum and the ReLU after it in one pass (ReLU's rule,
// activation.cc: 0 where the sum is <= 0, so NaN stays NaN).
void add_relu(int64_t len, const float* a, const float* b, float* y) {
  for_each_chunk(len, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      const float v = a[i] + b[i];
      y[i] = v <= 0.0f ? 0.0f : v;
    }
  });
}

}  // namespace convnode
