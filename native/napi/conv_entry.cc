// conv2dForward, conv2dBackwardData, conv2dBackwardWeight, conv2dBackwardBias
// (contracts: lib/backend/contracts.ts).
#include "entry.h"
#include "guard.h"

namespace convnode::napi {
namespace {

Conv2dShape shape(const Guarded& g) {
  using namespace contract::conv2d;
  return Conv2dShape{g.dim(n), g.dim(c), g.dim(h), g.dim(w), g.dim(k), g.dim(kh), g.dim(kw),
                     g.dim(strideH), g.dim(strideW), g.dim(padH), g.dim(padW),
                     g.dim(dilationH), g.dim(dilationW), g.dim(groups), g.dim(ho), g.dim(wo)};
}

Napi::Value forward(const Napi::CallbackInfo& info) {
  const Guarded g(info, contract::kConv2dForward);
  conv2d_forward(shape(g), g.f32(0), g.f32(1), g.f32(2), g.f32(3));
  return info.Env().Undefined();
}

Napi::Value backward_data(const Napi::CallbackInfo& info) {
  const Guarded g(info, contract::kConv2dBackwardData);
  conv2d_backward_data(shape(g), g.f32(0), g.f32(1), g.f32(2));
  return info.Env().Undefined();
}

Napi::Value backward_weight(const Napi::CallbackInfo& info) {
  const Guarded g(info, contract::kConv2dBackwardWeight);
  conv2d_backward_weight(shape(g), g.f32(0), g.f32(1), g.f32(2));
  return info.Env().Undefined();
}

Napi::Value backward_bias(const Napi::CallbackInfo& info) {
  const Guarded g(info, contract::kConv2dBackwardBias);
  conv2d_backward_bias(shape(g), g.f32(0), g.f32(1));
  return info.Env().Undefined();
}

}  // namespace

void register_conv(Napi::Env env, Napi::Object exports) {
  add<forward>(env, exports, "conv2dForward");
  add<backward_data>(env, exports, "conv2dBackwardData");
  add<backward_weight>(env, exports, "conv2dBackwardWeight");
  add<backward_bias>(env, exports, "conv2dBackwardBias");
}

}  // namespace convnode::napi
