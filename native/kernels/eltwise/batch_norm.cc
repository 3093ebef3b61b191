// Batch normalisation's passes over [n, c, hw] (the op in
// lib/autograd/ops/batchnorm.ts combines them): the per-channel moments
// and gradient sums, and the per-channel affine maps of the forward and
// backward passes, each with an optional ReLU folded in (its forward rule
// in the affine map, its backward rule in the two backward passes: the
// pass over the data that a separate ReLU costs each way is saved). All
// are bound by memory: one read of the data (and one write for the maps),
// vectorised by the compiler, threads over images once the tensor pays
// for a parallel region (the sums in fixed chunks of the batch).
#include <cstdint>
#include <cstring>
#include <vector>

#include "convnode/kernels.h"
#include "convnode/runtime.h"
#include "../parallel_ranges.h"
#include "channel_sums.h"

namespace convnode {

void channel_moments(const ChannelShape& s, const float* x, float* mean, float* var) {
  const double count = double(s.n * s.hw);
  // Sums of x - k, k the channel's first value: float lanes hold small
  // numbers even when the mean is far from zero (1000 +- 1 summed as
  // squares in float loses the variance entirely).
  std::vector<double> sums(size_t(2 * s.c));  // sum, then sum of squares
  sums_over_batch<2>(
      s, threads_for(s),
      [&](int64_t i, int64_t ch, double* acc) {
        const float k = x[ch * s.hw];
        const float* row = x + (i * s.c + ch) * s.hw;
        acc[0] += row_sum(s.hw, [row, k](int64_t j) { return row[j] - k; });
        acc[1] += row_sum(s.hw, [row, k](int64_t j) { return (row[j] - k) * (row[j] - k); });
      },
      sums.data());
  for (int64_t ch = 0; ch < s.c; ++ch) {
    const double shifted = sums[size_t(ch)] / count;
    const double v = sums[size_t(s.c + ch)] / count - shifted * shifted;
    mean[ch] = float(double(x[ch * s.hw]) + shifted);
    var[ch] = float(v > 0.0 ? v : 0.0);
  }
}

// A ReLU folded into the batch norm (channel_affine_relu) passes dy where its
// output is > 0 or NaN and 0 elsewhere: the rule of activation_backward's
// ReLU, read from the output (y <= 0 exactly where the input was <= 0). The
// select is an AND of dy's bits with a mask: written as a select, GCC kept
// a branch per element inside row_sum's lanes, mispredicted half the time
// (channel_grad_sums took 10 ms instead of 0.4 on 1M elements).
inline float relu_masked(const float* relu_out, const float* dy, int64_t j) {
  uint32_t bits;
  std::memcpy(&bits, dy + j, sizeof bits);
  bits &= relu_out[j] <= 0.0f ? 0u : ~0u;
  float out;
  std::memcpy(&out, &bits, sizeof out);
  return out;
}

void channel_grad_sums(const ChannelShape& s, const float* dy, const float* x, const float* mean,
                       float* sum_dy, float* sum_dy_xc, const float* relu_out) {
  std::vector<double> sums(size_t(2 * s.c));  // sum of dy, then of dy (x - mean)
  sums_over_batch<2>(
      s, threads_for(s),
      [&](int64_t i, int64_t ch, double* acc) {
        const float m = mean[ch];
        const int64_t off = (i * s.c + ch) * s.hw;
        const float* g = dy + off;
        const float* v = x + off;
        if (relu_out != nullptr) {
          const float* r = relu_out + off;
          acc[0] += row_sum(s.hw, [g, r](int64_t j) { return relu_masked(r, g, j); });
          acc[1] += row_sum(s.hw, [g, r, v, m](int64_t j) { return relu_masked(r, g, j) * (v[j] - m); });
        } else {
          acc[0] += row_sum(s.hw, [g](int64_t j) { return g[j]; });
          acc[1] += row_sum(s.hw, [g, v, m](int64_t j) { return g[j] * (v[j] - m); });
        }
      },
      sums.data());
  for (int64_t ch = 0; ch < s.c; ++ch) {
    sum_dy[ch] = float(sums[size_t(ch)]);
    sum_dy_xc[ch] = float(sums[size_t(s.c + ch)]);
  }
}

namespace {

template <bool kRelu>
void affine(const ChannelShape& s, const float* x, const float* scale, const float* shift, float* y) {
  parallel_for(s.n, threads_for(s), [&](int64_t i) {
    for (int64_t ch = 0; ch < s.c; ++ch) {
      const int64_t off = (i * s.c + ch) * s.hw;
      const float a = scale[ch], b = shift[ch];
      for (int64_t j = 0; j < s.hw; ++j) {
        const float v = a * x[off + j] + b;
        // ReLU's rule (activation.cc): 0 where v <= 0, so NaN stays NaN.
        y[off + j] = kRelu && v <= 0.0f ? 0.0f : v;
      }
    }
  });
}

}  // namespace

void channel_affine(const ChannelShape& s, const float* x, const float* scale, const float* shift, float* y) {
  affine<false>(s, x, scale, shift, y);
}

void channel_affine_relu(const ChannelShape& s, const float* x, const float* scale, const float* shift, float* y) {
  affine<true>(s, x, scale, shift, y);
}

void channel_combine(const ChannelShape& s, const float* dy, const float* x, const float* a, const float* b,
                     const float* d, float* dx, const float* relu_out) {
  parallel_for(s.n, threads_for(s), [&](int64_t i) {
    for (int64_t ch = 0; ch < s.c; ++ch) {
      const int64_t off = (i * s.c + ch) * s.hw;
      const float ac = a[ch], bc = b[ch], dc = d[ch];
      if (relu_out != nullptr) {
        const float* r = relu_out + off;
        const float* g = dy + off;
        for (int64_t j = 0; j < s.hw; ++j) dx[off + j] = ac * relu_masked(r, g, j) + bc * x[off + j] + dc;
      } else {
        for (int64_t j = 0; j < s.hw; ++j) dx[off + j] = ac * dy[off + j] + bc * x[off + j] + dc;
      }
    }
  });
}

}  // namespace convnode
