// The AVX2 direct-convolution tiles (conv_direct_tiles.h) over ymm
// registers, at most 12 accumulators of the 16 registers: forward 4
// channels x 24 positions, 6 x 16 and 1 x 96; weight gradient 4 channels x
// 2 taps (positions in lanes), 8 channels x 12 taps and 16 x 6 (channels in
// lanes). Compiled with -mavx2 -mfma (this file only).
#include <immintrin.h>

#include "conv_direct_ukernel.h"

namespace convnode {
namespace {

struct Avx2 {
  using V = __m256;
  static constexpr int kVec = 8;
  static V zero() { return _mm256_setzero_ps(); }
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static V bcast(float v) { return _mm256_set1_ps(v); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static float sum(V v) {
    const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    const __m128 t = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(t, _mm_shuffle_ps(t, t, 1)));
  }
};

}  // namespace
}  // namespace convnode

#include "conv_direct_tiles.h"

namespace convnode {

const DirectConvKernels kDirectConvAvx2{
    "avx2",
    8,
    {{4, 24, forward_tile<Avx2, 4, 3>},
     {6, 16, forward_tile<Avx2, 6, 2>},
     {1, 96, forward_tile<Avx2, 1, 12>}},
    {4, 2, weight_tile_lanes_over_positions<Avx2, 4, 2>},
    {{8, 12, weight_tile_lanes_over_channels<Avx2, 1, 12>},
     {16, 6, weight_tile_lanes_over_channels<Avx2, 2, 6>}},
};

}  // namespace convnode
