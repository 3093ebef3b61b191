#include "im2col.h"

#include <algorithm>

#include "convnode/runtime.h"
#include "../parallel_ranges.h"
#include "../vec4.h"

namespace convnode {

// The range of output columns ow whose input column ow*stride - pad + off
// lies in [0, w): ow in [lo, hi).
static void valid_range(int64_t out, int64_t in, int64_t stride, int64_t pad,
                        int64_t off, int64_t* lo, int64_t* hi) {
  // ow*stride + (off - pad) >= 0  and  < in
  const int64_t shift = off - pad;
  int64_t l = shift >= 0 ? 0 : (-shift + stride - 1) / stride;
  int64_t h = in - shift <= 0 ? 0 : (in - shift + stride - 1) / stride;
  *lo = std::min(l, out);
  *hi = std::max(*lo, std::min(h, out));
}

// out[i] = in[2 * i] for i < n, four at a time: two loads and one shuffle
// instead of four scalar loads (im2col was 20% of a stride-2 3x3
// convolution's forward pass, shape e, with the scalar loop). The vector
// loop runs only while in[2 * i + 8] is itself an element it must read, so
// its loads never go past the last one.
static void gather_stride2(const float* in, int64_t n, float* out) {
  int64_t i = 0;
  for (; i + 4 < n; i += 4) {
    Vec4 lo, hi;
    __builtin_memcpy(&lo, in + 2 * i, sizeof lo);
    __builtin_memcpy(&hi, in + 2 * i + 4, sizeof hi);
    const Vec4 even = CONVNODE_SHUFFLE4(lo, hi, 0, 2, 4, 6);
    __builtin_memcpy(out + i, &even, sizeof even);
  }
  for (; i < n; ++i) out[i] = in[2 * i];
}

void im2col(const Conv2dShape& s, int64_t cg, const float* x, float* col) {
  const int64_t rows = cg * s.kh * s.kw, cols = s.ho * s.wo;
  parallel_for(rows, rows * cols > (1 << 16) ? num_threads() : 1, [&](int64_t r) {
    const int64_t ci = r / (s.kh * s.kw), ki = (r / s.kw) % s.kh, kj = r % s.kw;
    const float* plane = x + ci * s.h * s.w;
    float* dst = col + r * cols;
    int64_t ow_lo, ow_hi;
    valid_range(s.wo, s.w, s.stride_w, s.pad_w, kj * s.dilation_w, &ow_lo, &ow_hi);
    for (int64_t oh = 0; oh < s.ho; ++oh) {
      const int64_t ih = oh * s.stride_h - s.pad_h + ki * s.dilation_h;
      float* out = dst + oh * s.wo;
      if (ih < 0 || ih >= s.h) {
        std::fill(out, out + s.wo, 0.0f);
        continue;
      }
      const float* in = plane + ih * s.w - s.pad_w + kj * s.dilation_w;
      std::fill(out, out + ow_lo, 0.0f);
      if (s.stride_w == 1) {
        std::copy(in + ow_lo, in + ow_hi, out + ow_lo);
      } else if (s.stride_w == 2) {
        gather_stride2(in + 2 * ow_lo, ow_hi - ow_lo, out + ow_lo);
      } else {
        for (int64_t ow = ow_lo; ow < ow_hi; ++ow) out[ow] = in[ow * s.stride_w];
      }
      std::fill(out + ow_hi, out + s.wo, 0.0f);
    }
  });
}

void col2im_add(const Conv2dShape& s, int64_t cg, const float* col, float* dx) {
  const int64_t taps = s.kh * s.kw, cols = s.ho * s.wo;
  // One thread per input channel: every row of that channel adds into the
  // same plane, so channels are the unit that never races.
  parallel_for(cg, cg * taps * cols > (1 << 16) ? num_threads() : 1, [&](int64_t ci) {
    float* plane = dx + ci * s.h * s.w;
    for (int64_t t = 0; t < taps; ++t) {
      const int64_t ki = t / s.kw, kj = t % s.kw;
      const float* src = col + (ci * taps + t) * cols;
      int64_t ow_lo, ow_hi;
      valid_range(s.wo, s.w, s.stride_w, s.pad_w, kj * s.dilation_w, &ow_lo, &ow_hi);
      for (int64_t oh = 0; oh < s.ho; ++oh) {
        const int64_t ih = oh * s.stride_h - s.pad_h + ki * s.dilation_h;
        if (ih < 0 || ih >= s.h) continue;
        float* out = plane + ih * s.w - s.pad_w + kj * s.dilation_w;
        const float* in = src + oh * s.wo;
        for (int64_t ow = ow_lo; ow < ow_hi; ++ow) out[ow * s.stride_w] += in[ow];
      }
    }
  });
}

}  // namespace convnode
