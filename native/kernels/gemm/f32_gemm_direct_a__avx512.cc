// Direct-A GEMM tiles (gemm_direct_a_ukernel.h) over zmm registers: 12 x 16,
// 12 x 32 and 6 x 64, each 12-24 accumulators plus the B row. Edge columns
// use k-masks, which never touch memory outside the tile. Compiled with
// -mavx512f (this file only).
#include <immintrin.h>

#include "gemm_direct_a_ukernel.h"
#include "gemm_direct_a_tiles.h"

namespace convnode {
namespace {

struct Avx512GemmOps {
  using V = __m512;
  using Mask = __mmask16;
  static constexpr int kLanes = 16;
  static V zero() { return _mm512_setzero_ps(); }
  static V splat(float f) { return _mm512_set1_ps(f); }
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static V broadcast(const float* p) { return _mm512_set1_ps(*p); }
  static V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static Mask lanes(int n) { return Mask((1u << n) - 1u); }
  static V load_masked(const float* p, Mask m) { return _mm512_maskz_loadu_ps(m, p); }
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static void store_masked(float* p, Mask m, V v) { _mm512_mask_storeu_ps(p, m, v); }
};

template <int MR, int NV>
void tile(int64_t kc, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
          int64_t ldc, int64_t m, int64_t n, float alpha, float beta) {
  gemm_direct_a_tile_rows<Avx512GemmOps, MR, NV>(kc, a, lda, b, ldb, c, ldc, m, n, alpha, beta);
}

template <int MR, int NV>
void tile_a_columns(int64_t kc, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
                    int64_t ldc, int64_t m, int64_t n, float alpha, float beta) {
  gemm_direct_a_tile_rows<Avx512GemmOps, MR, NV, true>(kc, a, lda, b, ldb, c, ldc, m, n, alpha, beta);
}

}  // namespace

const GemmDirectATiles kGemmDirectAAvx512{
    3,
    {{"f32_gemm_direct_a_12x16__avx512", 12, 16, tile<12, 1>, tile_a_columns<12, 1>},
     {"f32_gemm_direct_a_12x32__avx512", 12, 32, tile<12, 2>, tile_a_columns<12, 2>},
     {"f32_gemm_direct_a_6x64__avx512", 6, 64, tile<6, 4>, tile_a_columns<6, 4>}}};

}  // namespace convnode
