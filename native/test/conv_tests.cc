// conv2d in every direction against the definition (every tap visited),
// on direct and im2col shapes; the same bits at 1 and 2 threads; the
// worked 7x7 example of DESIGN.md (conv, then max pool).
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
#include "cpu/dispatch.h"
#include "kernels/conv/conv2d_impls.h"

namespace {

// Visits every (output, input, weight) index triple of a convolution.
template <typename F>
void for_each_tap(const Conv2dShape& s, F f) {
  const int64_t cg = s.c / s.groups, kg = s.k / s.groups;
  for (int64_t i = 0; i < s.n; ++i)
    for (int64_t ko = 0; ko < s.k; ++ko) {
      const int64_t g = ko / kg;
      for (int64_t oh = 0; oh < s.ho; ++oh)
        for (int64_t ow = 0; ow < s.wo; ++ow)
          for (int64_t ci = 0; ci < cg; ++ci)
            for (int64_t a = 0; a < s.kh; ++a)
              for (int64_t b = 0; b < s.kw; ++b) {
                const int64_t ih = oh * s.stride_h - s.pad_h + a * s.dilation_h;
                const int64_t iw = ow * s.stride_w - s.pad_w + b * s.dilation_w;
                if (ih < 0 || ih >= s.h || iw < 0 || iw >= s.w) continue;
                const int64_t yi = ((i * s.k + ko) * s.ho + oh) * s.wo + ow;
                const int64_t xi = ((i * s.c + g * cg + ci) * s.h + ih) * s.w + iw;
                const int64_t wi = ((ko * cg + ci) * s.kh + a) * s.kw + b;
                f(yi, xi, wi);
              }
    }
}

// The three directions in double from the definition, with each output's
// sum of |products| and number of terms (the tolerance's scale and length).
struct Reference {
  std::vector<double> y, y_sc, dx, dx_sc, dw, dw_sc, n_y, n_dx, n_dw;
};

Reference reference(const Conv2dShape& s, const std::vector<float>& x, const std::vector<float>& w,
                    const float* bias, const std::vector<float>& dy) {
  Reference r{std::vector<double>(dy.size()), std::vector<double>(dy.size()), std::vector<double>(x.size()),
              std::vector<double>(x.size()), std::vector<double>(w.size()), std::vector<double>(w.size()),
              std::vector<double>(dy.size()), std::vector<double>(x.size()), std::vector<double>(w.size())};
  for_each_tap(s, [&](int64_t yi, int64_t xi, int64_t wi) {
    r.y[yi] += double(x[xi]) * w[wi];
    r.y_sc[yi] += std::fabs(double(x[xi]) * w[wi]);
    r.n_y[yi] += 1;
    r.dx[xi] += double(dy[yi]) * w[wi];
    r.dx_sc[xi] += std::fabs(double(dy[yi]) * w[wi]);
    r.n_dx[xi] += 1;
    r.dw[wi] += double(dy[yi]) * x[xi];
    r.dw_sc[wi] += std::fabs(double(dy[yi]) * x[xi]);
    r.n_dw[wi] += 1;
  });
  if (bias != nullptr) {
    const int64_t hw = s.ho * s.wo;
    for (size_t i = 0; i < r.y.size(); ++i) {
      const int64_t ko = (int64_t(i) / hw) % s.k;
      r.y[i] += bias[ko];
      r.y_sc[i] += std::fabs(bias[ko]);
      r.n_y[i] += 1;
    }
  }
  return r;
}

double max_of(const std::vector<double>& v) {
  double m = 0;
  for (double d : v) m = std::max(m, d);
  return m;
}

std::string describe(const Conv2dShape& s) {
  return " n=" + std::to_string(s.n) + " c=" + std::to_string(s.c) + " h=" + std::to_string(s.h) +
         " w=" + std::to_string(s.w) + " k=" + std::to_string(s.k) + " f=" + std::to_string(s.kh) + "x" +
         std::to_string(s.kw) + " pad=" + std::to_string(s.pad_h) + "," + std::to_string(s.pad_w) +
         " g=" + std::to_string(s.groups);
}

void test_conv(const Conv2dShape& s, const std::string& tag) {
  const int64_t cg = s.c / s.groups;
  auto x = random_vec(size_t(s.n * s.c * s.h * s.w));
  auto w = random_vec(size_t(s.k * cg * s.kh * s.kw));
  auto bias = random_vec(size_t(s.k));
  auto dy = random_vec(size_t(s.n * s.k * s.ho * s.wo));
  const Reference r = reference(s, x, w, bias.data(), dy);
  const int64_t hw = s.ho * s.wo;
  const std::string shape = describe(s);
  std::string detail;
  std::vector<float> y(dy.size(), std::numeric_limits<float>::quiet_NaN());
  conv2d_forward(s, x.data(), w.data(), bias.data(), y.data());
  // Each result is taken before the message that carries its detail is built
  // (the order in which a call's arguments are evaluated is unspecified).
  const bool y_close = close(y, r.y, r.y_sc, max_of(r.n_y), &detail);
  check(y_close, "conv2d_forward", tag + " conv fwd" + shape + " " + detail);
  std::vector<float> dx(x.size(), std::numeric_limits<float>::quiet_NaN());
  conv2d_backward_data(s, dy.data(), w.data(), dx.data());
  const bool dx_close = close(dx, r.dx, r.dx_sc, max_of(r.n_dx), &detail);
  check(dx_close, "conv2d_backward_data", tag + " conv bwd data" + shape + " " + detail);
  std::vector<float> dw(w.size(), std::numeric_limits<float>::quiet_NaN());
  conv2d_backward_weight(s, x.data(), dy.data(), dw.data());
  const bool dw_close = close(dw, r.dw, r.dw_sc, max_of(r.n_dw), &detail);
  check(dw_close, "conv2d_backward_weight", tag + " conv bwd weight" + shape + " " + detail);
  std::vector<float> db(size_t(s.k));
  conv2d_backward_bias(s, dy.data(), db.data());
  bool bias_ok = true;
  for (int64_t k = 0; k < s.k; ++k) {
    double sum = 0, sc = 0;
    for (int64_t i = 0; i < s.n; ++i)
      for (int64_t j = 0; j < hw; ++j) {
        sum += dy[size_t((i * s.k + k) * hw + j)];
        sc += std::fabs(dy[size_t((i * s.k + k) * hw + j)]);
      }
    bias_ok = bias_ok && std::fabs(db[size_t(k)] - sum) <= (s.n * hw + 2) * 1.2e-7 * sc;
  }
  check(bias_ok, "conv2d_backward_bias", tag + " conv bwd bias" + shape);
}

// conv2d gives the same bits with 1 and 2 threads, in every direction, on
// the image-parallel path (small images; backward weight's chunked sums) and
// on the shared-GEMM path (big images).
void test_conv_thread_invariance(const Conv2dShape& s, const std::string& tag) {
  auto x = random_vec(size_t(s.n * s.c * s.h * s.w));
  auto w = random_vec(size_t(s.k * (s.c / s.groups) * s.kh * s.kw));
  auto dy = random_vec(size_t(s.n * s.k * s.ho * s.wo));
  std::vector<float> out[2][3];
  for (int t = 0; t < 2; ++t) {
    set_num_threads(t + 1);
    out[t][0].resize(dy.size());
    out[t][1].resize(x.size());
    out[t][2].resize(w.size());
    conv2d_forward(s, x.data(), w.data(), nullptr, out[t][0].data());
    conv2d_backward_data(s, dy.data(), w.data(), out[t][1].data());
    conv2d_backward_weight(s, x.data(), dy.data(), out[t][2].data());
  }
  const char* kernels[3] = {"conv2d_forward", "conv2d_backward_data", "conv2d_backward_weight"};
  for (int k = 0; k < 3; ++k)
    check(std::memcmp(out[0][k].data(), out[1][k].data(), out[0][k].size() * sizeof(float)) == 0,
          kernels[k], tag + " same bits at 1 and 2 threads, n=" + std::to_string(s.n) + " c=" + std::to_string(s.c) +
                          " h=" + std::to_string(s.h));
}

// The direct forward in bands of output rows (how it bounds its scratch for
// huge padding) gives the bits of the whole-image pass, for every band
// height, padding larger than the filter included.
void test_direct_bands(const Conv2dShape& s, const std::string& tag) {
  if (!convnode::conv2d_direct_applies(s)) return;  // no direct kernel on this path
  auto x = random_vec(size_t(s.n * s.c * s.h * s.w));
  auto w = random_vec(size_t(s.k * s.c * s.kh * s.kw));
  auto bias = random_vec(size_t(s.k));
  std::vector<float> whole(size_t(s.n * s.k * s.ho * s.wo)), banded(whole.size());
  convnode::conv2d_forward_direct_banded(s, x.data(), w.data(), bias.data(), whole.data(), s.ho);
  check(convnode::conv2d_direct_band_rows(s) == s.ho, "conv2d_forward", tag + " a small image is one band");
  for (int64_t band : {int64_t(1), int64_t(2), int64_t(3), s.ho - 1}) {
    std::fill(banded.begin(), banded.end(), std::numeric_limits<float>::quiet_NaN());
    convnode::conv2d_forward_direct_banded(s, x.data(), w.data(), bias.data(), banded.data(), band);
    check(std::memcmp(whole.data(), banded.data(), whole.size() * sizeof(float)) == 0, "conv2d_forward",
          tag + " direct forward in bands of " + std::to_string(band) + " rows, h=" + std::to_string(s.h) +
              " pad=" + std::to_string(s.pad_h));
  }
}

// Winograd F(4x4, 3x3), called directly: forward with and without bias,
// backward data and weight against the definition, held to 64 eps x the sum of
// |products| whatever the channel count (measured on shapes d and f: at
// most 22 for Winograd, 2.3 for the direct kernel; the bound every other
// path gets, (terms + 2) eps, is 578 eps at 64 channels); a batch of one
// gives the bits of the same image in a batch; on paths without the
// transforms no shape is taken.
void test_winograd(const Conv2dShape& s, const std::string& tag) {
  const std::string shape = describe(s);
  if (active_kernel_table().winograd == nullptr) {
    check(!conv2d_winograd_applies(s) && !conv2d_winograd_backward_data_applies(s), "conv2d_forward",
          tag + " no Winograd without its transforms" + shape);
    return;
  }
  check(conv2d_winograd_applies(s) && conv2d_winograd_backward_data_applies(s), "conv2d_forward",
        tag + " Winograd takes" + shape);
  auto x = random_vec(size_t(s.n * s.c * s.h * s.w));
  auto w = random_vec(size_t(s.k * s.c * 9));
  auto bias = random_vec(size_t(s.k));
  auto dy = random_vec(size_t(s.n * s.k * s.ho * s.wo));
  constexpr double kBound = 62;  // close() allows (k + 2) eps x scale
  std::string detail;
  for (const float* b : {static_cast<const float*>(bias.data()), static_cast<const float*>(nullptr)}) {
    const Reference r = reference(s, x, w, b, dy);
    std::vector<float> y(dy.size(), std::numeric_limits<float>::quiet_NaN());
    const bool finite = conv2d_forward_winograd(s, x.data(), w.data(), b, y.data());
    const bool y_close = finite && close(y, r.y, r.y_sc, kBound, &detail);
    check(y_close, "conv2d_forward",
          tag + " winograd fwd" + (b ? "" : " (no bias)") + shape + " " + detail);
    if (b == nullptr) continue;
    std::vector<float> dx(x.size(), std::numeric_limits<float>::quiet_NaN());
    const bool dx_close = conv2d_backward_data_winograd(s, dy.data(), w.data(), dx.data()) && close(dx, r.dx, r.dx_sc, kBound, &detail);
    check(dx_close, "conv2d_backward_data", tag + " winograd bwd data" + shape + " " + detail);
    std::vector<float> dw(w.size(), std::numeric_limits<float>::quiet_NaN());
    conv2d_backward_weight_winograd(s, x.data(), dy.data(), dw.data());
    // The output transform G^T S G mixes the nine taps of a filter, so a
    // tap's error follows the largest of the nine sums, not its own: a tap
    // that sees few inputs (a border tap with padding, a 1 x 1 output) has
    // a small sum of |products| and the error of its neighbours. Per tap,
    // measured over 400 random cases: up to 268 eps (3 images, 1 x 1
    // output); against the filter's largest sum, 58.
    std::vector<double> dw_sc(r.dw_sc.size());
    for (size_t f = 0; f < dw_sc.size(); f += 9) {
      const double largest = *std::max_element(r.dw_sc.begin() + f, r.dw_sc.begin() + f + 9);
      std::fill(dw_sc.begin() + f, dw_sc.begin() + f + 9, largest);
    }
    const bool dw_close = close(dw, r.dw, dw_sc, kBound, &detail);
    check(dw_close, "conv2d_backward_weight", tag + " winograd bwd weight" + shape + " " + detail);
    // The last image alone.
    Conv2dShape one = s;
    one.n = 1;
    const size_t image = size_t(s.k * s.ho * s.wo);
    std::vector<float> y1(image);
    conv2d_forward_winograd(one, x.data() + (s.n - 1) * s.c * s.h * s.w, w.data(), b, y1.data());
    check(std::memcmp(y1.data(), y.data() + (s.n - 1) * image, image * sizeof(float)) == 0, "conv2d_forward",
          tag + " winograd: a batch of one gives the batch's bits" + shape);
  }
}

// Forward at a few tiles keeps the transformed filters (derived_filter_cache.h),
// checked against their bits on every call. One image, s.n tiles' worth of
// copies of it is a batch past the cache (it runs the transform afresh), and
// a batch of one gives the batch's bits: every call must give the bits of
// that batch's first image for the filters it is called with, whether they
// are new, repeated, changed in place (in their last float only, so the
// comparison must read to the end) or alternated with other filters of
// the same shape. (The per-ISA runs of these tests also alternate paths
// over equal filters: each path's transform has its own layout.)
void test_winograd_filter_cache(Conv2dShape s, const std::string& tag) {
  if (active_kernel_table().winograd == nullptr) return;
  const int64_t copies = s.n;
  s.n = 1;
  Conv2dShape batch = s;
  batch.n = copies;
  const size_t image = size_t(s.c * s.h * s.w), out = size_t(s.k * s.ho * s.wo);
  auto x = random_vec(image);
  std::vector<float> xs(image * size_t(copies));
  for (int64_t i = 0; i < copies; ++i) std::copy(x.begin(), x.end(), xs.begin() + i * int64_t(image));
  auto bias = random_vec(size_t(s.k));
  auto w = random_vec(size_t(s.k * s.c * 9)), other = random_vec(w.size());
  auto agrees = [&](const std::vector<float>& filters, const std::string& what) {
    std::vector<float> y(out, std::numeric_limits<float>::quiet_NaN()), ys(out * size_t(copies));
    conv2d_forward_winograd(s, x.data(), filters.data(), bias.data(), y.data());
    conv2d_forward_winograd(batch, xs.data(), filters.data(), bias.data(), ys.data());
    check(std::memcmp(y.data(), ys.data(), out * sizeof(float)) == 0, "conv2d_forward",
          tag + " winograd at batch 1 with kept filters: " + what + describe(s));
  };
  agrees(w, "new filters");
  agrees(w, "the same filters again");
  w.back() = std::nextafter(w.back(), 2.0f);
  agrees(w, "the last float changed in place");
  agrees(other, "other filters of the same shape");
  agrees(w, "the first filters again");
  std::vector<float> copy = w;
  agrees(copy, "a copy of the first filters");
  copy[0] = -copy[0];
  agrees(copy, "the copy changed in its first float");
  // The same filters on each path in turn, then back on this one: AVX2's
  // transform of 64 x 64 filters is as long as AVX-512's, in another layout.
  const Isa here = active_isa();
  for (Isa isa : available_isas()) {
    set_active_isa(isa);
    if (active_kernel_table().winograd != nullptr) agrees(w, std::string("the same filters on ") + isa_name(isa));
  }
  set_active_isa(here);
  agrees(w, "the same filters back on this path");
}

// An infinity in x (forward) or dy (backward data) would spread over its
// whole Winograd tile: the run reports a non-finite output, and the
// dispatcher's result has Inf and NaN exactly where the definition puts
// them and the definition's values elsewhere.
void test_winograd_nonfinite(const Conv2dShape& s, const std::string& tag) {
  if (active_kernel_table().winograd == nullptr) return;
  auto x = random_vec(size_t(s.n * s.c * s.h * s.w));
  auto w = random_vec(size_t(s.k * s.c * 9));
  auto dy = random_vec(size_t(s.n * s.k * s.ho * s.wo));
  // Interior pixels of image 0, channel 0: each reaches 3 x 3 cells of
  // every channel on the other side.
  x[size_t((s.h / 2) * s.w + s.w / 2)] = std::numeric_limits<float>::infinity();
  dy[size_t((s.ho / 2) * s.wo + s.wo / 2)] = -std::numeric_limits<float>::infinity();
  const Reference r = reference(s, x, w, nullptr, dy);
  auto same_classes = [](const std::vector<float>& got, const std::vector<double>& want) {
    int nonfinite = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      if (std::isfinite(want[i]) != std::isfinite(got[i])) return -1;
      if (std::isnan(want[i]) != std::isnan(got[i])) return -1;
      if (std::isinf(want[i]) && want[i] != got[i]) return -1;
      nonfinite += !std::isfinite(want[i]);
    }
    return nonfinite;
  };
  std::vector<float> y(dy.size()), dx(x.size());
  check(!conv2d_forward_winograd(s, x.data(), w.data(), nullptr, y.data()), "conv2d_forward",
        tag + " winograd reports an infinity in x");
  conv2d_forward(s, x.data(), w.data(), nullptr, y.data());
  check(same_classes(y, r.y) == 9 * s.k, "conv2d_forward",
        tag + " an infinity in x reaches 9 outputs per channel, as by the definition");
  check(!conv2d_backward_data_winograd(s, dy.data(), w.data(), dx.data()), "conv2d_backward_data",
        tag + " winograd reports an infinity in dy");
  conv2d_backward_data(s, dy.data(), w.data(), dx.data());
  check(same_classes(dx, r.dx) == 9 * s.c, "conv2d_backward_data",
        tag + " an infinity in dy reaches 9 inputs per channel, as by the definition");
  // The weight gradient: x's infinity reaches every filter's taps on input
  // channel 0, dy's every tap of filter 0 (9 (k + c - 1) cells).
  std::vector<float> dw(w.size());
  conv2d_backward_weight(s, x.data(), dy.data(), dw.data());
  check(same_classes(dw, r.dw) == 9 * (s.k + s.c - 1), "conv2d_backward_weight",
        tag + " infinities in x and dy reach dW as by the definition");
}

}  // namespace

