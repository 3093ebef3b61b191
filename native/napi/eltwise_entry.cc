// Activations, PReLU, bias, softmax / log-softmax.
//   activationForward({kind, alpha?, min?, max?}, x, y)
//   activationBackward({kind, ...}, x, y, dy, dx)
//   preluForward({n, c, hw}, x, slope, y)        slope: c or 1 elements
//   preluBackward({n, c, hw}, x, slope, dy, dx, dslope)
//   biasAdd({n, c, hw}, x, bias, y)   biasGrad({n, c, hw}, dy, db)
//   softmaxForward / logSoftmaxForward({rows, cols}, x, y)
//   softmaxBackward / logSoftmaxBackward({rows, cols}, y, dy, dx)
#include "args.h"
#include "entry.h"
#include "shapes.h"

namespace convnode::napi {
namespace {

struct ActivationArgs {
  Activation kind;
  ActivationParams params;
};

ActivationArgs read_activation(const Call& call) {
  Napi::Object o = call.object(0, "options");
  ActivationArgs a;
  a.kind = static_cast<Activation>(call.enum_field(
      o, "options", "kind", {"identity", "relu", "leakyRelu", "tanh", "sigmoid", "hardtanh"}));
  // Only the kinds that use them read alpha, min and max (each read is a
  // property lookup on every call).
  if (a.kind == Activation::kLeakyRelu) a.params.alpha = float(call.number_field(o, "options", "alpha", 0.01));
  if (a.kind != Activation::kHardtanh) return a;
  a.params.min_val = float(call.number_field(o, "options", "min", -1.0));
  a.params.max_val = float(call.number_field(o, "options", "max", 1.0));
  CONVNODE_REQUIRE(call, a.params.min_val < a.params.max_val,
               "options.min must be less than options.max, got min " +
                   o.Get("min").ToString().Utf8Value() + " and max " +
                   o.Get("max").ToString().Utf8Value());
  return a;
}

Extent same_as(const Call& call, const F32& ref) { return call.length_of(ref); }

Napi::Value activation_fwd(const Napi::CallbackInfo& info) {
  Call call(info, "activationForward");
  const ActivationArgs a = read_activation(call);
  F32 x = call.any_f32(1, "x");
  F32 y = call.f32(2, "y", same_as(call, x));
  call.same_or_disjoint(y, x);
  activation_forward(a.kind, a.params, x.length, x.data, y.data);
  return info.Env().Undefined();
}

Napi::Value activation_bwd(const Napi::CallbackInfo& info) {
  Call call(info, "activationBackward");
  const ActivationArgs a = read_activation(call);
  F32 x = call.any_f32(1, "x");
  const Extent e = same_as(call, x);
  F32 y = call.f32(2, "y", e);
  F32 dy = call.f32(3, "dy", e);
  F32 dx = call.f32(4, "dx", e);
  call.same_or_disjoint(dx, dy);
  call.no_overlap(dx, x);
  call.no_overlap(dx, y);
  activation_backward(a.kind, a.params, x.length, x.data, y.data, dy.data, dx.data);
  return info.Env().Undefined();
}

Extent nchw(const Call& call, const char* name, const ChannelShape& s) {
  return call.extent(name, {"n", "c", "hw"}, {s.n, s.c, s.hw});
}

F32 read_slope(const Call& call, size_t i, const ChannelShape& s) {
  F32 slope = call.any_f32(i, "slope");
  CONVNODE_REQUIRE(call, slope.length == 1 || slope.length == s.c,
               "slope must have 1 or c = " + std::to_string(s.c) + " elements, got " +
                   std::to_string(slope.length));
  return slope;
}

Napi::Value prelu_fwd(const Napi::CallbackInfo& info) {
  Call call(info, "preluForward");
  const ChannelShape s = read_channel_shape(call, 0);
  F32 x = call.f32(1, "x", nchw(call, "x", s));
  F32 slope = read_slope(call, 2, s);
  F32 y = call.f32(3, "y", nchw(call, "y", s));
  call.same_or_disjoint(y, x);
  call.no_overlap(y, slope);
  prelu_forward(s, slope.length, x.data, slope.data, y.data);
  return info.Env().Undefined();
}

Napi::Value prelu_bwd(const Napi::CallbackInfo& info) {
  Call call(info, "preluBackward");
  const ChannelShape s = read_channel_shape(call, 0);
  F32 x = call.f32(1, "x", nchw(call, "x", s));
  F32 slope = read_slope(call, 2, s);
  F32 dy = call.f32(3, "dy", nchw(call, "dy", s));
  F32 dx = call.f32(4, "dx", nchw(call, "dx", s));
  F32 dslope = call.f32(5, "dslope", same_as(call, slope));
  call.same_or_disjoint(dx, dy);
  call.no_overlap(dx, x);
  call.no_overlap(dx, slope);
  for (const F32* in : {&x, &slope, &dy, &dx}) call.no_overlap(dslope, *in);
  prelu_backward(s, slope.length, x.data, slope.data, dy.data, dx.data, dslope.data);
  return info.Env().Undefined();
}

Napi::Value bias_add_entry(const Napi::CallbackInfo& info) {
  Call call(info, "biasAdd");
  const ChannelShape s = read_channel_shape(call, 0);
  F32 x = call.f32(1, "x", nchw(call, "x", s));
  F32 bias = call.f32(2, "bias", call.extent("bias", {"c"}, {s.c}));
  F32 y = call.f32(3, "y", nchw(call, "y", s));
  call.same_or_disjoint(y, x);
  call.no_overlap(y, bias);
  bias_add(s, x.data, bias.data, y.data);
  return info.Env().Undefined();
}

Napi::Value bias_grad_entry(const Napi::CallbackInfo& info) {
  Call call(info, "biasGrad");
  const ChannelShape s = read_channel_shape(call, 0);
  F32 dy = call.f32(1, "dy", nchw(call, "dy", s));
  F32 db = call.f32(2, "db", call.extent("db", {"c"}, {s.c}));
  call.no_overlap(db, dy);
  bias_grad(s, dy.data, db.data);
  return info.Env().Undefined();
}

template <void (*Kernel)(int64_t, int64_t, const float*, float*)>
Napi::Value rowwise_fwd(const Napi::CallbackInfo& info, const char* fn) {
  Call call(info, fn);
  int64_t rows, cols;
  read_rows_cols(call, 0, &rows, &cols);
  const Extent e = call.extent("x", {"rows", "cols"}, {rows, cols});
  F32 x = call.f32(1, "x", e);
  F32 y = call.f32(2, "y", e);
  call.same_or_disjoint(y, x);
  Kernel(rows, cols, x.data, y.data);
  return info.Env().Undefined();
}

template <void (*Kernel)(int64_t, int64_t, const float*, const float*, float*)>
Napi::Value rowwise_bwd(const Napi::CallbackInfo& info, const char* fn) {
  Call call(info, fn);
  int64_t rows, cols;
  read_rows_cols(call, 0, &rows, &cols);
  const Extent e = call.extent("y", {"rows", "cols"}, {rows, cols});
  F32 y = call.f32(1, "y", e);
  F32 dy = call.f32(2, "dy", e);
  F32 dx = call.f32(3, "dx", e);
  call.same_or_disjoint(dx, dy);
  call.no_overlap(dx, y);
  Kernel(rows, cols, y.data, dy.data, dx.data);
  return info.Env().Undefined();
}

Napi::Value softmax_fwd(const Napi::CallbackInfo& info) {
  return rowwise_fwd<softmax_forward>(info, "softmaxForward");
}
Napi::Value log_softmax_fwd(const Napi::CallbackInfo& info) {
  return rowwise_fwd<log_softmax_forward>(info, "logSoftmaxForward");
}
Napi::Value softmax_bwd(const Napi::CallbackInfo& info) {
  return rowwise_bwd<softmax_backward>(info, "softmaxBackward");
}
Napi::Value log_softmax_bwd(const Napi::CallbackInfo& info) {
  return rowwise_bwd<log_softmax_backward>(info, "logSoftmaxBackward");
}

}  // namespace

void register_eltwise(Napi::Env env, Napi::Object exports) {
  add<activation_fwd>(env, exports, "activationForward");
  add<activation_bwd>(env, exports, "activationBackward");
  add<prelu_fwd>(env, exports, "preluForward");
  add<prelu_bwd>(env, exports, "preluBackward");
  add<bias_add_entry>(env, exports, "biasAdd");
  add<bias_grad_entry>(env, exports, "biasGrad");
  add<softmax_fwd>(env, exports, "softmaxForward");
  add<log_softmax_fwd>(env, exports, "logSoftmaxForward");
  add<softmax_bwd>(env, exports, "softmaxBackward");
  add<log_softmax_bwd>(env, exports, "logSoftmaxBackward");
}

}  // namespace convnode::napi
