// MaxPoolPhased: per-thread scratch and the choice of ISA path; the loops
// are in max_pool_phased_loops.h. This file also compiles them for the
// baseline path (plain x86-64 or armv8, where the compiler still
// vectorises them with SSE2 or NEON).
#include "max_pool_phased.h"

#include <algorithm>
#include <limits>

#include "max_pool_phased_loops.h"

namespace convnode {

void max_pool_forward__baseline(const MaxPoolPlan& p, const MaxPoolScratch& t, const float* plane, const float* next,
                           float* out) {
  forward_any(p, t, plane, next, out);
}

void max_pool_backward__baseline(const MaxPoolPlan& p, const MaxPoolScratch& t, const float* plane, const float* next,
                                 const float* dy, float* dx) {
  backward_any(p, t, plane, next, dy, dx);
}

namespace {

MaxPoolPlan plan_for(const Pool2dShape& s) {
  const int64_t stride = s.stride_w;
  const int64_t extent = std::max(s.w + s.pad_w, (s.wo - 1) * stride + s.kw);
  const int64_t entries = (extent + stride - 1) / stride;
  const int64_t inner_lo = std::min(entries, (s.pad_w + stride - 1) / stride);
  const int64_t inner_hi = std::max(inner_lo, std::min(entries, (s.w + s.pad_w) / stride));
  const int64_t padded_rows = std::max(s.h + s.pad_h, (s.ho - 1) * s.stride_h + s.kh);
  return {s.h, s.w, s.ho, s.wo, s.kh, s.kw, stride, entries, s.pad_w, inner_lo, inner_hi,
          (s.kw - 1) / stride, stride * entries, s.stride_h, s.pad_h, padded_rows};
}

bool real_entry(const MaxPoolPlan& p, int64_t row, int64_t i) {
  const int64_t ih = row - p.pad_h, q = i / p.entries, m = i % p.entries;
  const int64_t iw = m * p.stride + q - p.pad;
  return ih >= 0 && ih < p.h && iw >= 0 && iw < p.w;
}

}  // namespace

MaxPoolPhased::MaxPoolPhased(const Pool2dShape& s, Isa isa) : plan_(plan_for(s)) {
  const size_t plane = size_t(plan_.padded_rows * plan_.row_len), len = size_t(plan_.row_len);
  const size_t around = size_t(plan_.reach + plan_.entries);
  // One allocation per element type, carved into the scratch arrays.
  floats_.assign(2 * plane + len + around, 0.0f);
  ints_.assign(plane + 2 * len + around, 0);
  float* f = floats_.data();
  int32_t* i = ints_.data();
  auto take_f = [&](size_t n) { float* a = f; f += n; return a; };
  auto take_i = [&](size_t n) { int32_t* a = i; i += n; return a; };
  scratch_.values = take_f(plane);
  scratch_.keys = take_i(plane);
  scratch_.band_value = take_f(len);
  scratch_.band_key = take_i(len);
  scratch_.band_row = take_i(len);
  scratch_.winner = take_i(around);
  scratch_.grad = take_f(around);  // zeros around the windows
  scratch_.sums = take_f(plane);
  for (int64_t row = 0; row < plan_.padded_rows; ++row) {
    for (int64_t e = 0; e < plan_.row_len; ++e) {
      if (real_entry(plan_, row, e)) continue;
      scratch_.values[row * plan_.row_len + e] = -std::numeric_limits<float>::infinity();
      scratch_.keys[row * plan_.row_len + e] = std::numeric_limits<int32_t>::min();
    }
  }
  std::fill(scratch_.winner, scratch_.winner + around, -1);  // no window: matches no cell
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