void conv_tests(const std::string& tag) {
  test_direct_bands(conv_shape(2, 3, 9, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1), tag);
  test_direct_bands(conv_shape(1, 2, 5, 7, 9, 3, 2, 1, 1, 6, 4, 1, 1, 1), tag);  // padding past the filter
  test_direct_bands(conv_shape(1, 1, 3, 3, 1, 1, 1, 1, 1, 7, 7, 1, 1, 1), tag);  // 1x1, padded
  // Strided, through phase planes: odd sizes, mixed strides, padding past the filter.
  test_direct_bands(conv_shape(2, 3, 11, 9, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1), tag);
  test_direct_bands(conv_shape(1, 2, 9, 12, 17, 5, 4, 2, 1, 2, 0, 1, 1, 1), tag);
  test_direct_bands(conv_shape(1, 4, 8, 7, 3, 2, 3, 1, 2, 3, 4, 1, 1, 1), tag);
  // Huge padding takes bands by itself: 1 x 1 over 1 x 1 padded by 3000.
  const Conv2dShape huge = conv_shape(1, 1, 1, 1, 1, 1, 1, 1, 1, 3000, 3000, 1, 1, 1);
  check(!convnode::conv2d_direct_applies(huge) || convnode::conv2d_direct_band_rows(huge) < huge.ho, "conv2d_forward",
        tag + " a 1x1 filter padded by 3000 runs in bands");

  test_conv(conv_shape(2, 3, 9, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1), tag);
  test_conv(conv_shape(3, 4, 11, 10, 6, 3, 2, 2, 3, 1, 0, 2, 1, 2), tag);
  test_conv(conv_shape(1, 5, 6, 7, 3, 1, 1, 1, 1, 0, 0, 1, 1, 1), tag);  // pointwise
  // Pointwise on the direct-A tiles: more than one K block (300 channels in,
  // and 300 rows of dx), rows past a whole tile, a width of exactly one
  // tile (4 x 8) and one of a tile and a wide edge (63).
  test_conv(conv_shape(3, 300, 4, 8, 13, 1, 1, 1, 1, 0, 0, 1, 1, 1), tag);
  test_conv(conv_shape(2, 20, 7, 9, 70, 1, 1, 1, 1, 0, 0, 1, 1, 1), tag);
  test_conv(conv_shape(5, 1, 12, 12, 6, 5, 5, 1, 1, 2, 2, 1, 1, 1), tag);  // batch-parallel
  test_conv(conv_shape(2, 6, 7, 7, 6, 3, 3, 2, 2, 1, 1, 1, 1, 6), tag);  // depthwise
  test_conv(conv_shape(1, 64, 10, 10, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1), tag);
  test_conv(conv_shape(2, 8, 23, 29, 12, 3, 3, 2, 2, 1, 1, 1, 1, 1), tag);  // stride 2, 15 wide: the direct kernel's phases
  test_conv(conv_shape(2, 16, 32, 32, 32, 3, 3, 2, 2, 1, 1, 1, 1, 1), tag);  // ResNet-20's downsampling 3x3
  test_conv(conv_shape(3, 5, 12, 13, 9, 5, 4, 2, 1, 2, 0, 1, 1, 1), tag);  // stride along the rows only
  test_conv(conv_shape(2, 4, 8, 7, 3, 2, 3, 1, 2, 3, 4, 1, 1, 1), tag);  // along the columns only, padding past the filter
  // Strided backward data by the phases of dx (dy of 16 x 16 positions and more):
  test_conv(conv_shape(1, 3, 33, 35, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1), tag);  // odd sizes
  test_conv(conv_shape(1, 2, 34, 20, 3, 4, 3, 2, 1, 0, 2, 1, 1, 1), tag);  // an even filter, one axis strided
  test_conv(conv_shape(1, 2, 30, 30, 3, 3, 3, 2, 2, 4, 4, 1, 1, 1), tag);  // padding past the filter
  test_conv(conv_shape(1, 3, 20, 40, 4, 3, 2, 1, 2, 1, 0, 1, 1, 1), tag);  // a filter as wide as the stride
  // Winograd F(4x4, 3x3): outputs not a multiple of the tile, channels
  // past whole vectors and GEMM widths, padding 0 and 2 (backward data pads
  // by 2 and 0), several output slivers, images of one tile grouped into
  // blocks (a partial last block), one output.
  test_winograd(conv_shape(2, 33, 9, 11, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1), tag);
  test_winograd(conv_shape(1, 32, 6, 5, 35, 3, 3, 1, 1, 2, 0, 1, 1, 1), tag);
  test_winograd(conv_shape(2, 40, 8, 8, 100, 3, 3, 1, 1, 0, 2, 1, 1, 1), tag);
  test_winograd(conv_shape(61, 32, 4, 3, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1), tag);
  test_winograd(conv_shape(3, 48, 3, 3, 32, 3, 3, 1, 1, 0, 0, 1, 1, 1), tag);
  test_winograd(conv_shape(2, 16, 12, 12, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1), tag);  // ResNet-20's narrowest, one AVX-512 vector
  test_winograd(conv_shape(2, 64, 16, 16, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1), tag);
  test_winograd_nonfinite(conv_shape(2, 32, 10, 9, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1), tag);
  test_winograd_filter_cache(conv_shape(5, 64, 14, 14, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1), tag);  // 16 tiles an image
  test_winograd_filter_cache(conv_shape(2, 33, 28, 27, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1), tag);  // 49 tiles, 2 blocks
  // Not taken: 8 channels; one 14 x 14 image (16 tiles) with 256 x 256
  // filters (but 64 x 64 ones, and 2 images of 256 x 256, are).
  check(!conv2d_winograd_applies(conv_shape(8, 8, 16, 16, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1)) &&
            !conv2d_winograd_applies(conv_shape(1, 256, 14, 14, 256, 3, 3, 1, 1, 1, 1, 1, 1, 1)) &&
            !conv2d_winograd_backward_data_applies(conv_shape(1, 256, 14, 14, 256, 3, 3, 1, 1, 1, 1, 1, 1, 1)),
        "conv2d_forward", tag + " Winograd refuses 8 channels and one image against 256 x 256 filters");
  check((active_kernel_table().winograd == nullptr) ==
            !(conv2d_winograd_applies(conv_shape(1, 64, 14, 14, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1)) &&
              conv2d_winograd_applies(conv_shape(2, 256, 14, 14, 256, 3, 3, 1, 1, 1, 1, 1, 1, 1))),
        "conv2d_forward", tag + " Winograd takes one image against 64 x 64 filters, two against 256 x 256");
}

