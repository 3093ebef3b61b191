// Where each pooling window lies, per output row or column: shared by the
// pooling paths (pool2d.cc, max_pool_phased.cc).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "convnode/kernels.h"

namespace convnode {

// Per output row (or column): the clipped input range and the padded extent.
struct Span {
  int64_t lo, hi, padded;
};

inline std::vector<Span> pool_spans(int64_t out, int64_t in, int64_t kernel, int64_t stride, int64_t pad) {
  std::vector<Span> s(static_cast<size_t>(out));
  for (int64_t o = 0; o < out; ++o) {
    const int64_t start = o * stride - pad;
    const int64_t end = std::min(start + kernel, in + pad);
    s[size_t(o)] = {std::max<int64_t>(start, 0), std::min(end, in), end - start};
  }
  return s;
}

// Every window's span, per output row and per output column.
struct PoolWindows {
  std::vector<Span> rows, cols;
  explicit PoolWindows(const Pool2dShape& s)
      : rows(pool_spans(s.ho, s.h, s.kh, s.stride_h, s.pad_h)), cols(pool_spans(s.wo, s.w, s.kw, s.stride_w, s.pad_w)) {}
};

}  // namespace convnode
