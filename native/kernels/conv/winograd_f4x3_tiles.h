// The Winograd F(4x4, 3x3) transforms (winograd_f4x3.h), written once over a
// struct of vector operations (../simd_<isa>.h) and instantiated in each ISA
// file with that file's compiler flags. Every transform is separable: the
// 1-D transform down each column, then along each row.
#pragma once

#include <cstdint>

#include "winograd_f4x3.h"

namespace convnode {

template <class Ops>
struct WinogradF4x3 {
  using V = typename Ops::V;
  static constexpr int kLanes = Ops::kVec;

  // r = B^T d for six vectors, in 12 operations.
  static inline void bt(const V (&d)[6], V (&r)[6]) {
    const V c2 = Ops::bcast(2.0f), c4 = Ops::bcast(4.0f), c5 = Ops::bcast(5.0f);
    r[0] = Ops::fma(c4, d[0], Ops::fnma(c5, d[2], d[4]));  // 4 d0 - 5 d2 + d4
    const V t1 = Ops::fnma(c4, d[2], d[4]);                 // d4 - 4 d2
    const V t2 = Ops::fnma(c4, d[1], d[3]);                 // d3 - 4 d1
    r[1] = Ops::add(t1, t2);
    r[2] = Ops::sub(t1, t2);
    const V t3 = Ops::sub(d[4], d[2]);
    const V t4 = Ops::mul(c2, Ops::sub(d[3], d[1]));
    r[3] = Ops::add(t3, t4);
    r[4] = Ops::sub(t3, t4);
    r[5] = Ops::fma(c4, d[1], Ops::fnma(c5, d[3], d[5]));  // 4 d1 - 5 d3 + d5
  }

  // o = A^T m for six vectors.
  static inline void at(const V (&m)[6], V (&o)[4]) {
    const V c2 = Ops::bcast(2.0f), c4 = Ops::bcast(4.0f), c8 = Ops::bcast(8.0f);
    const V a = Ops::add(m[1], m[2]), b = Ops::sub(m[1], m[2]);
    const V c = Ops::add(m[3], m[4]), d = Ops::sub(m[3], m[4]);
    o[0] = Ops::add(Ops::add(m[0], a), c);
    o[1] = Ops::fma(c2, d, b);
    o[2] = Ops::fma(c4, c, a);
    o[3] = Ops::add(Ops::fma(c8, d, b), m[5]);
  }

  // u = G g for three vectors.
  static inline void gt(const V (&g)[3], V (&u)[6]) {
    const V s = Ops::add(g[0], g[2]);
    const V p = Ops::fma(Ops::bcast(1.0f / 24), g[0], Ops::mul(Ops::bcast(1.0f / 6), g[2]));
    const V q = Ops::mul(Ops::bcast(1.0f / 12), g[1]);
    const V sixth = Ops::bcast(-1.0f / 6);
    u[0] = Ops::mul(Ops::bcast(0.25f), g[0]);
    u[1] = Ops::mul(sixth, Ops::add(s, g[1]));
    u[2] = Ops::mul(sixth, Ops::sub(s, g[1]));
    u[3] = Ops::add(p, q);
    u[4] = Ops::sub(p, q);
    u[5] = g[2];
  }

  static void filter(const float* g, int64_t tap_stride, float* u, int64_t u_stride) {
    V t[6][3];
    for (int j = 0; j < 3; ++j) {
      const V col[3] = {Ops::load(g + j * tap_stride), Ops::load(g + (3 + j) * tap_stride),
                        Ops::load(g + (6 + j) * tap_stride)};
      V r[6];
      gt(col, r);
      for (int i = 0; i < 6; ++i) t[i][j] = r[i];
    }
    for (int i = 0; i < 6; ++i) {
      V r[6];
      gt(t[i], r);
      for (int j = 0; j < 6; ++j) Ops::store(u + (i * 6 + j) * u_stride, r[j]);
    }
  }

  static void input(const float* d, int64_t row_stride, float* v, int64_t v_stride) {
    V t[6][6];
    for (int j = 0; j < 6; ++j) {
      V col[6], r[6];
      for (int i = 0; i < 6; ++i) col[i] = Ops::load(d + i * row_stride + j * kLanes);
      bt(col, r);
      for (int i = 0; i < 6; ++i) t[i][j] = r[i];
    }
    for (int i = 0; i < 6; ++i) {
      V r[6];
      bt(t[i], r);
      for (int j = 0; j < 6; ++j) Ops::store(v + (i * 6 + j) * v_stride, r[j]);
    }
  }

  static void output(const float* m, int64_t m_stride, const float* bias, float* out, float* check) {
    V t[4][6];
    for (int j = 0; j < 6; ++j) {
      V col[6], r[4];
      for (int i = 0; i < 6; ++i) col[i] = Ops::load(m + (i * 6 + j) * m_stride);
      at(col, r);
      for (int i = 0; i < 4; ++i) t[i][j] = r[i];
    }
    const V b = bias != nullptr ? Ops::load(bias) : Ops::zero();
    const V zero = Ops::zero();
    V seen = Ops::load(check);
    for (int i = 0; i < 4; ++i) {
      V r[4];
      at(t[i], r);
      for (int j = 0; j < 4; ++j) {
        const V o = Ops::add(r[j], b);
        seen = Ops::fma(o, zero, seen);
        Ops::store(out + (i * 4 + j) * kLanes, o);
      }
    }
    Ops::store(check, seen);
  }

  static constexpr WinogradF4x3Kernels kernels() { return {kLanes, filter, input, output}; }
};

}  // namespace convnode
