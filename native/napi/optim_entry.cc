// sgdUpdate, adamUpdate and their list forms sgdUpdateMany, adamUpdateMany,
// and rmspropUpdateMany (one optimizer step over a model's tensors in one call). Contracts:
// lib/backend/contracts.ts.
#include "entry.h"

namespace convnode::napi {
namespace {

SgdParams sgd_params(const Guarded& g) {
  using namespace contract::sgd;
  return SgdParams{float(g.value(lr)), float(g.value(momentum)), float(g.value(dampening)),
                   float(g.value(weightDecay)), g.flag(nesterov), g.dim(step)};
}

AdamParams adam_params(const Guarded& g) {
  using namespace contract::adam;
  return AdamParams{float(g.value(lr)), float(g.value(beta1)), float(g.value(beta2)), float(g.value(eps)),
                    float(g.value(weightDecay)), g.flag(decoupled), g.dim(step), g.flag(amsgrad)};
}

RmspropParams rmsprop_params(const Guarded& g) {
  using namespace contract::rmsprop;
  return RmspropParams{float(g.value(lr)), float(g.value(alpha)), float(g.value(eps)), float(g.value(weightDecay)),
                       float(g.value(momentum)), g.flag(centered)};
}

void sgd(const Guarded& g) { sgd_update(sgd_params(g), g.length(0), g.f32(0), g.f32(1), g.f32(2)); }
void adam(const Guarded& g) { adam_update(adam_params(g), g.length(0), g.f32(0), g.f32(1), g.f32(2), g.f32(3), g.f32(4)); }
void sgd_many(const Guarded& g) {
  sgd_update_many(sgd_params(g), g.list_size(0), g.list_lengths(0), g.list(0), g.list(1), g.list(2));
}
void adam_many(const Guarded& g) {
  adam_update_many(adam_params(g), g.list_size(0), g.list_lengths(0), g.list(0), g.list(1), g.list(2), g.list(3), g.list(4));
}

void rmsprop_many(const Guarded& g) {
  rmsprop_update_many(rmsprop_params(g), g.list_size(0), g.list_lengths(0), g.list(0), g.list(1), g.list(2), g.list(3),
                      g.list(4));
}

}  // namespace

const EntryRecord kOptimEntries[5] = {
    kernel_entry<contract::kSgdUpdate, sgd>(),
    kernel_entry<contract::kAdamUpdate, adam>(),
    kernel_entry<contract::kSgdUpdateMany, sgd_many>(),
    kernel_entry<contract::kAdamUpdateMany, adam_many>(),
    kernel_entry<contract::kRmspropUpdateMany, rmsprop_many>(),
};

}  // namespace convnode::napi
