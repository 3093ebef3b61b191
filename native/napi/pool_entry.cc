// pool2dForward (with max pooling's winners when argmax is given),
// pool2dBackward, pool2dBackwardFromArgmax (contracts: lib/backend/contracts.ts).
#include "entry.h"

namespace convnode::napi {
namespace {

PoolMode mode(const Guarded& g) { return static_cast<PoolMode>(g.dim(contract::pool2d::mode)); }

Pool2dShape shape(const Guarded& g) {
  using namespace contract::pool2d;
  return Pool2dShape{g.dim(n), g.dim(c), g.dim(h), g.dim(w), g.dim(kh), g.dim(kw), g.dim(strideH), g.dim(strideW),
                     g.dim(padH), g.dim(padW), g.flag(ceilMode), g.flag(countIncludePad), g.dim(ho), g.dim(wo)};
}

// Winners are bytes naming a cell of a max-pool window.
void require_argmax_window(const Guarded& g, const Pool2dShape& s) {
  if (mode(g) != PoolMode::kMax || s.kh * s.kw > kMaxPoolArgmaxCells)
    g.range_error("argmax needs max pooling over at most 256 cells");
}

void forward(const Guarded& g) {
  const Pool2dShape s = shape(g);
  if (!g.present(2)) return pool2d_forward(mode(g), s, g.f32(0), g.f32(1));
  require_argmax_window(g, s);
  max_pool2d_forward_argmax(s, g.f32(0), g.f32(1), g.u8(2));
}

void backward(const Guarded& g) { pool2d_backward(mode(g), shape(g), g.f32(0), g.f32(1), g.f32(2)); }

void backward_from_argmax(const Guarded& g) {
  const Pool2dShape s = shape(g);
  require_argmax_window(g, s);
  // The kernel checks every entry before it writes a gradient anywhere.
  if (!max_pool2d_backward_argmax(s, g.u8(0), g.f32(1), g.f32(2)))
    g.range_error("argmax names a cell outside its window or in the padding (dx now holds no meaningful values)");
}

}  // namespace

const EntryRecord kPoolEntries[3] = {
    kernel_entry<contract::kPool2dForward, forward>(),
    kernel_entry<contract::kPool2dBackward, backward>(),
    kernel_entry<contract::kPool2dBackwardFromArgmax, backward_from_argmax>(),
};

}  // namespace convnode::napi
