// SGEMM, the BLIS way: five loops around one microkernel.
//
//   for jc in N step NC          B panel  (KC x NC, packed once per pc)
//    for pc in K step KC
//     pack B[pc:pc+kc, jc:jc+nc]            <- threads split the NR slivers
//     for ic in M step MC        A block  (MC x KC, packed once per ic)
//      pack A[ic:ic+mc, pc:pc+kc]           <- threads split the MR slivers
//      for jr in nc step NR, ir in mc step MR: microkernel  <- threads split tiles
//
// Everything outside the microkernel is portable; packing absorbs both
// transpose flags (it reads op(A) and op(B) through row/column strides).
//
// Narrow products (N <= 128) with a row-major A skip the A packing: tiles
// read A in place against one packed B panel (gemm_direct_a_ukernel.h), so the
// largest operand is read once instead of copied and read again.
//
// One OpenMP region spans the whole call; every C element is computed by
// one thread in a fixed k order, so results do not depend on the thread
// count.
#include <algorithm>
#include <type_traits>

#include "convnode/kernels.h"
#include "convnode/runtime.h"
#include "cpu/scratch.h"
#include "cpu/dispatch.h"
#include "gemm_direct_a_ukernel.h"
#include "gemm_ukernel.h"
#include "../round_up.h"
#include "../transpose.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace convnode {
namespace {

// Element (r, col) of op(X) lives at x[r * rs + col * cs].
struct Operand {
  const float* x;
  int64_t rs, cs;
};

// Packing is a copy, but it is the whole cost of a small GEMM (a LeNet conv
// multiplies 6 x 25 by 25 x 784), so each operand layout gets a loop that
// reads memory in order: one contiguous run per packed row when the source
// is laid out that way, else a transpose that reads along source rows.

// Copies n floats; n is the sliver width, fixed per kernel, so the common
// widths become straight-line vector moves.
inline void copy_run(const float* src, int64_t n, float* dst) {
  switch (n) {
    case 32: __builtin_memcpy(dst, src, 32 * sizeof(float)); return;
    case 16: __builtin_memcpy(dst, src, 16 * sizeof(float)); return;
    case 12: __builtin_memcpy(dst, src, 12 * sizeof(float)); return;
    case 6: __builtin_memcpy(dst, src, 6 * sizeof(float)); return;
    default: std::copy(src, src + n, dst);
  }
}

// A sliver of `len` (MR or NR) lines by kc: dst[p * len + i] is element i of
// line p of the sliver. `along` is the source stride between the `count`
// real elements of one packed line, `across` the stride between lines;
// elements past `count` are zero.
void pack_sliver(const float* src, int64_t along, int64_t across, int64_t count,
                 int64_t kc, int len, float* dst) {
  if (count < len) {
    for (int64_t p = 0; p < kc; ++p)
      std::fill(dst + p * len + count, dst + (p + 1) * len, 0.0f);
  }
  if (along == 1) {
    for (int64_t p = 0; p < kc; ++p) copy_run(src + p * across, count, dst + p * len);
    return;
  }
  // Transposing, 4 x 4 blocks at a time through vector registers: four
  // loads along four source lines, four stores along four packed lines
  // (a scalar loop would store one float per cycle at best).
  int64_t i = 0;
  if (across == 1) {
    for (; i + 4 <= count; i += 4) {
      const float* l0 = src + i * along;
      int64_t p = 0;
      for (; p + 4 <= kc; p += 4)
        transpose_4x4(l0 + p, along, dst + p * len + i, len);
      for (; p < kc; ++p)
        for (int64_t r = 0; r < 4; ++r) dst[p * len + i + r] = l0[r * along + p];
    }
    for (; i + 2 <= count; i += 2) {
      const float* l0 = src + i * along;
      int64_t p = 0;
      for (; p + 4 <= kc; p += 4) transpose_2x4(l0 + p, along, dst + p * len + i, len);
      for (; p < kc; ++p) dst[p * len + i] = l0[p], dst[p * len + i + 1] = l0[along + p];
    }
  }
  for (; i < count; ++i) {
    const float* line = src + i * along;
    float* col = dst + i;
    for (int64_t p = 0; p < kc; ++p) col[p * len] = line[p * across];
  }
}

// MR-row slivers of op(A)[ic:ic+mc, pc:pc+kc], zero-padded to full MR.
inline void pack_a_sliver(const Operand& A, int64_t row0, int64_t rows, int64_t col0,
                          int64_t kc, int mr, float* dst) {
  pack_sliver(A.x + row0 * A.rs + col0 * A.cs, A.rs, A.cs, rows, kc, mr, dst);
}

// NR-column slivers of op(B)[pc:pc+kc, jc:jc+nc], zero-padded to full NR.
inline void pack_b_sliver(const Operand& B, int64_t row0, int64_t kc, int64_t col0,
                          int64_t cols, int nr, float* dst) {
  pack_sliver(B.x + row0 * B.rs + col0 * B.cs, B.cs, B.rs, cols, kc, nr, dst);
}

// B slivers s0..s1-1 of the panel op(B)[pc:pc+kc, jc:jc+nc], sliver s at
// dst + s * stride. When op(B)'s rows are contiguous, the full slivers are
// filled row by row so that B is read in address order. (Sliver by sliver,
// consecutive reads sit a row of B apart, often a page or more, a stride the
// hardware prefetchers do not follow. With this and transpose_2x4, packing
// went from 7.1% to 3.9% of an AVX2 1024-cubed GEMM's time under perf.)
void pack_b_slivers(const Operand& B, int64_t pc, int64_t kc, int64_t jc, int64_t nc, int nr,
                    int64_t s0, int64_t s1, float* dst, int64_t stride) {
  const int64_t full_end = std::min(s1, nc / nr);
  if (B.cs == 1 && full_end > s0) {
    const float* src = B.x + pc * B.rs + jc;
    for (int64_t p = 0; p < kc; ++p)
      for (int64_t s = s0; s < full_end; ++s)
        copy_run(src + p * B.rs + s * nr, nr, dst + s * stride + p * nr);
    s0 = full_end;
  }
  for (int64_t s = s0; s < s1; ++s)
    pack_b_sliver(B, pc, kc, jc + s * nr, std::min<int64_t>(nr, nc - s * nr), nr, dst + s * stride);
}

void scale_c(int64_t m, int64_t n, float beta, float* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
    float* row = c + i * ldc;
    if (beta == 0.0f) {
      std::fill(row, row + n, 0.0f);
    } else if (beta != 1.0f) {
      for (int64_t j = 0; j < n; ++j) row[j] *= beta;
    }
  }
}

