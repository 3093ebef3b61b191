// The loops of MaxPoolPhased, included by one file per ISA path
// (f32_pool_loops__baseline.cc, f32_pool_loops__avx2_fma.cc, f32_pool_loops__avx512.cc; see
// pool_loops.h), each compiled with its own target flags.
// Everything here has internal linkage and uses no library templates, so no
// copy compiled for one ISA can be shared with another.
//
// Max pooling, separable. Forward, per band of input rows (one output
// row): each row's windows along the columns, then those maxima down the
// band's rows (row-major order, see forward_plane). Backward: a pass down
// the rows, read straight from the input, leaves per padded column t the
// band's largest order key and the first row holding it; the padding
// columns of the band arrays are filled once. A pass along the windows
// then folds each window's kw columns (loads at stride `stride`) into its
// winner. The window sizes and stride of the usual layers (3x3, stride 1
// or 2) are compile-time constants, so every pass is one vectorised loop.
//
// The backward pass does not scatter each window's gradient to its winner
// (a load that waits for the winner's index, and conflicts between
// overlapping windows). Each window has a code, row * kw + j, for its
// winning cell; a cell gathers dy from every window that covers it and
// chose it. The gradient is summed in phase layout (see MaxPoolPlan), where
// the cells a window covers at its column j are contiguous across windows.
// Visiting j from kw-1 down to 0 visits the windows covering a column in
// increasing order, and bands run top to bottom, so a cell adds its
// windows' gradients in row-major window order, as a scatter would.
// Windows that did not choose the cell add +0, which changes no sum that
// starts at +0. Rows of dx are written as soon as no later band covers
// them, and the next plane is prefetched band by band, so memory traffic
// overlaps the arithmetic.
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
#include "plane_prefetch.h"
#include "pool_selects.h"

