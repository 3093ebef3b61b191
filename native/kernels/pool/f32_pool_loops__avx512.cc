// The pooling loops (max_pool_phased_loops.h, pool_2x2_loops.h) compiled
// for the AVX-512 path, 16 floats wide, and the 3x3 stride-2 max-pool
// tiles (max_pool_3x3s2_tiles.h) over zmm registers and mask registers.
// Compiled with -mavx512f (this file only).
// GCC 12's avx512fintrin.h builds _mm512_max_ps and _mm512_alignr_epi32
// on masked builtins fed _mm512_undefined_ps(), an uninitialised value by
// design; once inlined here, the uninitialised-use warnings fire inside
// the header. Nothing reads those values (the mask is all ones).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include <immintrin.h>

#include <cstring>

#include "max_pool_phased_loops.h"
#include "pool_2x2_loops.h"
#include "pool_loops.h"

namespace convnode {
namespace {

struct Avx512PoolOps {
  using V = __m512;
  using M = __mmask16;
  static constexpr int64_t kLanes = 16;

  static V zero() { return _mm512_setzero_ps(); }
  static V splat(float v) { return _mm512_set1_ps(v); }
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  // Lanes i with 0 <= c + i < w. Masked-off lanes are not accessed, so a
  // masked load or store may start before the row.
  using LaneMask = __mmask16;
  static LaneMask lanes_within(int64_t c, int64_t w) {
    const int64_t lo = c < 0 ? -c : 0;
    const int64_t hi = w - c < kLanes ? w - c : kLanes;
    if (hi <= lo) return 0;
    return LaneMask(((1u << hi) - 1) & ~((1u << lo) - 1));
  }
  static V load_masked(const float* p, LaneMask m) { return _mm512_mask_loadu_ps(splat(-__builtin_inff()), m, p); }
  static V load_masked_zero(const float* p, LaneMask m) { return _mm512_maskz_loadu_ps(m, p); }
  // Masked stores run at the speed of plain ones (max_pool_3x3s2_tiles.h).
  static constexpr bool kFastMaskedStore = true;
  static void store_masked(float* p, LaneMask m, V v) { _mm512_mask_storeu_ps(p, m, v); }
  // v's lanes 1..15, then `last`.
  static V shift_down(V v, float last) {
    return _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(splat(last)), _mm512_castps_si512(v), 1));
  }
  // Even and odd lanes of the 32 floats a, b.
  static V even(V a, V b) {
    return _mm512_permutex2var_ps(a, _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30), b);
  }
  static V odd(V a, V b) {
    return _mm512_permutex2var_ps(a, _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31), b);
  }
  // e0 o0 e1 o1 ... as two vectors.
  static void interleave(V e, V o, V* lo, V* hi) {
    *lo = _mm512_permutex2var_ps(e, _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23), o);
    *hi = _mm512_permutex2var_ps(e, _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31), o);
  }
  // vmaxps returns its second operand on a tie and when either is NaN.
  static V max(V later, V earlier) { return _mm512_max_ps(later, earlier); }
  static M unordered(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_UNORD_Q); }
  static M not_greater(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_NGT_UQ); }
  static M equal(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
  static M greater(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
  // A mask kept in a slot of kLanes floats (its first two bytes).
  static void save_mask(float* slot, M m) { std::memcpy(slot, &m, sizeof m); }
  static M load_mask(const float* slot) {
    M m;
    std::memcpy(&m, slot, sizeof m);
    return m;
  }
  static M or_(M a, M b) { return M(a | b); }
  static M and_not(M a, M b) { return M(a & ~b); }
  static M no_lanes() { return 0; }
  static bool any(M m) { return m != 0; }
  static V blend(M m, V if_set, V otherwise) { return _mm512_mask_blend_ps(m, otherwise, if_set); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  // kLanes bytes as lanes, and lanes (small whole numbers) as bytes (vpmovdb).
  static V load_bytes(const uint8_t* p) {
    return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))));
  }
  static void store_bytes(uint8_t* p, V v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm512_cvtepi32_epi8(_mm512_cvttps_epi32(v))); }
  // g where the mask is set, else +0.
  static V pick(M m, V g) { return _mm512_maskz_mov_ps(m, g); }
  // g where the mask is clear, else +0.
  static V pick_not(M m, V g) { return _mm512_mask_mov_ps(g, m, zero()); }
  // before's last lane, then cur's lanes 0..14.
  static V shift_in(V cur, V before) {
    return _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(cur), _mm512_castps_si512(before), 15));
  }
};

}  // namespace
}  // namespace convnode

#include "max_pool_3x3s2_tiles.h"

namespace convnode {

const PoolLoops kPoolLoopsAvx512{forward_any,
                                 backward_any,
                                 forward_2x2,
                                 backward_2x2,
                                 forward_3x3s2<Avx512PoolOps>,
                                 backward_3x3s2<Avx512PoolOps>,
                                 forward_argmax_3x3s2<Avx512PoolOps>,
                                 backward_argmax_3x3s2<Avx512PoolOps>};

}  // namespace convnode
