// Max, average and sum pooling, forward and backward, one (n, c) plane per
// unit of parallel work. Windows are clipped to the input; padding never
// wins a max and adds nothing to a sum. Average divides by the window size
// clipped to the padded input (count_include_pad, PyTorch's default) or by
// the number of real input cells.
//
// Speed: window bounds are computed once per call, not per output; max and
// argmax are branchless (random data makes "v > best" a coin flip, and a
// mispredicted branch per element cost 4 ns); NaN is tracked with a flag so
// it still propagates as in PyTorch. 2x2 stride-2 windows without padding,
// the common case, have their own loop. Other windows are separable: one
// pass down the kh rows of a band (contiguous, vectorised) leaves per column
// the band's max and the first row that holds it (or its sum), and a short
// pass along the columns finishes each window.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "convnode/kernels.h"
#include "convnode/runtime.h"

namespace convnode {
namespace {

// Per output row (or column): the clipped input range and the padded extent.
struct Span {
  int64_t lo, hi, padded;
};

std::vector<Span> spans(int64_t out, int64_t in, int64_t kernel, int64_t stride, int64_t pad) {
  std::vector<Span> s(static_cast<size_t>(out));
  for (int64_t o = 0; o < out; ++o) {
    const int64_t start = o * stride - pad;
    const int64_t end = std::min(start + kernel, in + pad);
    s[size_t(o)] = {std::max<int64_t>(start, 0), std::min(end, in), end - start};
  }
  return s;
}

struct Geometry {
  std::vector<Span> rows, cols;
};

float divisor(PoolMode mode, const Pool2dShape& s, const Span& r, const Span& c) {
  if (mode == PoolMode::kSum) return 1.0f;
  if (s.count_include_pad) return float(r.padded * c.padded);
  return float((r.hi - r.lo) * (c.hi - c.lo));
}

// An integer key that orders floats like "<" does, with -0 equal to +0 and
// NaN above everything, packed with the bit-inverted position so that one
// 64-bit max picks the first maximum (or first NaN) of a window. Integer
// max compiles to cmov: no data-dependent branch, whatever the data.
inline int64_t max_key(float v, int64_t pos) {
  int32_t b;
  std::memcpy(&b, &v, sizeof b);
  int32_t k = b ^ ((b >> 31) & 0x7FFFFFFF);     // negative floats: reverse order
  k += int32_t(b == std::numeric_limits<int32_t>::min());  // -0 -> 0
  k = (b & 0x7FFFFFFF) > 0x7F800000 ? std::numeric_limits<int32_t>::max() : k;  // NaN
  return (int64_t(k) << 32) | int64_t(uint32_t(~uint32_t(pos)));
}

inline int64_t key_position(int64_t key) { return int64_t(~uint32_t(key)); }

// Max of the window; NaN if the window holds one. The compare compiles to
// maxss, and the NaN check is a branch that is (almost) never taken.
inline float window_max(const float* plane, int64_t w, const Span& r, const Span& c) {
  float m = -std::numeric_limits<float>::infinity();
  bool nan = false;
  for (int64_t ih = r.lo; ih < r.hi; ++ih) {
    const float* row = plane + ih * w;
    for (int64_t iw = c.lo; iw < c.hi; ++iw) {
      const float v = row[iw];
      nan |= v != v;
      m = v > m ? v : m;
    }
  }
  return nan ? std::numeric_limits<float>::quiet_NaN() : m;
}

// Index (within the plane) of the window's first maximum, or first NaN.
inline int64_t window_argmax(const float* plane, int64_t w, const Span& r, const Span& c) {
  int64_t best = std::numeric_limits<int64_t>::min();
  for (int64_t ih = r.lo; ih < r.hi; ++ih) {
    const float* row = plane + ih * w;
    for (int64_t iw = c.lo; iw < c.hi; ++iw) best = std::max(best, max_key(row[iw], ih * w + iw));
  }
  return key_position(best);
}

bool is_2x2_stride2(const Pool2dShape& s) {
  return s.kh == 2 && s.kw == 2 && s.stride_h == 2 && s.stride_w == 2 && s.pad_h == 0 &&
         s.pad_w == 0 && 2 * s.ho <= s.h && 2 * s.wo <= s.w;
}

void forward_2x2(PoolMode mode, const Pool2dShape& s, const float* plane, float* out) {
  const float scale = mode == PoolMode::kAvg ? 0.25f : 1.0f;
  for (int64_t oh = 0; oh < s.ho; ++oh) {
    const float* r0 = plane + 2 * oh * s.w;
    const float* r1 = r0 + s.w;
    float* o = out + oh * s.wo;
    if (mode == PoolMode::kMax) {
      for (int64_t ow = 0; ow < s.wo; ++ow) {
        const float a = r0[2 * ow], b = r0[2 * ow + 1], c = r1[2 * ow], d = r1[2 * ow + 1];
        const float ab = a > b ? a : b, cd = c > d ? c : d;
        const float m = ab > cd ? ab : cd;
        const bool nan = (a != a) | (b != b) | (c != c) | (d != d);
        o[ow] = nan ? std::numeric_limits<float>::quiet_NaN() : m;
      }
    } else {
      for (int64_t ow = 0; ow < s.wo; ++ow)
        o[ow] = ((r0[2 * ow] + r0[2 * ow + 1]) + (r1[2 * ow] + r1[2 * ow + 1])) * scale;
    }
  }
}

// The 2x2 stride-2 windows tile the input without overlap: every covered
// input cell gets exactly one value, the rest (an odd last row or column) 0.
void backward_2x2(PoolMode mode, const Pool2dShape& s, const float* plane, const float* g, float* out) {
  if (2 * s.ho != s.h || 2 * s.wo != s.w) std::memset(out, 0, sizeof(float) * size_t(s.h * s.w));
  const float scale = mode == PoolMode::kAvg ? 0.25f : 1.0f;
  for (int64_t oh = 0; oh < s.ho; ++oh) {
    const float* r0 = plane + 2 * oh * s.w;
    const float* r1 = r0 + s.w;
    float* o0 = out + 2 * oh * s.w;
    float* o1 = o0 + s.w;
    const float* go = g + oh * s.wo;
    if (mode != PoolMode::kMax) {
      for (int64_t ow = 0; ow < s.wo; ++ow) {
        const float v = go[ow] * scale;
        o0[2 * ow] = o0[2 * ow + 1] = o1[2 * ow] = o1[2 * ow + 1] = v;
      }
      continue;
    }
    // Without a NaN in the two rows the winner is the first cell equal to
    // the maximum: compares and selects over whole rows, which the compiler
    // vectorises. A NaN (which must win, first one first) sends the rows
    // through the integer keys instead.
    bool nan = false;
    for (int64_t iw = 0; iw < 2 * s.wo; ++iw) nan |= (r0[iw] != r0[iw]) | (r1[iw] != r1[iw]);
    if (!nan) {
      for (int64_t ow = 0; ow < s.wo; ++ow) {
        const float a = r0[2 * ow], b = r0[2 * ow + 1], c = r1[2 * ow], d = r1[2 * ow + 1];
        const float ab = a > b ? a : b, cd = c > d ? c : d;
        const float m = ab >= cd ? ab : cd;
        const bool wa = a == m, wb = !wa & (b == m), wc = !(wa | wb) & (c == m), wd = !(wa | wb | wc);
        const float v = go[ow];
        o0[2 * ow] = wa ? v : 0.0f;
        o0[2 * ow + 1] = wb ? v : 0.0f;
        o1[2 * ow] = wc ? v : 0.0f;
        o1[2 * ow + 1] = wd ? v : 0.0f;
      }
      continue;
    }
    for (int64_t ow = 0; ow < s.wo; ++ow) {
      // Window positions 0..3 in row-major order; the first maximum wins.
      const int64_t best = std::max(std::max(max_key(r0[2 * ow], 0), max_key(r0[2 * ow + 1], 1)),
                                    std::max(max_key(r1[2 * ow], 2), max_key(r1[2 * ow + 1], 3)));
      const int64_t k = key_position(best);
      // The winner is chosen by an address, not a branch (GCC turns
      // "k == 0 ? g : 0" stores back into jumps on which key won).
      float cell[4] = {0.0f, 0.0f, 0.0f, 0.0f};
      cell[k] = go[ow];
      o0[2 * ow] = cell[0];
      o0[2 * ow + 1] = cell[1];
      o1[2 * ow] = cell[2];
      o1[2 * ow + 1] = cell[3];
    }
  }
}

// Per-thread scratch of the separable path: per input column a value and a
// row, twice (see reduce_band).
struct BandScratch {
  std::vector<float> value[2];
  std::vector<int32_t> row[2];
  explicit BandScratch(int64_t w) {
    for (int b = 0; b < 2; ++b) {
      value[b].resize(size_t(w));
      row[b].resize(size_t(w));
    }
  }
};

// A band reduced to one value (and max row) per column.
struct Band {
  const float* value;
  const int32_t* row;
};

bool band_has_nan(const float* plane, int64_t w, const Span& r) {
  // NaN is the only float whose bits without the sign exceed infinity's.
  // A signed compare and an or per element vectorise with SSE2; a
  // "v != v" or-reduction and an unsigned max (no SSE2 instruction) did not
  // or cost a quarter of the backward pass.
  int32_t bad = 0;
  for (int64_t i = r.lo * w; i < r.hi * w; ++i) {
    int32_t b;
    std::memcpy(&b, plane + i, sizeof b);
    bad |= int32_t((b & 0x7FFFFFFF) > 0x7F800000);
  }
  return bad != 0;
}

// Down the rows of band r, per column: the max and the first row holding it
// (max mode, no NaN in the band), or the sum. Each row reads one buffer and
// writes the other: updating one array in place ("v > m ? v : m" into m)
// compiles to a conditional store, a branch per element that does not
// vectorise.
Band reduce_band(PoolMode mode, const float* plane, int64_t w, const Span& r, BandScratch& t) {
  const float* value = plane + r.lo * w;
  const int32_t* row = nullptr;
  int b = 0;
  for (int64_t ih = r.lo + 1; ih < r.hi; ++ih, b ^= 1) {
    const float* in = plane + ih * w;
    float* next = t.value[b].data();
    if (mode == PoolMode::kMax) {
      int32_t* next_row = t.row[b].data();
      const int32_t first = int32_t(r.lo);
      for (int64_t iw = 0; iw < w; ++iw) {
        const float v = in[iw], cur = value[iw];
        const int32_t cur_row = row != nullptr ? row[iw] : first;
        const bool better = v > cur;  // strictly: ties keep the earlier row
        next[iw] = better ? v : cur;
        next_row[iw] = better ? int32_t(ih) : cur_row;
      }
      row = next_row;
    } else {
      for (int64_t iw = 0; iw < w; ++iw) next[iw] = value[iw] + in[iw];
    }
    value = next;
  }
  if (row == nullptr) {  // a one-row band: every column's max is in it
    int32_t* only = t.row[0].data();
    std::fill(only, only + w, int32_t(r.lo));
    row = only;
  }
  return {value, row};
}

// Along the columns of window c: the plane index of the window's first
// maximum. Each column offers its band max at its (first) row; the integer
// key orders by value, then by the lower plane index, which is row-major
// order, so the largest key is the first maximum the unseparated scan finds.
// Integer max compiles to cmov (float compares with a tie-break on the row
// left a branch that random data mispredicts).
inline int64_t window_winner(const Band& band, int64_t w, const Span& c) {
  int64_t best = std::numeric_limits<int64_t>::min();
  for (int64_t iw = c.lo; iw < c.hi; ++iw)
    best = std::max(best, max_key(band.value[iw], int64_t(band.row[iw]) * w + iw));
  return key_position(best);
}

void forward_separable(PoolMode mode, const Pool2dShape& s, const Geometry& g, const float* plane,
                       float* out, BandScratch& t) {
  for (int64_t oh = 0; oh < s.ho; ++oh) {
    const Span& r = g.rows[size_t(oh)];
    float* o = out + oh * s.wo;
    if (mode == PoolMode::kMax && band_has_nan(plane, s.w, r)) {
      for (int64_t ow = 0; ow < s.wo; ++ow) o[ow] = window_max(plane, s.w, r, g.cols[size_t(ow)]);
      continue;
    }
    const Band band = reduce_band(mode, plane, s.w, r, t);
    for (int64_t ow = 0; ow < s.wo; ++ow) {
      const Span& c = g.cols[size_t(ow)];
      if (mode == PoolMode::kMax) {
        float m = -std::numeric_limits<float>::infinity();
        for (int64_t iw = c.lo; iw < c.hi; ++iw) m = band.value[iw] > m ? band.value[iw] : m;
        o[ow] = m;
      } else {
        float sum = 0.0f;
        for (int64_t iw = c.lo; iw < c.hi; ++iw) sum += band.value[iw];
        o[ow] = sum / divisor(mode, s, r, c);
      }
    }
  }
}

void backward_separable(PoolMode mode, const Pool2dShape& s, const Geometry& g, const float* plane,
                        const float* gp, float* out, BandScratch& t) {
  std::memset(out, 0, sizeof(float) * size_t(s.h * s.w));
  for (int64_t oh = 0; oh < s.ho; ++oh) {
    const Span& r = g.rows[size_t(oh)];
    const float* go = gp + oh * s.wo;
    if (mode == PoolMode::kMax) {
      // Each window's gradient goes to its first maximum, windows in
      // row-major order (so overlapping windows add in a fixed order).
      if (band_has_nan(plane, s.w, r)) {
        for (int64_t ow = 0; ow < s.wo; ++ow) out[window_argmax(plane, s.w, r, g.cols[size_t(ow)])] += go[ow];
        continue;
      }
      const Band band = reduce_band(mode, plane, s.w, r, t);
      for (int64_t ow = 0; ow < s.wo; ++ow) {
        out[window_winner(band, s.w, g.cols[size_t(ow)])] += go[ow];
      }
      continue;
    }
    // Average / sum: spread each window's share over its columns once, then
    // add that row to every row of the band.
    float* spread = t.value[0].data();
    std::fill(spread, spread + s.w, 0.0f);
    for (int64_t ow = 0; ow < s.wo; ++ow) {
      const Span& c = g.cols[size_t(ow)];
      const float share = go[ow] / divisor(mode, s, r, c);
      for (int64_t iw = c.lo; iw < c.hi; ++iw) spread[iw] += share;
    }
    for (int64_t ih = r.lo; ih < r.hi; ++ih) {
      float* o = out + ih * s.w;
      for (int64_t iw = 0; iw < s.w; ++iw) o[iw] += spread[iw];
    }
  }
}

}  // namespace

int64_t pool2d_output_size(int64_t in, int64_t kernel, int64_t stride,
                           int64_t pad, bool ceil_mode) {
  const int64_t span = in + 2 * pad - kernel;
  if (span < 0) return 0;
  int64_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

void pool2d_forward(PoolMode mode, const Pool2dShape& s, const float* x, float* y) {
  const Geometry g{spans(s.ho, s.h, s.kh, s.stride_h, s.pad_h), spans(s.wo, s.w, s.kw, s.stride_w, s.pad_w)};
  const bool fast = is_2x2_stride2(s);
  const int64_t planes = s.n * s.c;
#pragma omp parallel num_threads(num_threads()) if (planes * s.h * s.w > (1 << 15))
  {
    BandScratch t(fast ? 0 : s.w);
#pragma omp for schedule(static)
    for (int64_t p = 0; p < planes; ++p) {
      const float* plane = x + p * s.h * s.w;
      float* out = y + p * s.ho * s.wo;
      if (fast) forward_2x2(mode, s, plane, out);
      else forward_separable(mode, s, g, plane, out, t);
    }
  }
}

void pool2d_backward(PoolMode mode, const Pool2dShape& s, const float* x,
                     const float* dy, float* dx) {
  const Geometry g{spans(s.ho, s.h, s.kh, s.stride_h, s.pad_h), spans(s.wo, s.w, s.kw, s.stride_w, s.pad_w)};
  const bool fast = is_2x2_stride2(s);
  const int64_t planes = s.n * s.c;
#pragma omp parallel num_threads(num_threads()) if (planes * s.h * s.w > (1 << 15))
  {
    BandScratch t(fast ? 0 : s.w);
#pragma omp for schedule(static)
    for (int64_t p = 0; p < planes; ++p) {
      const float* plane = x + p * s.h * s.w;
      const float* gp = dy + p * s.ho * s.wo;
      float* out = dx + p * s.h * s.w;
      if (fast) backward_2x2(mode, s, plane, gp, out);
      else backward_separable(mode, s, g, plane, gp, out, t);
    }
  }
}

}  // namespace convnode
