// Each microkernel of the active ISA path run alone (XNNPACK's
// microkernel-tester idea): the packed GEMM microkernel, the direct-A GEMM
// tiles and the direct convolution forward tiles, on the edges their
// drivers reach less often: k of 0, below, at and past the unroll; partial
// tiles in both directions; C with a leading dimension wider than the tile
// (the columns past it must survive); beta 0 with NaN in C (C must not be
// read). The reference is double precision; the tolerance is (k + 2) * eps
// times the sum of |products|, per element.
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <limits>
#include <string>
#include <vector>

#include "cpu/dispatch.h"
#include "harness.h"

namespace {

constexpr float kSentinel = 12345.0f;

// C (m x n inside rows of ldc) against want, and the columns past n untouched.
void check_tile(const std::string& kernel, const std::vector<float>& c, const std::vector<double>& want,
                const std::vector<double>& scale, int64_t m, int64_t n, int64_t ldc, int64_t k, const std::string& what) {
  std::vector<float> got;
  std::vector<double> w, sc;
  bool sentinels = true;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < ldc; ++j) {
      if (j < n) {
        got.push_back(c[size_t(i * ldc + j)]);
        w.push_back(want[size_t(i * ldc + j)]);
        sc.push_back(scale[size_t(i * ldc + j)]);
      } else {
        sentinels = sentinels && c[size_t(i * ldc + j)] == kSentinel;
      }
    }
  std::string detail;
  const bool near = close(got, w, sc, double(k), &detail);  // before the message reads detail
  check(near && sentinels, kernel,
        what + (sentinels ? "" : " wrote past its tile") + " " + detail);
}

// C(i, j) = alpha * sum_p A(i, p) * B(p, j) + beta * C(i, j), A and B given by accessors.
template <typename A, typename B>
void reference(int64_t m, int64_t n, int64_t k, float alpha, float beta, A a, B b, const std::vector<float>& c0,
               int64_t ldc, std::vector<double>* want, std::vector<double>* scale) {
  want->assign(c0.begin(), c0.end());
  scale->assign(c0.size(), 0.0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double s = 0, sa = 0;
      for (int64_t p = 0; p < k; ++p) {
        const double x = double(a(i, p)) * double(b(p, j));
        s += x;
        sa += std::fabs(x);
      }
      const double cv = beta == 0.0f ? 0.0 : double(c0[size_t(i * ldc + j)]);
      (*want)[size_t(i * ldc + j)] = alpha * s + beta * cv;
      (*scale)[size_t(i * ldc + j)] = std::fabs(alpha) * sa + std::fabs(beta * cv);
    }
}

std::vector<float> c_buffer(int64_t m, int64_t n, int64_t ldc, float beta) {
  std::vector<float> c = random_vec(size_t(m * ldc));
  for (size_t i = 0; i < c.size(); ++i) {
    if (int64_t(i) % ldc >= n) c[i] = kSentinel;
    else if (beta == 0.0f) c[i] = std::numeric_limits<float>::quiet_NaN();  // must not be read
  }
  return c;
}

void test_packed_ukernel(const GemmKernel& kern, const std::string& tag) {
  const int mr = kern.mr, nr = kern.nr;
  // Every row count, and widths at and past half the tile: a kernel may run
  // a shorter or a narrower body for an edge tile.
  for (int64_t kc : {0, 1, 2, 3, 4, 7, 8, 9, 16, 17, 65})
    for (int64_t m = 1; m <= mr; ++m)
      for (int64_t n : {int64_t(1), int64_t(nr / 2), int64_t(nr / 2 + 1), int64_t(nr - 1), int64_t(nr)})
        for (float beta : {0.0f, -1.5f}) {
          if (n < 1) continue;
          const float alpha = beta == 0.0f ? 1.0f : 0.5f;
          const int64_t ldc = n + 3;
          // Packed panels, zero-padded to full MR / NR as the contract says.
          std::vector<float> a(size_t(std::max<int64_t>(1, kc) * mr), 0.0f), b(size_t(std::max<int64_t>(1, kc) * nr), 0.0f);
          for (int64_t p = 0; p < kc; ++p) {
            for (int64_t i = 0; i < m; ++i) a[size_t(p * mr + i)] = random_vec(1)[0];
            for (int64_t j = 0; j < n; ++j) b[size_t(p * nr + j)] = random_vec(1)[0];
          }
          std::vector<float> c = c_buffer(m, n, ldc, beta);
          std::vector<double> want, scale;
          reference(m, n, kc, alpha, beta, [&](int64_t i, int64_t p) { return a[size_t(p * mr + i)]; },
                    [&](int64_t p, int64_t j) { return b[size_t(p * nr + j)]; }, c, ldc, &want, &scale);
          kern.ukernel(kc, a.data(), b.data(), c.data(), ldc, m, n, alpha, beta);
          check_tile(kern.name, c, want, scale, m, n, ldc, kc,
                     tag + " " + kern.name + " kc=" + std::to_string(kc) + " m=" + std::to_string(m) + " n=" + std::to_string(n) +
                         " beta=" + std::to_string(beta));
        }
}

