// Max pooling with 3x3 windows at stride 2 and padding 0 or 1 (ResNet's
// stem pool, the bench's standard 3x3 case), forward and backward, and the
// pair that keeps each window's winner as a byte (max_pool_argmax.cc), one
// plane, as templates over a struct of vector operations (Ops). Included
// by f32_pool_loops__avx512.cc and f32_pool_loops__avx2_fma.cc after each defines its
// Ops; everything here has internal linkage, so no copy compiled for one
// ISA is shared with another. Other paths use the general loops
// (max_pool_phased_loops.h).
//
// The general loops handle any window with per-column bands, order keys
// and a winner loop GCC leaves scalar: 3x slower than memory for this
// shape. Written for the compiler to vectorise, the fixed window still
// came out scalar (three reads at stride 2) or stalled on store forwarding
// (one window's third column is the next one's first); hence explicit
// vectors here.
//
// A block is kLanes consecutive windows of one output row. Window k of the
// block covers input columns col0 + 2k + c, c = 0..2, with col0 =
// 2 * first window - pad: per input row, two loads split into even and odd
// columns give c = 0 and 1, and the even ones moved down a lane give c = 2.
// Blocks that reach past either end of the row load with a mask and read
// -inf there; a band's row in the padding is replaced by a real row
// (Band3).
//
// Results equal the general loops' and the TS backend's exactly. Forward:
// the first maximum in row-major order (-0 and +0 compare equal, so which
// comes first decides the sign); NaN wins its window. Backward: the winner
// is that same first maximum, and each input cell adds the gradients of
// the windows that chose it in row-major window order, from +0. The
// backward pass needs a plane without NaN or -inf (padding is -inf and
// must lose every comparison); for any other plane it returns false having
// written nothing, and the caller runs the general loops.
#pragma once

#include <cstdint>
#include <cstring>

#include "max_pool_phased.h"
#include "plane_prefetch.h"

