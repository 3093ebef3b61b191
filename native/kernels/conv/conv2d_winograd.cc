// 3x3 stride-1 convolution by Winograd's F(4x4, 3x3) (winograd_f4x3.h):
// 36 multiplies per 4 x 4 outputs and input channel instead of 144. Forward;
// backward data, which is the stride-1 convolution of dy with the filters
// transposed (K <-> C) and flipped, padded by 2 - pad; and the weight
// gradient, the transposed map.
//
// Forward, per call:
// 1. the filters are transformed once into U (or taken from the calling
//    thread's cache of U at a few tiles: derived_filter_cache.h): per point, a cin x cout
//    matrix, packed as the B operand of the direct-A GEMM tiles
//    (gemm_direct_a_ukernel.h);
// 2. per group of images (each group on one thread), the input is copied
//    zero-padded with channels interleaved by vectors ([cin / L][hp][wp][L]),
//    so that a 6 x 6 patch of L channels is 36 vector loads;
// 3. per block of tiles (4 x 4 outputs each): the input transform writes V,
//    per point a tiles x cin matrix; 36 GEMMs M = V U (per point, tiles x
//    cout); the output transform adds the bias and writes y.
// Each output's sum over channels runs in one GEMM row in channel order,
// whatever the block or thread: the same bits at any thread count and batch
// size.
//
// Weight gradient: per fixed chunk of the batch (kBatchChunks, so that the
// sums do not depend on the thread count), per block of tiles, V (packed in
// slivers of channels) and Z = A dy A^T (tiles x cout per point); S +=
// Z^T V per point on the direct-A tiles reading Z by columns, the tiles
// being the reduction; at the chunk's end dW_chunk = G^T S G; the chunks are
// summed in order.
//
// Accuracy: the transforms scale and cancel (B and A hold 4, 5 and 8; G
// 1/6 and 1/24), so the error is larger than a direct sum's. Measured
// against float64 (forward, random inputs, filters scaled to unit output
// variance): on shape d the largest error is 1.0e-5 against the direct
// kernel's 1.7e-6, the rms 5.7e-7 against 1.4e-7; on shape f 1.9e-5
// against 2.4e-6. Backward data on d: 9.8e-8 against 1.8e-8 (|dX| up to
// 0.016). Weight gradient on d (4 images): 5.4e-6 against 1.9e-6 (|dW| up
// to 1.3); on f 8.1e-6 against 4.6e-7. native/test/conv_tests.cc holds
// every direction to 64 eps times the sum of |products|.
//
// Infinities and NaN: a patch holding one spreads it over its whole tile
// (the transform adds and subtracts every pixel), where the definition
// leaves finite outputs. Forward and backward data check every output as
// they write it; if one is not finite, the call says so and the dispatcher
// recomputes with the next implementation (conv_dispatch.cc). A weight
// gradient that comes out non-finite is recomputed there by the definition.
#include "conv2d_impls.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>

#include "cpu/dispatch.h"
#include "cpu/scratch.h"
#include "derived_filter_cache.h"
#include "parallel_images.h"
#include "../parallel_ranges.h"
#include "../round_up.h"
#include "../transpose.h"

