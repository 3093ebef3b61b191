// sgdUpdate({lr, momentum=0, dampening=0, weightDecay=0, nesterov=false,
//            step=1}, param, grad, momentumBuffer | null)
// adamUpdate({lr, beta1=0.9, beta2=0.999, eps=1e-8, weightDecay=0,
//             decoupled=false, step}, param, grad, expAvg, expAvgSq)
// Parameters are updated in place; no two arrays may share memory.
#include "args.h"
#include "convnode/kernels.h"
#include "entry.h"

namespace convnode::napi {
namespace {

std::string num(const Napi::Object& o, const char* field) {
  return o.Get(field).ToString().Utf8Value();
}

Napi::Value sgd(const Napi::CallbackInfo& info) {
  Call call(info, "sgdUpdate");
  Napi::Object o = call.object(0, "options");
  SgdParams p{};
  p.lr = float(call.number_field(o, "options", "lr"));
  p.momentum = float(call.number_field(o, "options", "momentum", 0.0));
  p.dampening = float(call.number_field(o, "options", "dampening", 0.0));
  p.weight_decay = float(call.number_field(o, "options", "weightDecay", 0.0));
  p.nesterov = call.bool_field(o, "options", "nesterov", false);
  p.step = call.int_field(o, "options", "step", 1, kMaxElements, 1);
  CONVNODE_REQUIRE(call, p.lr >= 0, "options.lr must be >= 0, got " + num(o, "lr"));
  CONVNODE_REQUIRE(call, p.momentum >= 0, "options.momentum must be >= 0, got " + num(o, "momentum"));
  CONVNODE_REQUIRE(call, p.weight_decay >= 0, "options.weightDecay must be >= 0, got " + num(o, "weightDecay"));
  CONVNODE_REQUIRE(call, !p.nesterov || (p.momentum > 0 && p.dampening == 0),
               "options.nesterov needs options.momentum > 0 and options.dampening = 0");
  F32 param = call.any_f32(1, "param");
  const Extent e = call.extent("grad", {"param.length"}, {param.length});
  F32 grad = call.f32(2, "grad", e);
  F32 buf = call.optional_f32(3, "momentumBuffer", e);
  if (p.momentum != 0 && !buf.present())
    call.type_error("momentumBuffer must be a Float32Array when options.momentum is not 0, got " +
                    call.describe(info[3]));
  call.no_overlap(param, grad);
  call.no_overlap(buf, param);
  call.no_overlap(buf, grad);
  sgd_update(p, param.length, param.data, grad.data, buf.present() ? buf.data : nullptr);
  return info.Env().Undefined();
}

Napi::Value adam(const Napi::CallbackInfo& info) {
  Call call(info, "adamUpdate");
  Napi::Object o = call.object(0, "options");
  AdamParams p{};
  p.lr = float(call.number_field(o, "options", "lr"));
  p.beta1 = float(call.number_field(o, "options", "beta1", 0.9));
  p.beta2 = float(call.number_field(o, "options", "beta2", 0.999));
  p.eps = float(call.number_field(o, "options", "eps", 1e-8));
  p.weight_decay = float(call.number_field(o, "options", "weightDecay", 0.0));
  p.decoupled = call.bool_field(o, "options", "decoupled", false);
  p.step = call.int_field(o, "options", "step", 1, kMaxElements);
  CONVNODE_REQUIRE(call, p.lr >= 0, "options.lr must be >= 0, got " + num(o, "lr"));
  CONVNODE_REQUIRE(call, p.beta1 >= 0 && p.beta1 < 1, "options.beta1 must be in [0, 1), got " + num(o, "beta1"));
  CONVNODE_REQUIRE(call, p.beta2 >= 0 && p.beta2 < 1, "options.beta2 must be in [0, 1), got " + num(o, "beta2"));
  CONVNODE_REQUIRE(call, p.eps > 0, "options.eps must be > 0, got " + num(o, "eps"));
  CONVNODE_REQUIRE(call, p.weight_decay >= 0, "options.weightDecay must be >= 0, got " + num(o, "weightDecay"));
  F32 param = call.any_f32(1, "param");
  const Extent e = call.extent("grad", {"param.length"}, {param.length});
  F32 grad = call.f32(2, "grad", e);
  F32 m = call.f32(3, "expAvg", e);
  F32 v = call.f32(4, "expAvgSq", e);
  const F32* all[] = {&param, &grad, &m, &v};
  for (int i = 0; i < 4; ++i)
    for (int j = i + 1; j < 4; ++j) call.no_overlap(*all[j], *all[i]);
  adam_update(p, param.length, param.data, grad.data, m.data, v.data);
  return info.Env().Undefined();
}

}  // namespace

void register_optim(Napi::Env env, Napi::Object exports) {
  add<sgd>(env, exports, "sgdUpdate");
  add<adam>(env, exports, "adamUpdate");
}

}  // namespace convnode::napi