// Runs f(begin, end) on this thread's share of 0..count-1 (all of it
// outside a team), then waits for the team: contiguous shares, like
// schedule(static), for loops that walk their range in their own order.
template <bool kTeam, typename F>
inline void for_share(int64_t count, F f) {
  int64_t threads = 1, me = 0;
#ifdef _OPENMP
  if constexpr (kTeam) threads = omp_get_num_threads(), me = omp_get_thread_num();
#endif
  f(count * me / threads, count * (me + 1) / threads);
  if constexpr (kTeam) {
#pragma omp barrier
  }
}

// Share of the microkernel's tiles that holds real rows and columns.
double tile_use(const GemmKernel& k, int64_t m, int64_t n) {
  return double(m) / double(round_up(m, k.mr)) * double(n) / double(round_up(n, k.nr));
}

// The AVX-512 tile (12 x 32) is half empty for skinny products (6 filters,
// 16 columns); the AVX2 tile (6 x 16) fits them. Take it when it is at
// least twice as full: on CPUs that split 512-bit FMAs in two (AMD Zen 4)
// both have the same peak, and on the others it is no worse.
const GemmKernel& pick_kernel(int64_t m, int64_t n) {
  const Isa isa = active_isa();
  const GemmKernel& k = *kernel_table(isa).gemm;
  if (isa == Isa::kAvx512 && isa_available(Isa::kAvx2)) {
    const GemmKernel& narrow = *kernel_table(Isa::kAvx2).gemm;
    if (tile_use(narrow, m, n) >= 2.0 * tile_use(k, m, n)) return narrow;
  }
  return k;
}