namespace convnode {
namespace {

constexpr int64_t kPoints = 36;
constexpr int64_t kMaxLanes = 16;

// The buffers' strides between points, and the transposed filters' rows,
// are powers of two times a few channels: the 36 stores of one transform
// then fall in one cache set and evict each other (shape d's input
// transforms took 1.6x as long). One cache line more apart, they spread.
constexpr int64_t kSkew = 16;

// Tiles per block, at most: V and M of a block (36 x tiles x (cin + cout)
// floats) should stay in L2 for the 36 GEMMs, and each pass over U (36 x
// cin x cout) should serve enough tiles. Measured on shapes d, f and
// SmallVGG's 32-channel layer at 32, 48, 64, 96 and 128: 48 was never
// worse than the others beyond the noise.
constexpr int64_t kBlockTiles = 48;

// The weight gradient's blocks: the tiles are its GEMMs' reduction, and
// longer ones load and store S's tiles less often. 144 against 48 at 2
// threads: shape f 11.7 -> 9.0 ms, SmallVGG's 64-channel layer 2.5 -> 2.2;
// 288 was no better (measured with the packed GEMM, before the direct-A
// tiles).
constexpr int64_t kWeightBlockTiles = 144;

// Each chunk of the weight gradient's batch writes and reads its own sums
// S (36 x cout x cin): above this many floats, the batch is cut in 2
// chunks instead of kBatchChunks (shape f's S is 9.4 MB).
constexpr int64_t kLargeSumFloats = int64_t(1) << 20;

// Below this many channels in or out, the GEMMs are too narrow to pay for
// the transforms. ResNet-20's 16-channel layers (batch 64, 32 x 32) first
// ran 0.83-0.87x the direct kernel's speed; once the weight gradient read
// Z by columns and the input copy prefetched, Winograd took them at 1.01-
// 1.09x forward and backward data and 1.33-1.53x weight gradient (1 and 2
// threads), ResNet-20's training step 1.06x, inference at batch 256 1.14x
// and at batch 1 level.
constexpr int64_t kMinChannels = 16;

// Few tiles (a batch of one) against large filters: the transformed
// filters (36 x cin x cout) cost more than the tiles save. One 14 x 14
// image (16 tiles) with 256 -> 256 channels ran 0.91x (forward) and 0.53x
// (weight gradient) the direct kernel's speed, with 64 -> 64 channels
// 1.38x and 0.98x.
constexpr int64_t kMinTiles = 32;
constexpr int64_t kFewFilterFloats = 64 * 64;

// A group's padded copy may not exceed this (larger images go to the
// direct path, which works in bands).
constexpr int64_t kMaxGroupFloats = int64_t(16) << 20;  // 64 MiB

const WinogradF4x3Kernels* active_transforms() { return active_kernel_table().winograd; }

// 4 x 4 output tiles along an axis of `in` pixels padded by `pad`: the
// output has in + 2 pad - 2.
int64_t tiles_along(int64_t in, int64_t pad) { return (in + 2 * pad + 1) / 4; }

// The padded copy's extent along that axis: the tiles' 6 x 6 patches, 4 apart.
int64_t frame_along(int64_t in, int64_t pad) { return tiles_along(in, pad) * 4 + 2; }

// Images of `channels` planes of rows x cols, copied zero-padded with
// channels interleaved by vectors: [image][c / lanes][r][col][c % lanes],
// pixel (r, col) of a plane at (r + top, col + left) of a dst_rows x
// dst_cols frame.
struct Interleaved {
  int64_t channels, rows, cols, dst_rows, dst_cols, top, left, lanes;
  int64_t image_floats() const { return round_up(channels, lanes) * dst_rows * dst_cols; }

