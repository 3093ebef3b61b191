// The C++ kernel tests' shared parts: the counters and the summary, a
// seeded generator, tolerance checks derived from the reduction length, and
// one entry point per kernel family (gemm_tests.cc, conv_tests.cc, ...),
// which main.cc runs on every ISA path this CPU has.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "convnode/kernels.h"
#include "convnode/runtime.h"

using namespace convnode;

extern std::mt19937 rng;
// The ISA path being tested, for the summary table.
extern std::string current_isa;

std::vector<float> random_vec(size_t n, float lo = -1.0f, float hi = 1.0f);
// Counts a check under `kernel` and the current ISA path; prints `what` when it fails.
void check(bool ok, const std::string& kernel, const std::string& what);
// Max |got - want| <= (k + 2) * eps * scale[i] for all i; on failure, detail says where.
bool close(const std::vector<float>& got, const std::vector<double>& want, const std::vector<double>& scale, double k,
           std::string* detail);
// |got - want| <= rel * max(1, |want|) elementwise.
bool close_rel(const std::vector<float>& got, const std::vector<double>& want, double rel);
Conv2dShape conv_shape(int64_t n, int64_t c, int64_t h, int64_t w, int64_t k, int64_t kh, int64_t kw, int64_t sh,
                       int64_t sw, int64_t ph, int64_t pw, int64_t dh, int64_t dw, int64_t g);
int failures();
// The checks per kernel and ISA path, and "N passed, M failed".
void print_summary();

// Per family, on the active ISA path and thread count (tag names both).
void gemm_tests(const std::string& tag);
void gemm_ukernel_tests(const std::string& tag);
void conv_tests(const std::string& tag);
void pool_tests(const std::string& tag);
void eltwise_tests(const std::string& tag);
void probe_tests(Isa isa, int threads, const std::string& tag);
// Per ISA path, across thread counts.
void gemm_thread_invariance_tests(const std::string& tag);
void conv_thread_invariance_tests(const std::string& tag);
// Once.
void worked_example_tests();
void thread_lease_tests();
void optimizer_list_tests();