struct Blocks {
  Operand A, B;
  int64_t m, n, k;
  float alpha, beta;
  float* c;
  int64_t ldc, mc_max, kc_max, nc_max;
  float* a_pack;
  float* b_pack;
  const GemmKernel& kern;
};

// Runs f(0..count-1): split over the team of the enclosing parallel region
// when kTeam, as a plain loop otherwise. (An orphaned "omp for" would bind
// to any enclosing region, including a caller's batch-parallel one.)
template <bool kTeam, typename F>
inline void for_each(int64_t count, F f) {
  if constexpr (kTeam) {
#pragma omp for schedule(static)
    for (int64_t i = 0; i < count; ++i) f(i);
  } else {
    for (int64_t i = 0; i < count; ++i) f(i);
  }
}

// One A block: pack op(A)[ic:ic+mc, pc:pc+kc] into a_pack, then every tile
// of the block against the packed B panel; both steps split over the team
// when kTeam.
template <bool kTeam>
void gemm_block(const Blocks& g, int64_t jc, int64_t nc, int64_t pc, int64_t kc,
                float beta_eff, int64_t ic, int64_t mc, float* a_pack) {
  const GemmKernel& kern = g.kern;
  const int mr = kern.mr, nr = kern.nr;
  const int64_t a_slivers = (mc + mr - 1) / mr, b_slivers = (nc + nr - 1) / nr;
  for_each<kTeam>(a_slivers, [&](int64_t s) {
    pack_a_sliver(g.A, ic + s * mr, std::min<int64_t>(mr, mc - s * mr), pc, kc, mr,
                  a_pack + s * mr * kc);
  });
  for_each<kTeam>(a_slivers * b_slivers, [&](int64_t t) {
    const int64_t js = t / a_slivers, is = t % a_slivers;
    const int64_t i0 = is * mr, j0 = js * nr;
    kern.ukernel(kc, a_pack + is * mr * kc, g.b_pack + js * nr * kc,
                 g.c + (ic + i0) * g.ldc + jc + j0, g.ldc, std::min<int64_t>(mr, mc - i0),
                 std::min<int64_t>(nr, nc - j0), g.alpha, beta_eff);
  });
}

// The five loops on one thread over columns [c0, c1) of C, packing A
// blocks and B panels into a_pack and b_pack: the whole GEMM outside a
// team, or one thread's columns in a team that splits them (no other
// thread reads its packs).
void gemm_columns(const Blocks& g, int64_t c0, int64_t c1, float* a_pack, float* b_pack) {
  Blocks mine = g;
  mine.a_pack = a_pack;
  mine.b_pack = b_pack;
  const int nr = g.kern.nr;
  for (int64_t jc = c0; jc < c1; jc += g.nc_max) {
    const int64_t nc = std::min(g.nc_max, c1 - jc);
    for (int64_t pc = 0; pc < g.k; pc += g.kc_max) {
      const int64_t kc = std::min(g.kc_max, g.k - pc);
      pack_b_slivers(g.B, pc, kc, jc, nc, nr, 0, (nc + nr - 1) / nr, b_pack, nr * kc);
      for (int64_t ic = 0; ic < g.m; ic += g.mc_max)
        gemm_block<false>(mine, jc, nc, pc, kc, pc == 0 ? g.beta : 1.0f, ic, std::min(g.mc_max, g.m - ic), a_pack);
    }
  }
}

