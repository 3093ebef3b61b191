// Direct-A GEMM tiles (gemm_direct_a_ukernel.h) over ymm registers: 12 x 8, 6 x 16
// and 3 x 32, 12 accumulators each plus the B row, within the 16 ymm
// registers. Edge columns use vmaskmov, which does not touch masked-off
// lanes. Compiled with -mavx2 -mfma (this file only).
#include <immintrin.h>

#include "gemm_direct_a_ukernel.h"
#include "gemm_direct_a_tiles.h"

namespace convnode {
namespace {

struct Avx2GemmOps {
  using V = __m256;
  using Mask = __m256i;
  static constexpr int kLanes = 8;
  static V zero() { return _mm256_setzero_ps(); }
  static V splat(float f) { return _mm256_set1_ps(f); }
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static V broadcast(const float* p) { return _mm256_broadcast_ss(p); }
  static V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static Mask lanes(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static V load_masked(const float* p, Mask m) { return _mm256_maskload_ps(p, m); }
  static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static void store_masked(float* p, Mask m, V v) { _mm256_maskstore_ps(p, m, v); }
};

template <int MR, int NV>
void tile(int64_t kc, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
          int64_t ldc, int64_t m, int64_t n, float alpha, float beta) {
  gemm_direct_a_tile_rows<Avx2GemmOps, MR, NV>(kc, a, lda, b, ldb, c, ldc, m, n, alpha, beta);
}

template <int MR, int NV>
void tile_a_columns(int64_t kc, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
                    int64_t ldc, int64_t m, int64_t n, float alpha, float beta) {
  gemm_direct_a_tile_rows<Avx2GemmOps, MR, NV, true>(kc, a, lda, b, ldb, c, ldc, m, n, alpha, beta);
}

}  // namespace

const GemmDirectATiles kGemmDirectAAvx2{
    3,
    {{"f32_gemm_direct_a_12x8__avx2_fma", 12, 8, tile<12, 1>, tile_a_columns<12, 1>},
     {"f32_gemm_direct_a_6x16__avx2_fma", 6, 16, tile<6, 2>, tile_a_columns<6, 2>},
     {"f32_gemm_direct_a_3x32__avx2_fma", 3, 32, tile<3, 4>, tile_a_columns<3, 4>}}};

}  // namespace convnode
