// Softmax + cross-entropy fused: the loss comes from log-sum-exp (never
// log of a rounded probability) and the gradient is the famous p - t.
#include <algorithm>
#include <cmath>

#include "convnode/kernels.h"

namespace convnode {

double softmax_cross_entropy_forward(int64_t rows, int64_t cols,
                                     const float* logits, ClassTarget target,
                                     float* probs_out) {
  double total = 0.0;
  for (int64_t r = 0; r < rows; ++r) {
    const float* x = logits + r * cols;
    float mx = x[0];
    for (int64_t j = 1; j < cols; ++j) mx = std::max(mx, x[j]);
    double sum = 0.0;
    for (int64_t j = 0; j < cols; ++j) sum += std::exp(double(x[j]) - double(mx));
    const double lse = double(mx) + std::log(sum);
    for (int64_t j = 0; j < cols; ++j)
      probs_out[r * cols + j] = static_cast<float>(std::exp(double(x[j]) - lse));
    if (target.labels != nullptr) {
      total += lse - double(x[target.labels[r]]);
    } else {
      const float* t = target.probs + r * cols;
      for (int64_t j = 0; j < cols; ++j)
        if (t[j] != 0.0f) total += double(t[j]) * (lse - double(x[j]));
    }
  }
  return total / double(rows);
}

void softmax_cross_entropy_backward(int64_t rows, int64_t cols,
                                    const float* probs, ClassTarget target,
                                    float scale, float* dlogits) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* p = probs + r * cols;
    float* g = dlogits + r * cols;
    if (target.labels != nullptr) {
      for (int64_t j = 0; j < cols; ++j) g[j] = scale * p[j];
      g[target.labels[r]] = scale * (p[target.labels[r]] - 1.0f);
    } else {
      const float* t = target.probs + r * cols;
      for (int64_t j = 0; j < cols; ++j) g[j] = scale * (p[j] - t[j]);
    }
  }
}

}  // namespace convnode
