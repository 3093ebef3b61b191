// Activations, PReLU, bias, softmax / log-softmax (contracts:
// lib/backend/contracts.ts).
#include "entry.h"
#include "guard.h"

namespace convnode::napi {
namespace {

Activation kind(const Guarded& g) { return static_cast<Activation>(g.dim(contract::activation::kind)); }

ActivationParams params(const Guarded& g) {
  using namespace contract::activation;
  ActivationParams p;
  p.alpha = float(g.value(alpha));
  p.min_val = float(g.value(min));
  p.max_val = float(g.value(max));
  return p;
}

Napi::Value activation_fwd(const Napi::CallbackInfo& info) {
  const Guarded g(info, contract::kActivationForward);
  activation_forward(kind(g), params(g), g.length(0), g.f32(0), g.f32(1));
  return info.Env().Undefined();
}

Napi::Value activation_bwd(const Napi::CallbackInfo& info) {
  const Guarded g(info, contract::kActivationBackward);
  activation_backward(kind(g), params(g), g.length(0), g.f32(0), g.f32(1), g.f32(2), g.f32(3));
  return info.Env().Undefined();
}

ChannelShape channels(const Guarded& g) {
  using namespace contract::channels;
  return ChannelShape{g.dim(n), g.dim(c), g.dim(hw)};
}

Napi::Value prelu_fwd(const Napi::CallbackInfo& info) {
  const Guarded g(info, contract::kPreluForward);
  prelu_forward(channels(g), g.length(1), g.f32(0), g.f32(1), g.f32(2));
  return info.Env().Undefined();
}

Napi::Value prelu_bwd(const Napi::CallbackInfo& info) {
  const Guarded g(info, contract::kPreluBackward);
  prelu_backward(channels(g), g.length(1), g.f32(0), g.f32(1), g.f32(2), g.f32(3), g.f32(4));
  return info.Env().Undefined();
}

Napi::Value bias_add_entry(const Napi::CallbackInfo& info) {
  const Guarded g(info, contract::kBiasAdd);
  bias_add(channels(g), g.f32(0), g.f32(1), g.f32(2));
  return info.Env().Undefined();
}

Napi::Value bias_grad_entry(const Napi::CallbackInfo& info) {
  const Guarded g(info, contract::kBiasGrad);
  bias_grad(channels(g), g.f32(0), g.f32(1));
  return info.Env().Undefined();
}

template <const Kernel& K, void (*Run)(int64_t, int64_t, const float*, float*)>
Napi::Value rowwise_fwd(const Napi::CallbackInfo& info) {
  const Guarded g(info, K);
  Run(g.dim(contract::rows::rows), g.dim(contract::rows::cols), g.f32(0), g.f32(1));
  return info.Env().Undefined();
}

template <const Kernel& K, void (*Run)(int64_t, int64_t, const float*, const float*, float*)>
Napi::Value rowwise_bwd(const Napi::CallbackInfo& info) {
  const Guarded g(info, K);
  Run(g.dim(contract::rows::rows), g.dim(contract::rows::cols), g.f32(0), g.f32(1), g.f32(2));
  return info.Env().Undefined();
}

}  // namespace

void register_eltwise(Napi::Env env, Napi::Object exports) {
  add<activation_fwd>(env, exports, "activationForward");
  add<activation_bwd>(env, exports, "activationBackward");
  add<prelu_fwd>(env, exports, "preluForward");
  add<prelu_bwd>(env, exports, "preluBackward");
  add<bias_add_entry>(env, exports, "biasAdd");
  add<bias_grad_entry>(env, exports, "biasGrad");
  add<rowwise_fwd<contract::kSoftmaxForward, softmax_forward>>(env, exports, "softmaxForward");
  add<rowwise_fwd<contract::kLogSoftmaxForward, log_softmax_forward>>(env, exports, "logSoftmaxForward");
  add<rowwise_bwd<contract::kSoftmaxBackward, softmax_backward>>(env, exports, "softmaxBackward");
  add<rowwise_bwd<contract::kLogSoftmaxBackward, log_softmax_backward>>(env, exports, "logSoftmaxBackward");
}

}  // namespace convnode::napi
