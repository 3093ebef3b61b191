// Per-ISA FMA throughput probes. Each runs `iters` iterations of its
// independent accumulator chains (enough chains to cover FMA latency times
// the number of FMA ports) and returns a value derived from all of them so
// the work cannot be optimised away. m and a keep the values finite.
#pragma once

#include <cstdint>

namespace convnode {

struct FmaProbe {
  float (*run)(int64_t iters, float m, float a);
  int64_t flops_per_iter;
};

float f32_fma_peak__scalar(int64_t iters, float m, float a);
float f32_fma_peak__avx2_fma(int64_t iters, float m, float a);
float f32_fma_peak__avx512(int64_t iters, float m, float a);
float f32_fma_peak__neon(int64_t iters, float m, float a);

}  // namespace convnode
