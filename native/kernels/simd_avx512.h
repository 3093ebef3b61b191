// The AVX-512 vector operations the templated tiles are written over
// (conv_direct_tiles.h, winograd_f4x3_tiles.h). Include only from files
// compiled with -mavx512f.
#pragma once

#include <immintrin.h>

namespace convnode {

struct Avx512 {
  using V = __m512;
  static constexpr int kVec = 16;
  static V zero() { return _mm512_setzero_ps(); }
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static V bcast(float v) { return _mm512_set1_ps(v); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V sub(V a, V b) { return _mm512_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }   // a * b + c
  static V fnma(V a, V b, V c) { return _mm512_fnmadd_ps(a, b, c); }  // c - a * b
  static float sum(V v) { return _mm512_reduce_add_ps(v); }
  // The first n < kVec lanes; the others are neither read nor written.
  static V load_first(const float* p, int n) { return _mm512_maskz_loadu_ps(__mmask16((1u << n) - 1u), p); }
  static void store_first(float* p, V v, int n) { _mm512_mask_storeu_ps(p, __mmask16((1u << n) - 1u), v); }
};

}  // namespace convnode
