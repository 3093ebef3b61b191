// softmaxCrossEntropyForward / Backward, mseForward / Backward (contracts:
// lib/backend/contracts.ts).
#include "entry.h"
#include "guard.h"

namespace convnode::napi {
namespace {

using contract::rows::cols;
using contract::rows::rows;

Napi::Value sce_fwd(const Napi::CallbackInfo& info) {
  const Guarded g(info, contract::kSoftmaxCrossEntropyForward);
  const double loss = softmax_cross_entropy_forward(g.dim(rows), g.dim(cols), g.f32(0), g.target(1), g.f32(2));
  return Napi::Number::New(info.Env(), loss);
}

Napi::Value sce_bwd(const Napi::CallbackInfo& info) {
  const Guarded g(info, contract::kSoftmaxCrossEntropyBackward);
  softmax_cross_entropy_backward(g.dim(rows), g.dim(cols), g.f32(0), g.target(1), float(g.number(2)), g.f32(3));
  return info.Env().Undefined();
}

Napi::Value mse_fwd(const Napi::CallbackInfo& info) {
  const Guarded g(info, contract::kMseForward);
  return Napi::Number::New(info.Env(), mse_forward(g.length(0), g.f32(0), g.f32(1)));
}

Napi::Value mse_bwd(const Napi::CallbackInfo& info) {
  const Guarded g(info, contract::kMseBackward);
  mse_backward(g.length(0), g.f32(0), g.f32(1), float(g.number(2)), g.f32(3));
  return info.Env().Undefined();
}

}  // namespace

void register_loss(Napi::Env env, Napi::Object exports) {
  add<sce_fwd>(env, exports, "softmaxCrossEntropyForward");
  add<sce_bwd>(env, exports, "softmaxCrossEntropyBackward");
  add<mse_fwd>(env, exports, "mseForward");
  add<mse_bwd>(env, exports, "mseBackward");
}

}  // namespace convnode::napi
