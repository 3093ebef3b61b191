// softmaxCrossEntropyForward / Backward, mseForward / Backward (contracts:
// lib/backend/contracts.ts).
#include "entry.h"

namespace convnode::napi {
namespace {

using contract::rows::cols;
using contract::rows::rows;

double sce_fwd(const Guarded& g) {
  return softmax_cross_entropy_forward(g.dim(rows), g.dim(cols), g.f32(0), g.target(1), g.f32(2));
}
void sce_bwd(const Guarded& g) {
  softmax_cross_entropy_backward(g.dim(rows), g.dim(cols), g.f32(0), g.target(1), float(g.number(2)), g.f32(3));
}
double mse_fwd(const Guarded& g) { return mse_forward(g.length(0), g.f32(0), g.f32(1)); }
void mse_bwd(const Guarded& g) { mse_backward(g.length(0), g.f32(0), g.f32(1), float(g.number(2)), g.f32(3)); }

}  // namespace

const EntryRecord kLossEntries[4] = {
    kernel_entry<contract::kSoftmaxCrossEntropyForward, sce_fwd>(),
    kernel_entry<contract::kSoftmaxCrossEntropyBackward, sce_bwd>(),
    kernel_entry<contract::kMseForward, mse_fwd>(),
    kernel_entry<contract::kMseBackward, mse_bwd>(),
};

}  // namespace convnode::napi
