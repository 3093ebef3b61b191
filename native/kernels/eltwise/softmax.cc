// Row-wise softmax and log-softmax, stabilised by subtracting the row max;
// row sums in double so wide rows keep their precision.
#include <algorithm>
#include <cmath>

#include "convnode/kernels.h"

namespace convnode {
namespace {

// Returns max and log(sum(exp(x - max))) of one row.
void row_log_sum_exp(const float* x, int64_t cols, float* max_out, double* lse) {
  float mx = x[0];
  for (int64_t j = 1; j < cols; ++j) mx = std::max(mx, x[j]);
  double sum = 0.0;
  for (int64_t j = 0; j < cols; ++j) sum += std::exp(double(x[j]) - double(mx));
  *max_out = mx;
  *lse = std::log(sum);
}

}  // namespace

void softmax_forward(int64_t rows, int64_t cols, const float* x, float* y) {
  for (int64_t r = 0; r < rows; ++r) {
    float mx;
    double lse;
    row_log_sum_exp(x + r * cols, cols, &mx, &lse);
    for (int64_t j = 0; j < cols; ++j)
      y[r * cols + j] = static_cast<float>(std::exp(double(x[r * cols + j]) - mx - lse));
  }
}

void log_softmax_forward(int64_t rows, int64_t cols, const float* x, float* y) {
  for (int64_t r = 0; r < rows; ++r) {
    float mx;
    double lse;
    row_log_sum_exp(x + r * cols, cols, &mx, &lse);
    for (int64_t j = 0; j < cols; ++j)
      y[r * cols + j] = static_cast<float>(double(x[r * cols + j]) - mx - lse);
  }
}

void softmax_backward(int64_t rows, int64_t cols, const float* y, const float* dy,
                      float* dx) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* yr = y + r * cols;
    const float* gr = dy + r * cols;
    double dot = 0.0;
    for (int64_t j = 0; j < cols; ++j) dot += double(yr[j]) * double(gr[j]);
    for (int64_t j = 0; j < cols; ++j)
      dx[r * cols + j] = static_cast<float>(double(yr[j]) * (double(gr[j]) - dot));
  }
}

void log_softmax_backward(int64_t rows, int64_t cols, const float* y,
                          const float* dy, float* dx) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* yr = y + r * cols;
    const float* gr = dy + r * cols;
    double sum = 0.0;
    for (int64_t j = 0; j < cols; ++j) sum += gr[j];
    for (int64_t j = 0; j < cols; ++j)
      dx[r * cols + j] = static_cast<float>(double(gr[j]) - std::exp(double(yr[j])) * sum);
  }
}

}  // namespace convnode
