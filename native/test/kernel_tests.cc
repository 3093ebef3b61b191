// C++ kernel tests, run on every ISA path this CPU has (and, cross-compiled,
// on arm64 under qemu for the NEON path). Each optimised kernel is checked
// against a naive double-precision reference written from the definition,
// with a tolerance derived from the reduction length: k * eps * max|term|.
// Prints "N passed, M failed" and exits non-zero on any failure.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "convnode/kernels.h"
#include "convnode/runtime.h"

using namespace convnode;

namespace {

int passed = 0, failed = 0;
std::mt19937 rng(1234);

std::vector<float> random_vec(size_t n, float lo = -1.0f, float hi = 1.0f) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

void check(bool ok, const std::string& what) {
  if (ok) {
    ++passed;
  } else {
    ++failed;
    std::printf("FAIL %s\n", what.c_str());
  }
}

// Max |got - want| <= tol(i) for all i, with tol = k * eps * scale[i] + tiny.
bool close(const std::vector<float>& got, const std::vector<double>& want,
           const std::vector<double>& scale, double k, std::string* detail) {
  const double eps = std::numeric_limits<float>::epsilon();
  for (size_t i = 0; i < got.size(); ++i) {
    const double tol = (k + 2.0) * eps * scale[i] + 1e-30;
    if (!(std::fabs(double(got[i]) - want[i]) <= tol)) {
      *detail = "index " + std::to_string(i) + " got " + std::to_string(got[i]) +
                " want " + std::to_string(want[i]) + " tol " + std::to_string(tol);
      return false;
    }
  }
  return true;
}

void test_gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, float alpha,
               float beta, const std::string& tag) {
  const int64_t lda = ta ? m : k, ldb = tb ? k : n, ldc = n;
  auto a = random_vec(size_t(m * k)), b = random_vec(size_t(k * n));
  auto c = random_vec(size_t(m * n));
  if (beta == 0.0f)
    for (auto& x : c) x = std::numeric_limits<float>::quiet_NaN();  // must not be read
  std::vector<double> want(c.size()), scale(c.size());
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
  check(ok, tag + " gemm ta=" + std::to_string(ta) + " tb=" + std::to_string(tb) +
                " m=" + std::to_string(m) + " n=" + std::to_string(n) +
                " k=" + std::to_string(k) + " " + detail);
}

Conv2dShape conv_shape(int64_t n, int64_t c, int64_t h, int64_t w, int64_t k,
                       int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph,
                       int64_t pw, int64_t dh, int64_t dw, int64_t g) {
  Conv2dShape s{n, c, h, w, k, kh, kw, sh, sw, ph, pw, dh, dw, g, 0, 0};
  s.ho = conv2d_output_size(h, kh, sh, ph, dh);
  s.wo = conv2d_output_size(w, kw, sw, pw, dw);
  return s;
}

// Visits every (output, input, weight) index triple of a convolution.
template <typename F>
void for_each_tap(const Conv2dShape& s, F f) {
  const int64_t cg = s.c / s.groups, kg = s.k / s.groups;
  for (int64_t i = 0; i < s.n; ++i)
    for (int64_t ko = 0; ko < s.k; ++ko) {
      const int64_t g = ko / kg;
      for (int64_t oh = 0; oh < s.ho; ++oh)
        for (int64_t ow = 0; ow < s.wo; ++ow)
          for (int64_t ci = 0; ci < cg; ++ci)
            for (int64_t a = 0; a < s.kh; ++a)
              for (int64_t b = 0; b < s.kw; ++b) {
                const int64_t ih = oh * s.stride_h - s.pad_h + a * s.dilation_h;
                const int64_t iw = ow * s.stride_w - s.pad_w + b * s.dilation_w;
                if (ih < 0 || ih >= s.h || iw < 0 || iw >= s.w) continue;
                const int64_t yi = ((i * s.k + ko) * s.ho + oh) * s.wo + ow;
                const int64_t xi = ((i * s.c + g * cg + ci) * s.h + ih) * s.w + iw;
                const int64_t wi = ((ko * cg + ci) * s.kh + a) * s.kw + b;
                f(yi, xi, wi);
              }
    }
}

