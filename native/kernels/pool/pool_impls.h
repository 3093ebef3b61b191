// The pooling implementations, for native/cpu/pool_dispatch.cc to choose
// from (pool2d.cc; MaxPoolPhased picks its loops, the 3x3 stride-2 vector
// tiles where this path has them). Each overwrites its output.
#pragma once

#include "convnode/kernels.h"

namespace convnode {

// 2x2 windows at stride 2, no padding, any mode (pool_2x2_loops.h).
bool is_2x2_stride2(const Pool2dShape& s);
void pool2d_forward_2x2(PoolMode mode, const Pool2dShape& s, const float* x, float* y);
void pool2d_backward_2x2(PoolMode mode, const Pool2dShape& s, const float* x, const float* dy, float* dx);
// Max pooling over any window (max_pool_phased.cc).
void max_pool2d_forward_phased(const Pool2dShape& s, const float* x, float* y);
void max_pool2d_backward_phased(const Pool2dShape& s, const float* x, const float* dy, float* dx);
// Average and sum pooling, separable: column sums down each band, then along it.
void pool2d_forward_separable(PoolMode mode, const Pool2dShape& s, const float* x, float* y);
void pool2d_backward_separable(PoolMode mode, const Pool2dShape& s, const float* dy, float* dx);

}  // namespace convnode
