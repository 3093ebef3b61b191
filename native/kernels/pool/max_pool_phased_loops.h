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

// Prefetches band oh's share of the next plane (see MaxPoolForwardFn).
inline void prefetch_share(const MaxPoolPlan& p, const float* next, int64_t oh) {
  if (next == nullptr) return;
  constexpr int64_t kLine = 64 / sizeof(float);
  const int64_t lines = (p.h * p.w + kLine - 1) / kLine;
  const int64_t per_band = (lines + p.ho - 1) / p.ho;
  const int64_t end = (oh + 1) * per_band < lines ? (oh + 1) * per_band : lines;
  for (int64_t l = oh * per_band; l < end; ++l) __builtin_prefetch(next + l * kLine);
}

// Window sizes and stride known at compile time (fused, unrolled and
// vectorised loops), or 0: read from the plan (correct, not vectorised).
template <int kKh, int kKw, int kStride>
struct Dims {
  static int64_t kh(const MaxPoolPlan& p) { return kKh != 0 ? kKh : p.kh; }
  static int64_t kw(const MaxPoolPlan& p) { return kKw != 0 ? kKw : p.kw; }
  static int64_t stride(const MaxPoolPlan& p) { return kStride != 0 ? kStride : p.stride; }
};

// The plane's rows in phase layout, padded rows included (their entries,
// and the padded columns', were filled once when the scratch was made).
template <int kStride>
void values_to_phases(const MaxPoolPlan& p, const float* plane, float* phased) {
  for (int64_t ih = 0; ih < p.h; ++ih) {
    const float* in = plane + ih * p.w;
    float* out = phased + (ih + p.pad_h) * p.row_len;
    for_each_entry<kStride>(p, [&](int64_t i, int64_t iw) { out[i] = in[iw]; }, [](int64_t) {});
  }
}

template <int kStride>
void keys_to_phases(const MaxPoolPlan& p, const float* plane, int32_t* phased) {
  for (int64_t ih = 0; ih < p.h; ++ih) {
    const float* in = plane + ih * p.w;
    int32_t* out = phased + (ih + p.pad_h) * p.row_len;
    for_each_entry<kStride>(p, [&](int64_t i, int64_t iw) { out[i] = order_key(in[iw]); }, [](int64_t) {});
  }
}

template <int kKh, int kKw, int kStride>
void forward_plane(const MaxPoolPlan& p, const MaxPoolScratch& t, const float* plane, const float* next,
                   float* out) {
  using D = Dims<kKh, kKw, kStride>;
  const int64_t kh = D::kh(p), kw = D::kw(p), stride = D::stride(p);
  const int64_t wo = p.wo, n = p.entries, len = p.row_len;
  values_to_phases<kStride>(p, plane, t.values);
  float* band = t.band_value;
  for (int64_t oh = 0; oh < p.ho; ++oh) {
    prefetch_share(p, next, oh);
    // Down the band's rows (NaN sticks), then along each window's columns.
    const float* top = t.values + oh * p.stride_h * len;
#pragma omp simd
    for (int64_t i = 0; i < len; ++i) {
      float m = top[i];
      #pragma GCC unroll 4
      for (int64_t d = 1; d < kh; ++d) {
        const float v = top[d * len + i];
        m = select(replaces(v, m), v, m);
      }
      band[i] = m;
    }
    float* o = out + oh * wo;
#pragma omp simd
    for (int64_t ow = 0; ow < wo; ++ow) {
      float m = band[ow];
      #pragma GCC unroll 4
      for (int64_t j = 1; j < kw; ++j) {
        const float v = band[(j % stride) * n + j / stride + ow];
        m = select(replaces(v, m), v, m);
      }
      o[ow] = m;
    }
  }
}

