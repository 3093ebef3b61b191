// Fused SGD step, PyTorch's torch.optim.SGD semantics, one pass over memory.
#include "convnode/kernels.h"
#include "../parallel_ranges.h"

namespace convnode {
namespace {

void sgd_range(const SgdParams& p, int64_t b, int64_t e, float* param, const float* grad,
               float* buf) {
  // Locals, not reads through p: see adam.cc.
  const float lr = p.lr, momentum = p.momentum, dampening = p.dampening, weight_decay = p.weight_decay;
  const bool nesterov = p.nesterov, first = p.step <= 1;
  // Weight decay is only added when set (PyTorch): 0 * inf would be NaN.
  const bool decay = weight_decay != 0.0f;
  if (momentum == 0.0f) {
    for (int64_t i = b; i < e; ++i) param[i] -= lr * (decay ? grad[i] + weight_decay * param[i] : grad[i]);
    return;
  }
  for (int64_t i = b; i < e; ++i) {
    const float d = decay ? grad[i] + weight_decay * param[i] : grad[i];
    const float m = first ? d : momentum * buf[i] + (1.0f - dampening) * d;
    buf[i] = m;
    param[i] -= lr * (nesterov ? d + momentum * m : m);
  }
}

}  // namespace

void sgd_update_many(const SgdParams& p, int64_t count, const int64_t* lengths,
                     float* const* params, const float* const* grads,
                     float* const* momentum_bufs) {
  for_each_list_range(count, lengths, [&](int64_t t, int64_t b, int64_t e) {
    sgd_range(p, b, e, params[t], grads[t], momentum_bufs != nullptr ? momentum_bufs[t] : nullptr);
  });
}

void sgd_update(const SgdParams& p, int64_t len, float* param, const float* grad,
                float* buf) {
  sgd_update_many(p, 1, &len, &param, &grad, buf != nullptr ? &buf : nullptr);
}

}  // namespace convnode
