// sgdUpdate({lr, momentum=0, dampening=0, weightDecay=0, nesterov=false,
//            step=1}, param, grad, momentumBuffer | null)
// adamUpdate({lr, beta1=0.9, beta2=0.999, eps=1e-8, weightDecay=0,
//             decoupled=false, step}, param, grad, expAvg, expAvgSq)
// sgdUpdateMany(options, params[], grads[], momentumBuffers[] | null) and
// adamUpdateMany(options, params[], grads[], expAvgs[], expAvgSqs[]): the same
// update over lists of tensors in one call (one optimizer step of a model).
// Parameters are updated in place; no two arrays may share memory.
#include "args.h"
#include "convnode/kernels.h"
#include "entry.h"

namespace convnode::napi {
namespace {

std::string num(const Napi::Object& o, const char* field) {
  return o.Get(field).ToString().Utf8Value();
}

SgdParams sgd_params(const Call& call) {
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
  return p;
}

Napi::Value sgd(const Napi::CallbackInfo& info) {
  Call call(info, "sgdUpdate");
  const SgdParams p = sgd_params(call);
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

AdamParams adam_params(const Call& call) {
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
  return p;
}

Napi::Value adam(const Napi::CallbackInfo& info) {
  Call call(info, "adamUpdate");
  const AdamParams p = adam_params(call);
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

template <typename T>
std::vector<T> pointers(const F32List& list) {
  std::vector<T> out;
  out.reserve(list.items.size());
  for (const F32& a : list.items) out.push_back(a.data);
  return out;
}

std::vector<int64_t> lengths(const F32List& list) {
  std::vector<int64_t> out;
  out.reserve(list.items.size());
  for (const F32& a : list.items) out.push_back(a.length);
  return out;
}

Napi::Value sgd_many(const Napi::CallbackInfo& info) {
  Call call(info, "sgdUpdateMany");
  const SgdParams p = sgd_params(call);
  const F32List params = call.f32_list(1, "params");
  const F32List grads = call.f32_list_like(2, "grads", params);
  const F32List bufs = call.optional_f32_list_like(3, "momentumBuffers", params);
  if (p.momentum != 0 && bufs.size() != params.size())
    call.type_error("momentumBuffers must be an Array of Float32Arrays when options.momentum is not 0, got " +
                    call.describe(info[3]));
  call.no_overlap({&params, &grads, &bufs});
  const std::vector<int64_t> lens = lengths(params);
  const std::vector<float*> buf_ptrs = pointers<float*>(bufs);
  sgd_update_many(p, params.size(), lens.data(), pointers<float*>(params).data(),
                  pointers<const float*>(grads).data(), bufs.size() == 0 ? nullptr : buf_ptrs.data());
  return info.Env().Undefined();
}

Napi::Value adam_many(const Napi::CallbackInfo& info) {
  Call call(info, "adamUpdateMany");
  const AdamParams p = adam_params(call);
  const F32List params = call.f32_list(1, "params");
  const F32List grads = call.f32_list_like(2, "grads", params);
  const F32List m = call.f32_list_like(3, "expAvgs", params);
  const F32List v = call.f32_list_like(4, "expAvgSqs", params);
  call.no_overlap({&params, &grads, &m, &v});
  const std::vector<int64_t> lens = lengths(params);
  adam_update_many(p, params.size(), lens.data(), pointers<float*>(params).data(),
                   pointers<const float*>(grads).data(), pointers<float*>(m).data(),
                   pointers<float*>(v).data());
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
