// Fused SGD step, PyTorch's torch.optim.SGD semantics, one pass over memory.
#include "convnode/kernels.h"
#include "convnode/runtime.h"

namespace convnode {

void sgd_update(const SgdParams& p, int64_t len, float* param, const float* grad,
                float* buf) {
  const bool use_momentum = p.momentum != 0.0f;
  const int threads = len >= (int64_t(1) << 15) ? num_threads() : 1;
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (int64_t i = 0; i < len; ++i) {
    float d = grad[i];
    if (p.weight_decay != 0.0f) d += p.weight_decay * param[i];
    if (use_momentum) {
      buf[i] = p.step <= 1 ? d : p.momentum * buf[i] + (1.0f - p.dampening) * d;
      d = p.nesterov ? d + p.momentum * buf[i] : buf[i];
    }
    param[i] -= p.lr * d;
  }
}

}  // namespace convnode