// The five loops split over the team of the GEMM's own parallel region
// (one thread runs gemm_columns over all of C). Fewer rows than columns:
// each thread takes its own columns. Otherwise the team packs each B panel
// together; then, when there are enough rows, each thread takes its own
// share of them and packs its own A blocks, so the only barriers are
// around the B panel. (Splitting every A block over the team costs two
// barriers per block; 128-cubed on 2 threads went from about 124 to
// 131-140 GFLOP/s without them.)
void gemm_team_loops(const Blocks& g) {
  const int64_t m = g.m, n = g.n, k = g.k, mc_max = g.mc_max, kc_max = g.kc_max, nc_max = g.nc_max;
  const int mr = g.kern.mr, nr = g.kern.nr;
  const int64_t row_slivers = (m + mr - 1) / mr, col_slivers = (n + nr - 1) / nr;
  int threads = 1, me = 0;
#ifdef _OPENMP
  threads = omp_get_num_threads(), me = omp_get_thread_num();
#endif
  // Fewer rows than columns: each thread takes whole B slivers and packs
  // all of A for itself, instead of the team sharing one packed B panel.
  // A is then the smaller operand to pack twice, and no thread reads what
  // another wrote: on a 2-core AMD EPYC VM, reading the other core's half
  // of the B panel made LeNet's 64 x 400 x 120 and 64 x 256 x 256 slower on
  // 2 threads than on one (40 -> 48 us, 54 -> 61 us).
  if (m < n && col_slivers >= 2 * threads) {
    static thread_local Scratch own_a_cols, own_b_cols;
    gemm_columns(g, col_slivers * me / threads * nr, std::min(n, col_slivers * (me + 1) / threads * nr),
                 me == 0 ? g.a_pack : own_a_cols.floats(static_cast<size_t>(mc_max * kc_max)),
                 me == 0 ? g.b_pack : own_b_cols.floats(static_cast<size_t>(nc_max * kc_max)));
    return;
  }
  const bool split_rows = row_slivers >= 2 * threads;
  // This thread's rows when they are split: whole slivers, as even as can be.
  const int64_t my_first = split_rows ? row_slivers * me / threads * mr : 0;
  const int64_t my_end = split_rows ? std::min(m, row_slivers * (me + 1) / threads * mr) : m;
  // The calling thread (0) packs into the call's buffer, the others into
  // their own.
  static thread_local Scratch own_a_scratch;
  float* own_a_pack = !split_rows ? nullptr
                      : me == 0   ? g.a_pack
                                  : own_a_scratch.floats(static_cast<size_t>(mc_max * kc_max));

  for (int64_t jc = 0; jc < n; jc += nc_max) {
    const int64_t nc = std::min(nc_max, n - jc);
    const int64_t b_slivers = (nc + nr - 1) / nr;
    for (int64_t pc = 0; pc < k; pc += kc_max) {
      const int64_t kc = std::min(kc_max, k - pc);
      const float beta_eff = pc == 0 ? g.beta : 1.0f;
      for_share<true>(b_slivers, [&](int64_t s0, int64_t s1) {
        pack_b_slivers(g.B, pc, kc, jc, nc, nr, s0, s1, g.b_pack, nr * kc);
      });
      if (split_rows) {
        for (int64_t ic = my_first; ic < my_end; ic += mc_max)
          gemm_block<false>(g, jc, nc, pc, kc, beta_eff, ic, std::min(mc_max, my_end - ic), own_a_pack);
        // Nobody repacks B while another thread still reads it.
#pragma omp barrier
      } else {
        for (int64_t ic = 0; ic < m; ic += mc_max)
          gemm_block<true>(g, jc, nc, pc, kc, beta_eff, ic, std::min(mc_max, m - ic), g.a_pack);
      }
    }
  }
}

// ---- The direct-A path (gemm_direct_a_ukernel.h) ----

// Widest N the direct-A path takes. With N <= 128 a packed A sliver would
// serve at most four (AVX-512) or eight (AVX2) B slivers: too little reuse
// to pay for copying A, the largest operand of a narrow product. Past 64
// the widest tile runs over two or more column blocks, the rows staying in
// L1 after the first. Raising the limit from 64 to 128 measured (C++
// harness, AVX-512, medians): 128-cubed at 2 threads 142-148 -> 139-162
// GFLOP/s (best 145-150 -> 153-165), 64x120x400 (B transposed) at 1
// thread 80 -> 86-90, 64x100x120 70 -> 73-78; AVX2 128-cubed at 1 thread
// best 82-86 -> 94-109. Earlier, letting it take every N up to 4096 gained
// nothing on the FC shapes past 128 and lost on 64x6272x150.
constexpr int64_t kDirectAMaxN = 128;
// The B panel (kc x N, packed) stays in L2 while the rows of A stream past
// it; K is split into equal blocks no larger than this.
constexpr int64_t kDirectABPanelFloats = 64 * 1024;  // 256 KB
// The largest A (floats) that every thread reads whole when the threads
// split the columns of C (gemm_direct_a_loops): half of a core's L2 here.
constexpr int64_t kDirectAColumnSplitMaxA = 128 * 1024;  // 512 KB

