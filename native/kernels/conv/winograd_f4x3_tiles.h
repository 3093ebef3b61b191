// The Winograd F(4x4, 3x3) transforms (winograd_f4x3.h), written once over a
// struct of vector operations (../simd_<isa>.h) and instantiated in each ISA
// file with that file's compiler flags. Every transform is separable
// (separable()): the 1-D transform down each column, then along each row.
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

  // The 2-D transform Y = T X T^T of an I x I block by the 1-D transform
  // t (I vectors in, O out): t down each column of X, then along each row.
  // load(i, j) gives X's (row i, column j); store(i, j, v) takes Y's.
  template <int I, int O, class T, class Load, class Store>
  [[gnu::always_inline]] static inline void separable(T t, Load load, Store store) {
    V half[O][I];
    for (int j = 0; j < I; ++j) {
      V col[I], r[O];
      for (int i = 0; i < I; ++i) col[i] = load(i, j);
      t(col, r);
      for (int i = 0; i < O; ++i) half[i][j] = r[i];
    }
    for (int i = 0; i < O; ++i) {
      V r[O];
      t(half[i], r);
      for (int j = 0; j < O; ++j) store(i, j, r[j]);
    }
  }

  static void filter(const float* g, int64_t tap_stride, float* u, int64_t u_stride) {
    separable<3, 6>(gt, [&](int i, int j) { return Ops::load(g + (i * 3 + j) * tap_stride); },
                    [&](int i, int j, V v) { Ops::store(u + (i * 6 + j) * u_stride, v); });
  }

  static void input(const float* d, int64_t row_stride, float* v, int64_t v_stride) {
    separable<6, 6>(bt, [&](int i, int j) { return Ops::load(d + i * row_stride + j * kLanes); },
                    [&](int i, int j, V x) { Ops::store(v + (i * 6 + j) * v_stride, x); });
  }

  static void output(const float* m, int64_t m_stride, const float* bias, float* out, float* check) {
    const V b = bias != nullptr ? Ops::load(bias) : Ops::zero();
    const V zero = Ops::zero();
    V seen = Ops::load(check);
    separable<6, 4>(at, [&](int i, int j) { return Ops::load(m + (i * 6 + j) * m_stride); },
                    [&](int i, int j, V x) {
                      const V o = Ops::add(x, b);
                      seen = Ops::fma(o, zero, seen);
                      Ops::store(out + (i * 4 + j) * kLanes, o);
                    });
    Ops::store(check, seen);
  }

  // z = A g for four vectors (A is A^T's transpose).
  static inline void a(const V (&g)[4], V (&z)[6]) {
    const V c2 = Ops::bcast(2.0f), c4 = Ops::bcast(4.0f), c8 = Ops::bcast(8.0f);
    const V e = Ops::add(g[0], g[2]), o = Ops::add(g[1], g[3]);
    const V e4 = Ops::fma(c4, g[2], g[0]), o4 = Ops::fma(c8, g[3], Ops::mul(c2, g[1]));
    z[0] = g[0];
    z[1] = Ops::add(e, o);
    z[2] = Ops::sub(e, o);
    z[3] = Ops::add(e4, o4);
    z[4] = Ops::sub(e4, o4);
    z[5] = g[3];
  }

  // w = G^T s for six vectors.
  static inline void g_t(const V (&s)[6], V (&w)[3]) {
    const V a = Ops::add(s[1], s[2]), b = Ops::sub(s[2], s[1]);
    const V c = Ops::add(s[3], s[4]), d = Ops::sub(s[3], s[4]);
    const V sixth = Ops::bcast(1.0f / 6);
    w[0] = Ops::fma(Ops::bcast(0.25f), s[0], Ops::fma(Ops::bcast(1.0f / 24), c, Ops::mul(Ops::bcast(-1.0f / 6), a)));
    w[1] = Ops::fma(sixth, b, Ops::mul(Ops::bcast(1.0f / 12), d));
    w[2] = Ops::fma(sixth, Ops::sub(c, a), s[5]);
  }

  static void output_gradient(const float* g, int64_t row_stride, float* z, int64_t z_stride) {
    separable<4, 6>(a, [&](int i, int j) { return Ops::load(g + i * row_stride + j * kLanes); },
                    [&](int i, int j, V v) { Ops::store(z + (i * 6 + j) * z_stride, v); });
  }

  static void weight(const float* s, int64_t s_stride, float* out) {
    separable<6, 3>(g_t, [&](int i, int j) { return Ops::load(s + (i * 6 + j) * s_stride); },
                    [&](int i, int j, V v) { Ops::store(out + (i * 3 + j) * kLanes, v); });
  }

  static constexpr WinogradF4x3Kernels kernels() {
    return {kLanes, filter, input, output, output_gradient, weight};
  }
};

}  // namespace convnode
