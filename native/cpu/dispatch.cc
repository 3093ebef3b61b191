#include "dispatch.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <tuple>

namespace convnode {
namespace {

// The "none" records of the optional families.
constexpr GemmDirectATiles kNoGemmDirectA{0, {}};
const DirectConvKernels kNoDirectConv{"none", 0, {}, {}, {}, nullptr};

// The reference table: portable code every architecture builds.
constexpr GemmKernel kGemmScalar{"f32_gemm_ukernel_4x4__scalar", 4, 4, 64, 256, 1024, f32_gemm_ukernel_4x4__scalar};

KernelTable reference(Isa isa) {
  return KernelTable{isa, &kGemmScalar, &kNoGemmDirectA, f32_gemm_few_rows__scalar, &kNoDirectConv, nullptr,
                     &kPoolLoopsBaseline, FmaProbe{f32_fma_peak__scalar, 8 * 2}};
}

// Block sizes: MC x KC of A stays in L2, KC x NC of B in L3 (BLIS's
// analytical model). The x86 ones were then tuned on a 2-core Zen 4 (32 KB
// L1d, 1 MB L2) with `node` timing 256..2048-cubed and the conv-like
// products: a long KC (512) amortises loading and storing the C tile, a
// short MC (60 / 48 rows) keeps the A block small enough that the B sliver
// streams from L2 without evicting it. 1024-cubed, 1 thread, went from 92
// to about 100 GFLOP/s on AVX-512 (peak about 110).
#if defined(__x86_64__) || defined(_M_X64)
constexpr GemmKernel kGemmAvx2{"f32_gemm_ukernel_6x16__avx2_fma", 6, 16, 48, 512, 3072, f32_gemm_ukernel_6x16__avx2_fma};
constexpr GemmKernel kGemmAvx512{"f32_gemm_ukernel_12x32__avx512", 12, 32, 60, 512, 3072, f32_gemm_ukernel_12x32__avx512};
#endif
#if defined(__aarch64__)
constexpr GemmKernel kGemmNeon{"f32_gemm_ukernel_8x12__neon", 8, 12, 64, 256, 1536, f32_gemm_ukernel_8x12__neon};
#endif

KernelTable make(Isa isa) {
  KernelTable t = reference(isa);
  switch (isa) {
#if defined(__x86_64__) || defined(_M_X64)
    case Isa::kAvx512:
      t.gemm = &kGemmAvx512;
      t.gemm_direct_a = &kGemmDirectAAvx512;
      t.gemm_few_rows = f32_gemm_few_rows__avx512;
      t.conv_direct = &kDirectConvAvx512;
      t.winograd = &kWinogradF4x3Avx512;
      t.pool = &kPoolLoopsAvx512;
      t.fma_probe = {f32_fma_peak__avx512, 16 * 16 * 2};
      break;
    case Isa::kAvx2:
      t.gemm = &kGemmAvx2;
      t.gemm_direct_a = &kGemmDirectAAvx2;
      t.gemm_few_rows = f32_gemm_few_rows__avx2_fma;
      t.conv_direct = &kDirectConvAvx2;
      t.winograd = &kWinogradF4x3Avx2;
      t.pool = &kPoolLoopsAvx2;
      t.fma_probe = {f32_fma_peak__avx2_fma, 12 * 8 * 2};
      break;
#endif
#if defined(__aarch64__)
    case Isa::kNeon:
      t.gemm = &kGemmNeon;
      t.fma_probe = {f32_fma_peak__neon, 16 * 4 * 2};
      break;
#endif
    default:
      break;  // the reference
  }
  return t;
}

bool log_enabled() {
  static const bool on = [] {
    const char* v = std::getenv("CONVNODE_LOG");
    return v != nullptr && std::strcmp(v, "1") == 0;
  }();
  return on;
}

}  // namespace

const KernelTable& kernel_table(Isa isa) {
  static const KernelTable tables[] = {make(Isa::kScalar), make(Isa::kNeon), make(Isa::kAvx2), make(Isa::kAvx512)};
  return tables[static_cast<int>(isa)];
}

void log_choice(const char* op, const char* implementation, const char* detail) {
  if (!log_enabled()) return;
  static std::mutex mu;
  static std::set<std::tuple<std::string, std::string, std::string, int>> seen;
  const int isa = static_cast<int>(active_isa());
  std::lock_guard<std::mutex> lock(mu);
  if (!seen.emplace(op, implementation, detail ? detail : "", isa).second) return;
  std::fprintf(stderr, "convnode: %s -> %s%s%s (%s)\n", op, implementation, detail ? " " : "", detail ? detail : "",
               isa_name(active_isa()));
}

}  // namespace convnode
