// Max, average and sum pooling, forward and backward, one (n, c) plane per
// unit of parallel work. Windows are clipped to the input; padding never
// wins a max and adds nothing to a sum. Average divides by the window size
// clipped to the padded input (count_include_pad, PyTorch's default) or by
// the number of real input cells.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "convnode/kernels.h"
#include "convnode/runtime.h"

namespace convnode {
namespace {

struct Window {
  int64_t h0, h1, w0, w1;  // clipped to the input, half open
  int64_t padded_count;    // cells inside the padded input
};

Window window(const Pool2dShape& s, int64_t oh, int64_t ow) {
  const int64_t hs = oh * s.stride_h - s.pad_h, ws = ow * s.stride_w - s.pad_w;
  const int64_t he = std::min(hs + s.kh, s.h + s.pad_h);
  const int64_t we = std::min(ws + s.kw, s.w + s.pad_w);
  Window win;
  win.padded_count = (he - hs) * (we - ws);
  win.h0 = std::max<int64_t>(hs, 0);
  win.w0 = std::max<int64_t>(ws, 0);
  win.h1 = std::min(he, s.h);
  win.w1 = std::min(we, s.w);
  return win;
}

float divisor(PoolMode mode, const Pool2dShape& s, const Window& win) {
  if (mode == PoolMode::kSum) return 1.0f;
  if (s.count_include_pad) return static_cast<float>(win.padded_count);
  return static_cast<float>((win.h1 - win.h0) * (win.w1 - win.w0));
}

// Index (within the plane) of the window's first maximum; NaN wins.
int64_t argmax(const float* plane, int64_t w, const Window& win) {
  int64_t best = win.h0 * w + win.w0;
  float best_val = plane[best];
  for (int64_t ih = win.h0; ih < win.h1; ++ih) {
    for (int64_t iw = win.w0; iw < win.w1; ++iw) {
      const float v = plane[ih * w + iw];
      if (std::isnan(best_val)) return best;
      if (v > best_val || std::isnan(v)) {
        best_val = v;
        best = ih * w + iw;
      }
    }
  }
  return best;
}

}  // namespace

int64_t pool2d_output_size(int64_t in, int64_t kernel, int64_t stride,
                           int64_t pad, bool ceil_mode) {
  const int64_t span = in + 2 * pad - kernel;
  if (span < 0) return 0;
  int64_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

void pool2d_forward(PoolMode mode, const Pool2dShape& s, const float* x, float* y) {
  const int64_t planes = s.n * s.c;
#pragma omp parallel for schedule(static) num_threads(num_threads()) if (planes * s.ho * s.wo > 4096)
  for (int64_t p = 0; p < planes; ++p) {
    const float* plane = x + p * s.h * s.w;
    float* out = y + p * s.ho * s.wo;
    for (int64_t oh = 0; oh < s.ho; ++oh) {
      for (int64_t ow = 0; ow < s.wo; ++ow) {
        const Window win = window(s, oh, ow);
        if (mode == PoolMode::kMax) {
          out[oh * s.wo + ow] = plane[argmax(plane, s.w, win)];
          continue;
        }
        float sum = 0.0f;
        for (int64_t ih = win.h0; ih < win.h1; ++ih)
          for (int64_t iw = win.w0; iw < win.w1; ++iw) sum += plane[ih * s.w + iw];
        out[oh * s.wo + ow] = sum / divisor(mode, s, win);
      }
    }
  }
}

void pool2d_backward(PoolMode mode, const Pool2dShape& s, const float* x,
                     const float* dy, float* dx) {
  const int64_t planes = s.n * s.c;
#pragma omp parallel for schedule(static) num_threads(num_threads()) if (planes * s.h * s.w > 4096)
  for (int64_t p = 0; p < planes; ++p) {
    const float* plane = x + p * s.h * s.w;
    const float* g = dy + p * s.ho * s.wo;
    float* out = dx + p * s.h * s.w;
    std::memset(out, 0, sizeof(float) * s.h * s.w);
    for (int64_t oh = 0; oh < s.ho; ++oh) {
      for (int64_t ow = 0; ow < s.wo; ++ow) {
        const Window win = window(s, oh, ow);
        const float go = g[oh * s.wo + ow];
        if (mode == PoolMode::kMax) {
          out[argmax(plane, s.w, win)] += go;
          continue;
        }
        const float share = go / divisor(mode, s, win);
        for (int64_t ih = win.h0; ih < win.h1; ++ih)
          for (int64_t iw = win.w0; iw < win.w1; ++iw) out[ih * s.w + iw] += share;
      }
    }
  }
}

}  // namespace convnode
