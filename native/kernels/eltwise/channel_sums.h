// Passes over a [n, c, hw] batch: how many threads they take, and the
// per-channel sums (batch norm's moments and gradient sums, the bias
// gradient) in one order whatever the thread count: float lanes along each
// row, rows added in double.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "convnode/kernels.h"
#include "convnode/runtime.h"
#include "../parallel_ranges.h"

namespace convnode {
namespace {

// The threads a pass over a [n, c, hw] tensor takes: all of them once it
// pays for a parallel region (parallel_ranges.h), else the calling one.
inline int threads_for(const ChannelShape& s) {
  return s.n * s.c * s.hw >= kParallelMinElements ? num_threads() : 1;
}

// Sums f(j) over one row of hw values in eight float lanes (whole vector
// adds; one running sum would wait on each add), returned as a double.
template <typename F>
double row_sum(int64_t hw, F f) {
  float lanes[8] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
  int64_t j = 0;
  for (; j + 8 <= hw; j += 8)
    for (int l = 0; l < 8; ++l) lanes[l] += f(j + l);
  float part = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
  for (; j < hw; ++j) part += f(j);
  return double(part);
}

// kSums sums per channel over the batch (in kBatchChunks), in double: rows(i, ch, acc) adds
// image i's row of channel ch to acc[0 .. kSums); out[k * c + ch] is sum
// k of channel ch. Threads take whole chunks of images, each summing its
// images' rows of every channel (in address order) into its own partials,
// which are then added in chunk order. By images, not by channels: the
// convolution before wrote each thread's images from that thread's core
// (parallel_images.h splits the batch the same way), and summing by
// channels made each thread read half its rows from the other core
// (channel_moments in ResNet-20's training step: 1.2x from a second
// thread).
template <int kSums, typename Rows>
void sums_over_batch(const ChannelShape& s, int threads, Rows rows, double* out) {
  const int64_t chunks = std::max<int64_t>(1, std::min(s.n, kBatchChunks)), per_chunk = kSums * s.c;
  std::vector<double> partial(size_t(chunks * per_chunk), 0.0);  // [chunk][ch][sum]
  parallel_for(chunks, threads, [&](int64_t chunk) {
    double* acc = partial.data() + chunk * per_chunk;
    for (int64_t i = s.n * chunk / chunks; i < s.n * (chunk + 1) / chunks; ++i)
      for (int64_t ch = 0; ch < s.c; ++ch) rows(i, ch, acc + ch * kSums);
  });
  for (int64_t ch = 0; ch < s.c; ++ch)
    for (int k = 0; k < kSums; ++k) {
      double total = 0.0;
      for (int64_t chunk = 0; chunk < chunks; ++chunk) total += partial[size_t(chunk * per_chunk + ch * kSums + k)];
      out[k * s.c + ch] = total;
    }
}

}  // namespace
}  // namespace convnode
