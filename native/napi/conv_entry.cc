// conv2dForward, conv2dBackwardData, conv2dBackwardWeight, conv2dBackwardBias
// (contracts: lib/backend/contracts.ts).
#include "entry.h"

namespace convnode::napi {
namespace {

Conv2dShape shape(const Guarded& g) {
  using namespace contract::conv2d;
  return Conv2dShape{g.dim(n), g.dim(c), g.dim(h), g.dim(w), g.dim(k), g.dim(kh), g.dim(kw),
                     g.dim(strideH), g.dim(strideW), g.dim(padH), g.dim(padW),
                     g.dim(dilationH), g.dim(dilationW), g.dim(groups), g.dim(ho), g.dim(wo)};
}

void forward(const Guarded& g) { conv2d_forward(shape(g), g.f32(0), g.f32(1), g.f32(2), g.f32(3)); }
void backward_data(const Guarded& g) { conv2d_backward_data(shape(g), g.f32(0), g.f32(1), g.f32(2)); }
void backward_weight(const Guarded& g) { conv2d_backward_weight(shape(g), g.f32(0), g.f32(1), g.f32(2)); }
void backward_bias(const Guarded& g) { conv2d_backward_bias(shape(g), g.f32(0), g.f32(1)); }

}  // namespace

const EntryRecord kConvEntries[4] = {
    kernel_entry<contract::kConv2dForward, forward>(),
    kernel_entry<contract::kConv2dBackwardData, backward_data>(),
    kernel_entry<contract::kConv2dBackwardWeight, backward_weight>(),
    kernel_entry<contract::kConv2dBackwardBias, backward_bias>(),
};

}  // namespace convnode::napi
