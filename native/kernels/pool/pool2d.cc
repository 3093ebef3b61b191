// The pooling implementations (native/cpu/pool_dispatch.cc chooses among
// them), forward and backward, one (n, c) plane per unit of parallel work. Windows are clipped to the input; padding never
// wins a max and adds nothing to a sum. Average divides by the window size
// clipped to the padded input (count_include_pad, PyTorch's default) or by
// the number of real input cells.
//
// Speed: window bounds are computed once per call, not per output; max and
// argmax are branchless (random data makes "v > best" a coin flip, and a
// mispredicted branch per element cost 4 ns); NaN is tracked with a flag so
// it still propagates as in PyTorch. 2x2 stride-2 windows without padding,
// the common case, have their own loops (pool_2x2_loops.h). Both are
// compiled per ISA path (pool_loops.h). Other max windows go through
// MaxPoolPhased (max_pool_phased.cc); average and sum windows are separable:
// one pass down the kh rows of a band leaves per column its sum, and a short
// pass along the columns finishes each window.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

#include "convnode/kernels.h"
#include "convnode/runtime.h"
#include "cpu/dispatch.h"
#include "max_pool_phased.h"
#include "pool_impls.h"
#include "pool_loops.h"
#include "pool_geometry.h"
#include "pool_planes.h"

namespace convnode {
namespace {

float divisor(PoolMode mode, const Pool2dShape& s, const Span& r, const Span& c) {
  if (mode == PoolMode::kSum) return 1.0f;
  if (s.count_include_pad) return float(r.padded * c.padded);
  return float((r.hi - r.lo) * (c.hi - c.lo));
}

// Average / sum, separable: per band the column sums (rows added top to
// bottom, one buffer read and the other written), then per window the sum
// of its columns.
struct SumScratch {
  std::vector<float> buf[2];
  explicit SumScratch(int64_t w) {
    buf[0].resize(size_t(w));
    buf[1].resize(size_t(w));
  }
};

const float* band_sums(const float* plane, int64_t w, const Span& r, SumScratch& t) {
  const float* sum = plane + r.lo * w;
  for (int64_t ih = r.lo + 1, b = 0; ih < r.hi; ++ih, b ^= 1) {
    const float* in = plane + ih * w;
    float* next = t.buf[b].data();
    for (int64_t iw = 0; iw < w; ++iw) next[iw] = sum[iw] + in[iw];
    sum = next;
  }
  return sum;
}

void forward_average(PoolMode mode, const Pool2dShape& s, const PoolWindows& g, const float* plane,
                     float* out, SumScratch& t) {
  for (int64_t oh = 0; oh < s.ho; ++oh) {
    const Span& r = g.rows[size_t(oh)];
    const float* sums = band_sums(plane, s.w, r, t);
    float* o = out + oh * s.wo;
    for (int64_t ow = 0; ow < s.wo; ++ow) {
      const Span& c = g.cols[size_t(ow)];
      float sum = 0.0f;
      for (int64_t iw = c.lo; iw < c.hi; ++iw) sum += sums[iw];
      o[ow] = sum / divisor(mode, s, r, c);
    }
  }
}

// Spread each window's share over its columns once, then add that row to
// every row of the band.
void backward_average(PoolMode mode, const Pool2dShape& s, const PoolWindows& g, const float* gp,
                      float* out, SumScratch& t) {
  std::memset(out, 0, sizeof(float) * size_t(s.h * s.w));
  float* spread = t.buf[0].data();
  for (int64_t oh = 0; oh < s.ho; ++oh) {
    const Span& r = g.rows[size_t(oh)];
    const float* go = gp + oh * s.wo;
    std::fill(spread, spread + s.w, 0.0f);
    for (int64_t ow = 0; ow < s.wo; ++ow) {
      const Span& c = g.cols[size_t(ow)];
      const float share = go[ow] / divisor(mode, s, r, c);
      for (int64_t iw = c.lo; iw < c.hi; ++iw) spread[iw] += share;
    }
    for (int64_t ih = r.lo; ih < r.hi; ++ih) {
      float* o = out + ih * s.w;
      for (int64_t iw = 0; iw < s.w; ++iw) o[iw] += spread[iw];
    }
  }
}

}  // namespace

bool is_2x2_stride2(const Pool2dShape& s) {
  return s.kh == 2 && s.kw == 2 && s.stride_h == 2 && s.stride_w == 2 && s.pad_h == 0 &&
         s.pad_w == 0 && 2 * s.ho <= s.h && 2 * s.wo <= s.w;
}

void pool2d_forward_2x2(PoolMode mode, const Pool2dShape& s, const float* x, float* y) {
  const Pool2x2ForwardFn loop = active_kernel_table().pool->forward_2x2;
  for_each_plane(s, [&](int64_t p) { loop(mode, s, x + p * s.h * s.w, y + p * s.ho * s.wo); });
}

void pool2d_backward_2x2(PoolMode mode, const Pool2dShape& s, const float* x, const float* dy, float* dx) {
  const Pool2x2BackwardFn loop = active_kernel_table().pool->backward_2x2;
  for_each_plane(s, [&](int64_t p) { loop(mode, s, x + p * s.h * s.w, dy + p * s.ho * s.wo, dx + p * s.h * s.w); });
}

void max_pool2d_forward_phased(const Pool2dShape& s, const float* x, float* y) {
  const Isa isa = active_isa();
  for_each_plane<MaxPoolPhased>(s, [&](int64_t p, std::optional<MaxPoolPhased>& max_pool) {
    const float* plane = x + p * s.h * s.w;
    if (!max_pool) max_pool.emplace(s, isa);
    max_pool->forward(plane, p + 1 < s.n * s.c ? plane + s.h * s.w : nullptr, y + p * s.ho * s.wo);
  });
}

void max_pool2d_backward_phased(const Pool2dShape& s, const float* x, const float* dy, float* dx) {
  const Isa isa = active_isa();
  for_each_plane<MaxPoolPhased>(s, [&](int64_t p, std::optional<MaxPoolPhased>& max_pool) {
    const float* plane = x + p * s.h * s.w;
    if (!max_pool) max_pool.emplace(s, isa);
    max_pool->backward(plane, p + 1 < s.n * s.c ? plane + s.h * s.w : nullptr, dy + p * s.ho * s.wo, dx + p * s.h * s.w);
  });
}

void pool2d_forward_separable(PoolMode mode, const Pool2dShape& s, const float* x, float* y) {
  const PoolWindows g(s);
  for_each_plane<SumScratch>(s, [&](int64_t p, std::optional<SumScratch>& sums) {
    if (!sums) sums.emplace(s.w);
    forward_average(mode, s, g, x + p * s.h * s.w, y + p * s.ho * s.wo, *sums);
  });
}

void pool2d_backward_separable(PoolMode mode, const Pool2dShape& s, const float* dy, float* dx) {
  const PoolWindows g(s);
  for_each_plane<SumScratch>(s, [&](int64_t p, std::optional<SumScratch>& sums) {
    if (!sums) sums.emplace(s.w);
    backward_average(mode, s, g, dy + p * s.ho * s.wo, dx + p * s.h * s.w, *sums);
  });
}

}  // namespace convnode
