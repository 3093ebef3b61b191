// Stride-1 convolution without im2col. For few input taps (LeNet's 1 x 5 x 5
// and 6 x 5 x 5) the column matrix is as large as the arithmetic is small:
// building it cost more than the GEMM (profile of LeNet's second layer:
// im2col and its row copies 47%, the GEMM microkernel 23%). For many taps
// the direct kernel still wins: it reads the padded image from cache instead
// of writing and packing a column matrix 9x its size (measured on this Zen 4,
// forward, 1 thread: shape d 63 -> 36-43 ms, SmallVGG's 32->32 layer 15 -> 10
// ms). See conv_direct_ukernel.h for the wide-output layout that turns every
// tap into one shifted vector run.
//
// Backward data of a stride-1 convolution is itself a stride-1 convolution
// of dy with the filters transposed (K <-> C) and flipped, padded by
// kernel - 1 - pad: it runs through the same kernel.
//
// Work is counted in multiply-adds the tiles perform, padding included:
// each call takes the forward tile and the weight-gradient tile that do the
// fewest for its shape (LeNet's second layer backward data has 6 output
// channels: a 6-channel tile instead of a 4-channel one doing 8).
#include "cpu/dispatch.h"
#include "conv2d_impls.h"

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "cpu/scratch.h"
#include "conv_direct_ukernel.h"
#include "im2col.h"
#include "parallel_images.h"
#include "../parallel_ranges.h"
#include "../round_up.h"
#include "../transpose.h"

namespace convnode {
namespace {

// A strided convolution reads the padded image through its phases: phase
// (a, b) holds padded pixels (sh*i + a, sw*j + b), so output (oh, ow) reads
// tap (ki, kj) at phase (ki % sh, kj % sw), row oh + ki / sh, column
// ow + kj / sw, one constant offset per tap again, and the stride-1 tiles
// run it unchanged. Shape e (3x3, stride 2, 64 -> 128 over 56x56) had gone
// through im2col + GEMM at 2 threads in 10.7 ms against oneDNN's 5.0.
// Stride 1 has one phase, the padded image itself.
int64_t phases(const Conv2dShape& s) { return s.stride_h * s.stride_w; }

// Rows below an output row that its taps reach, in phase rows.
int64_t reach_rows(const Conv2dShape& s) { return (s.kh - 1) / s.stride_h; }

// The row stride of the padded image (of each phase plane). Stride 1: the
// data sits at columns [pad_w, pad_w + w) and a run that reads past a row's
// end wraps into the next row's left padding, which is zero, so the right
// padding need not be stored (LeNet's second layer backward data: 14
// columns instead of 18). Strided: every column a real output reads. At
// least wo, so that a wide output row holds the real ones.
int64_t padded_row_stride(const Conv2dShape& s) {
  if (s.stride_w > 1) return s.wo + (s.kw - 1) / s.stride_w;
  return std::max(s.w + s.pad_w, s.wo);
}

// The zero-padded image every direction reads, or a band of its rows: per
// phase and channel `rows` x wp, then `slack` zero floats so the last vector
// run past the final row stays in bounds. offs[t] is tap t's offset in it;
// taps past `taps` (block padding) read offset 0 and their results are
// dropped.
struct PaddedImage {
  int64_t hp, wp, plane, taps, size;
  std::vector<int64_t> offs;

  PaddedImage(const Conv2dShape& s, int64_t run, int64_t tap_blocks, int64_t rows)
      : hp(rows), wp(padded_row_stride(s)), plane(hp * wp), taps(s.c * s.kh * s.kw),
        size(phases(s) * s.c * plane + run + s.kw + wp),
        offs(static_cast<size_t>(round_up(taps, tap_blocks)), 0) {
    for (int64_t ci = 0; ci < s.c; ++ci)
      for (int64_t ki = 0; ki < s.kh; ++ki)
        for (int64_t kj = 0; kj < s.kw; ++kj) {
          const int64_t phase = (ki % s.stride_h) * s.stride_w + kj % s.stride_w;
          offs[size_t((ci * s.kh + ki) * s.kw + kj)] =
              (phase * s.c + ci) * plane + (ki / s.stride_h) * wp + kj / s.stride_w;
        }
  }
  // The whole image.
  PaddedImage(const Conv2dShape& s, int64_t run, int64_t tap_blocks)
      : PaddedImage(s, run, tap_blocks, s.ho + reach_rows(s)) {}