  // Copies images [first, first + count) of src. Through 4 x 4 transposes
  // (4 channels x 4 columns): stores of one float 64 bytes apart made this
  // copy a quarter of shape d's time. Only the frame around the planes is
  // zeroed first (a memset of it all was a third of the copy's time).
  void copy(const float* src, int64_t first, int64_t count, float* dst) const {
    const int64_t plane = rows * cols, whole = cols / 4 * 4, frame = dst_rows * dst_cols * lanes;
    const int64_t blocks = round_up(channels, lanes) / lanes, row = dst_cols * lanes;
    for (int64_t img = 0; img < count; ++img) {
      float* image = dst + img * image_floats();
      for (int64_t b = 0; b < blocks; ++b) {
        float* f = image + b * frame;
        if ((b + 1) * lanes > channels) {  // lanes past the last channel: all of it
          std::memset(f, 0, sizeof(float) * size_t(frame));
          continue;
        }
        std::memset(f, 0, sizeof(float) * size_t(top * row));
        std::memset(f + (top + rows) * row, 0, sizeof(float) * size_t((dst_rows - top - rows) * row));
        for (int64_t r = top; r < top + rows; ++r) {
          std::memset(f + r * row, 0, sizeof(float) * size_t(left * lanes));
          std::memset(f + r * row + (left + cols) * lanes, 0, sizeof(float) * size_t((dst_cols - left - cols) * lanes));
        }
      }
      for (int64_t c0 = 0; c0 < channels; c0 += 4) {
        const int64_t cs = std::min<int64_t>(4, channels - c0);
        const float* from = src + ((first + img) * channels + c0) * plane;
        float* to = image + (c0 / lanes) * frame + (top * dst_cols + left) * lanes + c0 % lanes;
        // The next 4 planes, a row ahead of their turn: each plane is a
        // stream too short (14 x 14: 12 cache lines) for the hardware
        // prefetcher to learn before it ends.
        const float* next = c0 + 8 <= channels ? from + 4 * plane : nullptr;
        for (int64_t r = 0; r < rows; ++r) {
          const float* s_row = from + r * cols;
          float* d_row = to + r * row;
          if (next != nullptr)
            for (int64_t c = 0; c < 4; ++c) {
              __builtin_prefetch(next + c * plane + r * cols);
              __builtin_prefetch(next + c * plane + r * cols + cols - 1);
            }
          int64_t col = 0;
          if (cs == 4)
            for (; col < whole; col += 4) transpose_4x4(s_row + col, plane, d_row + col * lanes, lanes);
          for (; col < cols; ++col)
            for (int64_t c = 0; c < cs; ++c) d_row[col * lanes + c] = s_row[c * plane + col];
        }
      }
    }
  }
};

// One Winograd convolution in forward terms: `cin` planes of h x w in,
// `cout` planes of ho x wo out.
struct Plan {
  int64_t n, cin, cout, h, w, ho, wo, pad_h, pad_w;
  int64_t lanes, cin_p, cout_p;          // channels rounded up to whole vectors
  int64_t th, tw, tiles_image;           // 4 x 4 output tiles
  Interleaved input;                     // the padded copy of x: 6 x 6 patches 4 apart
  const GemmDirectATile* gemm;
  int64_t cout_g;                        // cout rounded up to the GEMM tile's width
  int64_t block_tiles;                   // at most this many tiles per block
  int64_t group_images, block_rows;      // images per group; rows of V and M
  int64_t wt_ld, u_point, v_point, m_point;  // strides, skewed by kSkew

  // group_cap: at most this many images per group (the forward passes give
  // each thread at least one group).
  Plan(int64_t n_, int64_t cin_, int64_t cout_, int64_t h_, int64_t w_, int64_t pad_h_, int64_t pad_w_,
       int64_t group_cap, int64_t block_tiles_)
      : n(n_), cin(cin_), cout(cout_), h(h_), w(w_), ho(h_ + 2 * pad_h_ - 2), wo(w_ + 2 * pad_w_ - 2),
        pad_h(pad_h_), pad_w(pad_w_), block_tiles(block_tiles_) {
    lanes = active_transforms()->lanes;
    cin_p = round_up(cin, lanes);
    cout_p = round_up(cout, lanes);
    th = tiles_along(h, pad_h);
    tw = tiles_along(w, pad_w);
    tiles_image = th * tw;
    input = Interleaved{cin, h, w, frame_along(h, pad_h), frame_along(w, pad_w), pad_h, pad_w, lanes};
    gemm = &direct_a_tile_for_width(*active_kernel_table().gemm_direct_a, cout_p);
    cout_g = round_up(cout_p, gemm->nr);
    // Whole images per group, enough of them to fill a block (shape f's
    // 14 x 14 images have 16 tiles each).
    group_images = std::max<int64_t>(1, std::min<int64_t>(group_cap, block_tiles / tiles_image));
    group_images = std::min<int64_t>(group_images, std::max<int64_t>(1, kMaxGroupFloats / input.image_floats()));
    // As many groups as a multiple of the threads (the forward passes'
    // cap), each as even as whole images allow: 16 images of up to 6 are
    // 4 groups of 4, not 6 + 6 + 4 (which left a thread idle a third of
    // the time).
    if (group_cap < n) {
      const int64_t teams = (n + group_cap - 1) / group_cap;
      const int64_t groups = round_up((n + group_images - 1) / group_images, teams);
      group_images = (n + groups - 1) / groups;
    }
    block_rows = round_up(std::min(block_tiles, group_images * tiles_image), gemm->mr);
    wt_ld = cout_p + kSkew;
    u_point = cin_p * cout_g + kSkew;
    v_point = block_rows * cin_p + kSkew;
    m_point = block_rows * cout_g + kSkew;
  }

