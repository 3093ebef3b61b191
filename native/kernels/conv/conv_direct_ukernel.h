// The direct-convolution microkernel contracts (stride 1, small C x kh x kw).
//
// The driver zero-pads each input image (hp rows of wp per channel) and
// computes the output "wide": ho rows of wp columns, flattened, of which the
// first wo of each row are real. In that layout every filter tap (ci, ki,
// kj) reads the padded input at one constant offset, ci*hp*wp + ki*wp + kj,
// from the output position, so a tap is a vector multiply-add of a shifted
// input run. A forward tile computes KB output channels x NB consecutive
// wide positions:
//   out[kk * ld + j] = sum_t w[t * KB + kk] * src[offs[t] + j]
// for kk < KB, j < NB, t < taps; w holds KB filters, tap-major. Each ISA
// path has tiles of several widths, so that 1 or 6 output channels (LeNet's
// first layer, and its backward data) do not fill a 4-channel tile with
// zeros.
//
// The weight gradient has two tiles. Lanes over positions, with dy laid
// out wide (zeros in the wp - wo columns past each row's end):
//   dw[kk * ldw + tt] += sum_{j < len} dy[kk * ld_dy + j] * src[offs[tt] + j]
// for kk < KB channels and tt < TB taps (len a multiple of the vector), and
// lanes over channels, with dy transposed to position-major g:
//   dw[tt * ldw + kk] += sum_{r, c} g[(r * cols + c) * ldg + kk] * src[offs[tt] + r * row_stride + c]
// The first ends each accumulator in a horizontal sum and suits few
// channels over long rows; the second has none and suits many channels.
//
// The tiles are templates in conv_direct_tiles.h; f32_conv_direct__<isa>.cc
// compiles them with that ISA's flags and exports its table. The ISAs
// without a table (scalar, NEON) use im2col + GEMM.
#pragma once

#include <cstdint>

#include "convnode/runtime.h"

namespace convnode {

using DirectConvUkernelFn = void (*)(int64_t taps, const int64_t* offs, const float* src,
                                     const float* w, float* out, int64_t ld);

using DirectConvWeightPositionsFn = void (*)(int64_t len, const float* dy, int64_t ld_dy,
                                             const int64_t* offs, const float* src, float* dw,
                                             int64_t ldw);

using DirectConvWeightChannelsFn = void (*)(int64_t rows, int64_t cols, int64_t row_stride,
                                            const float* g, int64_t ldg, const int64_t* offs,
                                            const float* src, float* dw, int64_t ldw);

// dst[kk * dst_ld + r * dst_wp + j] = src[kk * src_ld + r * src_wp + j]
// (+ bias[kk] unless bias is null), kk < channels, r < rows, j < cols: a
// wide output's real columns into y (with the bias), and dy into the wide
// layout.
using DirectConvCopyRowsFn = void (*)(int64_t channels, int64_t rows, int64_t cols, const float* src,
                                      int64_t src_ld, int64_t src_wp, const float* bias, float* dst,
                                      int64_t dst_ld, int64_t dst_wp);

struct DirectForwardTile {
  int kb, nb;  // output channels x wide positions per call
  DirectConvUkernelFn fn;
};

struct DirectWeightPositionsTile {
  int kb, tb;  // output channels x taps per call
  DirectConvWeightPositionsFn fn;
};

struct DirectWeightChannelsTile {
  int kb, tb;  // output channels (whole vectors) x taps per call
  DirectConvWeightChannelsFn fn;
};

struct DirectConvKernels {
  const char* isa;
  int vec;  // floats per vector
  DirectForwardTile forward[6];  // unused entries have fn == nullptr
  DirectWeightPositionsTile weight_positions;
  DirectWeightChannelsTile weight_channels[2];  // one vector of channels, then two
  DirectConvCopyRowsFn copy_rows;
};

// native/cpu/dispatch.cc picks the table of the active path
// (KernelTable::conv_direct); vec is 0 on paths without direct kernels.

extern const DirectConvKernels kDirectConvAvx2;
extern const DirectConvKernels kDirectConvAvx512;

}  // namespace convnode
