// GEMM tiles that read op(A) in place: the contract of the narrow-N path.
//
// When N is small (a conv's 16 or 64 filters, a layer's few outputs), a
// packed A sliver serves only one or two B slivers, so packing A costs a
// full extra pass over the largest operand for little reuse. These tiles
// instead broadcast A straight from its rows (row-major, leading dimension
// lda) against a packed B sliver:
//   a: MR rows at a + i * lda, kc floats each (all MR rows must be readable;
//      the caller copies a short last tile into a padded buffer)
//   b: kc x NR, row by row ldb apart: b[p * ldb + j] = op(B)(p, j); packed
//      (ldb = NR, zero-padded) or B's own rows read in place (no float
//      past column n is read)
//   C(i, j) = alpha * sum_p a[i*lda+p] * b[p*ldb+j] + beta * C(i, j)
// for i < m <= MR and j < n <= NR. When beta == 0, C is never read.
// tile_a_columns is the same product with A stored by columns, A(i, p) =
// a[p * lda + i] (all MR floats of each column readable): the Winograd
// weight gradient's dy transforms, tiles x channels, used as channels x
// tiles without a transpose; and a packed A (lda = MR) against B in place,
// the pointwise convolution's images.
//
// Each ISA offers a few widths (NR) with the register tile shaped for each;
// the driver (sgemm.cc) takes the narrowest that covers N.
#pragma once

#include <cstdint>

#include "convnode/runtime.h"

namespace convnode {

using GemmDirectAFn = void (*)(int64_t kc, const float* a, int64_t lda,
                               const float* b, int64_t ldb, float* c, int64_t ldc,
                               int64_t m, int64_t n, float alpha, float beta);

struct GemmDirectATile {
  const char* name;
  int mr, nr;
  GemmDirectAFn tile;
  GemmDirectAFn tile_a_columns;
};

// Up to kGemmDirectAWidths tiles, narrowest first; `count` is 0 on ISAs
// without them (scalar, NEON), which keep the packed path.
constexpr int kGemmDirectAWidths = 3;
struct GemmDirectATiles {
  int count;
  GemmDirectATile tiles[kGemmDirectAWidths];
};

// The tile with the most accumulators whose width n columns fill (ties:
// more rows, so fewer passes over B); the narrowest if none fits. For
// products that read B many times over (Winograd's per-point GEMMs, the
// pointwise convolution's images); sgemm takes the narrowest that covers N.
inline const GemmDirectATile& direct_a_tile_for_width(const GemmDirectATiles& tiles, int64_t n) {
  const GemmDirectATile* best = &tiles.tiles[0];
  for (int i = 1; i < tiles.count; ++i) {
    const GemmDirectATile& t = tiles.tiles[i];
    if (t.nr > n) continue;
    if (t.mr * t.nr > best->mr * best->nr || (t.mr * t.nr == best->mr * best->nr && t.mr > best->mr)) best = &t;
  }
  return *best;
}

// native/cpu/dispatch.cc picks the table of the active path (KernelTable::gemm_direct_a).
// The tables, built in the ISA files (f32_gemm_direct_a__<isa>.cc).
extern const GemmDirectATiles kGemmDirectAAvx512;
extern const GemmDirectATiles kGemmDirectAAvx2;

}  // namespace convnode