  // Writes rows [first, first + hp) of image x (c x h x w) padded into xp
  // (`size` floats), padding included; for a strided convolution, those
  // rows of every phase plane.
  void fill(const Conv2dShape& s, const float* x, float* xp, int64_t first = 0) const {
    std::memset(xp, 0, sizeof(float) * size_t(size));
    if (phases(s) == 1) {
      const int64_t r0 = std::max<int64_t>(0, first - s.pad_h), r1 = std::min(s.h, first + hp - s.pad_h);
      for (int64_t ci = 0; ci < s.c; ++ci)
        for (int64_t r = r0; r < r1; ++r)
          std::memcpy(xp + ci * plane + (r + s.pad_h - first) * wp + s.pad_w, x + (ci * s.h + r) * s.w,
                      sizeof(float) * size_t(s.w));
      return;
    }
    if (s.stride_w == 2) {
      fill_column_pairs(s, x, xp, first);
      return;
    }
    for (int64_t a = 0; a < s.stride_h; ++a)
      for (int64_t b = 0; b < s.stride_w; ++b)
        for (int64_t ci = 0; ci < s.c; ++ci) {
          float* dst = xp + ((a * s.stride_w + b) * s.c + ci) * plane;
          const float* src = x + ci * s.h * s.w;
          // Phase columns j with 0 <= j * sw + b - pad_w < w hold data.
          const int64_t j0 = std::max<int64_t>(0, (s.pad_w - b + s.stride_w - 1) / s.stride_w);
          const int64_t j1 = std::min<int64_t>(wp, (s.w + s.pad_w - b + s.stride_w - 1) / s.stride_w);
          for (int64_t i = 0; i < hp; ++i) {
            const int64_t r = (first + i) * s.stride_h + a - s.pad_h;
            if (r < 0 || r >= s.h) continue;
            const float* row = src + r * s.w + b - s.pad_w;
            float* out = dst + i * wp;
            for (int64_t j = j0; j < j1; ++j) out[j] = row[j * s.stride_w];
          }
        }
  }

