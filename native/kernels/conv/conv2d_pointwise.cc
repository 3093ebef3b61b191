// The pointwise convolution (1x1, stride 1, no padding, one group) as one
// product per image with the filters packed once per call:
//   forward:       y[n] (k x hw) = W (k x c) x[n] (c x hw)
//   backward data: dx[n] (c x hw) = W^T (c x k) dy[n] (k x hw)
// and the weight gradient transposed (see conv2d_backward_weight_pointwise).
// The filters are packed in MR-row slivers, A's columns contiguous (a[p *
// MR + i]), and each image is read in place as B by the direct-A tiles'
// column entry (gemm_direct_a_ukernel.h). Through sgemm per image, shape g
// (256 -> 64 channels over 14 x 14) packed both operands of every image:
// the filters 16 times over, and each image's 256 x 196 floats, which
// only 64 rows of filters then used (12.5% and 4% of its forward pass).
//
// Each output is summed over the channels in order, in K blocks of the
// same bounds whatever the thread count: the same bits at any thread
// count and batch size. Threads take whole images; a batch of one runs on
// the calling thread.
#include "conv2d_impls.h"

#include <algorithm>

#include "convnode/kernels.h"
#include "cpu/dispatch.h"
#include "cpu/scratch.h"
#include "im2col.h"
#include "parallel_images.h"

namespace convnode {
namespace {

// The K block (channels summed per tile call): the filters' MR x kc sliver
// and the image's kc x NR sliver stay in L1 (12 x 256 and 256 x 32 floats
// on AVX-512: 12 and 32 KB).
constexpr int64_t kMaxBlockK = 256;

// The narrowest tile of `tile`'s height at least `n` wide (for the last
// columns of an image: 196 = 6 x 32 + 4 ran a 32-wide tile for 4 of them).
const GemmDirectATile& edge_tile(const GemmDirectATile& tile, int64_t n) {
  const GemmDirectATiles& tiles = *active_kernel_table().gemm_direct_a;
  const GemmDirectATile* best = &tile;
  for (int i = 0; i < tiles.count; ++i) {
    const GemmDirectATile& t = tiles.tiles[i];
    if (t.mr == tile.mr && t.nr >= n && t.nr < best->nr) best = &t;
  }
  return *best;
}

// out[n] (m x hw) = A (m x k) in[n] (k x hw) for every image, A(i, p) =
// a(i, p), plus bias[i] on row i when bias is not null.
template <typename At>
void multiply_images(int64_t images, int64_t m, int64_t k, int64_t hw, At a, const float* in, const float* bias,
                     float* out) {
  const GemmDirectATile& tile = direct_a_tile_for_width(*active_kernel_table().gemm_direct_a, hw);
  const int64_t mr = tile.mr, nr = tile.nr, row_tiles = (m + mr - 1) / mr;
  const GemmDirectATile& last = edge_tile(tile, hw % nr == 0 ? nr : hw % nr);
  const int64_t k_blocks = (k + kMaxBlockK - 1) / kMaxBlockK, kc_max = (k + k_blocks - 1) / k_blocks;
  // packed[t][p][i] = A(t * MR + i, p), zeros past m.
  static thread_local Scratch packed_scratch;
  float* packed = packed_scratch.floats(static_cast<size_t>(row_tiles * mr * k));
  for (int64_t t = 0; t < row_tiles; ++t)
    for (int64_t p = 0; p < k; ++p)
      for (int64_t i = 0; i < mr; ++i) {
        const int64_t row = t * mr + i;
        packed[(t * k + p) * mr + i] = row < m ? a(row, p) : 0.0f;
      }
  for_each_image_parallel(images, [&](int64_t img) {
    const float* b = in + img * k * hw;
    float* c = out + img * m * hw;
    for (int64_t p0 = 0; p0 < k; p0 += kc_max) {
      const int64_t kc = std::min(kc_max, k - p0);
      for (int64_t j0 = 0; j0 < hw; j0 += nr) {
        const GemmDirectAFn fn = j0 + nr < hw ? tile.tile_a_columns : last.tile_a_columns;
        for (int64_t t = 0; t < row_tiles; ++t)
          fn(kc, packed + (t * k + p0) * mr, mr, b + p0 * hw + j0, hw, c + t * mr * hw + j0, hw,
             std::min(mr, m - t * mr), std::min(nr, hw - j0), 1.0f, p0 == 0 ? 0.0f : 1.0f);
      }
    }
    if (bias != nullptr)
      for (int64_t i = 0; i < m; ++i)
        for (float *row = c + i * hw, *end = row + hw; row < end; ++row) *row += bias[i];
  });
}

}  // namespace

bool conv2d_pointwise_applies(const Conv2dShape& s) {
  return conv2d_is_pointwise(s) && s.groups == 1 && active_kernel_table().gemm_direct_a->count > 0;
}

void conv2d_forward_pointwise(const Conv2dShape& s, const float* x, const float* w, const float* bias, float* y) {
  multiply_images(s.n, s.k, s.c, s.h * s.w, [&](int64_t i, int64_t p) { return w[i * s.c + p]; }, x, bias, y);
}

void conv2d_backward_data_pointwise(const Conv2dShape& s, const float* dy, const float* w, float* dx) {
  multiply_images(s.n, s.c, s.k, s.h * s.w, [&](int64_t i, int64_t p) { return w[p * s.c + i]; }, dy, nullptr, dx);
}

// dW (k x c) = sum over images of dy[n] (k x hw) x[n]^T (hw x c). Both
// operands hold hw contiguous, so sgemm transposes one of them into its
// packed B operand: the smaller. With fewer filters than channels (shape
// g: 64 against 256) that is dy, and the sum is taken as its transpose S
// (c x k) = sum of x[n] dy[n]^T (stated as dW, sgemm packed x[n]^T: 19% of
// g's weight gradient). The batch is summed in kBatchChunks fixed chunks
// (so that no bit depends on the thread count), each into its own sums,
// and the chunks are added in order into dW.
void conv2d_backward_weight_pointwise(const Conv2dShape& s, const float* x, const float* dy, float* dw) {
  const int64_t hw = s.h * s.w, sums = s.c * s.k;
  const bool transposed = s.k < s.c;
  const int64_t chunks = std::min<int64_t>(s.n, kBatchChunks);
  static thread_local Scratch partial_scratch;
  float* partials = partial_scratch.floats(static_cast<size_t>(chunks * sums));
  for_each_image_parallel(chunks, [&](int64_t c) {
    const int64_t first = s.n * c / chunks, end = s.n * (c + 1) / chunks;
    for (int64_t i = first; i < end; ++i) {
      const float *xi = x + i * s.c * hw, *dyi = dy + i * s.k * hw;
      const float beta = i == first ? 0.0f : 1.0f;
      if (transposed) sgemm(false, true, s.c, s.k, hw, 1.0f, xi, hw, dyi, hw, beta, partials + c * sums, s.k);
      else sgemm(false, true, s.k, s.c, hw, 1.0f, dyi, hw, xi, hw, beta, partials + c * sums, s.c);
    }
  });
  add_chunks(s.k, s.c, chunks, sums, partials,
             [&](int64_t k, int64_t ci) { return transposed ? ci * s.k + k : k * s.c + ci; }, dw);
}

}  // namespace convnode
