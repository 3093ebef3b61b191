// Max pooling that keeps each window's winner (kernels.h): the forward
// pass writes one byte per output, the window-local cell its max came
// from; the backward pass reads those bytes and dy and writes dx, never
// touching x. For the bench's 3x3 stride-2 pool that takes the backward
// pass's reads from x and dy (a quarter of x) down to dy and a byte per
// output, and the winners are not worked out a second time.
//
// 3x3 windows at stride 2 go through the vector tiles
// (max_pool_3x3s2_tiles.h) on planes without NaN or -inf; every other
// window and plane through the plain loop here, whose order of
// comparisons is the general loops' (first maximum in row-major order,
// NaN wins). The backward pass is a scatter in row-major window order,
// the order in which pool2d_backward adds a cell's gradients, so the two
// give the same dx bit for bit.
#include <atomic>
#include <cmath>
#include <cstring>
#include <optional>
#include <vector>

#include "cpu/dispatch.h"
#include "convnode/kernels.h"
#include "convnode/runtime.h"
#include "max_pool_phased.h"
#include "order_key.h"
#include "pool_geometry.h"
#include "pool_planes.h"

namespace convnode {
namespace {

// Branchless, through order keys and masks (on random data "v > best" is
// a coin flip; with the branch GCC chose, a 2x2 window took 18 ns), and
// with the shape in locals (a byte store may alias any field).
void forward_plane(const Pool2dShape& s, const PoolWindows& g, const float* plane, float* out, uint8_t* argmax) {
  const int64_t w = s.w, kw = s.kw, ho = s.ho, wo = s.wo;
  const int64_t stride_h = s.stride_h, stride_w = s.stride_w, pad_h = s.pad_h, pad_w = s.pad_w;
  const Span* rows = g.rows.data();
  const Span* cols = g.cols.data();
  for (int64_t oh = 0; oh < ho; ++oh) {
    const Span r = rows[oh];
    const int64_t top = oh * stride_h - pad_h;
    for (int64_t ow = 0; ow < wo; ++ow) {
      const Span c = cols[ow];
      const int64_t left = ow * stride_w - pad_w;
      // Strictly greater keys: the first maximum stays (-0 before +0
      // keeps its sign); NaN has the largest key, so the first NaN wins.
      int64_t best = r.lo * w + c.lo, best_cell = (r.lo - top) * kw + (c.lo - left);
      int32_t best_key = order_key(plane[best]);
      for (int64_t ih = r.lo; ih < r.hi; ++ih) {
        for (int64_t iw = c.lo; iw < c.hi; ++iw) {
          // Selects by mask: written as "take ? a : b", GCC chose branches.
          const int32_t key = order_key(plane[ih * w + iw]);
          const int64_t take = -int64_t(key > best_key);  // all ones or zero
          best_key ^= (best_key ^ key) & int32_t(take);
          best ^= (best ^ (ih * w + iw)) & take;
          best_cell ^= (best_cell ^ ((ih - top) * kw + (iw - left))) & take;
        }
      }
      out[oh * wo + ow] = plane[best];
      argmax[oh * wo + ow] = uint8_t(best_cell);
    }
  }
}

// Whether window (oh, ow)'s byte names one of its cells inside the input.
bool names_input_cell(const Pool2dShape& s, const PoolWindows& g, int64_t oh, int64_t ow, int64_t cell) {
  const Span& r = g.rows[size_t(oh)];
  const Span& c = g.cols[size_t(ow)];
  const int64_t ih = oh * s.stride_h - s.pad_h + cell / s.kw, iw = ow * s.stride_w - s.pad_w + cell % s.kw;
  return cell < s.kh * s.kw && ih >= r.lo && ih < r.hi && iw >= c.lo && iw < c.hi;
}

// Every byte of a plane below kh * kw (one pass the compiler vectorises),
// and for the windows that reach into the padding, also inside the input:
// those are the windows of the first and last few rows and columns, so
// this reads each plane's bytes once plus its border.
bool plane_is_valid(const Pool2dShape& s, const PoolWindows& g, const std::vector<int64_t>& clipped_rows,
                    const std::vector<int64_t>& clipped_cols, const uint8_t* argmax) {
  const int64_t count = s.ho * s.wo;
  uint8_t largest = 0;
  for (int64_t i = 0; i < count; ++i) largest = argmax[i] > largest ? argmax[i] : largest;
  if (largest >= s.kh * s.kw) return false;
  for (int64_t oh : clipped_rows)
    for (int64_t ow = 0; ow < s.wo; ++ow)
      if (!names_input_cell(s, g, oh, ow, argmax[oh * s.wo + ow])) return false;
  for (int64_t oh = 0; oh < s.ho; ++oh)
    for (int64_t ow : clipped_cols)
      if (!names_input_cell(s, g, oh, ow, argmax[oh * s.wo + ow])) return false;
  return true;
}

// The windows whose span is cut by the padding or the input's end.
std::vector<int64_t> clipped(const std::vector<Span>& spans, int64_t kernel) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < spans.size(); ++i)
    if (spans[i].hi - spans[i].lo != kernel) out.push_back(int64_t(i));
  return out;
}

