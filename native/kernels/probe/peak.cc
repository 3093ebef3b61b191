// Timing the FMA probes: calibrate the iteration count to the requested
// duration, run on every requested thread at once, keep the best of three.
#include <algorithm>
#include <atomic>
#include <chrono>

#include "convnode/probe.h"
#include "cpu/dispatch.h"
#include "fma_peak.h"

namespace convnode {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::atomic<float> sink{0};

}  // namespace

double measure_peak_gflops(Isa isa, int threads, double seconds) {
  const FmaProbe p = kernel_table(isa_available(isa) ? isa : Isa::kScalar).fma_probe;
  volatile float m = 0.999999f, a = 1e-6f;
  // Calibrate on one thread: grow until a run takes a tenth of the budget.
  int64_t iters = 1 << 14;
  for (;;) {
    const auto t0 = std::chrono::steady_clock::now();
    sink = sink + p.run(iters, m, a);
    const double t = seconds_since(t0);
    if (t > seconds / 10 || iters > (int64_t(1) << 40)) {
      iters = std::max<int64_t>(1, int64_t(double(iters) * (seconds / 3) / std::max(t, 1e-9)));
      break;
    }
    iters *= 4;
  }
  double best = 0;
  for (int rep = 0; rep < 3; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel num_threads(threads)
    {
      const float r = p.run(iters, m, a);
      sink = sink + r;
    }
    const double t = seconds_since(t0);
    best = std::max(best, double(threads) * double(iters) * double(p.flops_per_iter) / t / 1e9);
  }
  return best;
}

}  // namespace convnode
