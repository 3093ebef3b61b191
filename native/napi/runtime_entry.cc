// info() -> {isa, availableIsas, gemmKernel, numThreads, maxThreads, openmp,
//            isaEnvNote}
// setIsa(name), setNumThreads(n)
#include <cmath>

#include "args.h"
#include "convnode/probe.h"
#include "convnode/runtime.h"
#include "entry.h"
#include "../kernels/gemm/gemm_ukernel.h"

namespace convnode::napi {
namespace {

Napi::Value info_entry(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("isa", isa_name(active_isa()));
  Napi::Array list = Napi::Array::New(env);
  uint32_t i = 0;
  for (Isa isa : available_isas()) list.Set(i++, isa_name(isa));
  o.Set("availableIsas", list);
  o.Set("gemmKernel", gemm_kernel_for(active_isa()).name);
  o.Set("numThreads", thread_setting());
  o.Set("maxThreads", max_threads());
#ifdef _OPENMP
  o.Set("openmp", true);
#else
  o.Set("openmp", false);
#endif
  o.Set("isaEnvNote", isa_env_note());
  return o;
}

Napi::Value set_isa(const Napi::CallbackInfo& info) {
  Call call(info, "setIsa");
  Napi::Value v = info[0];
  std::string list;
  for (Isa isa : available_isas()) list += (list.empty() ? "'" : ", '") + std::string(isa_name(isa)) + "'";
  if (!v.IsString()) call.type_error("isa must be one of " + list + ", got " + call.describe(v));
  const std::string name = v.As<Napi::String>().Utf8Value();
  Isa isa;
  if (!isa_from_name(name, &isa) || !set_active_isa(isa))
    call.range_error("isa must be one of " + list + " (the paths this CPU supports), got '" + name + "'");
  return info.Env().Undefined();
}

Napi::Value set_threads(const Napi::CallbackInfo& info) {
  Call call(info, "setNumThreads");
  Napi::Value v = info[0];
  if (!v.IsNumber()) call.type_error("n must be a number, got " + call.describe(v));
  const double d = v.As<Napi::Number>().DoubleValue();
  CONVNODE_REQUIRE(call, std::floor(d) == d && d >= 1 && d <= 1024,
               "n must be an integer in [1, 1024], got " + v.ToString().Utf8Value());
  set_num_threads(static_cast<int>(d));
  return info.Env().Undefined();
}

// probePeak(isa, threads, seconds) -> GFLOP/s of register-resident FMAs.
Napi::Value probe_peak(const Napi::CallbackInfo& info) {
  Call call(info, "probePeak");
  Napi::Value v = info[0];
  if (!v.IsString()) call.type_error("isa must be a string, got " + call.describe(v));
  Isa isa;
  const std::string name = v.As<Napi::String>().Utf8Value();
  if (!isa_from_name(name, &isa) || !isa_available(isa))
    call.range_error("isa must be a path this CPU supports, got '" + name + "'");
  const double threads = call.number(1, "threads");
  CONVNODE_REQUIRE(call, std::floor(threads) == threads && threads >= 1 && threads <= 1024,
               "threads must be an integer in [1, 1024], got " + info[1].ToString().Utf8Value());
  const double seconds = call.number(2, "seconds");
  CONVNODE_REQUIRE(call, seconds > 0 && seconds <= 60, "seconds must be in (0, 60], got " + info[2].ToString().Utf8Value());
  return Napi::Number::New(info.Env(), measure_peak_gflops(isa, int(threads), seconds));
}

}  // namespace

void register_runtime(Napi::Env env, Napi::Object exports) {
  add<info_entry>(env, exports, "info");
  add<set_isa>(env, exports, "setIsa");
  add<set_threads>(env, exports, "setNumThreads");
  add<probe_peak>(env, exports, "probePeak");
}

}  // namespace convnode::napi
