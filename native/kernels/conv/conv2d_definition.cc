// conv2d as its definition: each output sums the products of the taps that
// fall inside the image; padding is absent, never multiplied. The fast
// paths multiply padding zeros (im2col columns, padded images) and drop
// nothing, which is the same number unless a factor is Inf or NaN: 0 * Inf
// is NaN. conv_dispatch.cc runs these loops only then, so Inf and NaN land
// where the definition (and oneDNN, PyTorch's batched CPU convolution) puts
// them. Slow (no blocking, no SIMD) and meant to be: a run with Inf in its
// filters or gradients has already diverged.
#include <cstring>

#include "conv2d_impls.h"
#include "parallel_images.h"

namespace convnode {
namespace {

// Calls f(x_index, w_index, y_index) for every tap of image i, output
// channel ko that falls inside the image.
template <typename F>
void for_each_tap(const Conv2dShape& s, int64_t i, int64_t ko, F f) {
  const int64_t cg = s.c / s.groups, kg = s.k / s.groups, g = ko / kg;
  for (int64_t oh = 0; oh < s.ho; ++oh)
    for (int64_t ow = 0; ow < s.wo; ++ow) {
      const int64_t yi = ((i * s.k + ko) * s.ho + oh) * s.wo + ow;
      for (int64_t cc = 0; cc < cg; ++cc)
        for (int64_t a = 0; a < s.kh; ++a) {
          const int64_t ih = oh * s.stride_h - s.pad_h + a * s.dilation_h;
          if (ih < 0 || ih >= s.h) continue;
          for (int64_t b = 0; b < s.kw; ++b) {
            const int64_t iw = ow * s.stride_w - s.pad_w + b * s.dilation_w;
            if (iw < 0 || iw >= s.w) continue;
            f(((i * s.c + g * cg + cc) * s.h + ih) * s.w + iw, ((ko * cg + cc) * s.kh + a) * s.kw + b, yi);
          }
        }
    }
}

}  // namespace

void conv2d_forward_definition(const Conv2dShape& s, const float* x, const float* w, const float* bias, float* y) {
  for_each_image_parallel(s.n, [&](int64_t i) {
    for (int64_t ko = 0; ko < s.k; ++ko) {
      float* yk = y + (i * s.k + ko) * s.ho * s.wo;
      for (int64_t j = 0; j < s.ho * s.wo; ++j) yk[j] = bias != nullptr ? bias[ko] : 0.0f;
      for_each_tap(s, i, ko, [&](int64_t xi, int64_t wi, int64_t yi) { y[yi] += x[xi] * w[wi]; });
    }
  });
}

void conv2d_backward_weight_definition(const Conv2dShape& s, const float* x, const float* dy, float* dw) {
  std::memset(dw, 0, sizeof(float) * size_t(s.k * (s.c / s.groups) * s.kh * s.kw));
  for (int64_t i = 0; i < s.n; ++i)
    for (int64_t ko = 0; ko < s.k; ++ko)
      for_each_tap(s, i, ko, [&](int64_t xi, int64_t wi, int64_t yi) { dw[wi] += dy[yi] * x[xi]; });
}

}  // namespace convnode
