// Max, average and sum pooling against the definition, and max pooling
// that keeps its winners.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "convnode/kernels.h"
#include "convnode/runtime.h"
#include "harness.h"

namespace {

// The pair that keeps the winners: the same y and, bit for bit, the same
// dx as pool2d_forward / pool2d_backward; the reference's winners; and a
// winner outside its window (>= kh * kw, or in the padding) refused.
void test_max_pool_argmax(const Pool2dShape& s, const std::vector<float>& x, const std::vector<float>& dy,
                          const std::vector<float>& y_plain, const std::vector<float>& dx_plain,
                          const std::vector<uint8_t>& argmax_ref, const std::string& what) {
  std::vector<float> y(dy.size()), dx(x.size(), 7.0f);
  std::vector<uint8_t> argmax(dy.size(), 255);
  max_pool2d_forward_argmax(s, x.data(), y.data(), argmax.data());
  const bool ok = max_pool2d_backward_argmax(s, argmax.data(), dy.data(), dx.data());
  check(y == y_plain, "max_pool2d_forward_argmax", what + " y as pool2d_forward");
  check(argmax == argmax_ref, "max_pool2d_forward_argmax", what + " winners as the reference");
  check(ok && std::memcmp(dx.data(), dx_plain.data(), sizeof(float) * dx.size()) == 0,
        "max_pool2d_backward_argmax", what + " dx as pool2d_backward, bit for bit");
  if (argmax.empty()) return;
  std::vector<uint8_t> bad = argmax;
  bad.back() = uint8_t(s.kh * s.kw);
  check(!max_pool2d_backward_argmax(s, bad.data(), dy.data(), dx.data()), "max_pool2d_backward_argmax",
        what + " refuses a cell past the window");
  if (s.pad_h > 0 || s.pad_w > 0) {
    bad = argmax;
    bad.front() = 0;  // the first window's top-left cell is padding
    check(!max_pool2d_backward_argmax(s, bad.data(), dy.data(), dx.data()), "max_pool2d_backward_argmax",
          what + " refuses a cell in the padding");
  }
}

void test_pool(PoolMode mode, Pool2dShape s, const std::string& tag) {
  s.ho = pool2d_output_size(s.h, s.kh, s.stride_h, s.pad_h, s.ceil_mode);
  s.wo = pool2d_output_size(s.w, s.kw, s.stride_w, s.pad_w, s.ceil_mode);
  auto x = random_vec(size_t(s.n * s.c * s.h * s.w));
  auto dy = random_vec(size_t(s.n * s.c * s.ho * s.wo));
  std::vector<double> y_ref(dy.size()), dx_ref(x.size());
  std::vector<uint8_t> argmax_ref(dy.size());
  for (int64_t p = 0; p < s.n * s.c; ++p)
    for (int64_t oh = 0; oh < s.ho; ++oh)
      for (int64_t ow = 0; ow < s.wo; ++ow) {
        const int64_t hs = oh * s.stride_h - s.pad_h, ws = ow * s.stride_w - s.pad_w;
        const int64_t he = std::min(hs + s.kh, s.h + s.pad_h), we = std::min(ws + s.kw, s.w + s.pad_w);
        double sum = 0, best = -INFINITY;
        int64_t arg = -1, cells = 0;
        for (int64_t ih = std::max<int64_t>(hs, 0); ih < std::min(he, s.h); ++ih)
          for (int64_t iw = std::max<int64_t>(ws, 0); iw < std::min(we, s.w); ++iw) {
            const int64_t idx = (p * s.h + ih) * s.w + iw;
            sum += x[size_t(idx)];
            ++cells;
            if (x[size_t(idx)] > best) { best = x[size_t(idx)]; arg = idx; }
          }
        const double div = mode == PoolMode::kSum ? 1.0
                           : s.count_include_pad ? double((he - hs) * (we - ws)) : double(cells);
        const size_t o = size_t((p * s.ho + oh) * s.wo + ow);
        y_ref[o] = mode == PoolMode::kMax ? best : sum / div;
        if (mode == PoolMode::kMax) {
          dx_ref[size_t(arg)] += dy[o];
          const int64_t in_plane = arg - p * s.h * s.w;
          argmax_ref[o] = uint8_t((in_plane / s.w - hs) * s.kw + (in_plane % s.w - ws));
        } else {
          for (int64_t ih = std::max<int64_t>(hs, 0); ih < std::min(he, s.h); ++ih)
            for (int64_t iw = std::max<int64_t>(ws, 0); iw < std::min(we, s.w); ++iw)
              dx_ref[size_t((p * s.h + ih) * s.w + iw)] += dy[o] / div;
        }
      }
  std::vector<float> y(dy.size()), dx(x.size());
  pool2d_forward(mode, s, x.data(), y.data());
  pool2d_backward(mode, s, x.data(), dy.data(), dx.data());
  const std::string what = tag + " pool mode " + std::to_string(int(mode)) + " h=" + std::to_string(s.h);
  check(close_rel(y, y_ref, 1e-5), "pool2d_forward", what);
  check(close_rel(dx, dx_ref, 1e-5), "pool2d_backward", what);
  if (mode == PoolMode::kMax) test_max_pool_argmax(s, x, dy, y, dx, argmax_ref, what);
}

}  // namespace

void pool_tests(const std::string& tag) {
  for (PoolMode mode : {PoolMode::kMax, PoolMode::kAvg, PoolMode::kSum}) {
    test_pool(mode, Pool2dShape{2, 3, 7, 6, 3, 3, 2, 2, 1, 1, true, true, 0, 0}, tag);
    test_pool(mode, Pool2dShape{1, 2, 9, 9, 2, 2, 3, 3, 0, 0, false, false, 0, 0}, tag);
    test_pool(mode, Pool2dShape{64, 8, 12, 12, 2, 2, 2, 2, 0, 0, false, true, 0, 0}, tag);  // threaded
  }
  // 3x3 stride 2 (the vector tiles): widths around one and two vectors
  // of 8 and 16 windows, padding 0 and 1, ceil mode, threaded.
  for (int64_t w : {5, 16, 17, 31, 34, 35, 36, 66, 71})
    for (int64_t pad : {0, 1})
      test_pool(PoolMode::kMax, Pool2dShape{1, 2, 9 + w % 4, w, 3, 3, 2, 2, pad, pad, w % 3 == 0, true, 0, 0}, tag);
  test_pool(PoolMode::kMax, Pool2dShape{4, 16, 40, 40, 3, 3, 2, 2, 1, 1, false, true, 0, 0}, tag);  // threaded
}
