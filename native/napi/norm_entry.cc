// Batch normalisation's passes (contracts: lib/backend/contracts.ts,
// channelMoments ... channelCombine).
#include "entry.h"

namespace convnode::napi {
namespace {

void moments_run(const Guarded& g) { channel_moments(channels(g), g.f32(0), g.f32(1), g.f32(2)); }
// The optional reluOutput (last argument) is null when absent.
void grad_sums_run(const Guarded& g) {
  channel_grad_sums(channels(g), g.f32(0), g.f32(1), g.f32(2), g.f32(3), g.f32(4), g.f32(5));
}
void affine_run(const Guarded& g) { channel_affine(channels(g), g.f32(0), g.f32(1), g.f32(2), g.f32(3)); }
void affine_relu_run(const Guarded& g) { channel_affine_relu(channels(g), g.f32(0), g.f32(1), g.f32(2), g.f32(3)); }
void combine_run(const Guarded& g) {
  channel_combine(channels(g), g.f32(0), g.f32(1), g.f32(2), g.f32(3), g.f32(4), g.f32(5), g.f32(6));
}

}  // namespace

const EntryRecord kNormEntries[5] = {
    kernel_entry<contract::kChannelMoments, moments_run>(),
    kernel_entry<contract::kChannelGradSums, grad_sums_run>(),
    kernel_entry<contract::kChannelAffine, affine_run>(),
    kernel_entry<contract::kChannelAffineRelu, affine_relu_run>(),
    kernel_entry<contract::kChannelCombine, combine_run>(),
};

}  // namespace convnode::napi
