// MaxPoolPhased: per-thread scratch and the choice of ISA path; the loops
// are in max_pool_phased_loops.h. This file also compiles them for the
// baseline path (plain x86-64 or armv8, where the compiler still
// vectorises them with SSE2 or NEON).
#include "max_pool_phased.h"

#include <algorithm>

#include "max_pool_phased_loops.h"

namespace convnode {

void max_pool_forward__baseline(const MaxPoolPlan& p, const MaxPoolScratch& t, const float* plane, float* out) {
  forward_any(p, t, plane, out);
}

void max_pool_backward__baseline(const MaxPoolPlan& p, const MaxPoolScratch& t, const float* plane,
                                 const float* dy, float* dx) {
  backward_any(p, t, plane, dy, dx);
}

namespace {

MaxPoolPlan plan_for(const Pool2dShape& s, const std::vector<Span>& rows) {
  const int64_t stride = s.stride_w;
  const int64_t extent = std::max(s.w + s.pad_w, (s.wo - 1) * stride + s.kw);
  const int64_t entries = (extent + stride - 1) / stride;
  const int64_t inner_lo = std::min(entries, (s.pad_w + stride - 1) / stride);
  const int64_t inner_hi = std::max(inner_lo, std::min(entries, (s.w + s.pad_w) / stride));
  return {s.h, s.w, s.ho, s.wo, s.kh, s.kw, rows.data(), stride, entries, s.pad_w, inner_lo, inner_hi,
          (s.kw - 1) / stride};
}

}  // namespace

MaxPoolPhased::MaxPoolPhased(const Pool2dShape& s, Isa isa)
    : rows_(pool_spans(s.ho, s.h, s.kh, s.stride_h, s.pad_h)), plan_(plan_for(s, rows_)) {
  const size_t phased = size_t(plan_.stride * plan_.entries), wo = size_t(s.wo);
  const size_t around = size_t(plan_.reach + plan_.entries);
  // One allocation per element type, carved into the scratch arrays.
  floats_.assign(2 * phased + around + size_t(s.h) * phased, 0.0f);
  ints_.assign(2 * 2 * phased + 7 * wo + around, 0);
  float* f = floats_.data();
  int32_t* i = ints_.data();
  auto take_f = [&](size_t n) { float* a = f; f += n; return a; };
  auto take_i = [&](size_t n) { int32_t* a = i; i += n; return a; };
  for (int b = 0; b < 2; ++b) {
    scratch_.value[b] = take_f(phased);
    scratch_.key[b] = take_i(phased);
    scratch_.row[b] = take_i(phased);
    scratch_.best_key[b] = take_i(wo);
    scratch_.best_row[b] = take_i(wo);
    scratch_.best_col[b] = take_i(wo);
  }
  scratch_.zero_cols = take_i(wo);
  scratch_.winner = take_i(around);
  std::fill(scratch_.winner, scratch_.winner + around, -1);  // no window: matches no code
  scratch_.grad = take_f(around);                            // zeros around the windows
  scratch_.sums = take_f(size_t(s.h) * phased);
  switch (isa) {
#if defined(__x86_64__) || defined(_M_X64)
    case Isa::kAvx512:
      forward_ = max_pool_forward__avx512;
      backward_ = max_pool_backward__avx512;
      break;
    case Isa::kAvx2:
      forward_ = max_pool_forward__avx2;
      backward_ = max_pool_backward__avx2;
      break;
#endif
    default:
      forward_ = max_pool_forward__baseline;
      backward_ = max_pool_backward__baseline;
  }
}

}  // namespace convnode
