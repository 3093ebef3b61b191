// Pooling with 2x2 windows at stride 2 and no padding (LeNet's and VGG's
// pools), forward and backward, for one (n, c) plane. Included by one file
// per ISA path (f32_pool_loops__<isa>.cc), each compiled with its own target
// flags: with AVX2 or AVX-512 the compiler turns the stride-2 reads and
// writes into whole-vector loads, permutes and stores, where SSE2 left the
// backward pass at 4 GB/s. Internal linkage and no library templates, as in
// max_pool_phased_loops.h.
//
// Max: the branchless compare-and-select picks the first maximum in
// row-major window order; a NaN (which must win, the first one first, as in
// PyTorch) sends the row through integer order keys instead.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>

#include "convnode/kernels.h"
#include "order_key.h"
#include "pool_selects.h"

namespace convnode {
namespace {

inline int64_t larger(int64_t a, int64_t b) { return a > b ? a : b; }

// The order key packed with the bit-inverted position, so that one 64-bit
// max picks the first maximum (or first NaN) of a window.
inline int64_t max_key(float v, int64_t pos) {
  return (int64_t(order_key(v)) << 32) | int64_t(uint32_t(~uint32_t(pos)));
}

inline int64_t key_position(int64_t key) { return int64_t(~uint32_t(key)); }

// Rows are cut into chunks of 16, 8 and 4 windows, each a loop with a
// compile-time trip count: LeNet's and VGG's rows (14, 7 or 5 windows) are
// shorter than an AVX-512 vector, and a loop over the row itself ran only
// its scalar remainder. A row's last few windows run as a chunk of 4 that
// overlaps windows already done, which get the same values again.
template <int64_t N>
struct Width {
  static constexpr int64_t kN = N;
};

template <typename ChunkFn>
void for_each_chunk(int64_t wo, ChunkFn chunk) {
  int64_t ow = 0;
  for (; ow + 16 <= wo; ow += 16) chunk(Width<16>(), ow);
  if (ow + 8 <= wo) chunk(Width<8>(), ow), ow += 8;
  if (ow + 4 <= wo) chunk(Width<4>(), ow), ow += 4;
  if (ow == wo) return;
  if (wo >= 4) {
    chunk(Width<4>(), wo - 4);
  } else {
    for (; ow < wo; ++ow) chunk(Width<1>(), ow);
  }
}

// Not inlined: the __restrict promises (that o does not alias the rows),
// which the vectoriser needs, do not survive inlining.
template <int64_t N>
__attribute__((noinline)) void forward_chunk(PoolMode mode, float scale, const float* __restrict r0, const float* __restrict r1,
                   float* __restrict o) {
  if (mode == PoolMode::kMax) {
    for (int64_t ow = 0; ow < N; ++ow) {
      const float a = r0[2 * ow], b = r0[2 * ow + 1], c = r1[2 * ow], d = r1[2 * ow + 1];
      const float ab = a > b ? a : b, cd = c > d ? c : d;
      const float m = ab > cd ? ab : cd;
      const int32_t nan = -(int32_t(a != a) | int32_t(b != b) | int32_t(c != c) | int32_t(d != d));
      o[ow] = select(nan, std::numeric_limits<float>::quiet_NaN(), m);
    }
  } else {
    for (int64_t ow = 0; ow < N; ++ow)
      o[ow] = ((r0[2 * ow] + r0[2 * ow + 1]) + (r1[2 * ow] + r1[2 * ow + 1])) * scale;
  }
}

void forward_2x2(PoolMode mode, const Pool2dShape& s, const float* plane, float* out) {
  const float scale = mode == PoolMode::kAvg ? 0.25f : 1.0f;
  for (int64_t oh = 0; oh < s.ho; ++oh) {
    const float* r0 = plane + 2 * oh * s.w;
    const float* r1 = r0 + s.w;
    float* o = out + oh * s.wo;
    for_each_chunk(s.wo, [&](auto width, int64_t ow) {
      forward_chunk<decltype(width)::kN>(mode, scale, r0 + 2 * ow, r1 + 2 * ow, o + ow);
    });
  }
}

template <int64_t N>
bool chunk_has_nan(const float* r0, const float* r1) {
  int32_t nan = 0;
  for (int64_t iw = 0; iw < 2 * N; ++iw) nan |= int32_t(r0[iw] != r0[iw]) | int32_t(r1[iw] != r1[iw]);
  return nan != 0;
}

// One chunk of windows: each window's dy goes to its winner, 0 to the
// other three cells.
template <int64_t N>
__attribute__((noinline)) void backward_chunk(PoolMode mode, float scale, const float* __restrict r0, const float* __restrict r1,
                    const float* __restrict go, float* __restrict o0, float* __restrict o1) {
  if (mode != PoolMode::kMax) {
    for (int64_t ow = 0; ow < N; ++ow) {
      const float v = go[ow] * scale;
      o0[2 * ow] = o0[2 * ow + 1] = o1[2 * ow] = o1[2 * ow + 1] = v;
    }
    return;
  }
  if (!chunk_has_nan<N>(r0, r1)) {
    for (int64_t ow = 0; ow < N; ++ow) {
      const float a = r0[2 * ow], b = r0[2 * ow + 1], c = r1[2 * ow], d = r1[2 * ow + 1];
      const float ab = a > b ? a : b, cd = c > d ? c : d;
      const float m = ab >= cd ? ab : cd;
      // All-ones masks for the first cell equal to the max; dy's bits
      // and-ed with them (bool selects on floats kept GCC from
      // vectorising the loop).
      const int32_t wa = -int32_t(a == m), wb = ~wa & -int32_t(b == m);
      const int32_t wc = ~(wa | wb) & -int32_t(c == m), wd = ~(wa | wb | wc);
      o0[2 * ow] = pick(wa, go[ow]);
      o0[2 * ow + 1] = pick(wb, go[ow]);
      o1[2 * ow] = pick(wc, go[ow]);
      o1[2 * ow + 1] = pick(wd, go[ow]);
    }
    return;
  }
  for (int64_t ow = 0; ow < N; ++ow) {
    // Window positions 0..3 in row-major order; the first maximum wins.
    const int64_t best = larger(larger(max_key(r0[2 * ow], 0), max_key(r0[2 * ow + 1], 1)),
                                larger(max_key(r1[2 * ow], 2), max_key(r1[2 * ow + 1], 3)));
    const int64_t k = key_position(best);
    // The winner is chosen by an address, not a branch (GCC turns
    // "k == 0 ? g : 0" stores back into jumps on which key won).
    float cell[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    cell[k] = go[ow];
    o0[2 * ow] = cell[0];
    o0[2 * ow + 1] = cell[1];
    o1[2 * ow] = cell[2];
    o1[2 * ow + 1] = cell[3];
  }
}

// The windows tile the input without overlap: every covered input cell gets
// exactly one value, the rest (an odd last row or column) 0.
void backward_2x2(PoolMode mode, const Pool2dShape& s, const float* plane, const float* g, float* out) {
  if (2 * s.ho != s.h || 2 * s.wo != s.w) std::memset(out, 0, sizeof(float) * size_t(s.h * s.w));
  const float scale = mode == PoolMode::kAvg ? 0.25f : 1.0f;
  for (int64_t oh = 0; oh < s.ho; ++oh) {
    const float* r0 = plane + 2 * oh * s.w;
    const float* r1 = r0 + s.w;
    float* o0 = out + 2 * oh * s.w;
    float* o1 = o0 + s.w;
    const float* go = g + oh * s.wo;
    for_each_chunk(s.wo, [&](auto width, int64_t ow) {
      backward_chunk<decltype(width)::kN>(mode, scale, r0 + 2 * ow, r1 + 2 * ow, go + ow, o0 + 2 * ow,
                                          o1 + 2 * ow);
    });
  }
}

}  // namespace
}  // namespace convnode