const GemmDirectATile* pick_direct_a(bool trans_a, int64_t n) {
  if (trans_a || n > kDirectAMaxN) return nullptr;
  const GemmDirectATiles& t = *active_kernel_table().gemm_direct_a;
  for (int i = 0; i < t.count; ++i)
    if (t.tiles[i].nr >= n || i == t.count - 1) return &t.tiles[i];
  return nullptr;
}

struct DirectABlocks {
  Operand A, B;
  int64_t m, n, k;
  float alpha, beta;
  float* c;
  int64_t ldc, kc_max;
  float* b_pack;
  // B is already what packing would make (row-major, exactly one sliver
  // wide): the tiles read it in place. 64-cubed spent about 0.3 us of its
  // 5.5 copying B.
  bool b_in_place;
  const GemmDirectATile& tile;
};

// The last row tile has fewer than MR rows, but the tile reads all MR:
// they go through a zero-padded copy (per thread).
const float* pad_last_rows(const float* a, int64_t lda, int64_t rows,
                           int64_t kc, int mr) {
  static thread_local Scratch edge_scratch;
  float* edge = edge_scratch.floats(static_cast<size_t>(mr * kc));
  for (int64_t i = 0; i < rows; ++i) std::copy(a + i * lda, a + i * lda + kc, edge + i * kc);
  std::fill(edge + rows * kc, edge + mr * kc, 0.0f);
  return edge;
}

// Row tile t (MR rows of C) against B slivers [s_begin, s_end) of the
// packed panel: after the first sliver, the rows are read from L1. Sliver
// s sits at s * NR * kc_max for every K block, the last (shorter) one
// included: when the threads split the columns, one may pack its sliver
// for the next block while another still reads its own for this one, and
// packed at s * NR * kc they overlapped.
inline void direct_a_row_tile(const DirectABlocks& g, const float* panel, int64_t t, int64_t pc, int64_t kc,
                              float beta_eff, int64_t s_begin, int64_t s_end) {
  const int mr = g.tile.mr, nr = g.tile.nr;
  const int64_t i0 = t * mr, rows = std::min<int64_t>(mr, g.m - i0);
  const float* a = g.A.x + i0 * g.A.rs + pc;
  int64_t lda = g.A.rs;
  if (rows < mr) {
    a = pad_last_rows(a, lda, rows, kc, mr);
    lda = kc;
  }
  for (int64_t s = s_begin; s < s_end; ++s)
    g.tile.tile(kc, a, lda, panel + s * nr * g.kc_max, nr, g.c + i0 * g.ldc + s * nr, g.ldc, rows,
                std::min<int64_t>(nr, g.n - s * nr), g.alpha, beta_eff);
}

