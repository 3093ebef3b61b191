// sgemm against a double-precision reference: every transpose, partial
// tiles, padded operands, the packed and the direct-A paths; the same bits
// at 1 and 2 threads.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "convnode/kernels.h"
#include "convnode/runtime.h"
#include "harness.h"

namespace {

// With pad > 0 every operand is a view into wider rows: the columns past
// op(A), op(B) are NaN (a read of them poisons C) and those past C hold a
// sentinel that must survive.
void test_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha,
               float beta, const std::string& tag, int64_t pad = 0) {
  const int64_t lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  auto a = random_vec(size_t((ta ? k : m) * lda)), b = random_vec(size_t((tb ? n : k) * ldb));
  auto c = random_vec(size_t(m * ldc));
  for (size_t i = 0; i < a.size(); ++i) if (int64_t(i % lda) >= lda - pad) a[i] = nan;
  for (size_t i = 0; i < b.size(); ++i) if (int64_t(i % ldb) >= ldb - pad) b[i] = nan;
  for (size_t i = 0; i < c.size(); ++i) if (int64_t(i % ldc) >= n) c[i] = 12345.0f;
  if (beta == 0.0f)
    for (size_t i = 0; i < c.size(); ++i)
      if (int64_t(i % ldc) < n) c[i] = nan;  // must not be read
  std::vector<double> want(c.begin(), c.end()), scale(c.size());
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double s = 0.0, sa = 0.0;
      for (int64_t p = 0; p < k; ++p) {
        const double av = ta ? a[p * lda + i] : a[i * lda + p];
        const double bv = tb ? b[j * ldb + p] : b[p * ldb + j];
        s += av * bv;
        sa += std::fabs(av * bv);
      }
      const double cv = beta == 0.0f ? 0.0 : double(c[i * ldc + j]);
      want[i * ldc + j] = alpha * s + beta * cv;
      scale[i * ldc + j] = std::fabs(alpha) * sa + std::fabs(beta * cv);
    }
  }
  sgemm(ta, tb, m, n, k, alpha, a.data(), lda, b.data(), ldb, beta, c.data(), ldc);
  std::string detail;
  const bool ok = close(c, want, scale, double(k), &detail);
  check(ok, "sgemm", tag + " gemm ta=" + std::to_string(ta) + " tb=" + std::to_string(tb) +
                " m=" + std::to_string(m) + " n=" + std::to_string(n) +
                " k=" + std::to_string(k) + " pad=" + std::to_string(pad) + " " + detail);
}

// The same bits at 1 and 2 threads, call after call, for narrow products
// whose threads split the columns over several K blocks: one thread packs
// its sliver for the next block while the other still reads the last
// one. When their slivers overlapped, 3-9% of the 2-thread calls differed;
// 300 calls then miss the race with odds below 1e-4.
void test_gemm_thread_invariance(const std::string& tag) {
  // Columns split among the threads (fewer rows than columns), rows split
  // (more rows), and neither (too few slivers of either).
  const int64_t shapes[][3] = {{33, 97, 1100}, {64, 400, 120}, {200, 150, 600}, {17, 70, 900}};
  for (const auto& s : shapes) {
    const int64_t m = s[0], n = s[1], k = s[2];
    auto a = random_vec(size_t(m * k)), b = random_vec(size_t(k * n));
    std::vector<float> one(size_t(m * n)), two(size_t(m * n));
    set_num_threads(1);
    sgemm(false, false, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, one.data(), n);
    set_num_threads(2);
    int differing = 0;
    for (int call = 0; call < 300; ++call) {
      sgemm(false, false, m, n, k, 1.0f, a.data(), k, b.data(), n, 0.0f, two.data(), n);
      differing += std::memcmp(one.data(), two.data(), one.size() * sizeof(float)) != 0;
    }
    check(differing == 0, "sgemm", tag + " same bits at 1 and 2 threads over 300 calls, " + std::to_string(m) + "x" +
                                       std::to_string(n) + "x" + std::to_string(k));
  }
}

}  // namespace

void gemm_tests(const std::string& tag) {
  std::uniform_int_distribution<int> small(1, 70);
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      test_gemm(ta, tb, 1, 1, 1, 1.0f, 0.0f, tag);
      test_gemm(ta, tb, 13, 33, 385, 0.5f, 0.0f, tag);   // k just past KC
      test_gemm(ta, tb, 97, 65, 31, 1.0f, 1.0f, tag);    // partial tiles, beta
      test_gemm(ta, tb, 200, 150, 100, -2.0f, 0.25f, tag);  // threaded, > MC
      test_gemm(ta, tb, 64, 400, 130, 1.0f, 0.5f, tag);     // threaded by columns, partial last sliver
      for (int r = 0; r < 4; ++r)
        test_gemm(ta, tb, small(rng), small(rng), small(rng), 1.0f, 0.0f, tag);
    }
  test_gemm(false, false, 3, 2500, 17, 1.0f, 0.0f, tag);  // n > NC
  // The direct-A path (N <= 128, row-major A): every tile width, the
  // widest over several column blocks, a short last row tile, a partial
  // last column block, K split into blocks.
  for (int64_t n : {1, 7, 8, 9, 16, 17, 31, 32, 33, 40, 48, 63, 64, 65, 96, 100, 127, 128})
    for (int64_t pad : {0, 3})
      test_gemm(false, n % 2 == 1, 37 + n, n, 45, n % 3 ? 1.0f : -1.5f, n % 4 ? 0.0f : 0.5f, tag, pad);
  test_gemm(false, false, 301, 64, 1500, 1.0f, 1.0f, tag, 5);  // 2 K blocks
  test_gemm(false, false, 150, 64, 1500, 1.0f, 1.0f, tag, 0);  // 2 K blocks, B read in place
  test_gemm(false, true, 1000, 16, 150, 0.5f, 0.0f, tag, 1);    // threaded
  test_gemm(false, false, 130, 120, 1100, 1.0f, 0.5f, tag, 2);  // 128 wide: 3 K blocks, threaded
  test_gemm(false, true, 100, 120, 1100, 1.0f, 0.5f, tag, 1);   // the same, A small: threads split columns
  test_gemm(false, false, 61, 200, 96, 1.0f, 0.0f, tag, 0);     // past 128 wide: the packed path
  // A few rows (1-4) against a transposed B: the per-ISA dot products of
  // gemm_few_rows.h, columns in fours and a tail of 1-3, k past and short of
  // whole 16-lane steps, threaded from 2 MFLOP (1 x 3000 x 400).
  for (int64_t m : {1, 2, 4})
    for (int64_t n : {1, 3, 4, 5, 10, 130})
      for (int64_t k : {1, 15, 16, 17, 400})
        test_gemm(m % 2 == 0, true, m, n, k, n % 2 ? 1.0f : 0.5f, k % 2 ? 0.0f : 0.25f, tag, m == 2 ? 3 : 0);
  test_gemm(false, true, 1, 3000, 400, 1.0f, 0.0f, tag);
}

void gemm_thread_invariance_tests(const std::string& tag) { test_gemm_thread_invariance(tag); }
