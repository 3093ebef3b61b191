// Module entry: registers every kernel family. There is no per-environment
// state: settings are process-wide atomics and scratch buffers are
// thread_local, so the addon loads in worker threads.
#include <napi.h>

#include "entry.h"

namespace convnode::napi {

namespace {

template <size_t N>
void add(Napi::Env env, Napi::Object exports, const EntryRecord (&table)[N]) {
  for (const EntryRecord& e : table) exports.Set(e.name, Napi::Function::New(env, e.fn, e.name));
}

}  // namespace

Napi::Object init(Napi::Env env, Napi::Object exports) {
  add(env, exports, kGemmEntries);
  add(env, exports, kConvEntries);
  add(env, exports, kPoolEntries);
  add(env, exports, kEltwiseEntries);
  add(env, exports, kNormEntries);
  add(env, exports, kLossEntries);
  add(env, exports, kOptimEntries);
  add(env, exports, kRuntimeEntries);
  return exports;
}

}  // namespace convnode::napi

static Napi::Object InitConvnode(Napi::Env env, Napi::Object exports) {
  return convnode::napi::init(env, exports);
}

NODE_API_MODULE(convnode, InitConvnode)
