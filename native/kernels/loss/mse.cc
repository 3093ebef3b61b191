// Squared error. The kernel returns the plain sum; the caller picks the
// reduction (mean, sum, half-sum) through the scale of the backward.
#include "convnode/kernels.h"

namespace convnode {

double mse_forward(int64_t len, const float* pred, const float* target) {
  double sum = 0.0;
  for (int64_t i = 0; i < len; ++i) {
    const double d = double(pred[i]) - double(target[i]);
    sum += d * d;
  }
  return sum;
}

void mse_backward(int64_t len, const float* pred, const float* target, float scale,
                  float* dpred) {
  const float k = 2.0f * scale;
  for (int64_t i = 0; i < len; ++i) dpred[i] = k * (pred[i] - target[i]);
}

}  // namespace convnode