void test_conv(const Conv2dShape& s, const std::string& tag) {
  const int64_t cg = s.c / s.groups;
  auto x = random_vec(size_t(s.n * s.c * s.h * s.w));
  auto w = random_vec(size_t(s.k * cg * s.kh * s.kw));
  auto bias = random_vec(size_t(s.k));
  auto dy = random_vec(size_t(s.n * s.k * s.ho * s.wo));
  std::vector<double> y_ref(dy.size()), y_sc(dy.size()), dx_ref(x.size()),
      dx_sc(x.size()), dw_ref(w.size()), dw_sc(w.size());
  std::vector<double> n_y(dy.size()), n_dx(x.size()), n_dw(w.size());
  for_each_tap(s, [&](int64_t yi, int64_t xi, int64_t wi) {
    y_ref[yi] += double(x[xi]) * w[wi];
    y_sc[yi] += std::fabs(double(x[xi]) * w[wi]);
    n_y[yi] += 1;
    dx_ref[xi] += double(dy[yi]) * w[wi];
    dx_sc[xi] += std::fabs(double(dy[yi]) * w[wi]);
    n_dx[xi] += 1;
    dw_ref[wi] += double(dy[yi]) * x[xi];
    dw_sc[wi] += std::fabs(double(dy[yi]) * x[xi]);
    n_dw[wi] += 1;
  });
  const int64_t hw = s.ho * s.wo;
  for (size_t i = 0; i < y_ref.size(); ++i) {
    const int64_t ko = (int64_t(i) / hw) % s.k;
    y_ref[i] += bias[ko];
    y_sc[i] += std::fabs(bias[ko]);
  }
  auto max_of = [](const std::vector<double>& v) {
    double m = 0;
    for (double d : v) m = std::max(m, d);
    return m;
  };
  const std::string shape = " n=" + std::to_string(s.n) + " c=" + std::to_string(s.c) +
                            " h=" + std::to_string(s.h) + " k=" + std::to_string(s.k) +
                            " f=" + std::to_string(s.kh) + "x" + std::to_string(s.kw) +
                            " g=" + std::to_string(s.groups);
  std::string detail;
  std::vector<float> y(dy.size(), std::numeric_limits<float>::quiet_NaN());
  conv2d_forward(s, x.data(), w.data(), bias.data(), y.data());
  check(close(y, y_ref, y_sc, max_of(n_y) + 1, &detail), tag + " conv fwd" + shape + " " + detail);
  std::vector<float> dx(x.size(), std::numeric_limits<float>::quiet_NaN());
  conv2d_backward_data(s, dy.data(), w.data(), dx.data());
  check(close(dx, dx_ref, dx_sc, max_of(n_dx), &detail), tag + " conv bwd data" + shape + " " + detail);
  std::vector<float> dw(w.size(), std::numeric_limits<float>::quiet_NaN());
  conv2d_backward_weight(s, x.data(), dy.data(), dw.data());
  check(close(dw, dw_ref, dw_sc, max_of(n_dw), &detail), tag + " conv bwd weight" + shape + " " + detail);
}

void test_worked_example() {
  // DESIGN.md: 7x7 image, 3x3 filter 001/100/011, stride 1 -> 5x5 map.
  const char* img[7] = {"0000000", "0100010", "0000000", "0001000",
                        "0100010", "0011100", "0000000"};
  const char* filt[3] = {"001", "100", "011"};
  const char* want[5] = {"01000", "01110", "10021", "14210", "00121"};
  std::vector<float> x(49), w(9), y(25);
  for (int r = 0; r < 7; ++r)
    for (int c = 0; c < 7; ++c) x[r * 7 + c] = float(img[r][c] - '0');
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) w[r * 3 + c] = float(filt[r][c] - '0');
  Conv2dShape s = conv_shape(1, 1, 7, 7, 1, 3, 3, 1, 1, 0, 0, 1, 1, 1);
  conv2d_forward(s, x.data(), w.data(), nullptr, y.data());
  bool ok = s.ho == 5 && s.wo == 5;
  for (int r = 0; r < 5; ++r)
    for (int c = 0; c < 5; ++c) ok = ok && y[r * 5 + c] == float(want[r][c] - '0');
  check(ok, "worked example 7x7 conv");
  Pool2dShape p{1, 1, 5, 5, 2, 2, 2, 2, 0, 0, true, true, 0, 0};
  p.ho = pool2d_output_size(5, 2, 2, 0, true);
  p.wo = pool2d_output_size(5, 2, 2, 0, true);
  std::vector<float> pooled(9);
  pool2d_forward(PoolMode::kMax, p, y.data(), pooled.data());
  check(p.ho == 3 && p.wo == 3 && pooled[0] == 1 && pooled[1] == 1 && pooled[2] == 0,
        "worked example max pool 5x5 -> 3x3");
}

}  // namespace

int main() {
  std::printf("ISA paths available:");
  for (Isa isa : available_isas()) std::printf(" %s", isa_name(isa));
  std::printf("\n");
  std::uniform_int_distribution<int> small(1, 70);
  for (Isa isa : available_isas()) {
    set_active_isa(isa);
    for (int threads : {1, 2}) {
      set_num_threads(threads);
      const std::string tag = std::string(isa_name(isa)) + "/t" + std::to_string(threads);
      const int before = failed;
      for (bool ta : {false, true})
        for (bool tb : {false, true}) {
          test_gemm(ta, tb, 1, 1, 1, 1.0f, 0.0f, tag);
          test_gemm(ta, tb, 13, 33, 385, 0.5f, 0.0f, tag);   // k just past KC
          test_gemm(ta, tb, 97, 65, 31, 1.0f, 1.0f, tag);    // partial tiles, beta
          test_gemm(ta, tb, 200, 150, 100, -2.0f, 0.25f, tag);  // threaded, > MC
          for (int r = 0; r < 4; ++r)
            test_gemm(ta, tb, small(rng), small(rng), small(rng), 1.0f, 0.0f, tag);
        }
      test_gemm(false, false, 3, 2500, 17, 1.0f, 0.0f, tag);  // n > NC
      test_conv(conv_shape(2, 3, 9, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1), tag);
      test_conv(conv_shape(3, 4, 11, 10, 6, 3, 2, 2, 3, 1, 0, 2, 1, 2), tag);
      test_conv(conv_shape(1, 5, 6, 7, 3, 1, 1, 1, 1, 0, 0, 1, 1, 1), tag);  // pointwise
      test_conv(conv_shape(5, 1, 12, 12, 6, 5, 5, 1, 1, 2, 2, 1, 1, 1), tag);  // batch-parallel
      test_conv(conv_shape(2, 6, 7, 7, 6, 3, 3, 2, 2, 1, 1, 1, 1, 6), tag);  // depthwise
      test_conv(conv_shape(1, 64, 10, 10, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1), tag);
      std::printf("%-12s %s\n", tag.c_str(), failed == before ? "ok" : "FAILED");
    }
  }
  set_active_isa(available_isas().front());
  test_worked_example();
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
