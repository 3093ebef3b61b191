// gemm: c = alpha * op(a) * op(b) + beta * c, dense row-major operands.
#include "entry.h"

namespace convnode::napi {
namespace {

void gemm(const Guarded& g) {
  using namespace contract::gemm;
  const bool ta = g.flag(transA), tb = g.flag(transB);
  sgemm(ta, tb, g.dim(m), g.dim(n), g.dim(k), float(g.value(alpha)), g.f32(0), ta ? g.dim(m) : g.dim(k), g.f32(1),
        tb ? g.dim(k) : g.dim(n), float(g.value(beta)), g.f32(2), g.dim(n));
}

}  // namespace

const EntryRecord kGemmEntries[1] = {kernel_entry<contract::kGemm, gemm>()};

}  // namespace convnode::napi
