// The pooling loops (max_pool_phased_loops.h, pool_2x2_loops.h) compiled
// for the AVX2 path, 8 floats wide, and the 3x3 stride-2 max-pool tiles
// (max_pool_3x3s2_tiles.h) over ymm registers, masks held as vectors of
// all-ones lanes. Compiled with -mavx2 -mfma (this file only).
#include <immintrin.h>

#include <cstring>

#include "max_pool_phased_loops.h"
#include "pool_2x2_loops.h"
#include "pool_loops.h"

namespace convnode {
namespace {

struct Avx2PoolOps {
  using V = __m256;
  using M = __m256;
  static constexpr int64_t kLanes = 8;

  static V zero() { return _mm256_setzero_ps(); }
  static V splat(float v) { return _mm256_set1_ps(v); }
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  // Lanes i with 0 <= c + i < w, as all-ones lanes. Masked-off lanes are
  // not accessed, so a masked load or store may start before the row.
  using LaneMask = __m256i;
  static LaneMask lanes_within(int64_t c, int64_t w) {
    const __m256i column = _mm256_add_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(int32_t(c)));
    return _mm256_and_si256(_mm256_cmpgt_epi32(column, _mm256_set1_epi32(-1)),
                            _mm256_cmpgt_epi32(_mm256_set1_epi32(int32_t(w)), column));
  }
  static V load_masked(const float* p, LaneMask m) {
    return _mm256_blendv_ps(splat(-__builtin_inff()), _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m));
  }
  static V load_masked_zero(const float* p, LaneMask m) { return _mm256_maskload_ps(p, m); }
  // vmaskmovps stores are slow: edge blocks go through a buffer instead.
  static constexpr bool kFastMaskedStore = false;
  static void store_masked(float* p, LaneMask m, V v) { _mm256_maskstore_ps(p, m, v); }
  // v's lanes 1..7, then `last`.
  static V shift_down(V v, float last) {
    const V down = _mm256_permutevar8x32_ps(v, _mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 7));
    return _mm256_blend_ps(down, splat(last), 0x80);
  }
  // Even and odd lanes of the 16 floats a, b: within 128-bit halves, then
  // the 64-bit quarters put in order.
  static V even(V a, V b) {
    const V t = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(t), _MM_SHUFFLE(3, 1, 2, 0)));
  }
  static V odd(V a, V b) {
    const V t = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(t), _MM_SHUFFLE(3, 1, 2, 0)));
  }
  // e0 o0 e1 o1 ... as two vectors.
  static void interleave(V e, V o, V* lo, V* hi) {
    const V l = _mm256_unpacklo_ps(e, o), h = _mm256_unpackhi_ps(e, o);
    *lo = _mm256_permute2f128_ps(l, h, 0x20);
    *hi = _mm256_permute2f128_ps(l, h, 0x31);
  }
  // vmaxps returns its second operand on a tie and when either is NaN.
  static V max(V later, V earlier) { return _mm256_max_ps(later, earlier); }
  static M unordered(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_UNORD_Q); }
  static M not_greater(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_NGT_UQ); }
  static M equal(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
  static M greater(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
  // A mask kept in a slot of kLanes floats.
  static void save_mask(float* slot, M m) { _mm256_storeu_ps(slot, m); }
  static M load_mask(const float* slot) { return _mm256_loadu_ps(slot); }
  static M or_(M a, M b) { return _mm256_or_ps(a, b); }
  static M and_not(M a, M b) { return _mm256_andnot_ps(b, a); }
  static M no_lanes() { return _mm256_setzero_ps(); }
  static bool any(M m) { return _mm256_movemask_ps(m) != 0; }
  static V blend(M m, V if_set, V otherwise) { return _mm256_blendv_ps(otherwise, if_set, m); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  // kLanes bytes as lanes, and lanes (small whole numbers) as bytes.
  static V load_bytes(const uint8_t* p) {
    return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
  }
  static void store_bytes(uint8_t* p, V v) {
    const __m256i i = _mm256_cvttps_epi32(v);
    const __m128i words = _mm_packs_epi32(_mm256_castsi256_si128(i), _mm256_extracti128_si256(i, 1));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(p), _mm_packus_epi16(words, words));
  }
  // g where the mask is set, else +0.
  static V pick(M m, V g) { return _mm256_and_ps(m, g); }
  // g where the mask is clear, else +0.
  static V pick_not(M m, V g) { return _mm256_andnot_ps(m, g); }
  // before's last lane, then cur's lanes 0..6.
  static V shift_in(V cur, V before) {
    const __m256i rotate = _mm256_setr_epi32(7, 0, 1, 2, 3, 4, 5, 6);
    return _mm256_blend_ps(_mm256_permutevar8x32_ps(cur, rotate), _mm256_permutevar8x32_ps(before, rotate), 0x01);
  }
};

}  // namespace
}  // namespace convnode

#include "max_pool_3x3s2_tiles.h"

namespace convnode {

const PoolLoops kPoolLoopsAvx2{forward_any,
                               backward_any,
                               forward_2x2,
                               backward_2x2,
                               forward_3x3s2<Avx2PoolOps>,
                               backward_3x3s2<Avx2PoolOps>,
                               forward_argmax_3x3s2<Avx2PoolOps>,
                               backward_argmax_3x3s2<Avx2PoolOps>};

}  // namespace convnode