  // The blocks of a group's `tiles`: as even as whole tiles allow, at most
  // block_tiles each (49 tiles as 25 + 24, not 48 + 1).
  int64_t block_size(int64_t tiles) const {
    const int64_t blocks = (tiles + block_tiles - 1) / block_tiles;
    return (tiles + blocks - 1) / blocks;
  }

  // The input transform of tiles [t0, t0 + block) of a group copied to
  // xb, in slivers of `width` channels: point p's tile t, channels c0 ..
  // c0 + L, at v + p * point + (c0 / width) * sliver + t * width + c0 %
  // width. The forward passes take one sliver of all cin_p channels (V
  // row-major); the weight gradient NR-wide ones (the packed B operand of
  // a GEMM over tiles).
  void transform_inputs(const WinogradF4x3Kernels& kern, const float* xb, int64_t t0, int64_t block, float* v,
                        int64_t point, int64_t width, int64_t sliver) const {
    const int64_t L = lanes, wp = input.dst_cols, plane = input.dst_rows * wp * L;
    for (int64_t t = 0; t < block; ++t) {
      const int64_t img = (t0 + t) / tiles_image, r = (t0 + t) % tiles_image;
      const float* patch = xb + img * input.image_floats() + ((r / tw) * 4 * wp + (r % tw) * 4) * L;
      for (int64_t c0 = 0; c0 < cin_p; c0 += L)
        kern.input(patch + (c0 / L) * plane, wp * L, v + (c0 / width) * sliver + t * width + c0 % width, point);
    }
  }
};

bool geometry_applies(int64_t n, int64_t cin, int64_t cout, int64_t h, int64_t w, int64_t pad_h, int64_t pad_w) {
  if (active_transforms() == nullptr || active_kernel_table().gemm_direct_a->count == 0) return false;
  if (cin < kMinChannels || cout < kMinChannels || pad_h > 2 || pad_w > 2) return false;
  if (h + 2 * pad_h < 3 || w + 2 * pad_w < 3) return false;
  const int64_t tiles = n * tiles_along(h, pad_h) * tiles_along(w, pad_w);
  if (tiles < kMinTiles && cin * cout > kFewFilterFloats) return false;
  // The padded copy of one image, as Plan sizes it.
  return round_up(cin, active_transforms()->lanes) * frame_along(h, pad_h) * frame_along(w, pad_w) <= kMaxGroupFloats;
}

bool is_3x3_stride_1(const Conv2dShape& s) {
  return s.groups == 1 && s.kh == 3 && s.kw == 3 && s.stride_h == 1 && s.stride_w == 1 && s.dilation_h == 1 &&
         s.dilation_w == 1;
}

// Images per group in the forward passes: at most n / threads, so that
// every thread gets a group.
int64_t forward_group_cap(int64_t n) { return (n + num_threads() - 1) / num_threads(); }

// U[point][sliver][c][j] = (G g G^T)[point] of filter (c, sliver * nr + j),
// from wt[c][tap][k] (k padded to whole vectors with zeros). Only the
// padding rows and columns the transform does not write are zeroed: a
// memset of the whole of shape f's U (9.4 MB) took longer than the
// transform. Channels are shared among the threads from 64 x 64 filters
// (4096 transforms; with 16384 as the bound, ResNet-20's 64-channel layers
// at batch 64 transformed on one thread while the other waited: forward
// 1.09x and backward data 1.06x at 2 threads with the team, SmallVGG's
// 64 -> 64 layer 1.06x and 1.03x).
void transform_filters(const Plan& p, const WinogradF4x3Kernels& kern, const float* wt, float* u) {
  const int64_t nr = p.gemm->nr, slivers = p.cout_g / nr;
  const int threads = p.cin * p.cout >= (int64_t(1) << 12) ? num_threads() : 1;
  parallel_for(p.cin_p, threads, [&](int64_t c) {
    for (int64_t pt = 0; pt < kPoints; ++pt)
      for (int64_t sl = 0; sl < slivers; ++sl) {
        float* row = u + pt * p.u_point + (sl * p.cin_p + c) * nr;
        const int64_t from = c < p.cin ? std::max<int64_t>(0, p.cout_p - sl * nr) : 0;
        std::fill(row + std::min(from, nr), row + nr, 0.0f);
      }
    if (c >= p.cin) return;
    for (int64_t k0 = 0; k0 < p.cout_p; k0 += p.lanes)
      kern.filter(wt + c * 9 * p.wt_ld + k0, p.wt_ld, u + ((k0 / nr) * p.cin_p + c) * nr + k0 % nr, p.u_point);
  });
}

// Writes one tile's outputs, out[q][l] for q = row * 4 + column and lane l
// (channel k0 + l), into y's planes (ho x wo each, `plane` apart).
void store_tile(const Plan& p, const float* out, int64_t k0, float* y_tile, int64_t rows, int64_t cols) {
  const int64_t L = p.lanes, plane = p.ho * p.wo;
  const int64_t channels = std::min(L, p.cout - k0);
  int64_t l = 0;
  if (cols == 4)
    for (; l + 4 <= channels; l += 4)
      for (int64_t i = 0; i < rows; ++i) transpose_4x4(out + i * 4 * L + l, L, y_tile + l * plane + i * p.wo, plane);
  for (; l < channels; ++l)
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j) y_tile[l * plane + i * p.wo + j] = out[(i * 4 + j) * L + l];
}

// One block of a group's tiles, [t0, t0 + block), from the group's padded
// copy xb (image `first` at its start) to y: the input transforms, the 36
// GEMMs, the output transforms. False if an output came out non-finite.
bool run_block(const Plan& p, const float* u, const float* xb, int64_t first, int64_t t0, int64_t block,
               const float* bias, float* y) {
  const WinogradF4x3Kernels& kern = *active_transforms();
  const int64_t L = p.lanes, nr = p.gemm->nr, mr = p.gemm->mr, slivers = p.cout_g / nr;
  static thread_local Scratch v_scratch, m_scratch;
  float* v = v_scratch.floats(size_t(kPoints * p.v_point));
  float* m = m_scratch.floats(size_t(kPoints * p.m_point));
  p.transform_inputs(kern, xb, t0, block, v, p.v_point, p.cin_p, 0);
  // The GEMM tiles read whole MR-row slivers: rows past the block are zeros.
  const int64_t rows = round_up(block, mr);
  for (int64_t pt = 0; pt < kPoints; ++pt)
    std::memset(v + pt * p.v_point + block * p.cin_p, 0, sizeof(float) * size_t((rows - block) * p.cin_p));
  for (int64_t pt = 0; pt < kPoints; ++pt) {
    const float* a = v + pt * p.v_point;
    const float* b = u + pt * p.u_point;
    float* c = m + pt * p.m_point;
    for (int64_t s = 0; s < slivers; ++s)
      for (int64_t r0 = 0; r0 < block; r0 += mr)
        p.gemm->tile(p.cin_p, a + r0 * p.cin_p, p.cin_p, b + s * p.cin_p * nr, nr, c + r0 * p.cout_g + s * nr, p.cout_g,
                     std::min(mr, block - r0), nr, 1.0f, 0.0f);
  }
  alignas(64) float out[16 * kMaxLanes];
  alignas(64) float check[kMaxLanes] = {};
  for (int64_t t = 0; t < block; ++t) {
    const int64_t img = first + (t0 + t) / p.tiles_image, r = (t0 + t) % p.tiles_image;
    const int64_t oy = (r / p.tw) * 4, ox = (r % p.tw) * 4;
    for (int64_t k0 = 0; k0 < p.cout; k0 += L) {
      kern.output(m + t * p.cout_g + k0, p.m_point, bias != nullptr ? bias + k0 : nullptr, out, check);
      store_tile(p, out, k0, y + ((img * p.cout + k0) * p.ho + oy) * p.wo + ox, std::min<int64_t>(4, p.ho - oy),
                 std::min<int64_t>(4, p.wo - ox));
    }
  }
  for (int64_t l = 0; l < L; ++l)
    if (std::isnan(check[l])) return false;
  return true;
}

// The convolution of x by the transformed filters u; false if an output
// came out non-finite (y is then to be recomputed).
//
// Threads take whole groups of images; a batch of one runs on the calling
// thread. Tried and dropped: the blocks of one group shared among 2
// threads. Alone, SmallVGG's 32-channel layer at batch 1 went from 36 to
// 30 us, its 64-channel one from 41 to 42-51 us; within the model, whose
// other layers run on the calling thread, the batch-1 call took 263-285 us
// against 193-211 us (2-core AMD EPYC VM, libgomp spinning or not): the
// second core reads the padded input and the filters from the first
// core's caches, and the next layer reads its outputs back.
bool run(const Plan& p, const float* u, const float* x, const float* bias, float* y) {
  const int64_t groups = (p.n + p.group_images - 1) / p.group_images;
  std::atomic<bool> finite{true};
  for_each_image_parallel(groups, [&](int64_t g) {
    static thread_local Scratch xb_scratch;
    const int64_t first = g * p.group_images, count = std::min(p.group_images, p.n - first);
    float* xb = xb_scratch.floats(size_t(count * p.input.image_floats()));
    p.input.copy(x, first, count, xb);
    const int64_t tiles = count * p.tiles_image, size = p.block_size(tiles);
    for (int64_t t0 = 0; t0 < tiles; t0 += size)
      if (!run_block(p, u, xb, first, t0, std::min(size, tiles - t0), bias, y))
        finite.store(false, std::memory_order_relaxed);
  });
  return finite.load();
}

// The filters transposed to wt[cin][tap][wt_ld] (zeros past cout), taps
// flipped for backward data, then transformed into u (kPoints * u_point floats).
void transform_all_filters(const Plan& p, const float* w, bool backward, float* u) {
  static thread_local Scratch wt_scratch;
  float* wt = wt_scratch.floats(size_t(p.cin * 9 * p.wt_ld));
  for (int64_t row = 0; row < p.cin * 9; ++row) std::fill(wt + row * p.wt_ld + p.cout, wt + (row + 1) * p.wt_ld, 0.0f);
  if (backward) {
    // w[ci][co][tap], transposed per ci with the rows (taps) reversed.
    for (int64_t ci = 0; ci < p.cin; ++ci)
      transpose(w + ci * p.cout * 9, 9, p.cout, 9, wt + (ci * 9 + 8) * p.wt_ld, -p.wt_ld);
  } else {
    transpose(w, p.cin * 9, p.cout, p.cin * 9, wt, p.wt_ld);  // w[co][ci][tap]
  }
  transform_filters(p, *active_transforms(), wt, u);
}

// Calls with at most this many tiles keep their forward filters' transform
// (derived_filter_cache.h): SmallVGG at batch 1 has 16-49 tiles a layer,
// and its 64 -> 64 layer spent 40% of its time on the filters. A training
// batch (SmallVGG at 64: 1024-3136 tiles) changes its filters every step
// and never looks.
constexpr int64_t kCachedTransformTiles = 64;

// The transformed filters of a call, and its bias padded to cout_p.
struct TransformedFilters {
  const float* u;
  const float* bias;
};

TransformedFilters prepare(const Plan& p, const float* w, const float* bias, bool backward) {
  static thread_local Scratch u_scratch, bias_scratch;
  static thread_local DerivedFilterCache cache;
  const DerivedFilterLayout layout{active_transforms(), p.gemm, p.cin, p.cout, kPoints * p.u_point};
  const int64_t count = p.cin * p.cout * 9;
  const float* u;
  if (!backward && p.n * p.tiles_image <= kCachedTransformTiles && DerivedFilterCache::fits(layout, count)) {
    u = cache.get(layout, w, count, [&](float* out) { transform_all_filters(p, w, false, out); });
  } else {
    float* fresh = u_scratch.floats(size_t(layout.derived_floats));
    transform_all_filters(p, w, backward, fresh);
    u = fresh;
  }
  float* b = nullptr;
  if (bias != nullptr) {
    b = bias_scratch.floats(size_t(p.cout_p));
    std::fill(b, b + p.cout_p, 0.0f);
    std::copy(bias, bias + p.cout, b);
  }
  return {u, b};
}

}  // namespace

