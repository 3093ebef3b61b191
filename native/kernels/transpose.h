// Transposes through 4 x 4 blocks in vector registers: four loads along
// four source rows, four stores along four destination rows (a scalar loop
// stores one float per cycle at best). Used by GEMM packing and by the
// direct convolution's weight gradient, which turns dy position-major; and
// a row split into its stride-2 phases, for the direct convolution's
// padded images.
#pragma once

#include <cstdint>

#include "vec4.h"

namespace convnode {

// dst[c * ld_dst + r] = src[r * ld_src + c] for a 4 x 4 block.
inline void transpose_4x4(const float* src, int64_t ld_src, float* dst, int64_t ld_dst) {
  Vec4 r0, r1, r2, r3;
  __builtin_memcpy(&r0, src, sizeof r0);
  __builtin_memcpy(&r1, src + ld_src, sizeof r1);
  __builtin_memcpy(&r2, src + 2 * ld_src, sizeof r2);
  __builtin_memcpy(&r3, src + 3 * ld_src, sizeof r3);
  const Vec4 t0 = CONVNODE_SHUFFLE4(r0, r1, 0, 4, 1, 5), t1 = CONVNODE_SHUFFLE4(r0, r1, 2, 6, 3, 7);
  const Vec4 t2 = CONVNODE_SHUFFLE4(r2, r3, 0, 4, 1, 5), t3 = CONVNODE_SHUFFLE4(r2, r3, 2, 6, 3, 7);
  const Vec4 c0 = CONVNODE_SHUFFLE4(t0, t2, 0, 1, 4, 5), c1 = CONVNODE_SHUFFLE4(t0, t2, 2, 3, 6, 7);
  const Vec4 c2 = CONVNODE_SHUFFLE4(t1, t3, 0, 1, 4, 5), c3 = CONVNODE_SHUFFLE4(t1, t3, 2, 3, 6, 7);
  __builtin_memcpy(dst, &c0, sizeof c0);
  __builtin_memcpy(dst + ld_dst, &c1, sizeof c1);
  __builtin_memcpy(dst + 2 * ld_dst, &c2, sizeof c2);
  __builtin_memcpy(dst + 3 * ld_dst, &c3, sizeof c3);
}

// The same for a 2 x 4 block: dst[c * ld_dst + r] = src[r * ld_src + c],
// r < 2, c < 4 (two-float stores; the AVX2 tile's A sliver has 6 rows).
inline void transpose_2x4(const float* src, int64_t ld_src, float* dst, int64_t ld_dst) {
  Vec4 r0, r1;
  __builtin_memcpy(&r0, src, sizeof r0);
  __builtin_memcpy(&r1, src + ld_src, sizeof r1);
  const Vec4 t0 = CONVNODE_SHUFFLE4(r0, r1, 0, 4, 1, 5), t1 = CONVNODE_SHUFFLE4(r0, r1, 2, 6, 3, 7);
  __builtin_memcpy(dst, &t0, 2 * sizeof(float));
  __builtin_memcpy(dst + ld_dst, reinterpret_cast<const float*>(&t0) + 2, 2 * sizeof(float));
  __builtin_memcpy(dst + 2 * ld_dst, &t1, 2 * sizeof(float));
  __builtin_memcpy(dst + 3 * ld_dst, reinterpret_cast<const float*>(&t1) + 2, 2 * sizeof(float));
}

// dst[c * ld_dst + r] = src[r * ld_src + c] for r < rows, c < cols.
inline void transpose(const float* src, int64_t ld_src, int64_t rows, int64_t cols, float* dst,
                      int64_t ld_dst) {
  int64_t r = 0;
  for (; r + 4 <= rows; r += 4) {
    int64_t c = 0;
    for (; c + 4 <= cols; c += 4) transpose_4x4(src + r * ld_src + c, ld_src, dst + c * ld_dst + r, ld_dst);
    for (; c < cols; ++c)
      for (int64_t i = r; i < r + 4; ++i) dst[c * ld_dst + i] = src[i * ld_src + c];
  }
  for (; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) dst[c * ld_dst + r] = src[r * ld_src + c];
}

// even[i] = src[2 i] for i < evens, odd[i] = src[2 i + 1] for i < odds
// (|evens - odds| <= 1): a row split into its two stride-2 phases, four
// pairs per pair of vector loads.
inline void deinterleave_pairs(const float* src, int64_t evens, int64_t odds, float* even, float* odd) {
  const int64_t both = evens < odds ? evens : odds;
  int64_t i = 0;
  for (; i + 4 <= both; i += 4) {
    Vec4 a, b;
    __builtin_memcpy(&a, src + 2 * i, sizeof a);
    __builtin_memcpy(&b, src + 2 * i + 4, sizeof b);
    const Vec4 e = CONVNODE_SHUFFLE4(a, b, 0, 2, 4, 6), o = CONVNODE_SHUFFLE4(a, b, 1, 3, 5, 7);
    __builtin_memcpy(even + i, &e, sizeof e);
    __builtin_memcpy(odd + i, &o, sizeof o);
  }
  for (int64_t j = i; j < evens; ++j) even[j] = src[2 * j];
  for (int64_t j = i; j < odds; ++j) odd[j] = src[2 * j + 1];
}

}  // namespace convnode
