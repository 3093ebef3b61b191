// AVX-512 microkernel, 12 x 32: 24 zmm accumulators, 2 for the B row and 1
// broadcast of A, within the 32 zmm registers. Edge tiles use masked loads
// and stores, which never touch memory outside the tile. Compiled with
// -mavx512f (this file only).
//
// Two things beyond the multiply (measured on a 2-core AMD EPYC with
// full-width AVX-512, C++ harness, interleaved medians against an FMA probe
// run in the same round):
// - The C tile's rows are prefetched before the k loop, which then hides
//   their misses: every row of a 12 x 32 tile is its own cache line, and
//   for a large C each sits on its own page. 2048-cubed at 1 thread went
//   from 83% to 91% of the probe, 1024-cubed from 87% to 90%; the third
//   line of a row that is not aligned gained 1.5-2% more at 2048-cubed.
// - An edge tile of m <= 8 rows runs an 8- or 4-row body instead of
//   multiplying zero-padded rows: the A sliver keeps its 12-row stride, the
//   loop just skips the rows past m (4 rows still give 8 independent FMA
//   chains, enough for two FMA pipes of 4 cycles' latency). 256 rows are 21
//   full tiles and one of 4 rows: 3% of the work was padding.
// - Likewise an edge tile of n <= 16 columns multiplies one 16-wide half of
//   the packed sliver, not both: a 1x1 convolution over 14 x 14 pixels has
//   196 = 6 x 32 + 4 columns, and the last sliver's 28 zero columns were
//   12% of its FMAs.
#include <immintrin.h>

#include "gemm_ukernel.h"

namespace convnode {
namespace {

constexpr int kMr = 12, kNr = 32;

template <int kRows, int kHalves>
void tile_rows(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int64_t m, int64_t n,
               float alpha, float beta) {
  // A row's n floats span up to three cache lines when C is not 64-byte
  // aligned (a Float32Array of megabytes starts 16 bytes into a page):
  // the first, the middle and the last float name them all.
  const bool wide = n > 16;
#pragma GCC unroll 12
  for (int i = 0; i < kRows; ++i) {
    if (i >= m) break;
    const char* row = reinterpret_cast<const char*>(c + i * ldc);
    _mm_prefetch(row, _MM_HINT_T0);
    if (wide) _mm_prefetch(row + 16 * sizeof(float), _MM_HINT_T0);
    _mm_prefetch(row + (n - 1) * sizeof(float), _MM_HINT_T0);
  }

  __m512 acc[kRows][2];
#pragma GCC unroll 12
  for (int i = 0; i < kRows; ++i) acc[i][0] = acc[i][1] = _mm512_setzero_ps();

  for (int64_t p = 0; p < kc; ++p) {
    const __m512 b0 = _mm512_loadu_ps(b);
    const __m512 b1 = kHalves == 2 ? _mm512_loadu_ps(b + 16) : _mm512_setzero_ps();
#pragma GCC unroll 12
    for (int i = 0; i < kRows; ++i) {
      const __m512 ai = _mm512_set1_ps(a[i]);
      acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
      if (kHalves == 2) acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
    }
    a += kMr;
    b += kNr;
  }

  // Column masks for the two 16-wide halves of the tile.
  const __mmask16 m0 = n >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << n) - 1u);
  const __mmask16 m1 = n >= 32 ? __mmask16(0xFFFF)
                       : n <= 16 ? __mmask16(0)
                                 : __mmask16((1u << (n - 16)) - 1u);
  const __m512 va = _mm512_set1_ps(alpha);
  const __m512 vb = _mm512_set1_ps(beta);
#pragma GCC unroll 12
  for (int i = 0; i < kRows; ++i) {
    if (i >= m) break;
    float* crow = c + i * ldc;
    __m512 r0 = _mm512_mul_ps(va, acc[i][0]);
    __m512 r1 = _mm512_mul_ps(va, acc[i][1]);
    if (beta != 0.0f) {
      r0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, crow), r0);
      r1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m1, crow + 16), r1);
    }
    _mm512_mask_storeu_ps(crow, m0, r0);
    _mm512_mask_storeu_ps(crow + 16, m1, r1);
  }
}

}  // namespace

void f32_gemm_ukernel_12x32__avx512(int64_t kc, const float* a, const float* b,
                                    float* c, int64_t ldc, int64_t m, int64_t n,
                                    float alpha, float beta) {
  if (n <= 16) {
    if (m > 8) return tile_rows<12, 1>(kc, a, b, c, ldc, m, n, alpha, beta);
    if (m > 4) return tile_rows<8, 1>(kc, a, b, c, ldc, m, n, alpha, beta);
    return tile_rows<4, 1>(kc, a, b, c, ldc, m, n, alpha, beta);
  }
  if (m > 8) return tile_rows<12, 2>(kc, a, b, c, ldc, m, n, alpha, beta);
  if (m > 4) return tile_rows<8, 2>(kc, a, b, c, ldc, m, n, alpha, beta);
  tile_rows<4, 2>(kc, a, b, c, ldc, m, n, alpha, beta);
}

}  // namespace convnode
