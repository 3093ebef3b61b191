// The thread count every parallel kernel uses. Kernels open their OpenMP
// regions with num_threads(convnode::num_threads()), so this setting, not
// OMP_NUM_THREADS, decides; it starts from CONVNODE_NUM_THREADS when set,
// else from the number of processors OpenMP sees.
#include <algorithm>
#include <atomic>
#include <cstdlib>

#include "convnode/runtime.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace convnode {
namespace {

int initial_threads() {
  if (const char* env = std::getenv("CONVNODE_NUM_THREADS")) {
    char* end = nullptr;
    long v = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && v >= 1 && v <= 1024) return static_cast<int>(v);
  }
  return max_threads();
}

std::atomic<int>& threads() {
  static std::atomic<int> n{initial_threads()};
  return n;
}

}  // namespace

int max_threads() {
#ifdef _OPENMP
  return std::max(1, omp_get_num_procs());
#else
  return 1;
#endif
}

int num_threads() { return threads().load(std::memory_order_relaxed); }

void set_num_threads(int n) { threads().store(std::max(1, n)); }

}  // namespace convnode
