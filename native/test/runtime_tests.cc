// The runtime: thread leases shared by concurrent calls, and the FMA
// peak probe on every path.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "convnode/kernels.h"
#include "convnode/runtime.h"
#include "convnode/probe.h"
#include "harness.h"

namespace {

// Concurrent calls share the cores: while one call holds every thread, a
// call from another thread gets 1; nested leases keep the outer grant; a
// released lease gives its threads back.
void test_thread_leases() {
  const int setting = thread_setting();
  set_num_threads(max_threads());
  {
    ThreadLease outer;
    check(outer.granted() == max_threads() && num_threads() == max_threads(), "thread_lease",
          "first lease gets every thread");
    {
      ThreadLease nested;
      check(nested.granted() == outer.granted() && threads_in_use() == outer.granted(), "thread_lease",
            "nested lease keeps the outer grant, takes nothing more");
    }
    int other = -1, other_sees = -1;
    std::thread t([&] {
      ThreadLease lease;
      other = lease.granted();
      other_sees = num_threads();
    });
    t.join();
    const int want = 1;  // the outer lease holds every thread
    check(other == want && other_sees == want, "thread_lease",
          "concurrent lease gets " + std::to_string(other) + " thread(s), want " + std::to_string(want));
  }
  check(threads_in_use() == 0 && num_threads() == max_threads(), "thread_lease", "released leases give threads back");
  set_num_threads(1);
  {
    ThreadLease a;
    int other = -1;
    std::thread t([&] { ThreadLease b; other = b.granted(); });
    t.join();
    check(a.granted() == 1 && other == 1, "thread_lease", "a 1-thread setting grants 1 to each call");
  }
  set_num_threads(setting);
}

}  // namespace

void thread_lease_tests() { test_thread_leases(); }

void probe_tests(Isa isa, int threads, const std::string& tag) {
  const double peak = measure_peak_gflops(isa, threads, 0.02);
  check(std::isfinite(peak) && peak > 0.1, "fma_peak_probe", tag + " peak " + std::to_string(peak));
}
