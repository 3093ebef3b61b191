// gemm(options, a, b, c): c = alpha * op(a) * op(b) + beta * c, dense
// row-major operands. options: {m, n, k, transA=false, transB=false,
// alpha=1, beta=0}.
#include "args.h"
#include "convnode/kernels.h"
#include "entry.h"

namespace convnode::napi {
namespace {

Napi::Value gemm(const Napi::CallbackInfo& info) {
  Call call(info, "gemm");
  Napi::Object o = call.object(0, "options");
  const int64_t m = call.int_field(o, "options", "m", 1, kMaxDim);
  const int64_t n = call.int_field(o, "options", "n", 1, kMaxDim);
  const int64_t k = call.int_field(o, "options", "k", 1, kMaxDim);
  const bool ta = call.bool_field(o, "options", "transA", false);
  const bool tb = call.bool_field(o, "options", "transB", false);
  const double alpha = call.number_field(o, "options", "alpha", 1.0);
  const double beta = call.number_field(o, "options", "beta", 0.0);
  F32 a = call.f32(1, "a", ta ? call.extent("a", {"k", "m"}, {k, m}) : call.extent("a", {"m", "k"}, {m, k}));
  F32 b = call.f32(2, "b", tb ? call.extent("b", {"n", "k"}, {n, k}) : call.extent("b", {"k", "n"}, {k, n}));
  F32 c = call.f32(3, "c", call.extent("c", {"m", "n"}, {m, n}));
  call.no_overlap(c, a);
  call.no_overlap(c, b);
  sgemm(ta, tb, m, n, k, float(alpha), a.data, ta ? m : k, b.data, tb ? k : n,
        float(beta), c.data, n);
  return info.Env().Undefined();
}

}  // namespace

void register_gemm(Napi::Env env, Napi::Object exports) { add<gemm>(env, exports, "gemm"); }

}  // namespace convnode::napi
