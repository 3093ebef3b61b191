// conv2d through im2col + GEMM, per image and group:
//   forward          y[g]  = W[g] (kg x cg*kh*kw) * col (cg*kh*kw x ho*wo)
//   backward data    dcol  = W[g]^T * dy[g], then col2im adds into dx
//   backward weight  dW[g] += dy[g] * col^T   (summed over the batch)
// A 1x1 / stride 1 / unpadded convolution uses the input as col directly.
//
// Threads: unless one image is big, images are spread over threads (each
// runs its GEMMs single-threaded); otherwise the images go in order and the
// GEMM and im2col use every thread. Backward weight sums the batch in a
// fixed chunk order, so no result depends on the thread count.
#include <algorithm>
#include <cstring>

#include "convnode/kernels.h"
#include "convnode/runtime.h"
#include "cpu/scratch.h"
#include "conv2d_impls.h"
#include "im2col.h"
#include "parallel_images.h"

namespace convnode {
namespace {

struct GroupDims {
  int64_t cg, kg, taps, cols, rows;  // rows = cg * kh * kw, cols = ho * wo
};

GroupDims dims(const Conv2dShape& s) {
  GroupDims d;
  d.cg = s.c / s.groups;
  d.kg = s.k / s.groups;
  d.taps = s.kh * s.kw;
  d.rows = d.cg * d.taps;
  d.cols = s.ho * s.wo;
  return d;
}

// Spread images over threads (each running its GEMMs single-threaded)
// unless one image is big enough to split well by itself: then threads
// share each image's GEMM. Measured on a 2-core Zen 4: per-image threading
// wins up to the 14.5 MFLOP images of SmallVGG (no fork/join and barriers
// per image) and loses on the 231 MFLOP shape d (two 7 MB column buffers
// compete for the cache). The choice depends on the shape only, never on
// the thread count, so results do not either.
bool image_parallel(const Conv2dShape& s, const GroupDims& d) {
  const double per_image = 2.0 * double(d.kg) * double(d.rows) * double(d.cols) *
                           double(s.groups);
  return s.n >= 2 && per_image < 64.0e6;
}

float* col_buffer(const GroupDims& d) {
  static thread_local Scratch scratch;
  return scratch.floats(static_cast<size_t>(d.rows * d.cols));
}

void forward_image(const Conv2dShape& s, const GroupDims& d, const float* x,
                   const float* w, const float* bias, float* y) {
  const bool pointwise = conv2d_is_pointwise(s);
  float* col = pointwise ? nullptr : col_buffer(d);
  for (int64_t g = 0; g < s.groups; ++g) {
    const float* xg = x + g * d.cg * s.h * s.w;
    if (!pointwise) im2col(s, d.cg, xg, col);
    sgemm(false, false, d.kg, d.cols, d.rows, 1.0f, w + g * d.kg * d.rows, d.rows,
          pointwise ? xg : col, d.cols, 0.0f, y + g * d.kg * d.cols, d.cols);
  }
  if (bias != nullptr) {
    for (int64_t k = 0; k < s.k; ++k) {
      float* row = y + k * d.cols;
      for (int64_t i = 0; i < d.cols; ++i) row[i] += bias[k];
    }
  }
}

void backward_data_image(const Conv2dShape& s, const GroupDims& d,
                         const float* dy, const float* w, float* dx) {
  const bool pointwise = conv2d_is_pointwise(s);
  float* col = pointwise ? nullptr : col_buffer(d);
  for (int64_t g = 0; g < s.groups; ++g) {
    float* dxg = dx + g * d.cg * s.h * s.w;
    const float* wg = w + g * d.kg * d.rows;
    const float* dyg = dy + g * d.kg * d.cols;
    if (pointwise) {
      sgemm(true, false, d.rows, d.cols, d.kg, 1.0f, wg, d.rows, dyg, d.cols,
            0.0f, dxg, d.cols);
    } else {
      sgemm(true, false, d.rows, d.cols, d.kg, 1.0f, wg, d.rows, dyg, d.cols,
            0.0f, col, d.cols);
      std::memset(dxg, 0, sizeof(float) * d.cg * s.h * s.w);
      col2im_add(s, d.cg, col, dxg);
    }
  }
}

}  // namespace

void conv2d_forward_im2col(const Conv2dShape& s, const float* x, const float* w,
                           const float* bias, float* y) {
  const GroupDims d = dims(s);
  const int64_t x_image = s.c * s.h * s.w, y_image = s.k * d.cols;
  if (image_parallel(s, d)) {
    for_each_image_parallel(s.n, [&](int64_t i) {
      forward_image(s, d, x + i * x_image, w, bias, y + i * y_image);
    });
  } else {
    for (int64_t i = 0; i < s.n; ++i)
      forward_image(s, d, x + i * x_image, w, bias, y + i * y_image);
  }
}

void conv2d_backward_data_im2col(const Conv2dShape& s, const float* dy, const float* w,
                                 float* dx) {
  const GroupDims d = dims(s);
  const int64_t x_image = s.c * s.h * s.w, y_image = s.k * d.cols;
  if (image_parallel(s, d)) {
    for_each_image_parallel(s.n, [&](int64_t i) {
      backward_data_image(s, d, dy + i * y_image, w, dx + i * x_image);
    });
  } else {
    for (int64_t i = 0; i < s.n; ++i)
      backward_data_image(s, d, dy + i * y_image, w, dx + i * x_image);
  }
}

// dW for images [first, last) into dw (overwritten), in image order.
static void backward_weight_images(const Conv2dShape& s, const GroupDims& d, const float* x,
                                   const float* dy, int64_t first, int64_t last, float* dw) {
  const bool pointwise = conv2d_is_pointwise(s);
  float* col = pointwise ? nullptr : col_buffer(d);
  const int64_t x_image = s.c * s.h * s.w, y_image = s.k * d.cols;
  for (int64_t i = first; i < last; ++i) {
    for (int64_t g = 0; g < s.groups; ++g) {
      const float* xg = x + i * x_image + g * d.cg * s.h * s.w;
      if (!pointwise) im2col(s, d.cg, xg, col);
      // dW[g] (kg x rows) (+)= dy[g] (kg x cols) * col^T (cols x rows)
      sgemm(false, true, d.kg, d.rows, d.cols, 1.0f, dy + i * y_image + g * d.kg * d.cols,
            d.cols, pointwise ? xg : col, d.cols, i == first ? 0.0f : 1.0f,
            dw + g * d.kg * d.rows, d.rows);
    }
  }
}

void conv2d_backward_weight_im2col(const Conv2dShape& s, const float* x, const float* dy,
                                   float* dw) {
  const GroupDims d = dims(s);
  if (!image_parallel(s, d)) {
    backward_weight_images(s, d, x, dy, 0, s.n, dw);
    return;
  }
  // Small images: the batch is cut into a fixed number of contiguous chunks
  // (fixed, so the sums do not depend on the thread count); threads take
  // whole chunks, each summing its images into its own buffer, and the
  // chunks are then added in order.
  const int64_t chunks = std::min<int64_t>(s.n, kBatchChunks);
  const int64_t wsize = s.k * d.rows;
  static thread_local Scratch partial_scratch;
  float* partials = partial_scratch.floats(size_t(wsize * (chunks - 1)));
  for_each_image_parallel(chunks, [&](int64_t c) {
    backward_weight_images(s, d, x, dy, s.n * c / chunks, s.n * (c + 1) / chunks,
                           c == 0 ? dw : partials + (c - 1) * wsize);
  });
  for (int64_t c = 1; c < chunks; ++c) {
    const float* p = partials + (c - 1) * wsize;
    for (int64_t j = 0; j < wsize; ++j) dw[j] += p[j];
  }
}

}  // namespace convnode
