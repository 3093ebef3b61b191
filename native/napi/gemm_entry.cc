// gemm: c = alpha * op(a) * op(b) + beta * c, dense row-major operands.
#include "entry.h"
#include "guard.h"

namespace convnode::napi {
namespace {

Napi::Value gemm(const Napi::CallbackInfo& info) {
  using namespace contract::gemm;
  const Guarded g(info, contract::kGemm);
  const bool ta = g.flag(transA), tb = g.flag(transB);
  sgemm(ta, tb, g.dim(m), g.dim(n), g.dim(k), float(g.value(alpha)), g.f32(0), ta ? g.dim(m) : g.dim(k), g.f32(1),
        tb ? g.dim(k) : g.dim(n), float(g.value(beta)), g.f32(2), g.dim(n));
  return info.Env().Undefined();
}

}  // namespace

void register_gemm(Napi::Env env, Napi::Object exports) { add<gemm>(env, exports, "gemm"); }

}  // namespace convnode::napi
