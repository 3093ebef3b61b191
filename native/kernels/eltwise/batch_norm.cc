// Batch normalisation's passes over [n, c, hw] (the op in
// lib/autograd/ops/batchnorm.ts combines them): the per-channel moments
// and gradient sums, and the per-channel affine maps of the forward and
// backward passes. All are bound by memory: one read of the data (and one
// write for the maps), vectorised by the compiler, threads over channels
// (sums) or images (maps) once the tensor pays for a parallel region.
#include "convnode/kernels.h"
#include "convnode/runtime.h"
#include "../parallel_ranges.h"

namespace convnode {
namespace {

int threads_for(const ChannelShape& s) { return s.n * s.c * s.hw >= kParallelMinElements ? num_threads() : 1; }

// Sums f(j) over one row of hw values in eight float lanes (whole vector
// adds; one running sum would wait on each add), returned as a double.
template <typename F>
double row_sum(int64_t hw, F f) {
  float lanes[8] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
  int64_t j = 0;
  for (; j + 8 <= hw; j += 8)
    for (int l = 0; l < 8; ++l) lanes[l] += f(j + l);
  float part = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
  for (; j < hw; ++j) part += f(j);
  return double(part);
}

}  // namespace

void channel_moments(const ChannelShape& s, const float* x, float* mean, float* var) {
  const double count = double(s.n * s.hw);
  parallel_for(s.c, threads_for(s), [&](int64_t ch) {
    // Sums of x - k, k the channel's first value: float lanes hold small
    // numbers even when the mean is far from zero (1000 +- 1 summed as
    // squares in float loses the variance entirely).
    const float k = x[ch * s.hw];
    double sum = 0.0, sq = 0.0;
    for (int64_t i = 0; i < s.n; ++i) {
      const float* row = x + (i * s.c + ch) * s.hw;
      sum += row_sum(s.hw, [row, k](int64_t j) { return row[j] - k; });
      sq += row_sum(s.hw, [row, k](int64_t j) { return (row[j] - k) * (row[j] - k); });
    }
    const double shifted = sum / count;
    const double v = sq / count - shifted * shifted;
    mean[ch] = float(double(k) + shifted);
    var[ch] = float(v > 0.0 ? v : 0.0);
  });
}

void channel_grad_sums(const ChannelShape& s, const float* dy, const float* x, const float* mean,
                       float* sum_dy, float* sum_dy_xc) {
  parallel_for(s.c, threads_for(s), [&](int64_t ch) {
    const float m = mean[ch];
    double sd = 0.0, sdx = 0.0;
    for (int64_t i = 0; i < s.n; ++i) {
      const int64_t off = (i * s.c + ch) * s.hw;
      const float* g = dy + off;
      const float* v = x + off;
      sd += row_sum(s.hw, [g](int64_t j) { return g[j]; });
      sdx += row_sum(s.hw, [g, v, m](int64_t j) { return g[j] * (v[j] - m); });
    }
    sum_dy[ch] = float(sd);
    sum_dy_xc[ch] = float(sdx);
  });
}

void channel_affine(const ChannelShape& s, const float* x, const float* scale, const float* shift, float* y) {
  parallel_for(s.n, threads_for(s), [&](int64_t i) {
    for (int64_t ch = 0; ch < s.c; ++ch) {
      const int64_t off = (i * s.c + ch) * s.hw;
      const float a = scale[ch], b = shift[ch];
      for (int64_t j = 0; j < s.hw; ++j) y[off + j] = a * x[off + j] + b;
    }
  });
}

void channel_combine(const ChannelShape& s, const float* dy, const float* x, const float* a, const float* b,
                     const float* d, float* dx) {
  parallel_for(s.n, threads_for(s), [&](int64_t i) {
    for (int64_t ch = 0; ch < s.c; ++ch) {
      const int64_t off = (i * s.c + ch) * s.hw;
      const float ac = a[ch], bc = b[ch], dc = d[ch];
      for (int64_t j = 0; j < s.hw; ++j) dx[off + j] = ac * dy[off + j] + bc * x[off + j] + dc;
    }
  });
}

}  // namespace convnode
