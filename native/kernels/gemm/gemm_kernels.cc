// The GEMM kernel table: one record per ISA, scalar for every slot this
// architecture does not build. Block sizes: MC x KC of A stays in L2, KC x NC
// of B in L3 (BLIS's analytical model). The x86 ones were then tuned on a
// 2-core Zen 4 (32 KB L1d, 1 MB L2) with `node` timing 256..2048-cubed and
// the conv-like products: a long KC (512) amortises loading and storing the
// C tile, a short MC (60 / 48 rows) keeps the A block small enough that the
// B sliver streams from L2 without evicting it. 1024-cubed, 1 thread, went
// from 92 to about 100 GFLOP/s on AVX-512 (peak about 110).
#include "gemm_direct_a.h"
#include "gemm_ukernel.h"

namespace convnode {
namespace {

constexpr GemmKernel kScalar{"f32_gemm_ukernel_4x4__scalar", 4, 4, 64, 256, 1024,
                             f32_gemm_ukernel_4x4__scalar};
#if defined(__x86_64__) || defined(_M_X64)
constexpr GemmKernel kAvx2{"f32_gemm_ukernel_6x16__avx2_fma", 6, 16, 48, 512, 3072,
                           f32_gemm_ukernel_6x16__avx2_fma};
constexpr GemmKernel kAvx512{"f32_gemm_ukernel_12x32__avx512", 12, 32, 60, 512, 3072,
                             f32_gemm_ukernel_12x32__avx512};
#endif
#if defined(__aarch64__)
constexpr GemmKernel kNeon{"f32_gemm_ukernel_8x12__neon", 8, 12, 64, 256, 1536,
                           f32_gemm_ukernel_8x12__neon};
#endif

}  // namespace

const GemmKernel& gemm_kernel_for(Isa isa) {
  switch (isa) {
#if defined(__x86_64__) || defined(_M_X64)
    case Isa::kAvx512: return kAvx512;
    case Isa::kAvx2: return kAvx2;
#endif
#if defined(__aarch64__)
    case Isa::kNeon: return kNeon;
#endif
    default: return kScalar;
  }
}

const GemmDirectATiles& gemm_direct_a_tiles_for(Isa isa) {
  static constexpr GemmDirectATiles kNone{0, {}};
  switch (isa) {
#if defined(__x86_64__) || defined(_M_X64)
    case Isa::kAvx512: return kGemmDirectAAvx512;
    case Isa::kAvx2: return kGemmDirectAAvx2;
#endif
    default: return kNone;
  }
}

}  // namespace convnode
