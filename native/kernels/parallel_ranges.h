// Splitting memory-bound loops across threads. Below 128k elements a
// parallel region costs more than it saves, so such loops run on one thread.
// Measured on a 2-core AMD EPYC VM (1 thread against 2, in a loop): ReLU
// and add at 64k elements 0.70x and 0.74x, at 128k 1.11x and 1.39x; SGD
// with momentum over four tensors at 64k 0.81x, at 128k 1.21x. (At the
// 32k this was before, LeNet's SGD step took 70 us on 2 threads in a
// training loop against 30 on one.)
// Thread t of n gets the global range [T*t/n, T*(t+1)/n) of the total length
// T: every element is handled by one thread and in the same way whatever the
// thread count, so results do not depend on it.
#pragma once

#include <algorithm>
#include <cstdint>

#include "convnode/runtime.h"

namespace convnode {

constexpr int64_t kParallelMinElements = int64_t(1) << 17;

// Sums over a batch (the convolutions' weight gradients, batch norm's
// moments and gradient sums, the bias gradient) run in this many
// contiguous chunks of images, fixed so that no sum depends on the thread
// count (enough for 4 threads); the chunks are added in order.
constexpr int64_t kBatchChunks = 4;

// A list of tensors split as if they were one array: f(i, begin, end)
// processes elements [begin, end) of tensor i (an optimizer step over every
// parameter of a model in one parallel region).
template <typename F>
void for_each_list_range(int64_t count, const int64_t* lengths, F f) {
  int64_t total = 0;
  for (int64_t i = 0; i < count; ++i) total += lengths[i];
  const int threads = total >= kParallelMinElements ? num_threads() : 1;
  auto run = [&](int64_t lo, int64_t hi) {
    int64_t start = 0;  // global index of tensor i's first element
    for (int64_t i = 0; i < count && start < hi; start += lengths[i], ++i) {
      const int64_t b = std::max(lo, start), e = std::min(hi, start + lengths[i]);
      if (b < e) f(i, b - start, e - start);
    }
  };
  if (threads == 1) {
    run(0, total);
    return;
  }
#pragma omp parallel for schedule(static) num_threads(threads)
  for (int t = 0; t < threads; ++t) run(total * t / threads, total * (t + 1) / threads);
}

// body(i) for i in [0, count), split as schedule(static) over `threads`,
// or run right here when one thread would do it all: a region with an
// if(false) clause is still a region to libgomp (a serialized team), and cost
// 2-4 us per call, more than a bias add over LeNet's 120 features at batch 1.
template <typename Body>
void parallel_for(int64_t count, int threads, Body body) {
  if (threads <= 1 || count <= 1) {
    for (int64_t i = 0; i < count; ++i) body(i);
    return;
  }
#pragma omp parallel for schedule(static) num_threads(threads)
  for (int64_t i = 0; i < count; ++i) body(i);
}

// One array: f(begin, end) over contiguous chunks of [0, len).
template <typename F>
void for_each_chunk(int64_t len, F f) {
  for_each_list_range(1, &len, [&](int64_t, int64_t b, int64_t e) { f(b, e); });
}

}  // namespace convnode
