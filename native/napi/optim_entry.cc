// sgdUpdate, adamUpdate and their list forms sgdUpdateMany, adamUpdateMany
// (one optimizer step over a model's tensors in one call). Contracts:
// lib/backend/contracts.ts.
#include "entry.h"
#include "guard.h"

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
                    float(g.value(weightDecay)), g.flag(decoupled), g.dim(step)};
}

Napi::Value sgd(const Napi::CallbackInfo& info) {
  const Guarded g(info, contract::kSgdUpdate);
  sgd_update(sgd_params(g), g.length(0), g.f32(0), g.f32(1), g.f32(2));
  return info.Env().Undefined();
}

Napi::Value adam(const Napi::CallbackInfo& info) {
  const Guarded g(info, contract::kAdamUpdate);
  adam_update(adam_params(g), g.length(0), g.f32(0), g.f32(1), g.f32(2), g.f32(3));
  return info.Env().Undefined();
}

Napi::Value sgd_many(const Napi::CallbackInfo& info) {
  const Guarded g(info, contract::kSgdUpdateMany);
  sgd_update_many(sgd_params(g), g.list_size(0), g.list_lengths(0), g.list(0), g.list(1), g.list(2));
  return info.Env().Undefined();
}

Napi::Value adam_many(const Napi::CallbackInfo& info) {
  const Guarded g(info, contract::kAdamUpdateMany);
  adam_update_many(adam_params(g), g.list_size(0), g.list_lengths(0), g.list(0), g.list(1), g.list(2), g.list(3));
  return info.Env().Undefined();
}

}  // namespace

void register_optim(Napi::Env env, Napi::Object exports) {
  add<sgd>(env, exports, "sgdUpdate");
  add<adam>(env, exports, "adamUpdate");
  add<sgd_many>(env, exports, "sgdUpdateMany");
  add<adam_many>(env, exports, "adamUpdateMany");
}

}  // namespace convnode::napi
