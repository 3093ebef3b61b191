// The ISA-specific pieces of the Winograd F(4x4, 3x3) convolution
// (conv2d_winograd.cc): the three transforms, each over one vector of
// channels (`lanes` floats, contiguous) at a time.
//
// Lavin and Gray's F(4x4, 3x3) (interpolation points 0, +-1, +-2, inf):
// a 4 x 4 block of outputs is A^T [(G g G^T) * (B^T d B)] A, where g is a
// 3 x 3 filter, d the 6 x 6 input patch under the block and * the product
// of the 36 "points" one by one. Summed over input channels, each point is
// a GEMM (tiles x channels times channels x filters): 36 multiplies per 16
// outputs and channel instead of 144. The weight gradient is the transpose
// of that map: dW = G^T [sum over tiles of (A dy A^T) * (B^T d B)] G, a GEMM
// per point with the tiles as the reduction.
//
//   B^T = [4  0 -5  0 1 0]   G = [ 1/4     0    0 ]   A^T = [1 1  1 1  1 0]
//         [0 -4 -4  1 1 0]       [-1/6 -1/6 -1/6 ]         [0 1 -1 2 -2 0]
//         [0  4 -4 -1 1 0]       [-1/6  1/6 -1/6 ]         [0 1  1 4  4 0]
//         [0 -2 -1  2 1 0]       [1/24 1/12  1/6 ]         [0 1 -1 8 -8 1]
//         [0  2 -1 -2 1 0]       [1/24 -1/12 1/6 ]
//         [0  4  0 -5 0 1]       [ 0     0    1  ]
#pragma once

#include <cstdint>

#include "convnode/runtime.h"

namespace convnode {

struct WinogradF4x3Kernels {
  int lanes;  // channels per call: floats per vector
  // u[p * u_stride + l] = (G g G^T)[p] for point p < 36, where tap t (row *
  // 3 + column) of lane l's filter is g[t * tap_stride + l].
  void (*filter)(const float* g, int64_t tap_stride, float* u, int64_t u_stride);
  // v[p * v_stride + l] = (B^T d B)[p], where patch row i, column j of lane
  // l is d[i * row_stride + j * lanes + l].
  void (*input)(const float* d, int64_t row_stride, float* v, int64_t v_stride);
  // out[q * lanes + l] = (A^T m A)[q] + bias[l] for the 16 outputs q (row *
  // 4 + column), where point p of lane l is m[p * m_stride + l]; bias may be
  // null. check[l] becomes NaN if any output of lane l is not finite (it
  // accumulates output * 0).
  void (*output)(const float* m, int64_t m_stride, const float* bias, float* out, float* check);
  // The weight gradient's two transforms (the transposes of the output's
  // and the filter's): z[p * z_stride + l] = (A g A^T)[p] for a 4 x 4 block
  // of dy, position (i, j) of lane l at g[i * row_stride + j * lanes + l];
  // out[t * lanes + l] = (G^T s G)[t] for the 9 taps t, where point p of
  // lane l is s[p * s_stride + l].
  void (*output_gradient)(const float* g, int64_t row_stride, float* z, int64_t z_stride);
  void (*weight)(const float* s, int64_t s_stride, float* out);
};

// native/cpu/dispatch.cc picks the record of the active path
// (KernelTable::winograd); nullptr where there is none.
extern const WinogradF4x3Kernels kWinogradF4x3Avx512;
extern const WinogradF4x3Kernels kWinogradF4x3Avx2;

}  // namespace convnode
