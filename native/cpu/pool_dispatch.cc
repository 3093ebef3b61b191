// pool2d's implementations, in the order they are tried: the first that
// accepts a call runs it. The last two, max pooling over any window and
// separable average / sum, together accept every call
// (native/kernels/pool/pool_impls.h).
#include "convnode/kernels.h"
#include "dispatch.h"
#include "kernels/pool/max_pool_phased.h"
#include "kernels/pool/pool_impls.h"

namespace convnode {
namespace {

struct Impl {
  const char* name;
  bool (*accepts)(PoolMode, const Pool2dShape&);
  void (*forward)(PoolMode, const Pool2dShape&, const float* x, float* y);
  void (*backward)(PoolMode, const Pool2dShape&, const float* x, const float* dy, float* dx);
};

void max_forward(PoolMode, const Pool2dShape& s, const float* x, float* y) { max_pool2d_forward_phased(s, x, y); }
void max_backward(PoolMode, const Pool2dShape& s, const float* x, const float* dy, float* dx) {
  max_pool2d_backward_phased(s, x, dy, dx);
}
void separable_backward(PoolMode mode, const Pool2dShape& s, const float*, const float* dy, float* dx) {
  pool2d_backward_separable(mode, s, dy, dx);
}

const Impl kImpls[] = {
    {"2x2_s2", [](PoolMode, const Pool2dShape& s) { return is_2x2_stride2(s); }, pool2d_forward_2x2, pool2d_backward_2x2},
    // MaxPoolPhased with this path's 3x3 stride-2 vector tiles.
    {"max_3x3s2_tiles", [](PoolMode m, const Pool2dShape& s) { return m == PoolMode::kMax && has_3x3s2_tiles(s, active_isa()); },
     max_forward, max_backward},
    {"max_phased", [](PoolMode m, const Pool2dShape&) { return m == PoolMode::kMax; }, max_forward, max_backward},
    {"separable", [](PoolMode m, const Pool2dShape&) { return m != PoolMode::kMax; }, pool2d_forward_separable, separable_backward},
};

const Impl& choose(const char* op, PoolMode mode, const Pool2dShape& s) {
  for (const Impl& impl : kImpls) {
    if (!impl.accepts(mode, s)) continue;
    log_choice(op, impl.name);
    return impl;
  }
  return kImpls[2];  // unreachable: the last two together accept every call
}

}  // namespace

int64_t pool2d_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t pad, bool ceil_mode) {
  const int64_t span = in + 2 * pad - kernel;
  if (span < 0) return 0;
  int64_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

void pool2d_forward(PoolMode mode, const Pool2dShape& s, const float* x, float* y) {
  choose("pool2d_forward", mode, s).forward(mode, s, x, y);
}

void pool2d_backward(PoolMode mode, const Pool2dShape& s, const float* x, const float* dy, float* dx) {
  choose("pool2d_backward", mode, s).backward(mode, s, x, dy, dx);
}

}  // namespace convnode
