// pool2dForward(shape, x, y), pool2dBackward(shape, x, dy, dx);
// shape.mode is 'max', 'avg' or 'sum'.
#include "args.h"
#include "entry.h"
#include "shapes.h"

namespace convnode::napi {
namespace {

struct Pool {
  PoolMode mode;
  Pool2dShape shape;
};

Pool read_pool(const Call& call) {
  Napi::Object o = call.object(0, "shape");
  const int mode = call.enum_field(o, "shape", "mode", {"max", "avg", "sum"});
  return Pool{static_cast<PoolMode>(mode), read_pool2d_shape(call, o)};
}

Extent in_extent(const Call& call, const char* name, const Pool2dShape& s) {
  return call.extent(name, {"n", "c", "h", "w"}, {s.n, s.c, s.h, s.w});
}
Extent out_extent(const Call& call, const char* name, const Pool2dShape& s) {
  return call.extent(name, {"n", "c", "ho", "wo"}, {s.n, s.c, s.ho, s.wo});
}

Napi::Value forward(const Napi::CallbackInfo& info) {
  Call call(info, "pool2dForward");
  const Pool p = read_pool(call);
  F32 x = call.f32(1, "x", in_extent(call, "x", p.shape));
  F32 y = call.f32(2, "y", out_extent(call, "y", p.shape));
  call.no_overlap(y, x);
  pool2d_forward(p.mode, p.shape, x.data, y.data);
  return info.Env().Undefined();
}

Napi::Value backward(const Napi::CallbackInfo& info) {
  Call call(info, "pool2dBackward");
  const Pool p = read_pool(call);
  F32 x = call.f32(1, "x", in_extent(call, "x", p.shape));
  F32 dy = call.f32(2, "dy", out_extent(call, "dy", p.shape));
  F32 dx = call.f32(3, "dx", in_extent(call, "dx", p.shape));
  call.no_overlap(dx, x);
  call.no_overlap(dx, dy);
  pool2d_backward(p.mode, p.shape, x.data, dy.data, dx.data);
  return info.Env().Undefined();
}

}  // namespace

void register_pool(Napi::Env env, Napi::Object exports) {
  add<forward>(env, exports, "pool2dForward");
  add<backward>(env, exports, "pool2dBackward");
}

}  // namespace convnode::napi
