// info() -> {isa, availableIsas, gemmKernel, numThreads, maxThreads, openmp,
//            isaEnvNote}
// setIsa(name), setNumThreads(n)
#include <cmath>

#include "convnode/probe.h"
#include "convnode/runtime.h"
#include "cpu/env.h"
#include "cpu/scratch.h"
#include "entry.h"
#include "cpu/dispatch.h"

namespace convnode::napi {
namespace {

[[noreturn]] void type_error(const Napi::CallbackInfo& info, const char* fn, const std::string& msg) {
  throw Napi::TypeError::New(info.Env(), std::string(fn) + ": " + msg);
}
[[noreturn]] void range_error(const Napi::CallbackInfo& info, const char* fn, const std::string& msg) {
  throw Napi::RangeError::New(info.Env(), std::string(fn) + ": " + msg);
}

// Argument i as a number in [lo, hi] (an integer if integral), named `name` in messages.
double number_in(const Napi::CallbackInfo& info, const char* fn, size_t i, const char* name, double lo, double hi,
                 bool integral) {
  const Napi::Value v = info[i];
  if (!v.IsNumber()) type_error(info, fn, std::string(name) + " must be a number, got " + describe(info.Env(), v));
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(std::isfinite(d) && d >= lo && d <= hi && (!integral || std::floor(d) == d)))
    range_error(info, fn, std::string(name) + " must be " + (integral ? "an integer" : "a number") + " in [" +
                              Napi::Number::New(info.Env(), lo).ToString().Utf8Value() + ", " +
                              Napi::Number::New(info.Env(), hi).ToString().Utf8Value() + "], got " +
                              v.ToString().Utf8Value());
  return d;
}

Napi::Value info_entry(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("isa", isa_name(active_isa()));
  Napi::Array list = Napi::Array::New(env);
  uint32_t i = 0;
  for (Isa isa : available_isas()) list.Set(i++, isa_name(isa));
  o.Set("availableIsas", list);
  o.Set("gemmKernel", active_kernel_table().gemm->name);
  o.Set("numThreads", thread_setting());
  o.Set("maxThreads", max_threads());
#ifdef _OPENMP
  o.Set("openmp", true);
#else
  o.Set("openmp", false);
#endif
  o.Set("isaEnvNote", isa_env_note());
  Napi::Array notes = Napi::Array::New(env);
  uint32_t n = 0;
  thread_setting();        // read the variables first (env.h)
  scratch_limit_bytes();
  for (const std::string& note : env_notes()) notes.Set(n++, note);
  o.Set("envNotes", notes);
  o.Set("scratchLimitBytes", static_cast<double>(scratch_limit_bytes()));
  return o;
}

Napi::Value set_isa(const Napi::CallbackInfo& info) {
  Napi::Value v = info[0];
  std::string list;
  for (Isa isa : available_isas()) list += (list.empty() ? "'" : ", '") + std::string(isa_name(isa)) + "'";
  if (!v.IsString()) type_error(info, "setIsa", "isa must be one of " + list + ", got " + describe(info.Env(), v));
  const std::string name = v.As<Napi::String>().Utf8Value();
  Isa isa;
  if (!isa_from_name(name, &isa) || !set_active_isa(isa))
    range_error(info, "setIsa", "isa must be one of " + list + " (the paths this CPU supports), got '" + name + "'");
  return info.Env().Undefined();
}

Napi::Value set_threads(const Napi::CallbackInfo& info) {
  set_num_threads(static_cast<int>(number_in(info, "setNumThreads", 0, "n", 1, 1024, true)));
  return info.Env().Undefined();
}

// probePeak(isa, threads, seconds) -> GFLOP/s of register-resident FMAs.
Napi::Value probe_peak(const Napi::CallbackInfo& info) {
  Napi::Value v = info[0];
  if (!v.IsString()) type_error(info, "probePeak", "isa must be a string, got " + describe(info.Env(), v));
  Isa isa;
  const std::string name = v.As<Napi::String>().Utf8Value();
  if (!isa_from_name(name, &isa) || !isa_available(isa))
    range_error(info, "probePeak", "isa must be a path this CPU supports, got '" + name + "'");
  const double threads = number_in(info, "probePeak", 1, "threads", 1, 1024, true);
  const double seconds = number_in(info, "probePeak", 2, "seconds", 1e-3, 60, false);
  return Napi::Number::New(info.Env(), measure_peak_gflops(isa, int(threads), seconds));
}

}  // namespace

const EntryRecord kRuntimeEntries[4] = {
    {"info", guarded<info_entry>},
    {"setIsa", guarded<set_isa>},
    {"setNumThreads", guarded<set_threads>},
    {"probePeak", guarded<probe_peak>},
};

}  // namespace convnode::napi
