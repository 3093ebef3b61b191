// Fused RMSprop step, PyTorch's torch.optim.RMSprop:
//   g = grad + wd * p
//   s = alpha s + (1 - alpha) g^2
//   centered: a = alpha a + (1 - alpha) g;  avg = sqrt(s - a^2) + eps
//   else:     avg = sqrt(s) + eps
//   momentum: b = momentum b + g / avg;  p -= lr b
//   else:     p -= lr g / avg
#include <cmath>

#include "convnode/kernels.h"
#include "../parallel_ranges.h"

namespace convnode {
namespace {

template <bool kCentered, bool kMomentum>
void rmsprop_range(const RmspropParams& p, int64_t b, int64_t e, float* param, const float* grad, float* sq,
                   float* buf, float* gavg) {
  // Locals, not reads through p: see adam.cc.
  const float lr = p.lr, alpha = p.alpha, eps = p.eps, wd = p.weight_decay, momentum = p.momentum;
  const bool decay = wd != 0.0f;  // as PyTorch: 0 * inf would be NaN
  for (int64_t i = b; i < e; ++i) {
    const float g = decay ? grad[i] + wd * param[i] : grad[i];
    sq[i] = alpha * sq[i] + (1.0f - alpha) * g * g;
    float variance = sq[i];
    if constexpr (kCentered) {
      gavg[i] = alpha * gavg[i] + (1.0f - alpha) * g;
      variance -= gavg[i] * gavg[i];
    }
    const float avg = std::sqrt(variance) + eps;
    if constexpr (kMomentum) {
      buf[i] = momentum * buf[i] + g / avg;
      param[i] -= lr * buf[i];
    } else {
      param[i] -= lr * g / avg;
    }
  }
}

}  // namespace

void rmsprop_update_many(const RmspropParams& p, int64_t count, const int64_t* lengths, float* const* params,
                         const float* const* grads, float* const* square_avgs, float* const* momentum_bufs,
                         float* const* grad_avgs) {
  const bool momentum = p.momentum > 0.0f;
  for_each_list_range(count, lengths, [&](int64_t t, int64_t b, int64_t e) {
    float* buf = momentum ? momentum_bufs[t] : nullptr;
    float* gavg = p.centered ? grad_avgs[t] : nullptr;
    if (p.centered && momentum) rmsprop_range<true, true>(p, b, e, params[t], grads[t], square_avgs[t], buf, gavg);
    else if (p.centered) rmsprop_range<true, false>(p, b, e, params[t], grads[t], square_avgs[t], buf, gavg);
    else if (momentum) rmsprop_range<false, true>(p, b, e, params[t], grads[t], square_avgs[t], buf, gavg);
    else rmsprop_range<false, false>(p, b, e, params[t], grads[t], square_avgs[t], buf, gavg);
  });
}

}  // namespace convnode
