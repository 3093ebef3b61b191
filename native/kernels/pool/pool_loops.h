// The pooling loops compiled once per ISA path, as one table per path:
// f32_pool_loops__baseline.cc (plain x86-64 or armv8, where the compiler still
// vectorises with SSE2 or NEON), f32_pool_loops__avx2_fma.cc and
// f32_pool_loops__avx512.cc. The loops themselves are in max_pool_phased_loops.h
// (max windows other than 2x2/s2), pool_2x2_loops.h and, for the vector
// paths, max_pool_3x3s2_tiles.h.
#pragma once

#include "convnode/kernels.h"
#include "convnode/runtime.h"
#include "max_pool_phased.h"

namespace convnode {

// One plane, 2x2 windows at stride 2, no padding; dx is overwritten.
using Pool2x2ForwardFn = void (*)(PoolMode, const Pool2dShape&, const float* plane, float* out);
using Pool2x2BackwardFn = void (*)(PoolMode, const Pool2dShape&, const float* plane,
                                   const float* dy, float* dx);

struct PoolLoops {
  MaxPoolForwardFn max_forward;
  MaxPoolBackwardFn max_backward;
  Pool2x2ForwardFn forward_2x2;
  Pool2x2BackwardFn backward_2x2;
  // 3x3 max windows at stride 2, padding 0 or 1 (max_pool_3x3s2_tiles.h);
  // null where the path has none.
  MaxPoolForwardFn max_forward_3x3s2;
  MaxPoolBackwardIfFn max_backward_3x3s2;
  MaxPoolForwardArgmaxIfFn max_forward_argmax_3x3s2;  // max_pool_argmax.cc
  MaxPoolBackwardArgmaxFn max_backward_argmax_3x3s2;
};

extern const PoolLoops kPoolLoopsBaseline;
extern const PoolLoops kPoolLoopsAvx2;    // x86-64 only
extern const PoolLoops kPoolLoopsAvx512;  // x86-64 only

// native/cpu/dispatch.cc picks the table of each path (KernelTable::pool).

}  // namespace convnode