template <int kKh, int kKw, int kStride>
void backward_plane(const MaxPoolPlan& p, const MaxPoolScratch& t, const float* plane, const float* next,
                    const float* dy, float* dx) {
  using D = Dims<kKh, kKw, kStride>;
  const int64_t kh = D::kh(p), kw = D::kw(p), stride = D::stride(p);
  const int64_t wo = p.wo, n = p.entries, len = p.row_len;
  keys_to_phases<kStride>(p, plane, t.keys);
  for (int64_t i = 0; i < p.padded_rows * len; ++i) t.sums[i] = 0.0f;
  int32_t* winner = t.winner + p.reach;
  float* grad = t.grad + p.reach;
  int32_t* band_key = t.band_key;
  int32_t* band_row = t.band_row;
  int64_t done = 0;  // input rows written to dx
  for (int64_t oh = 0; oh < p.ho; ++oh) {
    prefetch_share(p, next, oh);
    const int64_t top_row = oh * p.stride_h;
    // Down the band's rows: the largest key and the first row holding it
    // (strictly larger: a tie keeps the earlier row).
    const int32_t* top = t.keys + top_row * len;
#pragma omp simd
    for (int64_t i = 0; i < len; ++i) {
      int32_t k = top[i], r = 0;
      #pragma GCC unroll 4
      for (int64_t d = 1; d < kh; ++d) {
        const int32_t v = top[d * len + i];
        const int32_t better = mask_of(v > k);
        k = select(better, v, k);
        r = select(better, int32_t(d), r);
      }
      band_key[i] = k;
      band_row[i] = r;
    }
    // Along each window's columns j in order: a larger key wins, an equal
    // key wins from an earlier row (the same row means a later column).
    const int32_t kw32 = int32_t(kw);
#pragma omp simd
    for (int64_t ow = 0; ow < wo; ++ow) {
      int32_t k = band_key[ow], r = band_row[ow], c = 0;
      #pragma GCC unroll 4
      for (int64_t j = 1; j < kw; ++j) {
        const int64_t at = (j % stride) * n + j / stride + ow;
        const int32_t v = band_key[at], vr = band_row[at];
        const int32_t better = mask_of((v > k) | ((v == k) & (vr < r)));
        k = select(better, v, k);
        r = select(better, vr, r);
        c = select(better, int32_t(j), c);
      }
      winner[ow] = r * kw32 + c;
    }
    for (int64_t ow = 0; ow < wo; ++ow) grad[ow] = dy[oh * wo + ow];
    // Gather: entry m of phase q in band row d is column j = q + a*stride
    // of window m - a; a from high to low is window order.
    #pragma GCC unroll 4
    for (int64_t q = 0; q < stride && q < kw; ++q) {
      float* sum = t.sums + top_row * len + q * n;
      const int64_t reach = (kw - 1 - q) / stride;
#pragma omp simd
      for (int64_t m = 0; m < n; ++m) {
        #pragma GCC unroll 4
        for (int64_t d = 0; d < kh; ++d) {
          float acc = sum[d * len + m];
          #pragma GCC unroll 4
          for (int64_t a = reach; a >= 0; --a) {
            const int32_t want = int32_t(d * kw + q + a * stride);
            acc += select(mask_of(winner[m - a] == want), grad[m - a], 0.0f);
          }
          sum[d * len + m] = acc;
        }
      }
    }
    // Rows above the next band's top are final: write them out now, so
    // that the stores to dx spread over the plane's arithmetic.
    const int64_t final_rows = oh + 1 < p.ho ? (oh + 1) * p.stride_h - p.pad_h : p.h;
    for (; done < (final_rows < p.h ? final_rows : p.h); ++done) {
      phases_to_row<kStride>(p, t.sums + (done + p.pad_h) * len, dx + done * p.w);
    }
  }
  for (; done < p.h; ++done) phases_to_row<kStride>(p, t.sums + (done + p.pad_h) * len, dx + done * p.w);
}

// The entry points a per-ISA file exports: 3x3 windows at stride 1 and 2
// (nearly every max pooling layer that is not 2x2) get the fused loops.
void forward_any(const MaxPoolPlan& p, const MaxPoolScratch& t, const float* plane, const float* next, float* out) {
  if (p.kh == 3 && p.kw == 3 && p.stride == 2) forward_plane<3, 3, 2>(p, t, plane, next, out);
  else if (p.kh == 3 && p.kw == 3 && p.stride == 1) forward_plane<3, 3, 1>(p, t, plane, next, out);
  else if (p.stride == 2) forward_plane<0, 0, 2>(p, t, plane, next, out);
  else if (p.stride == 1) forward_plane<0, 0, 1>(p, t, plane, next, out);
  else forward_plane<0, 0, 0>(p, t, plane, next, out);
}

void backward_any(const MaxPoolPlan& p, const MaxPoolScratch& t, const float* plane, const float* next,
                  const float* dy, float* dx) {
  if (p.kh == 3 && p.kw == 3 && p.stride == 2) backward_plane<3, 3, 2>(p, t, plane, next, dy, dx);
  else if (p.kh == 3 && p.kw == 3 && p.stride == 1) backward_plane<3, 3, 1>(p, t, plane, next, dy, dx);
  else if (p.stride == 2) backward_plane<0, 0, 2>(p, t, plane, next, dy, dx);
  else if (p.stride == 1) backward_plane<0, 0, 1>(p, t, plane, next, dy, dx);
  else backward_plane<0, 0, 0>(p, t, plane, next, dy, dx);
}

}  // namespace
}  // namespace convnode
