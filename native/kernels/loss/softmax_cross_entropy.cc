// Softmax + cross-entropy fused: the loss comes from log-sum-exp (never
// log of a rounded probability). The loss of a row is sum_j t_j (lse - z_j),
// so its gradient is p * sum(t) - t: the famous p - t only when t sums to 1
// (class indices always do; soft targets need not).
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
      // Read before the row is written: g may be p itself (in place).
      const int64_t label = target.labels[r];
      const float p_label = p[label];
      for (int64_t j = 0; j < cols; ++j) g[j] = scale * p[j];
      g[label] = scale * (p_label - 1.0f);
    } else {
      const float* t = target.probs + r * cols;
      double sum_t = 0.0;
      for (int64_t j = 0; j < cols; ++j) sum_t += double(t[j]);
      const float mass = static_cast<float>(sum_t);
      for (int64_t j = 0; j < cols; ++j) g[j] = scale * (p[j] * mass - t[j]);
    }
  }
}

}  // namespace convnode
