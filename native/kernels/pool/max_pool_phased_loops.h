// The loops of MaxPoolPhased, included by one file per ISA path
// (max_pool_phased.cc for the baseline, f32_max_pool_phased__avx2_fma.cc,
// f32_max_pool_phased__avx512.cc), each compiled with its own target flags.
// Everything here has internal linkage and uses no library templates, so no
// copy compiled for one ISA can be shared with another.
//
// Max pooling, separable and split by column phase (see MaxPoolPlan), so
// that every loop runs over contiguous arrays and vectorises, whatever the
// window and stride. Per band of input rows (one output row): a pass down
// the rows leaves, per padded column, the band's max (forward) or its
// largest order key and the first row holding it (backward), written
// straight into the phase layout. A pass per window column j then folds
// those into every window's result at once.
//
// The backward pass does not scatter each window's gradient to its winner
// (a load that waits for the winner's index, and conflicts between
// overlapping windows). Each window has a code, row * kw + j, for its
// winning cell; a cell gathers dy from every window that covers it and
// chose it. Visiting j from kw-1 down to 0 visits the windows covering a
// column in increasing order, and bands run top to bottom, so a cell adds
// its windows' gradients in row-major window order, as a scatter would.
// Windows that did not choose the cell add +0, which changes no sum that
// starts at +0.
//
// NaN: forward, a NaN sticks once met. Backward, the order key puts NaN
// above everything, so the first NaN in row-major order wins its window, as
// PyTorch's scan does.
//
// "omp simd" on the hot loops: their arrays never overlap, and proving that
// at run time takes more alias checks than GCC will emit.
#pragma once

#include <cstdint>
#include <cstring>

#include "max_pool_phased.h"
#include "order_key.h"