// `count` floats ending where an unreadable page begins: a kernel that
// reads one float past them faults.
class FloatsBeforeGuardPage {
 public:
  explicit FloatsBeforeGuardPage(size_t count) {
    const size_t page = size_t(sysconf(_SC_PAGESIZE));
    const size_t data_pages = (count * sizeof(float) + page - 1) / page;
    bytes_ = (data_pages + 1) * page;
    base_ = static_cast<char*>(mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (base_ == MAP_FAILED) throw std::runtime_error("mmap failed");
    mprotect(base_ + data_pages * page, page, PROT_NONE);
    data_ = reinterpret_cast<float*>(base_ + data_pages * page) - count;
  }
  ~FloatsBeforeGuardPage() { munmap(base_, bytes_); }
  float* data() const { return data_; }

 private:
  char* base_;
  size_t bytes_;
  float* data_;
};

// Both entries of a direct-A tile: A by rows (a[i * lda + p]) and by
// columns (a[p * lda + i]), lda wider than the tile in either case; B
// packed (ldb = NR, zeros past n) or read in place from rows of n + 3
// floats whose last ends at an unreadable page (no float past column n
// may be read).
void test_direct_a_tile(const GemmDirectATile& t, const std::string& tag) {
  for (bool columns : {false, true})
    for (bool b_in_place : {false, true})
      for (int64_t kc : {1, 2, 3, 8, 9, 17, 64})
        for (int64_t m = 1; m <= t.mr; ++m)  // every height: short tiles run bodies of 4 and 8 rows
          for (int64_t n : {int64_t(1), int64_t(t.nr / 2 + 1), int64_t(t.nr - 1), int64_t(t.nr)})
            for (float beta : {0.0f, 2.0f}) {
              if (n < 1 || n > t.nr) continue;
              const int64_t lda = (columns ? t.mr : kc) + 5, ldc = n + 2, ldb = b_in_place ? n + 3 : t.nr;
              // All MR rows (columns: all MR floats of each column) readable, only m used.
              std::vector<float> a = random_vec(size_t(columns ? kc * lda : t.mr * lda));
              const auto at = [&](int64_t i, int64_t p) { return a[size_t(columns ? p * lda + i : i * lda + p)]; };
              const FloatsBeforeGuardPage b_mem(size_t((kc - 1) * ldb + (b_in_place ? n : t.nr)));
              float* b = b_mem.data();
              for (int64_t p = 0; p < kc; ++p)
                for (int64_t j = 0; j < (b_in_place && p == kc - 1 ? n : ldb); ++j)
                  b[p * ldb + j] = j < n ? random_vec(1)[0] : b_in_place ? kSentinel : 0.0f;
              std::vector<float> c = c_buffer(m, n, ldc, beta);
              std::vector<double> want, scale;
              reference(m, n, kc, 1.0f, beta, at, [&](int64_t p, int64_t j) { return b[p * ldb + j]; }, c, ldc, &want,
                        &scale);
              (columns ? t.tile_a_columns : t.tile)(kc, a.data(), lda, b, ldb, c.data(), ldc, m, n, 1.0f, beta);
              check_tile(t.name, c, want, scale, m, n, ldc, kc,
                         tag + " " + t.name + (columns ? " A by columns" : "") + (b_in_place ? " B in place" : "") +
                             " kc=" + std::to_string(kc) + " m=" + std::to_string(m) + " n=" + std::to_string(n));
            }
}

// out[kk * ld + j] = sum_t w[t * KB + kk] * src[offs[t] + j], kk < KB, j < NB.
void test_conv_forward_tile(const DirectForwardTile& tile, const std::string& isa, const std::string& tag) {
  const std::string name = "f32_conv_direct_forward_" + std::to_string(tile.kb) + "x" + std::to_string(tile.nb) + "__" + isa;
  for (int64_t taps : {1, 2, 9, 25, 27}) {
    const int64_t span = 3 * tile.nb + 40;
    std::vector<int64_t> offs(static_cast<size_t>(taps));
    for (int64_t t = 0; t < taps; ++t) offs[size_t(t)] = (t * 7) % (span - tile.nb);  // repeated and overlapping runs
    std::vector<float> src = random_vec(size_t(span)), w = random_vec(size_t(taps * tile.kb));
    const int64_t ld = tile.nb + 4;
    std::vector<float> out(size_t(tile.kb * ld), kSentinel);
    std::vector<double> want(out.size()), scale(out.size());
    for (int64_t kk = 0; kk < tile.kb; ++kk)
      for (int64_t j = 0; j < ld; ++j) {
        if (j >= tile.nb) {
          want[size_t(kk * ld + j)] = kSentinel;
          continue;
        }
        double s = 0, sa = 0;
        for (int64_t t = 0; t < taps; ++t) {
          const double x = double(w[size_t(t * tile.kb + kk)]) * double(src[size_t(offs[size_t(t)] + j)]);
          s += x;
          sa += std::fabs(x);
        }
        want[size_t(kk * ld + j)] = s;
        scale[size_t(kk * ld + j)] = sa;
      }
    tile.fn(taps, offs.data(), src.data(), w.data(), out.data(), ld);
    check_tile(name, out, want, scale, tile.kb, tile.nb, ld, taps, tag + " " + name + " taps=" + std::to_string(taps));
  }
}

// dst[kk * dst_ld + r * dst_wp + j] = src[kk * src_ld + r * src_wp + j] +
// bias[kk] for every column count around the vector (full vectors, a masked
// tail, a tail alone), with and without bias; every float of dst outside
// the copied rows keeps its sentinel. A sum of two floats is exact to one
// rounding, so the copy must give the bits of src + bias.
void test_conv_copy_rows(const DirectConvKernels& kern, const std::string& tag) {
  const std::string name = std::string("f32_conv_direct_copy_rows__") + kern.isa;
  const int64_t channels = 3, rows = 4;
  for (int64_t cols : {int64_t(1), int64_t(kern.vec - 1), int64_t(kern.vec), int64_t(kern.vec + 1),
                       int64_t(2 * kern.vec + 3), int64_t(33)})
    for (bool with_bias : {false, true}) {
      const int64_t src_wp = cols + 5, src_ld = rows * src_wp + 2, dst_wp = cols + 1, dst_ld = rows * dst_wp + 7;
      std::vector<float> src = random_vec(size_t(channels * src_ld)), bias = random_vec(size_t(channels));
      std::vector<float> dst(size_t(channels * dst_ld), kSentinel), want(dst.size(), kSentinel);
      for (int64_t kk = 0; kk < channels; ++kk)
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t j = 0; j < cols; ++j)
            want[size_t(kk * dst_ld + r * dst_wp + j)] =
                src[size_t(kk * src_ld + r * src_wp + j)] + (with_bias ? bias[size_t(kk)] : 0.0f);
      kern.copy_rows(channels, rows, cols, src.data(), src_ld, src_wp, with_bias ? bias.data() : nullptr,
                     dst.data(), dst_ld, dst_wp);
      check(std::memcmp(dst.data(), want.data(), dst.size() * sizeof(float)) == 0, name,
            tag + " cols=" + std::to_string(cols) + (with_bias ? " with bias" : " without bias"));
    }
}

}  // namespace

void gemm_ukernel_tests(const std::string& tag) {
  const KernelTable& t = active_kernel_table();
  test_packed_ukernel(*t.gemm, tag);
  for (int i = 0; i < t.gemm_direct_a->count; ++i) test_direct_a_tile(t.gemm_direct_a->tiles[i], tag);
  for (const DirectForwardTile& tile : t.conv_direct->forward)
    if (tile.fn != nullptr) test_conv_forward_tile(tile, t.conv_direct->isa, tag);
  if (t.conv_direct->copy_rows != nullptr) test_conv_copy_rows(*t.conv_direct, tag);
}
