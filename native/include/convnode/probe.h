// The physical limit: this CPU's peak fp32 FMA throughput on one ISA path,
// measured with register-resident chains of independent FMAs (no memory
// traffic). The benchmark reports every native kernel as a share of it.
#pragma once

#include <cstdint>

#include "convnode/runtime.h"

namespace convnode {

// GFLOP/s (an FMA counts as 2 flops) with `threads` threads each running the
// probe for about `seconds`; the best of three timings.
double measure_peak_gflops(Isa isa, int threads, double seconds);

}  // namespace convnode
