// Module entry: registers every kernel family. There is no per-environment
// state: settings are process-wide atomics and scratch buffers are
// thread_local, so the addon loads in worker threads.
#include <napi.h>

#include "entry.h"

namespace convnode::napi {

Napi::Object init(Napi::Env env, Napi::Object exports) {
  register_gemm(env, exports);
  register_conv(env, exports);
  register_pool(env, exports);
  register_eltwise(env, exports);
  register_loss(env, exports);
  register_optim(env, exports);
  register_runtime(env, exports);
  return exports;
}

}  // namespace convnode::napi

static Napi::Object InitConvnode(Napi::Env env, Napi::Object exports) {
  return convnode::napi::init(env, exports);
}

NODE_API_MODULE(convnode, InitConvnode)
