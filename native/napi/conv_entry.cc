// conv2dForward(shape, x, w, bias | null, y)
// conv2dBackwardData(shape, dy, w, dx)
// conv2dBackwardWeight(shape, x, dy, dw)
// conv2dBackwardBias(shape, dy, db)
#include "args.h"
#include "entry.h"
#include "shapes.h"

namespace convnode::napi {
namespace {

Extent x_extent(const Call& call, const char* name, const Conv2dShape& s) {
  return call.extent(name, {"n", "c", "h", "w"}, {s.n, s.c, s.h, s.w});
}
Extent y_extent(const Call& call, const char* name, const Conv2dShape& s) {
  return call.extent(name, {"n", "k", "ho", "wo"}, {s.n, s.k, s.ho, s.wo});
}
Extent w_extent(const Call& call, const char* name, const Conv2dShape& s) {
  return call.extent(name, {"k", "c/groups", "kh", "kw"}, {s.k, s.c / s.groups, s.kh, s.kw});
}

Napi::Value forward(const Napi::CallbackInfo& info) {
  Call call(info, "conv2dForward");
  const Conv2dShape s = read_conv2d_shape(call, 0);
  F32 x = call.f32(1, "x", x_extent(call, "x", s));
  F32 w = call.f32(2, "w", w_extent(call, "w", s));
  F32 bias = call.optional_f32(3, "bias", call.extent("bias", {"k"}, {s.k}));
  F32 y = call.f32(4, "y", y_extent(call, "y", s));
  call.no_overlap(y, x);
  call.no_overlap(y, w);
  call.no_overlap(y, bias);
  conv2d_forward(s, x.data, w.data, bias.present() ? bias.data : nullptr, y.data);
  return info.Env().Undefined();
}

Napi::Value backward_data(const Napi::CallbackInfo& info) {
  Call call(info, "conv2dBackwardData");
  const Conv2dShape s = read_conv2d_shape(call, 0);
  F32 dy = call.f32(1, "dy", y_extent(call, "dy", s));
  F32 w = call.f32(2, "w", w_extent(call, "w", s));
  F32 dx = call.f32(3, "dx", x_extent(call, "dx", s));
  call.no_overlap(dx, dy);
  call.no_overlap(dx, w);
  conv2d_backward_data(s, dy.data, w.data, dx.data);
  return info.Env().Undefined();
}

Napi::Value backward_weight(const Napi::CallbackInfo& info) {
  Call call(info, "conv2dBackwardWeight");
  const Conv2dShape s = read_conv2d_shape(call, 0);
  F32 x = call.f32(1, "x", x_extent(call, "x", s));
  F32 dy = call.f32(2, "dy", y_extent(call, "dy", s));
  F32 dw = call.f32(3, "dw", w_extent(call, "dw", s));
  call.no_overlap(dw, x);
  call.no_overlap(dw, dy);
  conv2d_backward_weight(s, x.data, dy.data, dw.data);
  return info.Env().Undefined();
}

Napi::Value backward_bias(const Napi::CallbackInfo& info) {
  Call call(info, "conv2dBackwardBias");
  const Conv2dShape s = read_conv2d_shape(call, 0);
  F32 dy = call.f32(1, "dy", y_extent(call, "dy", s));
  F32 db = call.f32(2, "db", call.extent("db", {"k"}, {s.k}));
  call.no_overlap(db, dy);
  conv2d_backward_bias(s, dy.data, db.data);
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
