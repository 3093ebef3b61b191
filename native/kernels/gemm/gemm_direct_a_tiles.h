// The register tile behind the direct-A GEMM path (gemm_direct_a_ukernel.h),
// written once over a struct of vector operations and instantiated in each
// ISA file with that file's compiler flags.
//
// MR rows by NV vectors: MR * NV accumulators, NV loads of B per k step,
// and one broadcast of A per row, which x86 folds into the FMA as a memory
// operand ({1to16} on AVX-512). kAColumns reads A by columns instead,
// A(i, p) = a[p * lda + i] (the tile_a_columns entry).
#pragma once

#include <cstdint>
#include <type_traits>

namespace convnode {

// Ops provides: V, Mask, kLanes, zero(), splat(f), load(p), fmadd(a, b, c),
// broadcast(p), lanes(n) (the first n lanes, 0 <= n <= kLanes),
// load_masked(p, mask), store(p, v), store_masked(p, mask, v).
template <class Ops, int MR, int NV, bool kAColumns>
[[gnu::always_inline]] inline void gemm_direct_a_tile(
    int64_t kc, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
    int64_t ldc, int64_t m, int64_t n, float alpha, float beta) {
  using V = typename Ops::V;
  constexpr int kLanes = Ops::kLanes, kNr = NV * kLanes;
  V acc[MR][NV];
#pragma GCC unroll 32
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) acc[i][v] = Ops::zero();

  // A partial last column block (n < NR): lanes past n are neither read nor
  // written (B read in place may end there). Full blocks take plain loads
  // and stores.
  const bool full = n == kNr;
  typename Ops::Mask mask[NV];
#pragma GCC unroll 8
  for (int v = 0; v < NV; ++v) {
    const int64_t left = n - int64_t(v) * kLanes;
    mask[v] = Ops::lanes(left <= 0 ? 0 : left >= kLanes ? kLanes : int(left));
  }
  const auto steps = [&](auto masked) {
    for (int64_t p = 0; p < kc; ++p) {
      V bv[NV];
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) bv[v] = masked ? Ops::load_masked(b + v * kLanes, mask[v]) : Ops::load(b + v * kLanes);
#pragma GCC unroll 32
      for (int i = 0; i < MR; ++i) {
        const V ai = Ops::broadcast(kAColumns ? a + p * lda + i : a + i * lda + p);
#pragma GCC unroll 8
        for (int v = 0; v < NV; ++v) acc[i][v] = Ops::fmadd(ai, bv[v], acc[i][v]);
      }
      b += ldb;
    }
  };
  if (full) steps(std::false_type{});
  else steps(std::true_type{});

  const V va = Ops::splat(alpha), vb = Ops::splat(beta);
#pragma GCC unroll 32
  for (int i = 0; i < MR; ++i) {
    if (i >= m) break;
    float* crow = c + i * ldc;
#pragma GCC unroll 8
    for (int v = 0; v < NV; ++v) {
      float* cv = crow + v * kLanes;
      V r = Ops::mul(va, acc[i][v]);
      if (beta != 0.0f) r = Ops::fmadd(vb, full ? Ops::load(cv) : Ops::load_masked(cv, mask[v]), r);
      if (full) Ops::store(cv, r);
      else Ops::store_masked(cv, mask[v], r);
    }
  }
}

// The entry the ISA files instantiate: a short tile (m <= 4 or m <= 8 of
// MR rows) runs a body of that many rows instead of multiplying zero rows.
// A Winograd block at batch 1 is 16 tiles, 12 + 4 rows: the 12-row body
// for the last 4 was a third of the FMAs.
template <class Ops, int MR, int NV, bool kAColumns = false>
[[gnu::always_inline]] inline void gemm_direct_a_tile_rows(
    int64_t kc, const float* a, int64_t lda, const float* b, int64_t ldb, float* c,
    int64_t ldc, int64_t m, int64_t n, float alpha, float beta) {
  if constexpr (MR > 4) {
    if (m <= 4) return gemm_direct_a_tile<Ops, 4, NV, kAColumns>(kc, a, lda, b, ldb, c, ldc, m, n, alpha, beta);
  }
  if constexpr (MR > 8) {
    if (m <= 8) return gemm_direct_a_tile<Ops, 8, NV, kAColumns>(kc, a, lda, b, ldb, c, ldc, m, n, alpha, beta);
  }
  gemm_direct_a_tile<Ops, MR, NV, kAColumns>(kc, a, lda, b, ldb, c, ldc, m, n, alpha, beta);
}

}  // namespace convnode