  // fill's phases at a column stride of 2, both column phases of a row
  // from one pass over it, through vector shuffles (the strided copy, one
  // float at a time, was 9% of shape e's forward pass). Source column c is
  // padded column c + pad_w: phase (c + pad_w) % 2, index (c + pad_w) / 2;
  // the phase rows keep their first wp columns. Not inlined: inside fill
  // it kept fill itself from being inlined into the forward pass, whose
  // stride-1 calls then ran 5-8% slower (LeNet's first layer at batch 256).
  [[gnu::noinline]] void fill_column_pairs(const Conv2dShape& s, const float* x, float* xp, int64_t first) const {
    const int64_t lo = s.pad_w / 2, hi = (s.pad_w + 1) / 2;  // index of source columns 0 and 1
    const int64_t evens = std::max<int64_t>(0, std::min((s.w + 1) / 2, wp - lo));
    const int64_t odds = std::max<int64_t>(0, std::min(s.w / 2, wp - hi));
    const int64_t even_phase = s.pad_w % 2;
    // Source rows in address order (row phases innermost).
    for (int64_t ci = 0; ci < s.c; ++ci)
      for (int64_t i = 0; i < hp; ++i)
        for (int64_t a = 0; a < s.stride_h; ++a) {
          const int64_t r = (first + i) * s.stride_h + a - s.pad_h;
          if (r < 0 || r >= s.h) continue;
          float* phase0 = xp + ((a * 2) * s.c + ci) * plane;
          float* phase1 = xp + ((a * 2 + 1) * s.c + ci) * plane;
          float* even = (even_phase == 0 ? phase0 : phase1) + i * wp + lo;
          float* odd = (even_phase == 0 ? phase1 : phase0) + i * wp + hi;
          // odds <= evens <= odds + 1: lo <= hi <= lo + 1, and the row
          // has as many odd columns as even ones or one fewer.
          deinterleave_pairs(x + (ci * s.h + r) * s.w, evens, odds, even, odd);
        }
  }
};

// Above this much scratch for a whole padded image and its output block,
// the forward pass works in bands of output rows instead, so that huge
// padding (a 1 x 1 filter padded by 20000) costs bounded memory. Every
// shape of the bench and the standard models stays whole.
constexpr int64_t kWholeImageScratchFloats = int64_t(16) << 20;  // 64 MiB

const DirectConvKernels& active_kernels() { return *active_kernel_table().conv_direct; }

// The forward tile doing the fewest multiply-adds on k channels over `wide`
// positions; the first listed wins a tie.
const DirectForwardTile& pick_forward_tile(const DirectConvKernels& kern, int64_t k, int64_t wide) {
  const DirectForwardTile* best = &kern.forward[0];
  int64_t best_work = 0;
  for (const DirectForwardTile& t : kern.forward) {
    const int64_t work = round_up(k, t.kb) * round_up(wide, t.nb);
    if (t.fn != nullptr && (best_work == 0 || work < best_work)) best = &t, best_work = work;
  }
  return *best;
}

// The weight gradient with output channels in vector lanes: per image, dy
// transposed to position-major g[q][k] (channels past k stay zero), then
// one tile call per block of channels and taps over all ho x wo positions.
void backward_weight_channels_in_lanes(const Conv2dShape& s, const DirectWeightChannelsTile& tile,
                                       const float* x, const float* dy, float* dw) {
  const int64_t kb = tile.kb, tb = tile.tb;
  const PaddedImage pad(s, 0, tb);
  const int64_t kp = round_up(s.k, kb), tp = int64_t(pad.offs.size());
  const int64_t positions = s.ho * s.wo;
  const int64_t chunks = std::min<int64_t>(s.n, kBatchChunks);
  // partials[c][t][k]: chunk c's sums, tap-major, channels contiguous.
  std::vector<float> partials(static_cast<size_t>(chunks * tp * kp), 0.0f);
  const int64_t x_image = s.c * s.h * s.w, y_image = s.k * positions;
  for_each_image_parallel(chunks, [&](int64_t c) {
    static thread_local Scratch pad_scratch, dy_scratch;
    float* xp = pad_scratch.floats(static_cast<size_t>(pad.size));
    float* g = dy_scratch.floats(static_cast<size_t>(positions * kp));
    for (int64_t q = 0; q < positions; ++q) std::fill(g + q * kp + s.k, g + (q + 1) * kp, 0.0f);
    float* part = partials.data() + c * tp * kp;
    for (int64_t i = s.n * c / chunks; i < s.n * (c + 1) / chunks; ++i) {
      pad.fill(s, x + i * x_image, xp);
      transpose(dy + i * y_image, positions, s.k, positions, g, kp);
      for (int64_t k0 = 0; k0 < kp; k0 += kb)
        for (int64_t t0 = 0; t0 < tp; t0 += tb)
          tile.fn(s.ho, s.wo, pad.wp, g + k0, kp, pad.offs.data() + t0, xp, part + t0 * kp + k0, kp);
    }
  });
  add_chunks(s.k, pad.taps, chunks, tp * kp, partials.data(), [kp](int64_t k, int64_t t) { return t * kp + k; }, dw);
}

// The weight gradient with wide positions in vector lanes: dW[k][tap] = sum
// over images and wide positions p of dy_wide[k][p] * x_padded[offs[tap] + p].
void backward_weight_positions_in_lanes(const Conv2dShape& s, const DirectConvKernels& kern,
                                        const float* x, const float* dy, float* dw) {
  const DirectWeightPositionsTile& tile = kern.weight_positions;
  const int64_t kb = tile.kb, tb = tile.tb;
  const int64_t wp = padded_row_stride(s);
  const int64_t len = round_up(s.ho * wp, kern.vec);
  const PaddedImage pad(s, len, tb);
  const int64_t kp = round_up(s.k, kb), tp = int64_t(pad.offs.size());
  const int64_t chunks = std::min<int64_t>(s.n, kBatchChunks);
  std::vector<float> partials(static_cast<size_t>(chunks * kp * tp), 0.0f);
  const int64_t x_image = s.c * s.h * s.w, y_image = s.k * s.ho * s.wo;
  for_each_image_parallel(chunks, [&](int64_t c) {
    static thread_local Scratch pad_scratch, dy_scratch;
    float* xp = pad_scratch.floats(static_cast<size_t>(pad.size));
    float* dyw = dy_scratch.floats(static_cast<size_t>(kp * len));
    float* part = partials.data() + c * kp * tp;
    // The copy writes the same real columns of every image: the zeros past
    // each row, and the rows past k, stay from one memset per chunk (per
    // image, it was 6.5% of shape c's weight gradient).
    std::memset(dyw, 0, sizeof(float) * size_t(kp * len));
    for (int64_t i = s.n * c / chunks; i < s.n * (c + 1) / chunks; ++i) {
      pad.fill(s, x + i * x_image, xp);
      kern.copy_rows(s.k, s.ho, s.wo, dy + i * y_image, s.ho * s.wo, s.wo, nullptr, dyw, len, wp);
      for (int64_t k0 = 0; k0 < kp; k0 += kb)
        for (int64_t t0 = 0; t0 < tp; t0 += tb)
          tile.fn(len, dyw + k0 * len, len, pad.offs.data() + t0, xp, part + k0 * tp + t0, tp);
    }
  });
  add_chunks(s.k, pad.taps, chunks, kp * tp, partials.data(), [tp](int64_t k, int64_t t) { return k * tp + t; }, dw);
}

}  // namespace

// Strides 1 and 2 (through phases: see PaddedImage), when the filter reads
// every phase: a 1x1 stride-2 filter (ResNet's projection shortcut) would
// fill four planes to read one, and im2col + GEMM ran it 2.1-2.9x faster.
bool conv2d_direct_applies(const Conv2dShape& s) {
  return active_kernels().vec > 0 && s.groups == 1 && s.stride_h <= 2 && s.stride_w <= 2 &&
         s.dilation_h == 1 && s.dilation_w == 1 && !conv2d_is_pointwise(s) && s.ho > 0 && s.wo > 0 &&
         s.kh >= s.stride_h && s.kw >= s.stride_w;
}

bool conv2d_direct_backward_data_applies(const Conv2dShape& s) {
  // Stride 1: the stride-1 convolution of dy with the flipped filters, whose
  // padding, kernel - 1 - pad, must not be negative. Stride 2: one such
  // convolution per phase of dx (backward_data_phases), any padding, where dy
  // has at least 16 x 16 positions: A/B against im2col + col2im at 2 threads,
  // shape e (dy 28 x 28) 1.17x, ResNet-20's 16 -> 32 channels (dy 16 x 16)
  // 1.12x, a 5 x 5 filter 1.5x, but its 32 -> 64 channels (dy 8 x 8) 0.85x:
  // four small correlations waste their wide rows there.
  if (!conv2d_direct_applies(s)) return false;
  if (s.stride_h > 1 || s.stride_w > 1) return s.ho * s.wo >= 256;
  return s.pad_h <= s.kh - 1 && s.pad_w <= s.kw - 1;
}

bool conv2d_direct_backward_weight_applies(const Conv2dShape& s) {
  // With thousands of taps (shape f: 256 x 3 x 3 over 14 x 14) im2col +
  // GEMM is faster: 41 vs 44 ms at 1 thread, 20 vs 27 ms at 2 (measured
  // with the channels-in-lanes tile; the 4 fixed batch chunks of 16 images
  // and a 2.4 MB partial sum per chunk hold the direct path back). At 576
  // taps and below the direct kernel won everywhere measured.
  return conv2d_direct_applies(s) && s.c * s.kh * s.kw <= 1024;
}

namespace {

// Backward data of a strided convolution, by the phases of dx: the rows ih
// with (ih + pad_h) % sh == rh are reached only by filter rows ki = rh + sh*m
// (m = 0 .. Mh-1), from dy row q - m where ih = sh*q + rh - pad_h. So each
// phase (rh, rw) is the stride-1 convolution of dy with the flipped Mh x Mw
// sub-filter, padded by Mh - 1 and Mw - 1 (a full correlation), run by the
// direct forward tiles and scattered into its rows and columns of dx.
// Shape e's backward data had gone through im2col + col2im: 7.4 ms at 2
// threads against oneDNN's 5.3.
void backward_data_phases(const Conv2dShape& s, const float* dy, const float* w, float* dx) {
  const int64_t sh = s.stride_h, sw = s.stride_w, taps = s.kh * s.kw, plane = s.h * s.w;
  // Phase rows: the q with 0 <= sh*q + r - pad < extent, as [first, last].
  const auto range = [](int64_t r, int64_t pad, int64_t stride, int64_t extent) {
    const int64_t first = pad > r ? (pad - r + stride - 1) / stride : 0;
    const int64_t last = extent - 1 + pad - r >= 0 ? (extent - 1 + pad - r) / stride : -1;
    return std::pair<int64_t, int64_t>(first, last);
  };
  static thread_local Scratch sub_scratch, out_scratch;
  for (int64_t rh = 0; rh < sh; ++rh)
    for (int64_t rw = 0; rw < sw; ++rw) {
      const auto [q0, q1] = range(rh, s.pad_h, sh, s.h);
      const auto [p0, p1] = range(rw, s.pad_w, sw, s.w);
      if (q1 < q0 || p1 < p0) continue;  // no row or column of dx in this phase
      // Every phase has taps: the direct path takes only filters at least as large as the stride.
      const int64_t mh = (s.kh - 1 - rh) / sh + 1, mw = (s.kw - 1 - rw) / sw + 1;
      Conv2dShape t{};
      t.n = s.n, t.c = s.k, t.h = s.ho, t.w = s.wo, t.k = s.c, t.kh = mh, t.kw = mw;
      t.stride_h = t.stride_w = t.dilation_h = t.dilation_w = t.groups = 1;
      t.pad_h = mh - 1, t.pad_w = mw - 1;
      t.ho = s.ho + mh - 1, t.wo = s.wo + mw - 1;
      // sub[ci][k][th][tw] = w[k][ci][rh + sh*(mh-1-th)][rw + sw*(mw-1-tw)]
      float* sub = sub_scratch.floats(static_cast<size_t>(s.c * s.k * mh * mw));
      for (int64_t ci = 0; ci < s.c; ++ci)
        for (int64_t k = 0; k < s.k; ++k)
          for (int64_t th = 0; th < mh; ++th)
            for (int64_t tw = 0; tw < mw; ++tw)
              sub[((ci * s.k + k) * mh + th) * mw + tw] =
                  w[(k * s.c + ci) * taps + (rh + sh * (mh - 1 - th)) * s.kw + rw + sw * (mw - 1 - tw)];
      float* out = out_scratch.floats(static_cast<size_t>(s.n * s.c * t.ho * t.wo));
      conv2d_forward_direct(t, dy, sub, nullptr, out);
      // Rows or columns past the correlation's extent get nothing from dy.
      parallel_for(s.n * s.c, s.n * s.c * plane >= kParallelMinElements ? num_threads() : 1, [&](int64_t i) {
        float* dst = dx + i * plane;
        const float* src = out + i * t.ho * t.wo;
        for (int64_t q = q0; q <= q1; ++q) {
          float* row = dst + (sh * q + rh - s.pad_h) * s.w + rw - s.pad_w;
          const float* from = q < t.ho ? src + q * t.wo : nullptr;
          for (int64_t p = p0; p <= p1; ++p) row[sw * p] = from != nullptr && p < t.wo ? from[p] : 0.0f;
        }
      });
    }
}

}  // namespace

void conv2d_backward_data_direct(const Conv2dShape& s, const float* dy, const float* w, float* dx) {
  if (s.stride_h > 1 || s.stride_w > 1) {
    backward_data_phases(s, dy, w, dx);
    return;
  }
  Conv2dShape t = s;
  t.c = s.k;
  t.k = s.c;
  t.h = s.ho;
  t.w = s.wo;
  t.pad_h = s.kh - 1 - s.pad_h;
  t.pad_w = s.kw - 1 - s.pad_w;
  t.ho = s.h;
  t.wo = s.w;
  const int64_t taps = s.kh * s.kw;
  static thread_local Scratch flipped_scratch;
  float* flipped = flipped_scratch.floats(static_cast<size_t>(s.k * s.c * taps));
  for (int64_t k = 0; k < s.k; ++k)
    for (int64_t c = 0; c < s.c; ++c)
      for (int64_t tap = 0; tap < taps; ++tap)
        flipped[(c * s.k + k) * taps + (taps - 1 - tap)] = w[(k * s.c + c) * taps + tap];
  conv2d_forward_direct(t, dy, flipped, nullptr, dx);
}

// Both weight-gradient tiles sum the batch in kBatchChunks fixed chunks,
// each into its own buffer, and add the chunks in order. Lanes over
// channels computes ho x wo positions per tap for every kb channels; lanes
// over positions computes whole vectors of the wide rows, and its
// horizontal sums are charged to it as a quarter more work (an estimate; it
// keeps LeNet's first layer, 6 channels, on that tile, which measured
// faster there).
void conv2d_backward_weight_direct(const Conv2dShape& s, const float* x, const float* dy,
                                   float* dw) {
  const DirectConvKernels& kern = active_kernels();
  const int64_t taps = s.c * s.kh * s.kw;
  const DirectWeightChannelsTile& channels = kern.weight_channels[s.k > kern.vec ? 1 : 0];
  // Turning dy position-major costs about one FMA (kVec multiply-adds) per
  // element: it decides LeNet's and SmallVGG's first layers (9 or 25 taps).
  const double channels_work =
      double(round_up(s.k, channels.kb)) * (double(round_up(taps, channels.tb)) + kern.vec) *
      double(s.ho * s.wo);
  const DirectWeightPositionsTile& positions = kern.weight_positions;
  const double positions_work = 1.25 * double(round_up(s.k, positions.kb)) *
                                double(round_up(taps, positions.tb)) *
                                double(round_up(s.ho * padded_row_stride(s), kern.vec));
  if (channels_work <= positions_work)
    backward_weight_channels_in_lanes(s, channels, x, dy, dw);
  else
    backward_weight_positions_in_lanes(s, kern, x, dy, dw);
}

int64_t conv2d_direct_band_rows(const Conv2dShape& s) {
  const int64_t wp = padded_row_stride(s);
  const DirectForwardTile& tile = pick_forward_tile(active_kernels(), s.k, s.ho * wp);
  const int64_t kb = tile.kb, nb = tile.nb;
  // A band of b rows reads b + kh - 1 padded rows and writes kb wide rows.
  const auto scratch_for = [&](int64_t b) { return phases(s) * s.c * (b + reach_rows(s)) * wp + (kb + 1) * (b * wp + nb) + s.kw + wp; };
  if (scratch_for(s.ho) <= kWholeImageScratchFloats) return s.ho;
  return std::max<int64_t>(1, (kWholeImageScratchFloats - scratch_for(0)) / ((phases(s) * s.c + kb + 1) * wp));
}

void conv2d_forward_direct(const Conv2dShape& s, const float* x, const float* w,
                           const float* bias, float* y) {
  conv2d_forward_direct_banded(s, x, w, bias, y, conv2d_direct_band_rows(s));
}

void conv2d_forward_direct_banded(const Conv2dShape& s, const float* x, const float* w,
                                  const float* bias, float* y, int64_t band) {
  const DirectConvKernels& kern = active_kernels();
  const int64_t wp = padded_row_stride(s);
  const DirectForwardTile& tile = pick_forward_tile(kern, s.k, s.ho * wp);
  const int64_t kb = tile.kb, nb = tile.nb;
  band = std::min(band, s.ho);
  const int64_t wide_r = round_up(band * wp, nb);
  const PaddedImage pad(s, wide_r, 1, band + reach_rows(s));
  const int64_t taps = pad.taps, kblocks = (s.k + kb - 1) / kb;
  // Filters in blocks of kb, tap-major within a block, zero filters past k.
  static thread_local Scratch packed_scratch;
  float* packed = packed_scratch.floats(static_cast<size_t>(kblocks * taps * kb));
  std::fill(packed, packed + kblocks * taps * kb, 0.0f);
  for (int64_t k = 0; k < s.k; ++k)
    for (int64_t t = 0; t < taps; ++t) packed[((k / kb) * taps + t) * kb + k % kb] = w[k * taps + t];

  const int64_t x_image = s.c * s.h * s.w, y_image = s.k * s.ho * s.wo;
  for_each_image_parallel(s.n, [&](int64_t i) {
    static thread_local Scratch pad_scratch, out_scratch;
    float* xp = pad_scratch.floats(static_cast<size_t>(pad.size));
    float* out = out_scratch.floats(static_cast<size_t>(kb * wide_r));
    float* yi = y + i * y_image;
    for (int64_t oh0 = 0; oh0 < s.ho; oh0 += band) {
      const int64_t rows = std::min(band, s.ho - oh0);
      const int64_t tiles = round_up(rows * wp, nb) / nb;
      pad.fill(s, x + i * x_image, xp, oh0);
      for (int64_t b = 0; b < kblocks; ++b) {
        const float* wb = packed + b * taps * kb;
        for (int64_t t = 0; t < tiles; ++t) tile.fn(taps, pad.offs.data(), xp + t * nb, wb, out + t * nb, wide_r);
        kern.copy_rows(std::min(kb, s.k - b * kb), rows, s.wo, out, wide_r, wp,
                       bias != nullptr ? bias + b * kb : nullptr, yi + (b * kb * s.ho + oh0) * s.wo,
                       s.ho * s.wo, s.wo);
      }
    }
  });
}

}  // namespace convnode