// dx overwritten; every byte already checked. Row-major window order.
void backward_plane(const Pool2dShape& s, const std::vector<int64_t>& offset, const uint8_t* argmax,
                    const float* dy, float* dx) {
  std::memset(dx, 0, sizeof(float) * size_t(s.h * s.w));
  for (int64_t oh = 0; oh < s.ho; ++oh) {
    const int64_t top = oh * s.stride_h - s.pad_h;
    for (int64_t ow = 0; ow < s.wo; ++ow) {
      const int64_t corner = top * s.w + ow * s.stride_w - s.pad_w;  // may lie in the padding
      dx[corner + offset[argmax[oh * s.wo + ow]]] += dy[oh * s.wo + ow];
    }
  }
}

}  // namespace

void max_pool2d_forward_argmax(const Pool2dShape& s, const float* x, float* y, uint8_t* argmax) {
  if (s.ho <= 0 || s.wo <= 0) return;
  const PoolWindows g(s);
  const Isa isa = active_isa();
  const bool tiled = has_3x3s2_tiles(s, isa);
  log_choice("max_pool2d_forward_argmax", tiled ? "max_3x3s2_tiles" : "windows");
  const int64_t planes = s.n * s.c, in = s.h * s.w, out = s.ho * s.wo;
  for_each_plane<MaxPoolPhased>(s, [&](int64_t p, std::optional<MaxPoolPhased>& tiles) {
    const float* plane = x + p * in;
    if (tiled && !tiles) tiles.emplace(s, isa);
    if (tiled && tiles->forward_argmax(plane, p + 1 < planes ? plane + in : nullptr, y + p * out, argmax + p * out))
      return;
    forward_plane(s, g, plane, y + p * out, argmax + p * out);
  });
}

bool max_pool2d_backward_argmax(const Pool2dShape& s, const uint8_t* argmax, const float* dy, float* dx) {
  const PoolWindows g(s);
  const std::vector<int64_t> clipped_rows = clipped(g.rows, s.kh), clipped_cols = clipped(g.cols, s.kw);
  // Cell -> offset from the window's top-left corner (no division per window).
  std::vector<int64_t> offset(static_cast<size_t>(kMaxPoolArgmaxCells));
  for (int64_t cell = 0; cell < kMaxPoolArgmaxCells; ++cell) offset[size_t(cell)] = cell / s.kw * s.w + cell % s.kw;
  const Isa isa = active_isa();
  const bool tiled = has_3x3s2_tiles(s, isa);
  log_choice("max_pool2d_backward_argmax", tiled ? "max_3x3s2_tiles" : "windows");
  const int64_t in = s.h * s.w, out = s.ho * s.wo;
  std::atomic<bool> valid{true};
  for_each_plane<MaxPoolPhased>(s, [&](int64_t p, std::optional<MaxPoolPhased>& tiles) {
    // The plane's bytes are copied, then checked, then used: argmax may live
    // in a SharedArrayBuffer that another thread changes meanwhile, and a
    // byte re-read after its check could send a write outside dx.
    static thread_local std::vector<uint8_t> kept;
    kept.assign(argmax + p * out, argmax + (p + 1) * out);
    const uint8_t* a = kept.data();
    if (!plane_is_valid(s, g, clipped_rows, clipped_cols, a)) {
      valid.store(false, std::memory_order_relaxed);
      return;
    }
    if (!tiled) return backward_plane(s, offset, a, dy + p * out, dx + p * in);
    if (!tiles) tiles.emplace(s, isa);
    tiles->backward_argmax(a, dy + p * out, dx + p * in);
  });
  return valid.load();
}

}  // namespace convnode
