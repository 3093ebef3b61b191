// gemm(m, n, k, transA, transB, alpha, beta, a, b, c): c = alpha * op(a) *
// op(b) + beta * c, dense row-major operands; transA, transB, alpha and
// beta may be undefined (false, false, 1, 0).
//
// The public kernel is gemm(options, a, b, c); lib/backend/native.ts reads
// the options object in JavaScript and calls this. Read here through
// N-API, the seven fields cost about 0.9 us a call (gemm on 4x4 matrices
// took 1.25 us against 0.35 for relu on 4 elements), which is a sixth of a
// 64-cubed product. Messages still name options.m etc.
#include "args.h"
#include "convnode/kernels.h"
#include "entry.h"

namespace convnode::napi {
namespace {

Napi::Value gemm(const Napi::CallbackInfo& info) {
  Call call(info, "gemm");
  const int64_t m = call.int_arg(0, "options", "m", 1, kMaxDim);
  const int64_t n = call.int_arg(1, "options", "n", 1, kMaxDim);
  const int64_t k = call.int_arg(2, "options", "k", 1, kMaxDim);
  const bool ta = call.bool_arg(3, "options", "transA", false);
  const bool tb = call.bool_arg(4, "options", "transB", false);
  const double alpha = call.number_arg(5, "options", "alpha", 1.0);
  const double beta = call.number_arg(6, "options", "beta", 0.0);
  F32 a = call.f32(7, "a", ta ? call.extent("a", {"k", "m"}, {k, m}) : call.extent("a", {"m", "k"}, {m, k}));
  F32 b = call.f32(8, "b", tb ? call.extent("b", {"n", "k"}, {n, k}) : call.extent("b", {"k", "n"}, {k, n}));
  F32 c = call.f32(9, "c", call.extent("c", {"m", "n"}, {m, n}));
  call.no_overlap(c, a);
  call.no_overlap(c, b);
  sgemm(ta, tb, m, n, k, float(alpha), a.data, ta ? m : k, b.data, tb ? k : n,
        float(beta), c.data, n);
  return info.Env().Undefined();
}

}  // namespace

void register_gemm(Napi::Env env, Napi::Object exports) { add<gemm>(env, exports, "gemm"); }

}  // namespace convnode::napi
