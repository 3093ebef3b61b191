// Runs body(i) for i in [0, n) spread over the kernel's threads. An
// exception may not leave an OpenMP region (it would terminate the
// process), so the first one is caught there and rethrown after the loop.
#pragma once

#include <algorithm>
#include <cstdint>
#include <exception>

#include "convnode/runtime.h"
#include "cpu/scratch.h"
#include "../parallel_ranges.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace convnode {

// One image (a service's batch of 1) runs on the calling thread alone: a
// team whose second thread has nothing to do still costs its fork and join,
// which made LeNet's first layer at batch 1 take 80 us on 2 threads against
// 20 us on one.
template <typename Body>
void for_each_image_parallel(int64_t n, Body body) {
  const int threads = static_cast<int>(std::min<int64_t>(num_threads(), n));
  if (threads <= 1) {
    for (int64_t i = 0; i < n; ++i) body(i);
    return;
  }
  std::exception_ptr error;
#pragma omp parallel num_threads(threads)
  {
#pragma omp for schedule(static)
    for (int64_t i = 0; i < n; ++i) {
      try {
        body(i);
      } catch (...) {
#pragma omp critical(convnode_conv_error)
        if (!error) error = std::current_exception();
      }
    }
    // After the loop's barrier no thread uses its scratch: the team's other
    // threads free their large buffers now (the calling thread's may still
    // be in use by its caller; the binding frees those when the call ends).
#ifdef _OPENMP
    if (omp_get_thread_num() != 0) release_large_scratch();
#endif
  }
  if (error) std::rethrow_exception(error);
}

// A weight gradient's chunk partials summed in chunk order (kBatchChunks):
// dw[k * taps + t] = sum over chunks c of partials[c * chunk_size + at(k, t)],
// at giving where (k, t) sits in a chunk's own layout.
template <typename At>
void add_chunks(int64_t k_count, int64_t taps, int64_t chunks, int64_t chunk_size, const float* partials, At at,
                float* dw) {
  for (int64_t k = 0; k < k_count; ++k)
    for (int64_t t = 0; t < taps; ++t) {
      float sum = partials[at(k, t)];
      for (int64_t c = 1; c < chunks; ++c) sum += partials[c * chunk_size + at(k, t)];
      dw[k * taps + t] = sum;
    }
}

}  // namespace convnode