bool conv2d_winograd_applies(const Conv2dShape& s) {
  return is_3x3_stride_1(s) && geometry_applies(s.n, s.c, s.k, s.h, s.w, s.pad_h, s.pad_w);
}

bool conv2d_winograd_backward_data_applies(const Conv2dShape& s) {
  return is_3x3_stride_1(s) && s.ho > 0 && s.wo > 0 &&
         geometry_applies(s.n, s.k, s.c, s.ho, s.wo, 2 - s.pad_h, 2 - s.pad_w);
}

bool conv2d_forward_winograd(const Conv2dShape& s, const float* x, const float* w, const float* bias, float* y) {
  const Plan p(s.n, s.c, s.k, s.h, s.w, s.pad_h, s.pad_w, forward_group_cap(s.n), kBlockTiles);
  const TransformedFilters f = prepare(p, w, bias, false);
  return run(p, f.u, x, f.bias, y);
}

bool conv2d_backward_data_winograd(const Conv2dShape& s, const float* dy, const float* w, float* dx) {
  const Plan p(s.n, s.k, s.c, s.ho, s.wo, 2 - s.pad_h, 2 - s.pad_w, forward_group_cap(s.n), kBlockTiles);
  const TransformedFilters f = prepare(p, w, nullptr, true);
  return run(p, f.u, dy, nullptr, dx);
}

