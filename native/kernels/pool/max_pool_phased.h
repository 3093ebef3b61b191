// Max pooling of one (n, c) plane for any window other than 2x2 stride 2,
// forward and backward, in loops the compiler vectorises (see
// max_pool_phased_loops.h), or for 3x3 windows at stride 2 on the AVX2 and
// AVX-512 paths in explicit vector tiles (max_pool_3x3s2_tiles.h). The
// loops are compiled once per ISA path (baseline, AVX2, AVX-512; see
// pool_loops.h); MaxPoolPhased owns the per-thread scratch and calls the
// active path's loops.
#pragma once

#include <cstdint>
#include <vector>

#include "convnode/kernels.h"
#include "convnode/runtime.h"
#include "pool_geometry.h"

namespace convnode {

// Plain data only: the per-ISA files see this and raw pointers, no library
// templates (whose shared copies could be compiled with the wrong flags).
struct MaxPoolPlan {
  int64_t h, w, ho, wo, kh, kw;
  // Padded input columns t = iw + pad, split by phase q = t % stride into
  // `stride` contiguous runs of `entries` (entry m = t / stride). Window
  // ow's j-th column is then entry ow + j / stride of phase j % stride:
  // contiguous across windows for every j, whatever the stride.
  int64_t stride, entries, pad;
  int64_t inner_lo, inner_hi;  // entries whose columns are all real
  int64_t reach;               // the largest j / stride
  int64_t row_len;             // stride * entries
  // The gradient's rows are padded too (pad_h above, enough below for the
  // last window), so every window has kh rows: output row oh starts at
  // padded row oh * stride_h.
  int64_t stride_h, pad_h, padded_rows;
  // 3x3 stride 2 (max_pool_3x3s2_tiles.h): windows [0, wo] rounded up to
  // whole vectors of the widest path.
  int64_t block_windows;
};

// The band arrays are indexed by padded column t; their padding entries
// hold -inf or a key below every float's, written once. The gradient sums
// are in phase layout, padded rows included.
struct MaxPoolScratch {
  const float* dummy;  // w zeros: what a padding row of a band reads
  float* band_value;   // row_len: one band's max down its rows (forward)
  int32_t* band_key;   // row_len: one band's largest key down its rows
  int32_t* band_row;   // row_len: and the first row holding it
  int32_t* winner;     // reach + entries: each window's winning cell, -1 around
  float* grad;         // reach + entries: dy per window, 0 around
  float* sums;         // padded_rows * row_len: the gradient (backward)
  float* carry;        // 2 * block_windows: a band's bottom row of gradient (3x3 stride 2)
  float* top;          // 3 * block_windows: per block, a band's bottom row's winners (3x3 stride 2)
};

// `next` is the plane the thread will pool after this one, or null: it is
// prefetched while this one is computed, so that its load from memory
// overlaps the arithmetic.
using MaxPoolForwardFn = void (*)(const MaxPoolPlan&, const MaxPoolScratch&, const float* plane,
                                  const float* next, float* out);
// dx (one plane) is overwritten.
using MaxPoolBackwardFn = void (*)(const MaxPoolPlan&, const MaxPoolScratch&, const float* plane,
                                   const float* next, const float* dy, float* dx);
// A path that takes only some planes: false, with dx untouched, for the
// others (3x3 stride 2: a plane holding NaN or -inf).
using MaxPoolBackwardIfFn = bool (*)(const MaxPoolPlan&, const MaxPoolScratch&, const float* plane,
                                     const float* next, const float* dy, float* dx);

// The forward pass that also writes each window's winner as one byte
// (max_pool_argmax.cc), for the planes a path takes: false, having
// written nothing, for the others.
using MaxPoolForwardArgmaxIfFn = bool (*)(const MaxPoolPlan&, const MaxPoolScratch&, const float* plane,
                                          const float* next, float* out, uint8_t* argmax);

// The backward pass from those bytes, every one checked to name a cell of
// its window inside the input; dx is overwritten.
using MaxPoolBackwardArgmaxFn = void (*)(const MaxPoolPlan&, const MaxPoolScratch&, const uint8_t* argmax,
                                         const float* dy, float* dx);

// Whether the active path has vector tiles for this shape (3x3 windows at
// stride 2, padding 0 or 1, on AVX2 / AVX-512).
bool has_3x3s2_tiles(const Pool2dShape& s, Isa isa);

class MaxPoolPhased {
 public:
  MaxPoolPhased(const Pool2dShape& s, Isa isa);
  void forward(const float* plane, const float* next, float* out) const {
    forward_(plan_, scratch_, plane, next, out);
  }
  void backward(const float* plane, const float* next, const float* dy, float* dx) const {
    if (backward_if_ != nullptr && backward_if_(plan_, scratch_, plane, next, dy, dx)) return;
    backward_(plan_, scratch_, plane, next, dy, dx);
  }
  // Only for shapes with vector tiles (has_3x3s2_tiles).
  void backward_argmax(const uint8_t* argmax, const float* dy, float* dx) const {
    backward_argmax_(plan_, scratch_, argmax, dy, dx);
  }
  // False, having written nothing, where no vector tile takes the shape or
  // the plane.
  bool forward_argmax(const float* plane, const float* next, float* out, uint8_t* argmax) const {
    return forward_argmax_if_ != nullptr && forward_argmax_if_(plan_, scratch_, plane, next, out, argmax);
  }

 private:
  MaxPoolPlan plan_;
  std::vector<float> floats_;
  std::vector<int32_t> ints_;
  MaxPoolScratch scratch_;
  MaxPoolForwardFn forward_;
  MaxPoolBackwardFn backward_;
  MaxPoolBackwardIfFn backward_if_ = nullptr;  // tried first, where set
  MaxPoolForwardArgmaxIfFn forward_argmax_if_ = nullptr;
  MaxPoolBackwardArgmaxFn backward_argmax_ = nullptr;
};

}  // namespace convnode