namespace convnode {
namespace {

constexpr int32_t kPaddingKey = INT32_MIN;  // below every float's key

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

// Window sizes and stride known at compile time (fused, unrolled and
// vectorised loops), or 0: read from the plan (correct, not vectorised).
template <int kKh, int kKw, int kStride>
struct Dims {
  static int64_t kh(const MaxPoolPlan& p) { return kKh != 0 ? kKh : p.kh; }
  static int64_t kw(const MaxPoolPlan& p) { return kKw != 0 ? kKw : p.kw; }
  static int64_t stride(const MaxPoolPlan& p) { return kStride != 0 ? kStride : p.stride; }
};

// Input row d of output row oh's band, or `dummy` (any readable row) with
// *real = 0 when that row is in the padding.
inline const float* band_input_row(const MaxPoolPlan& p, const float* plane, const float* dummy, int64_t oh, int64_t d,
                             int32_t* real) {
  const int64_t ih = oh * p.stride_h - p.pad_h + d;
  const bool in = ih >= 0 && ih < p.h;
  *real = mask_of(in);
  return in ? plane + ih * p.w : dummy;
}

// All kKh rows of a band at once, for the fused loops.
template <int kKh>
struct BandRows {
  const float* row[kKh];
  int32_t real[kKh];
};

template <int kKh>
BandRows<kKh> band_rows(const MaxPoolPlan& p, const float* plane, const float* dummy, int64_t oh) {
  BandRows<kKh> b;
  for (int64_t d = 0; d < kKh; ++d) b.row[d] = band_input_row(p, plane, dummy, oh, d, &b.real[d]);
  return b;
}

// Along each input row of the band first, then down the rows, each step
// keeping the earlier value on a tie: the first maximum in row-major order,
// as PyTorch picks it (which decides between -0 and +0). Down the columns
// first would pick the first maximum in column-major order.
template <int kKh, int kKw, int kStride>
void forward_plane(const MaxPoolPlan& p, const MaxPoolScratch& t, const float* plane, const float* next,
                   float* out) {
  using D = Dims<kKh, kKw, kStride>;
  const int64_t kh = D::kh(p), kw = D::kw(p), stride = D::stride(p);
  const int64_t wo = p.wo, w = p.w;
  // band[t] for padded column t = iw + pad: one input row at a time; the
  // padding stays -inf.
  float* band = t.band_value + p.pad;
  const float* padded = t.band_value;
  for (int64_t oh = 0; oh < p.ho; ++oh) {
    prefetch_share(p.h * p.w, p.ho, next, oh);
    float* o = out + oh * wo;
    for (int64_t ow = 0; ow < wo; ++ow) o[ow] = kMinusInf;
    for (int64_t d = 0; d < kh; ++d) {
      int32_t real;
      const float* row = band_input_row(p, plane, t.dummy, oh, d, &real);
      if (real == 0) continue;
      std::memcpy(band, row, sizeof(float) * size_t(w));
      // NaN sticks once met; a row's max replaces the band's only if
      // larger (or NaN).
#pragma omp simd
      for (int64_t ow = 0; ow < wo; ++ow) {
        float m = padded[ow * stride];
#pragma GCC unroll 4
        for (int64_t j = 1; j < kw; ++j) {
          const float v = padded[ow * stride + j];
          m = select(replaces(v, m), v, m);
        }
        o[ow] = select(replaces(m, o[ow]), m, o[ow]);
      }
    }
  }
}

template <int kKh, int kKw, int kStride>
void backward_plane(const MaxPoolPlan& p, const MaxPoolScratch& t, const float* plane, const float* next,
                    const float* dy, float* dx) {
  using D = Dims<kKh, kKw, kStride>;
  const int64_t kh = D::kh(p), kw = D::kw(p), stride = D::stride(p);
  const int64_t wo = p.wo, n = p.entries, len = p.row_len, w = p.w;
  for (int64_t i = 0; i < p.padded_rows * len; ++i) t.sums[i] = 0.0f;
  int32_t* winner = t.winner + p.reach;
  float* grad = t.grad + p.reach;
  int32_t* band_key = t.band_key;
  int32_t* band_row = t.band_row;
  int64_t done = 0;  // input rows written to dx
  for (int64_t oh = 0; oh < p.ho; ++oh) {
    prefetch_share(p.h * p.w, p.ho, next, oh);
    const int64_t top_row = oh * p.stride_h;
    // Down the band's rows, straight from the input: the largest key and
    // the first row holding it (strictly larger: a tie keeps the earlier
    // row). A row in the padding offers the padding key, below all others.
    int32_t* key = band_key + p.pad;
    int32_t* row = band_row + p.pad;
    if constexpr (kKh != 0) {
      const BandRows<kKh> rows = band_rows<kKh>(p, plane, t.dummy, oh);
#pragma omp simd
      for (int64_t iw = 0; iw < w; ++iw) {
        int32_t k = kPaddingKey, r = 0;
#pragma GCC unroll 4
        for (int64_t d = 0; d < kKh; ++d) {
          const int32_t v = select(rows.real[d], order_key(rows.row[d][iw]), kPaddingKey);
          const int32_t better = mask_of(v > k);
          k = select(better, v, k);
          r = select(better, int32_t(d), r);
        }
        key[iw] = k;
        row[iw] = r;
      }
    } else {
      for (int64_t iw = 0; iw < w; ++iw) key[iw] = kPaddingKey, row[iw] = 0;
      for (int64_t d = 0; d < kh; ++d) {
        int32_t real;
        const float* in = band_input_row(p, plane, t.dummy, oh, d, &real);
        if (real == 0) continue;
        for (int64_t iw = 0; iw < w; ++iw) {
          const int32_t v = order_key(in[iw]);
          const int32_t better = mask_of(v > key[iw]);
          key[iw] = select(better, v, key[iw]);
          row[iw] = select(better, int32_t(d), row[iw]);
        }
      }
    }
    // Along each window's columns j in order: a larger key wins, an equal
    // key wins from an earlier row (the same row means a later column).
    const int32_t kw32 = int32_t(kw);
#pragma omp simd
    for (int64_t ow = 0; ow < wo; ++ow) {
      int32_t k = band_key[ow * stride], r = band_row[ow * stride], c = 0;
#pragma GCC unroll 4
      for (int64_t j = 1; j < kw; ++j) {
        const int32_t v = band_key[ow * stride + j], vr = band_row[ow * stride + j];
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
