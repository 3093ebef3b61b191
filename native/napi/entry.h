// How entry points are registered. Every entry runs inside `guarded`, which
// turns C++ failures that are not already JavaScript errors (out of memory
// in a scratch buffer, say) into a RangeError instead of terminating Node,
// and holds a ThreadLease for the call.
#pragma once

#include <napi.h>

#include <new>
#include <stdexcept>
#include <string>

#include "convnode/runtime.h"

namespace convnode::napi {

using Entry = Napi::Value (*)(const Napi::CallbackInfo&);

template <Entry F>
Napi::Value guarded(const Napi::CallbackInfo& info) {
  // Concurrent calls from several JS threads share the cores (runtime.h).
  ThreadLease lease;
  try {
    return F(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw Napi::RangeError::New(info.Env(), "convnode: out of memory for kernel scratch space");
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), std::string("convnode: internal error: ") + e.what());
  }
}

template <Entry F>
void add(Napi::Env env, Napi::Object exports, const char* name) {
  exports.Set(name, Napi::Function::New(env, guarded<F>, name));
}

void register_gemm(Napi::Env env, Napi::Object exports);
void register_conv(Napi::Env env, Napi::Object exports);
void register_pool(Napi::Env env, Napi::Object exports);
void register_eltwise(Napi::Env env, Napi::Object exports);
void register_loss(Napi::Env env, Napi::Object exports);
void register_optim(Napi::Env env, Napi::Object exports);
void register_runtime(Napi::Env env, Napi::Object exports);

}  // namespace convnode::napi
