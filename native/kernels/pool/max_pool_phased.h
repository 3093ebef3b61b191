// Max pooling of one (n, c) plane for any window other than 2x2 stride 2,
// forward and backward, in loops the compiler vectorises (see
// max_pool_phased_loops.h). The loops are compiled once per ISA path
// (baseline, AVX2, AVX-512); MaxPoolPhased owns the per-thread scratch and
// calls the active path's loops.
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
  const Span* rows;  // per output row: its input rows
  // Padded input columns t = iw + pad, split by phase q = t % stride into
  // `stride` contiguous runs of `entries` (entry m = t / stride). Window
  // ow's j-th column is then entry ow + j / stride of phase j % stride:
  // contiguous across windows for every j, whatever the stride.
  int64_t stride, entries, pad;
  int64_t inner_lo, inner_hi;  // entries whose columns are all real
  int64_t reach;               // the largest j / stride
};

struct MaxPoolScratch {
  float* value[2];                  // stride * entries each
  int32_t* key[2];                  // stride * entries each
  int32_t* row[2];                  // stride * entries each
  int32_t* best_key[2];             // wo each
  int32_t* best_row[2];             // wo each
  int32_t* best_col[2];             // wo each
  int32_t* zero_cols;               // wo zeros
  int32_t* winner;                  // reach + entries: -1 outside [reach, reach + wo)
  float* grad;                      // reach + entries: 0 outside [reach, reach + wo)
  float* sums;                      // h * stride * entries
};

using MaxPoolForwardFn = void (*)(const MaxPoolPlan&, const MaxPoolScratch&, const float* plane, float* out);
// dx (one plane) is overwritten.
using MaxPoolBackwardFn = void (*)(const MaxPoolPlan&, const MaxPoolScratch&, const float* plane,
                                   const float* dy, float* dx);

void max_pool_forward__baseline(const MaxPoolPlan&, const MaxPoolScratch&, const float*, float*);
void max_pool_backward__baseline(const MaxPoolPlan&, const MaxPoolScratch&, const float*, const float*, float*);
// x86-64 only:
void max_pool_forward__avx2(const MaxPoolPlan&, const MaxPoolScratch&, const float*, float*);
void max_pool_backward__avx2(const MaxPoolPlan&, const MaxPoolScratch&, const float*, const float*, float*);
void max_pool_forward__avx512(const MaxPoolPlan&, const MaxPoolScratch&, const float*, float*);
void max_pool_backward__avx512(const MaxPoolPlan&, const MaxPoolScratch&, const float*, const float*, float*);

class MaxPoolPhased {
 public:
  MaxPoolPhased(const Pool2dShape& s, Isa isa);
  void forward(const float* plane, float* out) const { forward_(plan_, scratch_, plane, out); }
  void backward(const float* plane, const float* dy, float* dx) const {
    backward_(plan_, scratch_, plane, dy, dx);
  }

 private:
  std::vector<Span> rows_;
  MaxPoolPlan plan_;
  std::vector<float> floats_;
  std::vector<int32_t> ints_;
  MaxPoolScratch scratch_;
  MaxPoolForwardFn forward_;
  MaxPoolBackwardFn backward_;
};

}  // namespace convnode