// With a B sliver or more per thread and a small A, each thread takes its
// own slivers (whole columns of C), packs them and runs every row tile
// against them: no barrier inside the call. (Splitting rows shares the
// packed panel, so the team waits for it, and again at the end of the row
// tiles; each barrier cost about 0.7 us here, the fork and join about 1
// us. 128-cubed at 2 threads, C++ harness medians interleaved: 155, 154,
// 155 -> 169, 182, 172 GFLOP/s.) Every thread then reads all of A, hence
// the limit on its size. Otherwise the team packs the panel together and
// splits the row tiles. Either way each element of C comes from the same
// tile and K order whatever the thread count: the same results bit for bit.
template <bool kTeam>
void gemm_direct_a_loops(const DirectABlocks& g) {
  const int mr = g.tile.mr, nr = g.tile.nr;
  const int64_t b_slivers = (g.n + nr - 1) / nr, row_tiles = (g.m + mr - 1) / mr;
  int threads = 1, me = 0;
#ifdef _OPENMP
  if constexpr (kTeam) threads = omp_get_num_threads(), me = omp_get_thread_num();
#endif
  const bool split_columns = kTeam && b_slivers >= threads && g.m * g.k <= kDirectAColumnSplitMaxA;
  const int64_t my_first = split_columns ? b_slivers * me / threads : 0;
  const int64_t my_end = split_columns ? b_slivers * (me + 1) / threads : b_slivers;
  for (int64_t pc = 0; pc < g.k; pc += g.kc_max) {
    const int64_t kc = std::min(g.kc_max, g.k - pc);
    const float beta_eff = pc == 0 ? g.beta : 1.0f;
    const float* panel = g.b_in_place ? g.B.x + pc * g.B.rs : g.b_pack;
    auto pack = [&](int64_t s0, int64_t s1) {
      pack_b_slivers(g.B, pc, kc, 0, g.n, nr, s0, s1, g.b_pack, nr * g.kc_max);
    };
    if (split_columns) {
      if (!g.b_in_place) pack(my_first, my_end);
      for (int64_t t = 0; t < row_tiles; ++t) direct_a_row_tile(g, panel, t, pc, kc, beta_eff, my_first, my_end);
    } else {
      if (!g.b_in_place) for_share<kTeam>(b_slivers, pack);
      for_each<kTeam>(row_tiles, [&](int64_t t) { direct_a_row_tile(g, panel, t, pc, kc, beta_eff, 0, b_slivers); });
    }
  }
}

// Runs loops(team) on `threads` threads: one OpenMP region for the whole
// call, or none at all (a small call does not pay for libgomp's serialized
// region).
template <class Loops>
void run_loops(int threads, Loops loops) {
  if (threads > 1) {
#pragma omp parallel num_threads(threads)
    loops(std::true_type{});
  } else {
    loops(std::false_type{});
  }
}

// A few rows of op(A) (a batch of 1-4 through a Linear layer): matrix-vector
// products that read B once, in its own layout, instead of packing it. B is
// the whole cost there: SmallVGG's 3136 x 256 classifier weights at batch 1
// took 0.2 ms through the packed path (8 GFLOP/s), which copies all 3.2 MB
// before multiplying. Threads split the columns of C; each element is still
// summed by one thread in a fixed order.
constexpr int64_t kFewRows = 4;

template <bool kTeam>
void few_rows_loops(bool trans_b, int64_t m, int64_t n, int64_t k, float alpha, const float* a_rows,
                    int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  for_share<kTeam>(n, [&](int64_t j0, int64_t j1) {
    const auto put = [&](int64_t i, int64_t j, float sum) {
      float& out = c[i * ldc + j];
      out = beta == 0.0f ? alpha * sum : alpha * sum + beta * out;
    };
    if (trans_b) {
      // op(B) column j is row j of b: dot products along contiguous memory,
      // on the active path's vectors (gemm_few_rows.h), into this thread's
      // m x (j1 - j0) block, then alpha and beta.
      static thread_local Scratch dots_scratch;
      float* sums = dots_scratch.floats(static_cast<size_t>(m * (j1 - j0)));
      active_kernel_table().gemm_few_rows(m, j1 - j0, k, a_rows, lda, b + j0 * ldb, ldb, sums, j1 - j0);
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = j0; j < j1; ++j) put(i, j, sums[i * (j1 - j0) + j - j0]);
      return;
    }
    // op(B) row p is row p of b: C's row gathers a[i][p] * b[p][j0:j1] over p.
    static thread_local Scratch row_scratch;
    float* row = row_scratch.floats(static_cast<size_t>(j1 - j0));
    for (int64_t i = 0; i < m; ++i) {
      const float* ai = a_rows + i * lda;
      std::fill(row, row + (j1 - j0), 0.0f);
      for (int64_t p = 0; p < k; ++p) {
        const float x = ai[p];
        const float* bp = b + p * ldb + j0;
        for (int64_t j = 0; j < j1 - j0; ++j) row[j] += x * bp[j];
      }
      for (int64_t j = j0; j < j1; ++j) put(i, j, row[j - j0]);
    }
  });
}

}  // namespace

