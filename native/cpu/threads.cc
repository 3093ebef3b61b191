// The thread count every parallel kernel uses. Kernels open their OpenMP
// regions with num_threads(convnode::num_threads()), so this setting, not
// OMP_NUM_THREADS, decides; it starts from CONVNODE_NUM_THREADS when set,
// else from the number of processors OpenMP sees. Concurrent calls share the
// processors through leases (see ThreadLease in runtime.h).
#include <algorithm>
#include <atomic>
#include <string>

#include "convnode/runtime.h"
#include "cpu/env.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace convnode {
namespace {

int initial_threads() {
  const auto v = env_whole_number("CONVNODE_NUM_THREADS", 1, 1024, "a whole number from 1 to 1024",
                                  "every core (" + std::to_string(max_threads()) + ")");
  return v ? static_cast<int>(*v) : max_threads();
}

std::atomic<int>& setting() {
  static std::atomic<int> n{initial_threads()};
  return n;
}

// Threads granted to the kernel calls in progress, process-wide.
std::atomic<int>& busy() {
  static std::atomic<int> n{0};
  return n;
}

// This thread's lease grant (0: no lease held).
thread_local int lease_grant = 0;

}  // namespace

// Asked once: omp_get_num_procs() is a sched_getaffinity system call, which
// would double the cost of a small kernel call.
int max_threads() {
#ifdef _OPENMP
  static const int procs = std::max(1, omp_get_num_procs());
  return procs;
#else
  return 1;
#endif
}

int thread_setting() { return setting().load(std::memory_order_relaxed); }

int num_threads() { return lease_grant > 0 ? lease_grant : thread_setting(); }

void set_num_threads(int n) { setting().store(std::max(1, n)); }

int threads_in_use() { return busy().load(std::memory_order_relaxed); }

ThreadLease::ThreadLease() {
  if (lease_grant > 0) {  // nested: the outer lease already holds the threads
    granted_ = lease_grant;
    return;
  }
  const int cores = max_threads();
  const int want = std::max(1, std::min(thread_setting(), cores));
  int held = busy().load(std::memory_order_relaxed);
  int grant;
  do {
    grant = std::max(1, std::min(want, cores - held));
  } while (!busy().compare_exchange_weak(held, held + grant, std::memory_order_acq_rel));
  granted_ = grant;
  outer_ = true;
  lease_grant = grant;
}

ThreadLease::~ThreadLease() {
  if (!outer_) return;
  busy().fetch_sub(granted_, std::memory_order_acq_rel);
  lease_grant = 0;
}

}  // namespace convnode