namespace convnode {
namespace {

constexpr float kMinusInf = -__builtin_inff();
constexpr int32_t kPaddingKey = INT32_MIN;  // below every float's key

// Selects written as bit operations on a mask of all ones or all zeros:
// "c ? a : b" on floats, or on an array element being updated, can compile
// to a branch or a conditional store, neither of which vectorises.
inline int32_t mask_of(bool c) { return -int32_t(c); }
inline int32_t select(int32_t mask, int32_t a, int32_t b) { return (a & mask) | (b & ~mask); }
inline float select(int32_t mask, float a, float b) {
  int32_t ia, ib;
  std::memcpy(&ia, &a, sizeof ia);
  std::memcpy(&ib, &b, sizeof ib);
  const int32_t r = select(mask, ia, ib);
  float out;
  std::memcpy(&out, &r, sizeof out);
  return out;
}

// The mask of "v replaces the running max cur": v is larger, or NaN (which
// then stays, since nothing compares larger than NaN).
inline int32_t replaces(float v, float cur) { return mask_of((v > cur) | (v != v)); }

// Calls real(i, iw) for every phase entry i whose column iw is in the input
// and pad(i) for the others. kStride is the stride when known at compile
// time (the strided loads then vectorise), or 0.
template <int kStride, typename Real, typename Pad>
inline void for_each_entry(const MaxPoolPlan& p, Real&& real, Pad&& pad) {
  const int64_t stride = kStride != 0 ? kStride : p.stride;
  const int64_t n = p.entries;
  auto edge = [&](int64_t m) {
    for (int64_t q = 0; q < stride; ++q) {
      const int64_t iw = m * stride + q - p.pad;
      if (iw >= 0 && iw < p.w) real(q * n + m, iw);
      else pad(q * n + m);
    }
  };
  for (int64_t m = 0; m < p.inner_lo; ++m) edge(m);
  // Phase by phase: one contiguous store stream and one load stream of
  // stride kStride per loop, a shape every vectoriser takes.
  for (int64_t q = 0; q < stride; ++q) {
    const int64_t at = q * n, from = q - p.pad;
#pragma omp simd
    for (int64_t m = p.inner_lo; m < p.inner_hi; ++m) real(at + m, m * stride + from);
  }
  for (int64_t m = p.inner_hi; m < n; ++m) edge(m);
}

// The inverse of the phase split for one row: all phases of an entry in one
// iteration, so the row is written in order (a loop per phase would write
// every cache line `stride` times).
template <int kStride>
void phases_to_row(const MaxPoolPlan& p, const float* phased, float* row) {
  const int64_t stride = kStride != 0 ? kStride : p.stride;
  const int64_t n = p.entries;
  auto edge = [&](int64_t m) {
    for (int64_t q = 0; q < stride; ++q) {
      const int64_t iw = m * stride + q - p.pad;
      if (iw >= 0 && iw < p.w) row[iw] = phased[q * n + m];
    }
  };
  for (int64_t m = 0; m < p.inner_lo; ++m) edge(m);
  float* out = row - p.pad;
  if constexpr (kStride == 2) {
    const float* even = phased;
    const float* odd = phased + n;
#pragma omp simd
    for (int64_t m = p.inner_lo; m < p.inner_hi; ++m) {
      out[2 * m] = even[m];
      out[2 * m + 1] = odd[m];
    }
  } else {
    for (int64_t m = p.inner_lo; m < p.inner_hi; ++m) {
      for (int64_t q = 0; q < stride; ++q) out[m * stride + q] = phased[q * n + m];
    }
  }
  for (int64_t m = p.inner_hi; m < n; ++m) edge(m);
}

// Forward, down the rows of one band: per entry the max (NaN sticks). Each
// row reads one buffer and writes the other (see select).
template <int kStride>
const float* band_max(const MaxPoolPlan& p, const MaxPoolScratch& t, const float* plane, const Span& r) {
  const float* prev = nullptr;
  for (int64_t ih = r.lo, b = 0; ih < r.hi; ++ih, b ^= 1) {
    const float* in = plane + ih * p.w;
    float* next = t.value[b];
    if (prev == nullptr) {
      for_each_entry<kStride>(p, [&](int64_t i, int64_t iw) { next[i] = in[iw]; },
                              [&](int64_t i) { next[i] = kMinusInf; });
    } else {
      for_each_entry<kStride>(
          p,
          [&](int64_t i, int64_t iw) {
            const float v = in[iw], cur = prev[i];
            next[i] = select(replaces(v, cur), v, cur);
          },
          [&](int64_t i) { next[i] = kMinusInf; });
    }
    prev = next;
  }
  return prev;
}

// Backward, down the rows of one band: per entry the largest key and the
// first band row (0-based) that holds it.
struct BandKeys {
  const int32_t* key;
  const int32_t* row;
};

template <int kStride>
BandKeys band_keys(const MaxPoolPlan& p, const MaxPoolScratch& t, const float* plane, const Span& r) {
  BandKeys prev{nullptr, nullptr};
  for (int64_t ih = r.lo, b = 0; ih < r.hi; ++ih, b ^= 1) {
    const float* in = plane + ih * p.w;
    int32_t* key = t.key[b];
    int32_t* row = t.row[b];
    const int32_t dr = int32_t(ih - r.lo);
    if (prev.key == nullptr) {
      for_each_entry<kStride>(
          p, [&](int64_t i, int64_t iw) { key[i] = order_key(in[iw]); row[i] = 0; },
          [&](int64_t i) { key[i] = kPaddingKey; row[i] = 0; });
    } else {
      for_each_entry<kStride>(
          p,
          [&](int64_t i, int64_t iw) {
            const int32_t k = order_key(in[iw]), cur = prev.key[i];
            const int32_t better = mask_of(k > cur);  // strictly: a tie keeps the earlier row
            key[i] = select(better, k, cur);
            row[i] = select(better, dr, prev.row[i]);
          },
          [&](int64_t i) { key[i] = kPaddingKey; row[i] = 0; });
    }
    prev = {key, row};
  }
  return prev;
}

// Each window's winning code (row * kw + j), folding its columns j in order:
// a larger key wins, an equal key wins from an earlier row (an equal key in
// the same row is a later column and loses).
void window_winners(const MaxPoolPlan& p, const MaxPoolScratch& t, const BandKeys& band, int32_t* winner) {
  const int64_t wo = p.wo, n = p.entries;
  const int32_t* best_key = band.key;
  const int32_t* best_row = band.row;
  const int32_t* best_col = t.zero_cols;
  for (int64_t j = 1; j < p.kw; ++j) {
    const int64_t at = (j % p.stride) * n + j / p.stride;
    const int32_t* k = band.key + at;
    const int32_t* rw = band.row + at;
    int32_t* next_key = t.best_key[j & 1];
    int32_t* next_row = t.best_row[j & 1];
    int32_t* next_col = t.best_col[j & 1];
    const int32_t col = int32_t(j);
#pragma omp simd
    for (int64_t ow = 0; ow < wo; ++ow) {
      const int32_t better = mask_of((k[ow] > best_key[ow]) | ((k[ow] == best_key[ow]) & (rw[ow] < best_row[ow])));
      next_key[ow] = select(better, k[ow], best_key[ow]);
      next_row[ow] = select(better, rw[ow], best_row[ow]);
      next_col[ow] = select(better, col, best_col[ow]);
    }
    best_key = next_key;
    best_row = next_row;
    best_col = next_col;
  }
  const int32_t kw = int32_t(p.kw);
  for (int64_t ow = 0; ow < wo; ++ow) winner[ow] = best_row[ow] * kw + best_col[ow];
}

template <int kStride>
void forward_plane(const MaxPoolPlan& p, const MaxPoolScratch& t, const float* plane, float* out) {
  const int64_t wo = p.wo, n = p.entries;
  for (int64_t oh = 0; oh < p.ho; ++oh) {
    const float* v = band_max<kStride>(p, t, plane, p.rows[oh]);
    // Fold the window columns j in order; o is the running max, written
    // whole each time.
    float* o = out + oh * wo;
    for (int64_t ow = 0; ow < wo; ++ow) o[ow] = v[ow];
    for (int64_t j = 1; j < p.kw; ++j) {
      const float* col = v + (j % p.stride) * n + j / p.stride;
#pragma omp simd
      for (int64_t ow = 0; ow < wo; ++ow) {
        const float c = col[ow], cur = o[ow];
        o[ow] = select(replaces(c, cur), c, cur);
      }
    }
  }
}

template <int kStride>
void backward_plane(const MaxPoolPlan& p, const MaxPoolScratch& t, const float* plane, const float* dy,
                    float* dx) {
  const int64_t wo = p.wo, kw = p.kw, stride = p.stride, n = p.entries;
  const int64_t row_len = stride * n;
  for (int64_t i = 0; i < p.h * row_len; ++i) t.sums[i] = 0.0f;
  int32_t* winner = t.winner + p.reach;
  float* grad = t.grad + p.reach;
  for (int64_t oh = 0; oh < p.ho; ++oh) {
    const Span& r = p.rows[oh];
    window_winners(p, t, band_keys<kStride>(p, t, plane, r), winner);
    for (int64_t ow = 0; ow < wo; ++ow) grad[ow] = dy[oh * wo + ow];
    // Gather: entry m of phase q in band row dr is column j = q + a*stride
    // of window m - a.
    for (int64_t ih = r.lo; ih < r.hi; ++ih) {
      float* sum = t.sums + ih * row_len;
      const int32_t dr = int32_t(ih - r.lo);
      for (int64_t q = 0; q < stride && q < kw; ++q) {
        float* d = sum + q * n;
        for (int64_t a = (kw - 1 - q) / stride; a >= 0; --a) {
          const int32_t want = dr * int32_t(kw) + int32_t(q + a * stride);
          const int32_t* win = winner - a;
          const float* g = grad - a;
#pragma omp simd
          for (int64_t m = 0; m < n; ++m) d[m] += select(mask_of(win[m] == want), g[m], 0.0f);
        }
      }
    }
  }
  for (int64_t ih = 0; ih < p.h; ++ih) phases_to_row<kStride>(p, t.sums + ih * row_len, dx + ih * p.w);
}

// The entry points a per-ISA file exports: stride 1 and 2 (nearly every
// pooling layer) get compile-time strides, the rest a run-time one.
void forward_any(const MaxPoolPlan& p, const MaxPoolScratch& t, const float* plane, float* out) {
  if (p.stride == 1) forward_plane<1>(p, t, plane, out);
  else if (p.stride == 2) forward_plane<2>(p, t, plane, out);
  else forward_plane<0>(p, t, plane, out);
}

void backward_any(const MaxPoolPlan& p, const MaxPoolScratch& t, const float* plane, const float* dy, float* dx) {
  if (p.stride == 1) backward_plane<1>(p, t, plane, dy, dx);
  else if (p.stride == 2) backward_plane<2>(p, t, plane, dy, dx);
  else backward_plane<0>(p, t, plane, dy, dx);
}

}  // namespace
}  // namespace convnode