void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k,
           float alpha, const float* a, int64_t lda, const float* b,
           int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == 0.0f) {
    scale_c(m, n, beta, c, ldc);
    return;
  }
  const Operand A = trans_a ? Operand{a, 1, lda} : Operand{a, lda, 1};
  const Operand B = trans_b ? Operand{b, 1, ldb} : Operand{b, ldb, 1};
  static thread_local Scratch a_scratch, b_scratch;

  // Below ~2 MFLOP the fork/join costs more than it saves.
  const double flops = 2.0 * double(m) * double(n) * double(k);
  // Called from inside another parallel region (a batch-parallel conv), the
  // caller already owns the threads.
  int threads = flops < 2.0e6 ? 1 : num_threads();
#ifdef _OPENMP
  if (omp_in_parallel()) threads = 1;
#endif

  if (m <= kFewRows) {
    log_choice("sgemm", "few_rows");
    // op(A)'s rows: A's own when it is row-major, else gathered (a transposed
    // A is strided): m * k floats, small beside B.
    const float* rows = a;
    int64_t ld_rows = lda;
    if (trans_a) {
      static thread_local Scratch rows_scratch;
      float* gathered = rows_scratch.floats(static_cast<size_t>(m * k));
      for (int64_t i = 0; i < m; ++i)
        for (int64_t p = 0; p < k; ++p) gathered[i * k + p] = a[p * lda + i];
      rows = gathered, ld_rows = k;
    }
    if (n < 2 * threads) threads = 1;
    run_loops(threads, [&](auto team) {
      few_rows_loops<decltype(team)::value>(trans_b, m, n, k, alpha, rows, ld_rows, b, ldb, beta, c, ldc);
    });
    return;
  }

  if (const GemmDirectATile* tile = pick_direct_a(trans_a, n)) {
    log_choice("sgemm", "direct_a", tile->name);
    const int64_t width = round_up(n, tile->nr);
    const int64_t blocks = std::max<int64_t>(1, (k * width + kDirectABPanelFloats - 1) / kDirectABPanelFloats);
    const int64_t kc_max = (k + blocks - 1) / blocks;
    float* b_pack = b_scratch.floats(static_cast<size_t>(width * kc_max));
    const bool b_in_place = !trans_b && n == tile->nr && ldb == n;
    const DirectABlocks g{A, B, m, n, k, alpha, beta, c, ldc, kc_max, b_pack, b_in_place, *tile};
    run_loops(threads, [&](auto team) { gemm_direct_a_loops<decltype(team)::value>(g); });
    return;
  }

  const GemmKernel& kern = pick_kernel(m, n);
  log_choice("sgemm", "packed", kern.name);
  const int mr = kern.mr, nr = kern.nr;
  const int64_t nc_max = std::min<int64_t>(kern.nc, round_up(n, nr));
  // K blocks of even length, as the direct-A path does: a short last block
  // (576 = 512 + 64 for a 3x3 x 64-channel convolution) loads and stores
  // the C tiles for little work. 128x784x576, 1 thread, best of each run:
  // 93-98 -> 98-99 GFLOP/s.
  const int64_t k_blocks = (k + kern.kc - 1) / kern.kc;
  const int64_t kc_max = std::max<int64_t>(1, (k + k_blocks - 1) / k_blocks);
  const int64_t mc_max = std::min<int64_t>(kern.mc, round_up(m, mr));
  float* a_pack = a_scratch.floats(static_cast<size_t>(mc_max * kc_max));
  float* b_pack = b_scratch.floats(static_cast<size_t>(nc_max * kc_max));
  const Blocks blocks{A, B, m, n, k, alpha, beta, c, ldc, mc_max, kc_max, nc_max, a_pack, b_pack, kern};
  run_loops(threads, [&](auto team) {
    if constexpr (decltype(team)::value) gemm_team_loops(blocks);
    else gemm_columns(blocks, 0, n, a_pack, b_pack);
  });
}

}  // namespace convnode
