// MaxPoolPhased: per-thread scratch and the choice of ISA path; the loops
// are in max_pool_phased_loops.h, compiled per path (pool_loops.h).
#include "max_pool_phased.h"

#include <algorithm>
#include <limits>

#include "cpu/dispatch.h"
#include "pool_loops.h"
#include "../round_up.h"

namespace convnode {

namespace {

MaxPoolPlan plan_for(const Pool2dShape& s) {
  const int64_t stride = s.stride_w;
  const int64_t extent = std::max(s.w + s.pad_w, (s.wo - 1) * stride + s.kw);
  const int64_t entries = (extent + stride - 1) / stride;
  const int64_t inner_lo = std::min(entries, (s.pad_w + stride - 1) / stride);
  const int64_t inner_hi = std::max(inner_lo, std::min(entries, (s.w + s.pad_w) / stride));
  const int64_t padded_rows = std::max(s.h + s.pad_h, (s.ho - 1) * s.stride_h + s.kh);
  return {s.h, s.w, s.ho, s.wo, s.kh, s.kw, stride, entries, s.pad_w, inner_lo, inner_hi,
          (s.kw - 1) / stride, stride * entries, s.stride_h, s.pad_h, padded_rows, round_up(s.wo + 1, 16)};
}

}  // namespace

bool has_3x3s2_tiles(const Pool2dShape& s, Isa isa) {
  return s.kh == 3 && s.kw == 3 && s.stride_h == 2 && s.stride_w == 2 && s.pad_h <= 1 && s.pad_w <= 1 && s.ho > 0 &&
         s.wo > 0 && kernel_table(isa).pool->max_forward_3x3s2 != nullptr;
}

MaxPoolPhased::MaxPoolPhased(const Pool2dShape& s, Isa isa) : plan_(plan_for(s)) {
  const size_t plane = size_t(plan_.padded_rows * plan_.row_len), len = size_t(plan_.row_len);
  const size_t around = size_t(plan_.reach + plan_.entries);
  const size_t blocks = size_t(plan_.block_windows);
  // One allocation per element type, carved into the scratch arrays.
  floats_.assign(size_t(s.w) + len + around + plane + 5 * blocks, 0.0f);
  ints_.assign(2 * len + around, 0);
  float* f = floats_.data();
  int32_t* i = ints_.data();
  auto take_f = [&](size_t n) { float* a = f; f += n; return a; };
  auto take_i = [&](size_t n) { int32_t* a = i; i += n; return a; };
  scratch_.dummy = take_f(size_t(s.w));
  scratch_.band_value = take_f(len);
  scratch_.band_key = take_i(len);
  scratch_.band_row = take_i(len);  // 0 everywhere: a padding entry never wins
  scratch_.winner = take_i(around);
  scratch_.grad = take_f(around);  // zeros around the windows
  scratch_.sums = take_f(plane);
  scratch_.carry = take_f(2 * blocks);
  scratch_.top = take_f(3 * blocks);
  std::fill(scratch_.band_value, scratch_.band_value + len, -std::numeric_limits<float>::infinity());
  std::fill(scratch_.band_key, scratch_.band_key + len, std::numeric_limits<int32_t>::min());
  std::fill(scratch_.winner, scratch_.winner + around, -1);  // no window: matches no cell
  const PoolLoops& loops = *kernel_table(isa).pool;
  forward_ = loops.max_forward;
  backward_ = loops.max_backward;
  if (has_3x3s2_tiles(s, isa)) {
    forward_ = loops.max_forward_3x3s2;
    backward_if_ = loops.max_backward_3x3s2;
    forward_argmax_if_ = loops.max_forward_argmax_3x3s2;
    backward_argmax_ = loops.max_backward_argmax_3x3s2;
  }
}

}  // namespace convnode
