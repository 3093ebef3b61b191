// Dot products for a GEMM of a few rows with a transposed B (a Linear layer
// at batch 1-4: x W^T, W's rows contiguous), compiled per ISA path: the
// loop below is the only source, each f32_gemm_few_rows__<isa>.cc compiles
// it with its path's flags (the compiler widens the lanes to its vectors).
//
//   out[i * ldo + j] = sum over p < k of a[i * lda + p] * b[j * ldb + p]
//
// The order of the sums is fixed whatever the path: 16 lanes over k in
// steps of 16, the lanes added in order, then the tail. (The AVX paths fuse
// each product into its sum, so their last bits may differ from the
// baseline path's.) Four columns share each load of a: one column at a time
// left the loads, not the arithmetic, as the limit. SmallVGG's classifier
// (1 x 256 x 3136) at batch 1, C++ harness: 60 us baseline, 44 with AVX-512;
// LeNet's first Linear (1 x 120 x 400) 3.8 and 1.9 us.
#pragma once

#include <cstdint>

namespace convnode {

using GemmFewRowsFn = void (*)(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
                               int64_t ldb, float* out, int64_t ldo);

void f32_gemm_few_rows__scalar(int64_t, int64_t, int64_t, const float*, int64_t, const float*, int64_t, float*, int64_t);
void f32_gemm_few_rows__avx2_fma(int64_t, int64_t, int64_t, const float*, int64_t, const float*, int64_t, float*, int64_t);
void f32_gemm_few_rows__avx512(int64_t, int64_t, int64_t, const float*, int64_t, const float*, int64_t, float*, int64_t);

// Internal linkage: each per-ISA file must get its own copy of the loop. An
// inline function of one name compiled three times is one function to the
// linker, which keeps any one of the three (all paths ran the baseline's).
namespace few_rows {
namespace {

constexpr int kLanes = 16;

inline float finish(const float* lanes, const float* ai, const float* bj, int64_t k_main, int64_t k) {
  float sum = 0.0f;
  for (int l = 0; l < kLanes; ++l) sum += lanes[l];
  for (int64_t p = k_main; p < k; ++p) sum += ai[p] * bj[p];
  return sum;
}

inline void dots(int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb, float* out,
                 int64_t ldo) {
  const int64_t k_main = k - k % kLanes;
  int64_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const float* b0 = b + j * ldb;
    const float* b1 = b0 + ldb;
    const float* b2 = b1 + ldb;
    const float* b3 = b2 + ldb;
    for (int64_t i = 0; i < m; ++i) {
      const float* ai = a + i * lda;
      float l0[kLanes] = {}, l1[kLanes] = {}, l2[kLanes] = {}, l3[kLanes] = {};
      for (int64_t p = 0; p < k_main; p += kLanes)
        for (int l = 0; l < kLanes; ++l) {
          const float x = ai[p + l];
          l0[l] += x * b0[p + l];
          l1[l] += x * b1[p + l];
          l2[l] += x * b2[p + l];
          l3[l] += x * b3[p + l];
        }
      float* o = out + i * ldo + j;
      o[0] = finish(l0, ai, b0, k_main, k);
      o[1] = finish(l1, ai, b1, k_main, k);
      o[2] = finish(l2, ai, b2, k_main, k);
      o[3] = finish(l3, ai, b3, k_main, k);
    }
  }
  for (; j < n; ++j) {
    const float* bj = b + j * ldb;
    for (int64_t i = 0; i < m; ++i) {
      const float* ai = a + i * lda;
      float lanes[kLanes] = {};
      for (int64_t p = 0; p < k_main; p += kLanes)
        for (int l = 0; l < kLanes; ++l) lanes[l] += ai[p + l] * bj[p + l];
      out[i * ldo + j] = finish(lanes, ai, bj, k_main, k);
    }
  }
}

}  // namespace
}  // namespace few_rows
}  // namespace convnode
