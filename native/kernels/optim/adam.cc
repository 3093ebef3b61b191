// Fused Adam / AdamW step, PyTorch's formulation:
//   m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2
//   p -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
#include <cmath>

#include "convnode/kernels.h"
#include "convnode/runtime.h"

namespace convnode {

void adam_update(const AdamParams& p, int64_t len, float* param, const float* grad,
                 float* m, float* v) {
  const double t = static_cast<double>(p.step);
  const float bc1 = static_cast<float>(1.0 - std::pow(double(p.beta1), t));
  const float bc2_sqrt = static_cast<float>(std::sqrt(1.0 - std::pow(double(p.beta2), t)));
  const float step_size = p.lr / bc1;
  const float decay = p.decoupled ? 1.0f - p.lr * p.weight_decay : 1.0f;
  const float l2 = p.decoupled ? 0.0f : p.weight_decay;
  const int threads = len >= (int64_t(1) << 15) ? num_threads() : 1;
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (int64_t i = 0; i < len; ++i) {
    const float g = grad[i] + l2 * param[i];
    m[i] = p.beta1 * m[i] + (1.0f - p.beta1) * g;
    v[i] = p.beta2 * v[i] + (1.0f - p.beta2) * g * g;
    const float denom = std::sqrt(v[i]) / bc2_sqrt + p.eps;
    param[i] = param[i] * decay - step_size * m[i] / denom;
  }
}

}  // namespace convnode
