// pool2dForward(shape, x, y, argmax?), pool2dBackward(shape, x, dy, dx),
// pool2dBackwardFromArgmax(shape, argmax, dy, dx); shape.mode is 'max',
// 'avg' or 'sum'. argmax (max pooling only, a Uint8Array shaped like y):
// each window's winning cell, row * kw + column inside the kh x kw window.
#include "args.h"
#include "entry.h"
#include "shapes.h"

#include <string>

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

// The winners fit a byte: kh * kw cells at most 256.
void require_argmax_window(const Call& call, const Pool2dShape& s) {
  CONVNODE_REQUIRE(call, s.kh * s.kw <= kMaxPoolArgmaxCells,
                   "argmax needs a window of at most " + std::to_string(kMaxPoolArgmaxCells) +
                       " cells, got kh*kw = " + std::to_string(s.kh) + "*" + std::to_string(s.kw));
}

Napi::Value forward(const Napi::CallbackInfo& info) {
  Call call(info, "pool2dForward");
  const Pool p = read_pool(call);
  F32 x = call.f32(1, "x", in_extent(call, "x", p.shape));
  F32 y = call.f32(2, "y", out_extent(call, "y", p.shape));
  U8 argmax = call.optional_u8(3, "argmax", out_extent(call, "argmax", p.shape));
  call.no_overlap(y, x);
  if (!argmax.present()) {
    pool2d_forward(p.mode, p.shape, x.data, y.data);
    return info.Env().Undefined();
  }
  CONVNODE_REQUIRE(call, p.mode == PoolMode::kMax, "argmax is only for shape.mode 'max'");
  require_argmax_window(call, p.shape);
  call.no_overlap(argmax, x);
  call.no_overlap(argmax, y);
  max_pool2d_forward_argmax(p.shape, x.data, y.data, argmax.data);
  return info.Env().Undefined();
}

Napi::Value backward_from_argmax(const Napi::CallbackInfo& info) {
  Call call(info, "pool2dBackwardFromArgmax");
  const Pool p = read_pool(call);
  CONVNODE_REQUIRE(call, p.mode == PoolMode::kMax, "shape.mode must be 'max'");
  require_argmax_window(call, p.shape);
  U8 argmax = call.u8(1, "argmax", out_extent(call, "argmax", p.shape));
  F32 dy = call.f32(2, "dy", out_extent(call, "dy", p.shape));
  F32 dx = call.f32(3, "dx", in_extent(call, "dx", p.shape));
  call.no_overlap(dx, argmax);
  call.no_overlap(dx, dy);
  CONVNODE_REQUIRE(call, max_pool2d_backward_argmax(p.shape, argmax.data, dy.data, dx.data),
                   "argmax names a cell outside its window or in the padding (dx now holds no meaningful values)");
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
  add<backward_from_argmax>(env, exports, "pool2dBackwardFromArgmax");
}

}  // namespace convnode::napi