void conv2d_backward_weight_winograd(const Conv2dShape& s, const float* x, const float* dy, float* dw) {
  // Groups do not depend on the thread count here: they decide how the
  // sums are split into GEMM calls.
  const Plan p(s.n, s.c, s.k, s.h, s.w, s.pad_h, s.pad_w, s.n, kWeightBlockTiles);
  const WinogradF4x3Kernels& kern = *active_transforms();
  const int64_t L = p.lanes, taps = p.cout * p.cin * 9, rows = p.block_rows;
  // dy's tiles, 4 x 4 blocks of a frame of th x tw tiles (zeros past ho, wo).
  const Interleaved grads{p.cout, p.ho, p.wo, p.th * 4, p.tw * 4, 0, 0, L};
  // Per point, S (cout x cin) += Z^T (cout x tiles) V (tiles x cin), on the
  // direct-A tiles reading A by columns: Z as the output-gradient transform
  // writes it (tiles x cout_p; transposing it per point had been about a
  // tenth of SmallVGG's weight gradients), V packed in slivers of NR
  // channels as the input transform writes it.
  const GemmDirectATile& tile = direct_a_tile_for_width(*active_kernel_table().gemm_direct_a, p.cin_p);
  const int64_t mr = tile.mr, nr = tile.nr, cin_g = round_up(p.cin_p, nr);
  const int64_t v_point = cin_g * rows + kSkew, s_point = p.cout * cin_g + kSkew;
  // A tile's last MR rows may reach past cout_p: its last tile row reads
  // round_up(cout, MR) - cout_p floats past it, into the skew.
  const int64_t z_point = rows * p.cout_p + std::max(kSkew, round_up(p.cout, mr) - p.cout_p);
  const int64_t chunks = std::min<int64_t>(s.n, kPoints * p.cout * cin_g > kLargeSumFloats ? 2 : kBatchChunks);
  static thread_local Scratch partial_scratch;
  float* partials = partial_scratch.floats(size_t(chunks * taps));  // per chunk, dw's layout
  for_each_image_parallel(chunks, [&](int64_t ch) {
    static thread_local Scratch xb_scratch, gb_scratch, v_scratch, z_scratch, sum_scratch;
    float* v = v_scratch.floats(size_t(kPoints * v_point));
    float* z = z_scratch.floats(size_t(kPoints * z_point));
    float* sums = sum_scratch.floats(size_t(kPoints * s_point));
    // Channels past cin_p in V's last sliver are read by the tiles and never
    // written: zeros. A row tile reaching past cout reads, in Z's last tile
    // row, floats past it: the point's tail, zeroed here (or, in a block
    // shorter than `rows`, a row an earlier block wrote). They only feed
    // accumulators of rows past cout, which are never stored.
    for (int64_t pt = 0; pt < kPoints; ++pt) {
      if (cin_g > p.cin_p)
        for (int64_t t = 0; t < rows; ++t) {
          float* last = v + pt * v_point + (cin_g / nr - 1) * rows * nr + t * nr;
          std::fill(last + p.cin_p % nr, last + nr, 0.0f);
        }
      std::fill(z + pt * z_point + rows * p.cout_p, z + (pt + 1) * z_point, 0.0f);
    }
    const int64_t end = s.n * (ch + 1) / chunks;
    bool first_block = true;
    for (int64_t first = s.n * ch / chunks; first < end; first += p.group_images) {
      const int64_t count = std::min(p.group_images, end - first);
      float* xb = xb_scratch.floats(size_t(count * p.input.image_floats()));
      float* gb = gb_scratch.floats(size_t(count * grads.image_floats()));
      p.input.copy(x, first, count, xb);
      grads.copy(dy, first, count, gb);
      const int64_t tiles = count * p.tiles_image, size = p.block_size(tiles);
      for (int64_t t0 = 0; t0 < tiles; t0 += size) {
        const int64_t block = std::min(size, tiles - t0);
        p.transform_inputs(kern, xb, t0, block, v, v_point, nr, rows * nr);
        for (int64_t t = 0; t < block; ++t) {
          const int64_t img = (t0 + t) / p.tiles_image, r = (t0 + t) % p.tiles_image;
          const float* g = gb + img * grads.image_floats() + ((r / p.tw) * 4 * grads.dst_cols + (r % p.tw) * 4) * L;
          for (int64_t k0 = 0; k0 < p.cout_p; k0 += L)
            kern.output_gradient(g + (k0 / L) * grads.dst_rows * grads.dst_cols * L, grads.dst_cols * L,
                                 z + t * p.cout_p + k0, z_point);
        }
        for (int64_t pt = 0; pt < kPoints; ++pt)
          for (int64_t sl = 0; sl < cin_g / nr; ++sl)
            for (int64_t r0 = 0; r0 < p.cout; r0 += mr)
              tile.tile_a_columns(block, z + pt * z_point + r0, p.cout_p, v + pt * v_point + sl * rows * nr, nr,
                                  sums + pt * s_point + r0 * cin_g + sl * nr, cin_g, std::min(mr, p.cout - r0), nr,
                                  1.0f, first_block ? 0.0f : 1.0f);
        first_block = false;
      }
    }
    alignas(64) float out[9 * kMaxLanes];
    float* part = partials + ch * taps;
    for (int64_t k = 0; k < p.cout; ++k)
      for (int64_t c0 = 0; c0 < p.cin; c0 += L) {
        kern.weight(sums + k * cin_g + c0, s_point, out);
        for (int64_t l = 0; l < std::min(L, p.cin - c0); ++l)
          for (int64_t t = 0; t < 9; ++t) part[(k * p.cin + c0 + l) * 9 + t] = out[t * L + l];
      }
  });
  for_each_chunk(taps, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      float sum = partials[i];
      for (int64_t ch = 1; ch < chunks; ++ch) sum += partials[ch * taps + i];
      dw[i] = sum;
    }
  });
}

}  // namespace convnode