void conv_thread_invariance_tests(const std::string& tag) {
  test_conv_thread_invariance(conv_shape(7, 3, 12, 12, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1), tag);
  test_conv_thread_invariance(conv_shape(5, 300, 6, 6, 20, 1, 1, 1, 1, 0, 0, 1, 1, 1), tag);  // pointwise
  test_conv_thread_invariance(conv_shape(2, 64, 32, 32, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1), tag);
}

void worked_example_tests() {
  // DESIGN.md: 7x7 image, 3x3 filter 001/100/011, stride 1 -> 5x5 map.
  const char* img[7] = {"0000000", "0100010", "0000000", "0001000",
                        "0100010", "0011100", "0000000"};
  const char* filt[3] = {"001", "100", "011"};
  const char* want[5] = {"01000", "01110", "10021", "14210", "00121"};
  std::vector<float> x(49), w(9), y(25);
  for (int r = 0; r < 7; ++r)
    for (int c = 0; c < 7; ++c) x[r * 7 + c] = float(img[r][c] - '0');
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) w[r * 3 + c] = float(filt[r][c] - '0');
  Conv2dShape s = conv_shape(1, 1, 7, 7, 1, 3, 3, 1, 1, 0, 0, 1, 1, 1);
  conv2d_forward(s, x.data(), w.data(), nullptr, y.data());
  bool ok = s.ho == 5 && s.wo == 5;
  for (int r = 0; r < 5; ++r)
    for (int c = 0; c < 5; ++c) ok = ok && y[r * 5 + c] == float(want[r][c] - '0');
  check(ok, "conv2d_forward", "worked example 7x7 conv");
  Pool2dShape p{1, 1, 5, 5, 2, 2, 2, 2, 0, 0, true, true, 0, 0};
  p.ho = pool2d_output_size(5, 2, 2, 0, true);
  p.wo = pool2d_output_size(5, 2, 2, 0, true);
  std::vector<float> pooled(9);
  pool2d_forward(PoolMode::kMax, p, y.data(), pooled.data());
  const float want_pool[9] = {1, 1, 0, 4, 2, 1, 0, 2, 1};
  check(p.ho == 3 && p.wo == 3 && std::equal(pooled.begin(), pooled.end(), want_pool),
        "pool2d_forward", "worked example max pool 5x5 -> 3x3");
}
