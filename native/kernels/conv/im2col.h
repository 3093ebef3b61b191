// im2col / col2im for one image and one group: the bridge from convolution
// to GEMM. col has (cg * kh * kw) rows and (ho * wo) columns; row
// (ci, ki, kj) holds, for every output pixel, the input value that filter
// tap multiplies (0 where it falls in the padding).
#pragma once

#include <cstdint>

#include "convnode/kernels.h"

namespace convnode {

// x points at the group's first channel; cg channels of h x w.
void im2col(const Conv2dShape& s, int64_t cg, const float* x, float* col);
// Adds col back into dx (which the caller zeroes): the adjoint of im2col.
void col2im_add(const Conv2dShape& s, int64_t cg, const float* col, float* dx);

// True when im2col is the identity (1x1 kernel, stride 1, no padding), so the
// input itself can serve as the column matrix.
inline bool conv2d_is_pointwise(const Conv2dShape& s) {
  return s.kh == 1 && s.kw == 1 && s.stride_h == 1 && s.stride_w == 1 &&
         s.pad_h == 0 && s.pad_w == 0;
}

}  // namespace convnode