namespace convnode {
namespace {

// The block helpers pass vectors by value; not inlined, GCC passed them
// through memory (the forward pass ran at a quarter of its speed).
#define CONVNODE_POOL_INLINE inline __attribute__((always_inline))

// The three input rows of output row oh's band, and the band row each
// stands for. A row in the padding is replaced by a real row of the band,
// with that row's index: the copy equals its source, so it changes no max,
// and winner_block credits the source with any win of the copy. The middle
// row is real except in a ceil-mode last band, whose top row is.
struct Band3 {
  const float* row[3];
  int32_t index[3];
};

inline Band3 band3(const MaxPoolPlan& p, const float* plane, int64_t oh) {
  const int64_t top = 2 * oh - p.pad_h;
  auto real = [&](int64_t d) { return top + d >= 0 && top + d < p.h; };
  int32_t source[3] = {0, 1, 2};
  if (!real(1)) source[1] = 0;
  if (!real(0)) source[0] = source[1];
  if (!real(2)) source[2] = source[1];
  Band3 b;
  for (int d = 0; d < 3; ++d) {
    b.row[d] = plane + (top + source[d]) * p.w;
    b.index[d] = source[d];
  }
  return b;
}

// Per input row, the block's windows' three columns: c = 0, 1, 2.
template <typename Ops>
struct Columns {
  typename Ops::V c[3];
};

inline int64_t first_column(const MaxPoolPlan& p, int64_t ow0) { return 2 * ow0 - p.pad; }

// A block reads input columns [col0, col0 + 2L]. Near either end of the
// row it loads with lane masks, the same for the band's three rows, and
// reads -inf outside [0, w).
template <typename Ops>
struct Clip {
  typename Ops::LaneMask first, second;  // lanes of the two loads inside the row
  bool last_real;                 // column col0 + 2L inside the row
};

template <typename Ops>
bool block_is_clipped(const MaxPoolPlan& p, int64_t ow0) {
  const int64_t col0 = first_column(p, ow0);
  return col0 < 0 || col0 + 2 * Ops::kLanes + 1 > p.w;
}

// Inlined: left as a call (GCC's choice) it took 12% of the backward pass.
template <typename Ops>
CONVNODE_POOL_INLINE Clip<Ops> clip_for(const MaxPoolPlan& p, int64_t ow0) {
  const int64_t col0 = first_column(p, ow0), last = col0 + 2 * Ops::kLanes;
  return {Ops::lanes_within(col0, p.w), Ops::lanes_within(col0 + Ops::kLanes, p.w), last >= 0 && last < p.w};
}

// Even and odd columns from two loads; the third column of window k is the
// first of window k + 1, so it is the even columns moved down one lane
// with column col0 + 2L brought in.
template <typename Ops, bool kClipped>
CONVNODE_POOL_INLINE Columns<Ops> load_columns(const float* row, int64_t col0, const Clip<Ops>& clip) {
  constexpr int64_t L = Ops::kLanes;
  typename Ops::V a, b;
  float last;
  if (kClipped) {
    a = Ops::load_masked(row + col0, clip.first);
    b = Ops::load_masked(row + col0 + L, clip.second);
    last = clip.last_real ? row[col0 + 2 * L] : -__builtin_inff();
  } else {
    a = Ops::load(row + col0);
    b = Ops::load(row + col0 + L);
    last = row[col0 + 2 * L];
  }
  const typename Ops::V even = Ops::even(a, b);
  return {{even, Ops::odd(a, b), Ops::shift_down(even, last)}};
}

template <typename Ops, bool kClipped>
CONVNODE_POOL_INLINE typename Ops::V forward_block(const MaxPoolPlan& p, const Band3& b, int64_t ow0,
                                                   const Clip<Ops>& clip) {
  using V = typename Ops::V;
  const int64_t col0 = first_column(p, ow0);
  const Columns<Ops> r0 = load_columns<Ops, kClipped>(b.row[0], col0, clip);
  const Columns<Ops> r1 = load_columns<Ops, kClipped>(b.row[1], col0, clip);
  const Columns<Ops> r2 = load_columns<Ops, kClipped>(b.row[2], col0, clip);
  // Along each row, then down the rows: with Ops::max(later, earlier)
  // keeping the earlier value on a tie, the result is the first maximum in
  // row-major order (which decides between -0 and +0). vmaxps drops NaN;
  // the mask puts it back.
  const V h0 = Ops::max(r0.c[2], Ops::max(r0.c[1], r0.c[0]));
  const V h1 = Ops::max(r1.c[2], Ops::max(r1.c[1], r1.c[0]));
  const V h2 = Ops::max(r2.c[2], Ops::max(r2.c[1], r2.c[0]));
  const V m = Ops::max(h2, Ops::max(h1, h0));
  const typename Ops::M nan =
      Ops::or_(Ops::or_(Ops::unordered(r0.c[0], r0.c[1]), Ops::unordered(r0.c[2], r1.c[0])),
               Ops::or_(Ops::or_(Ops::unordered(r1.c[1], r1.c[2]), Ops::unordered(r2.c[0], r2.c[1])),
                        Ops::unordered(r2.c[2], r2.c[2])));
  return Ops::blend(nan, Ops::splat(__builtin_nanf("")), m);
}

template <typename Ops>
void forward_3x3s2(const MaxPoolPlan& p, const MaxPoolScratch&, const float* plane, const float* next,
                   float* out) {
  constexpr int64_t L = Ops::kLanes;
  for (int64_t oh = 0; oh < p.ho; ++oh) {
    prefetch_share<PrefetchTo::kToL2>(p.h * p.w, p.ho, next, oh);
    const Band3 b = band3(p, plane, oh);
    float* o = out + oh * p.wo;
    for (int64_t ow0 = 0; ow0 < p.wo; ow0 += L) {
      // A last part-block starts L back when that reads only real columns
      // (its windows are computed twice, to the same values).
      const int64_t start = ow0 + L > p.wo && p.wo >= L && !block_is_clipped<Ops>(p, p.wo - L) ? p.wo - L : ow0;
      const typename Ops::V v = block_is_clipped<Ops>(p, start)
                                    ? forward_block<Ops, true>(p, b, start, clip_for<Ops>(p, start))
                                    : forward_block<Ops, false>(p, b, start, Clip<Ops>{});
      if (start + L <= p.wo) {
        Ops::store(o + start, v);
      } else {
        Ops::store_masked(o + start, Ops::lanes_within(start, p.wo), v);
      }
    }
  }
}

// Which cell of each window wins, found in two steps: along each input
// row, the row's maximum over the window's three columns and the first
// column holding it; then down the rows, the first row whose maximum is
// the largest (strictly greater beats an earlier row, so a tie keeps it).
// That is the first maximum in row-major order (no NaN here). A band's
// bottom row is the next band's top row, so its step along the row is
// kept (MaxPoolScratch::top) rather than done again. (The first version compared all
// nine cells with the window's max and took a running "not yet taken"
// mask: a third more vector operations, none shared between bands.)
template <typename Ops>
struct RowWinner {
  typename Ops::V max;
  typename Ops::M first0, first1;  // column 0 holds the row's first max; column 1 does (column 2: neither)
};

template <typename Ops, bool kClipped>
CONVNODE_POOL_INLINE RowWinner<Ops> row_winner(const float* row, int64_t col0, const Clip<Ops>& clip) {
  const Columns<Ops> r = load_columns<Ops, kClipped>(row, col0, clip);
  const typename Ops::V h = Ops::max(r.c[2], Ops::max(r.c[1], r.c[0]));
  const typename Ops::M first0 = Ops::equal(r.c[0], h);
  return {h, first0, Ops::and_not(Ops::equal(r.c[1], h), first0)};
}

// Per block, the RowWinner of the band's top row as the band above left
// it: the max, then the two masks, kLanes floats each (MaxPoolScratch::top).
template <typename Ops>
CONVNODE_POOL_INLINE void save_row(float* slot, const RowWinner<Ops>& r) {
  Ops::store(slot, r.max);
  Ops::save_mask(slot + Ops::kLanes, r.first0);
  Ops::save_mask(slot + 2 * Ops::kLanes, r.first1);
}

template <typename Ops>
CONVNODE_POOL_INLINE RowWinner<Ops> load_row(const float* slot) {
  return {Ops::load(slot), Ops::load_mask(slot + Ops::kLanes), Ops::load_mask(slot + 2 * Ops::kLanes)};
}

// The window's gradient g split over the band's three rows: all of it to
// the winning row, +0 to the others.
template <typename Ops>
struct RowGrads {
  typename Ops::V row[3];
};

template <typename Ops>
CONVNODE_POOL_INLINE RowGrads<Ops> route_to_rows(const Band3& b, const RowWinner<Ops> (&r)[3], typename Ops::V g) {
  using M = typename Ops::M;
  const M below1 = Ops::greater(r[1].max, r[0].max);                          // row 1 beats row 0
  const M below2 = Ops::greater(r[2].max, Ops::max(r[1].max, r[0].max));      // row 2 beats both
  // A copied padding row equals its source, so it never beats an earlier
  // row; only the top row can win as a copy (of row 1, the top padding),
  // and those wins belong to row 1.
  if (b.index[0] == 1) return {{Ops::zero(), Ops::pick_not(below2, g), Ops::pick(below2, g)}};
  return {{Ops::pick_not(Ops::or_(below1, below2), g), Ops::pick(Ops::and_not(below1, below2), g),
           Ops::pick(below2, g)}};
}

// Fast path only if the plane holds no NaN and no -inf (see the top).
template <typename Ops>
bool plane_is_orderable(const float* x, int64_t n) {
  constexpr int64_t L = Ops::kLanes;
  typename Ops::M bad = Ops::no_lanes();
  const typename Ops::V minus_inf = Ops::splat(-__builtin_inff());
  int64_t i = 0;
  // "Not greater than -inf" is true exactly for NaN and -inf.
  for (; i + L <= n; i += L) bad = Ops::or_(bad, Ops::not_greater(Ops::load(x + i), minus_inf));
  for (; i < n; ++i) {
    if (!(x[i] > -__builtin_inff())) return false;
  }
  return !Ops::any(bad);
}

// A band's gradient cells, in padded columns t (input column t - pad):
// cell 2m is column 2 of window m - 1 and column 0 of window m; cell
// 2m + 1 is column 1 of window m. They are computed split into even and
// odd cells, a block of kLanes windows at a time. The band's bottom row is
// the next band's top (MaxPoolScratch::carry).
//
// dx row `ih` (if real) gets a block's cells for padded columns
// [2*ow0, 2*ow0 + 2L). A block reaching past either end of the row is
// stored with lane masks where the path's masked stores are fast (AVX-512:
// 13% off the backward pass against the buffer), else through a buffer
// (AVX2's vmaskmovps made the pass 8% slower than the buffer).
template <typename Ops>
CONVNODE_POOL_INLINE void store_cells(const MaxPoolPlan& p, float* dx, int64_t ih, int64_t ow0,
                                      typename Ops::V even, typename Ops::V odd) {
  constexpr int64_t L = Ops::kLanes;
  if (ih < 0 || ih >= p.h) return;
  typename Ops::V lo, hi;
  Ops::interleave(even, odd, &lo, &hi);
  float* row = dx + ih * p.w;
  const int64_t col0 = first_column(p, ow0);
  if (col0 >= 0 && col0 + 2 * L <= p.w) {
    Ops::store(row + col0, lo);
    Ops::store(row + col0 + L, hi);
    return;
  }
  if (Ops::kFastMaskedStore) {
    Ops::store_masked(row + col0, Ops::lanes_within(col0, p.w), lo);
    Ops::store_masked(row + col0 + L, Ops::lanes_within(col0 + L, p.w), hi);
    return;
  }
  float cells[2 * L];
  Ops::store(cells, lo);
  Ops::store(cells + L, hi);
  const int64_t begin = col0 < 0 ? -col0 : 0;
  const int64_t end = p.w - col0 < 2 * L ? p.w - col0 : 2 * L;
  if (end > begin) std::memcpy(row + col0 + begin, cells + begin, sizeof(float) * size_t(end - begin));
}

// A block's window gradients split by band row and window column.
template <typename Ops>
struct ColumnGrads {
  typename Ops::V row[3][3];  // [band row][window column]
};

// Each band row's cells of one block, added to what the band above and
// the block to the left gave them. `column2_before` holds the previous
// block's column-2 shares, per row.
template <typename Ops>
CONVNODE_POOL_INLINE void add_and_store_band(const MaxPoolPlan& p, const MaxPoolScratch& t, int64_t oh,
                                             int64_t ow0, const ColumnGrads<Ops>& c,
                                             typename Ops::V (&column2_before)[3], float* dx) {
  using V = typename Ops::V;
  float* carry_even = t.carry;  // the band's top row, as the band above left it
  float* carry_odd = t.carry + p.block_windows;
  for (int d = 0; d < 3; ++d) {
    const V from_left = Ops::shift_in(c.row[d][2], column2_before[d]);
    column2_before[d] = c.row[d][2];
    const V zero = Ops::zero();
    const V base_even = d == 0 ? Ops::load(carry_even + ow0) : zero;
    const V base_odd = d == 0 ? Ops::load(carry_odd + ow0) : zero;
    // Window m - 1 before window m: row-major window order.
    const V even = Ops::add(Ops::add(base_even, from_left), c.row[d][0]);
    const V odd = Ops::add(base_odd, c.row[d][1]);
    if (d == 2) {
      Ops::store(carry_even + ow0, even);
      Ops::store(carry_odd + ow0, odd);
    } else {
      store_cells<Ops>(p, dx, 2 * oh + d - p.pad_h, ow0, even, odd);
    }
  }
}

// Step one for the block's three band rows; the top row's as the band
// above kept it (from the second band on), the bottom row's kept for the
// band below.
template <typename Ops, bool kClipped>
CONVNODE_POOL_INLINE void band_row_winners(const MaxPoolPlan& p, const MaxPoolScratch& t, const Band3& b, int64_t ow0,
                                           const Clip<Ops>& clip, bool top_is_kept, RowWinner<Ops> (&r)[3]) {
  const int64_t col0 = first_column(p, ow0);
  float* top = t.top + 3 * ow0;
  r[0] = top_is_kept ? load_row<Ops>(top) : row_winner<Ops, kClipped>(b.row[0], col0, clip);
  r[1] = row_winner<Ops, kClipped>(b.row[1], col0, clip);
  r[2] = row_winner<Ops, kClipped>(b.row[2], col0, clip);
  save_row<Ops>(top, r[2]);
}

// One block of band oh: its windows' winners, then each row's cells.
template <typename Ops, bool kClipped>
CONVNODE_POOL_INLINE void backward_block(const MaxPoolPlan& p, const MaxPoolScratch& t, const Band3& b, int64_t oh,
                                         int64_t ow0, const Clip<Ops>& clip, bool top_is_kept, typename Ops::V g,
                                         typename Ops::V (&column2_before)[3], float* dx) {
  RowWinner<Ops> r[3];
  band_row_winners<Ops, kClipped>(p, t, b, ow0, clip, top_is_kept, r);
  const RowGrads<Ops> rows = route_to_rows<Ops>(b, r, g);
  ColumnGrads<Ops> c;
  for (int d = 0; d < 3; ++d) {
    c.row[d][0] = Ops::pick(r[d].first0, rows.row[d]);
    c.row[d][1] = Ops::pick(r[d].first1, rows.row[d]);
    c.row[d][2] = Ops::pick_not(Ops::or_(r[d].first0, r[d].first1), rows.row[d]);
  }
  add_and_store_band<Ops>(p, t, oh, ow0, c, column2_before, dx);
}

// After the last band: its bottom row (held in carry), then the rows no
// window reaches.
template <typename Ops>
void finish_plane(const MaxPoolPlan& p, const MaxPoolScratch& t, int64_t blocks, float* dx) {
  constexpr int64_t L = Ops::kLanes;
  const int64_t last = 2 * p.ho - p.pad_h;
  for (int64_t blk = 0; blk < blocks; ++blk) {
    store_cells<Ops>(p, dx, last, blk * L, Ops::load(t.carry + blk * L),
                     Ops::load(t.carry + p.block_windows + blk * L));
  }
  const int64_t done = last + 1 > 0 ? last + 1 : 0;
  if (done < p.h) std::memset(dx + done * p.w, 0, sizeof(float) * size_t((p.h - done) * p.w));
}

template <typename Ops>
bool backward_3x3s2(const MaxPoolPlan& p, const MaxPoolScratch& t, const float* plane, const float* next,
                    const float* dy, float* dx) {
  using V = typename Ops::V;
  constexpr int64_t L = Ops::kLanes;
  if (!plane_is_orderable<Ops>(plane, p.h * p.w)) return false;
  // Blocks cover windows [0, wo], one past the last: its cell 2*wo takes
  // the last window's column 2. Windows from wo on have dy 0.
  const int64_t blocks = (p.wo + 1 + L - 1) / L;
  std::memset(t.carry, 0, sizeof(float) * size_t(2 * p.block_windows));
  for (int64_t oh = 0; oh < p.ho; ++oh) {
    prefetch_share(p.h * p.w, p.ho, next, oh);
    const Band3 b = band3(p, plane, oh);
    // From the second band on, the top row is the band above's bottom row,
    // a real row (the last band's top row is real, see band3).
    const bool top_is_kept = oh > 0;
    const float* g_row = dy + oh * p.wo;
    V column2_before[3] = {Ops::zero(), Ops::zero(), Ops::zero()};
    for (int64_t blk = 0; blk < blocks; ++blk) {
      const int64_t ow0 = blk * L;
      const V g = ow0 + L <= p.wo ? Ops::load(g_row + ow0)
                                  : Ops::load_masked_zero(g_row + ow0, Ops::lanes_within(ow0, p.wo));
      if (block_is_clipped<Ops>(p, ow0)) {
        backward_block<Ops, true>(p, t, b, oh, ow0, clip_for<Ops>(p, ow0), top_is_kept, g, column2_before, dx);
      } else {
        backward_block<Ops, false>(p, t, b, oh, ow0, Clip<Ops>{}, top_is_kept, g, column2_before, dx);
      }
    }
  }
  finish_plane<Ops>(p, t, blocks, dx);
  return true;
}

// A block's winners as bytes: the first n lanes (a part-block at the row's
// end goes through a buffer), and back, lanes past n reading 255 (no cell).
template <typename Ops>
CONVNODE_POOL_INLINE void store_bytes(uint8_t* p, typename Ops::V v, int64_t n) {
  if (n == Ops::kLanes) return Ops::store_bytes(p, v);
  uint8_t all[Ops::kLanes];
  Ops::store_bytes(all, v);
  std::memcpy(p, all, size_t(n));
}

template <typename Ops>
CONVNODE_POOL_INLINE typename Ops::V load_bytes(const uint8_t* p, int64_t n) {
  if (n == Ops::kLanes) return Ops::load_bytes(p);
  uint8_t part[Ops::kLanes];
  std::memset(part, 255, sizeof part);
  std::memcpy(part, p, size_t(n));
  return Ops::load_bytes(part);
}

// The forward pass that keeps each window's winner (max_pool_argmax.cc):
// the backward pass's two steps (RowWinner down the band, the kept row
// included), then the winner's window-local cell, 3 * row + column, as a
// byte. A band row copied from another stands for its source
// (Band3::index): only the top padding row can win as a copy, and its
// wins belong to row 1. Like the backward pass it needs a plane without
// NaN or -inf, and returns false, having written nothing, for others.
template <typename Ops, bool kClipped>
CONVNODE_POOL_INLINE void forward_argmax_block(const MaxPoolPlan& p, const MaxPoolScratch& t, const Band3& b,
                                               int64_t ow0, const Clip<Ops>& clip, bool top_is_kept,
                                               float* out, uint8_t* argmax) {
  using V = typename Ops::V;
  using M = typename Ops::M;
  RowWinner<Ops> r[3];
  band_row_winners<Ops, kClipped>(p, t, b, ow0, clip, top_is_kept, r);
  // As forward_block: on a tie the earlier row's value, and its sign.
  const V max01 = Ops::max(r[1].max, r[0].max);
  const M below1 = Ops::greater(r[1].max, r[0].max);
  const M below2 = Ops::greater(r[2].max, max01);
  V cell[3];
  for (int d = 0; d < 3; ++d) {
    const V column = Ops::blend(r[d].first0, Ops::zero(), Ops::blend(r[d].first1, Ops::splat(1.0f), Ops::splat(2.0f)));
    cell[d] = Ops::add(Ops::splat(float(3 * b.index[d])), column);
  }
  const V winner = Ops::blend(below2, cell[2], Ops::blend(below1, cell[1], cell[0]));
  const V m = Ops::max(r[2].max, max01);
  const int64_t n = p.wo - ow0 < Ops::kLanes ? p.wo - ow0 : Ops::kLanes;
  if (n == Ops::kLanes) {
    Ops::store(out + ow0, m);
  } else {
    Ops::store_masked(out + ow0, Ops::lanes_within(0, n), m);
  }
  store_bytes<Ops>(argmax + ow0, winner, n);
}

template <typename Ops>
bool forward_argmax_3x3s2(const MaxPoolPlan& p, const MaxPoolScratch& t, const float* plane, const float* next,
                          float* out, uint8_t* argmax) {
  constexpr int64_t L = Ops::kLanes;
  if (!plane_is_orderable<Ops>(plane, p.h * p.w)) return false;
  for (int64_t oh = 0; oh < p.ho; ++oh) {
    prefetch_share<PrefetchTo::kToL2>(p.h * p.w, p.ho, next, oh);
    const Band3 b = band3(p, plane, oh);
    const bool top_is_kept = oh > 0;  // as in backward_3x3s2
    float* o = out + oh * p.wo;
    uint8_t* a = argmax + oh * p.wo;
    for (int64_t ow0 = 0; ow0 < p.wo; ow0 += L) {
      if (block_is_clipped<Ops>(p, ow0)) {
        forward_argmax_block<Ops, true>(p, t, b, ow0, clip_for<Ops>(p, ow0), top_is_kept, o, a);
      } else {
        forward_argmax_block<Ops, false>(p, t, b, ow0, Clip<Ops>{}, top_is_kept, o, a);
      }
    }
  }
  return true;
}

// The backward pass from the winners the forward pass kept
// (max_pool_argmax.cc): each window's gradient goes to the cell its byte
// names, then on as in backward_3x3s2, so dx is the same bit for bit.
// The caller has checked that every byte names a cell of its window
// inside the input.
template <typename Ops>
void backward_argmax_3x3s2(const MaxPoolPlan& p, const MaxPoolScratch& t, const uint8_t* argmax, const float* dy,
                           float* dx) {
  using V = typename Ops::V;
  constexpr int64_t L = Ops::kLanes;
  const int64_t blocks = (p.wo + 1 + L - 1) / L;  // as in backward_3x3s2
  std::memset(t.carry, 0, sizeof(float) * size_t(2 * p.block_windows));
  for (int64_t oh = 0; oh < p.ho; ++oh) {
    const float* g_row = dy + oh * p.wo;
    const uint8_t* a_row = argmax + oh * p.wo;
    V column2_before[3] = {Ops::zero(), Ops::zero(), Ops::zero()};
    for (int64_t blk = 0; blk < blocks; ++blk) {
      const int64_t ow0 = blk * L, n = p.wo - ow0 < L ? p.wo - ow0 : L;
      const V g = n == L ? Ops::load(g_row + ow0) : Ops::load_masked_zero(g_row + ow0, Ops::lanes_within(ow0, p.wo));
      const V cell = load_bytes<Ops>(a_row + ow0, n);  // past the row: 255, no cell
      ColumnGrads<Ops> c;
      for (int d = 0; d < 3; ++d)
        for (int col = 0; col < 3; ++col) c.row[d][col] = Ops::pick(Ops::equal(cell, Ops::splat(float(3 * d + col))), g);
      add_and_store_band<Ops>(p, t, oh, ow0, c, column2_before, dx);
    }
  }
  finish_plane<Ops>(p, t, blocks, dx);
}

#undef CONVNODE_POOL_INLINE

}  // namespace
}  // namespace convnode
