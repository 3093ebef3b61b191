// C++ kernel tests, run on every ISA path this CPU has (and, cross-compiled,
// on arm64 under qemu for the NEON path). Each optimised kernel is checked
// against a naive double-precision reference written from the definition,
// with a tolerance derived from the reduction length: k * eps * max|term|.
// Prints "N passed, M failed" and exits non-zero on any failure.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <map>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "convnode/kernels.h"
#include "convnode/probe.h"
#include "convnode/runtime.h"

using namespace convnode;

namespace {

int passed = 0, failed = 0;
std::mt19937 rng(1234);
// Checks run per kernel and ISA path, for the summary table.
std::string current_isa = "-";
std::map<std::string, std::map<std::string, int>> counts;

std::vector<float> random_vec(size_t n, float lo = -1.0f, float hi = 1.0f) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

void check(bool ok, const std::string& kernel, const std::string& what) {
  counts[kernel][current_isa]++;
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
  check(close(y, y_ref, y_sc, max_of(n_y) + 1, &detail), "conv2d_forward", tag + " conv fwd" + shape + " " + detail);
  std::vector<float> dx(x.size(), std::numeric_limits<float>::quiet_NaN());
  conv2d_backward_data(s, dy.data(), w.data(), dx.data());
  check(close(dx, dx_ref, dx_sc, max_of(n_dx), &detail), "conv2d_backward_data", tag + " conv bwd data" + shape + " " + detail);
  std::vector<float> dw(w.size(), std::numeric_limits<float>::quiet_NaN());
  conv2d_backward_weight(s, x.data(), dy.data(), dw.data());
  check(close(dw, dw_ref, dw_sc, max_of(n_dw), &detail), "conv2d_backward_weight", tag + " conv bwd weight" + shape + " " + detail);
  std::vector<float> db(size_t(s.k));
  conv2d_backward_bias(s, dy.data(), db.data());
  bool bias_ok = true;
  for (int64_t k = 0; k < s.k; ++k) {
    double sum = 0, sc = 0;
    for (int64_t i = 0; i < s.n; ++i)
      for (int64_t j = 0; j < hw; ++j) {
        sum += dy[size_t((i * s.k + k) * hw + j)];
        sc += std::fabs(dy[size_t((i * s.k + k) * hw + j)]);
      }
    bias_ok = bias_ok && std::fabs(db[size_t(k)] - sum) <= (s.n * hw + 2) * 1.2e-7 * sc;
  }
  check(bias_ok, "conv2d_backward_bias", tag + " conv bwd bias" + shape);
}

// conv2d gives the same bits with 1 and 2 threads, in every direction, on
// the image-parallel path (small images; backward weight's chunked sums) and
// on the shared-GEMM path (big images).
void test_conv_thread_invariance(const Conv2dShape& s, const std::string& tag) {
  auto x = random_vec(size_t(s.n * s.c * s.h * s.w));
  auto w = random_vec(size_t(s.k * (s.c / s.groups) * s.kh * s.kw));
  auto dy = random_vec(size_t(s.n * s.k * s.ho * s.wo));
  std::vector<float> out[2][3];
  for (int t = 0; t < 2; ++t) {
    set_num_threads(t + 1);
    out[t][0].resize(dy.size());
    out[t][1].resize(x.size());
    out[t][2].resize(w.size());
    conv2d_forward(s, x.data(), w.data(), nullptr, out[t][0].data());
    conv2d_backward_data(s, dy.data(), w.data(), out[t][1].data());
    conv2d_backward_weight(s, x.data(), dy.data(), out[t][2].data());
  }
  const char* kernels[3] = {"conv2d_forward", "conv2d_backward_data", "conv2d_backward_weight"};
  for (int k = 0; k < 3; ++k)
    check(std::memcmp(out[0][k].data(), out[1][k].data(), out[0][k].size() * sizeof(float)) == 0,
          kernels[k], tag + " same bits at 1 and 2 threads, n=" + std::to_string(s.n) + " c=" + std::to_string(s.c) +
                          " h=" + std::to_string(s.h));
}

// The same bits at 1 and 2 threads, call after call, for narrow products
// whose threads split the columns over several K blocks: one thread packs
// its sliver for the next block while the other still reads the last
// one. When their slivers overlapped, 3-9% of the 2-thread calls differed;
// 300 calls then miss the race with odds below 1e-4.
void test_gemm_thread_invariance(const std::string& tag) {
  const int64_t shapes[][3] = {{33, 97, 1100}, {17, 70, 900}};
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

// One optimizer call over a list of tensors gives the bits of one call per
// tensor, at 1 and 2 threads (the list's total crosses the threading
// threshold, and the split points fall inside tensors).
void test_optimizer_lists() {
  const std::vector<int64_t> lens = {5, 0, 40000, 1, 777, 12345};
  const size_t count = lens.size();
  std::vector<std::vector<float>> init, grads;
  for (int64_t n : lens) {
    init.push_back(random_vec(size_t(n)));
    grads.push_back(random_vec(size_t(n)));
  }
  auto run = [&](bool many, int threads, bool adam) {
    set_num_threads(threads);
    std::vector<std::vector<float>> p = init, m, v;
    for (int64_t n : lens) {
      m.emplace_back(size_t(n), 0.0f);
      v.emplace_back(size_t(n), 0.0f);
    }
    std::vector<float*> pp, mp, vp;
    std::vector<const float*> gp;
    for (size_t i = 0; i < count; ++i) {
      pp.push_back(p[i].data());
      mp.push_back(m[i].data());
      vp.push_back(v[i].data());
      gp.push_back(grads[i].data());
    }
    for (int64_t step = 1; step <= 2; ++step) {
      const SgdParams sp{0.1f, 0.9f, 0.0f, 0.01f, true, step};
      const AdamParams ap{0.01f, 0.9f, 0.999f, 1e-8f, 0.1f, true, step};
      if (many && adam) adam_update_many(ap, int64_t(count), lens.data(), pp.data(), gp.data(), mp.data(), vp.data());
      if (many && !adam) sgd_update_many(sp, int64_t(count), lens.data(), pp.data(), gp.data(), mp.data());
      for (size_t i = 0; i < count && !many; ++i) {
        if (adam) adam_update(ap, lens[i], pp[i], gp[i], mp[i], vp[i]);
        else sgd_update(sp, lens[i], pp[i], gp[i], mp[i]);
      }
    }
    std::vector<float> all;
    for (size_t i = 0; i < count; ++i) {
      all.insert(all.end(), p[i].begin(), p[i].end());
      all.insert(all.end(), m[i].begin(), m[i].end());
    }
    return all;
  };
  for (bool adam : {false, true}) {
    const std::vector<float> single = run(false, 1, adam);
    for (int threads : {1, 2}) {
      const std::vector<float> many = run(true, threads, adam);
      check(many.size() == single.size() &&
                std::memcmp(many.data(), single.data(), single.size() * sizeof(float)) == 0,
            adam ? "adam_update_many" : "sgd_update_many",
            "same bits as one call per tensor at " + std::to_string(threads) + " thread(s)");
    }
    check(single[2] != init[0][2], adam ? "adam_update_many" : "sgd_update_many", "the update moved the parameters");
  }
}

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

// |got - want| <= rel * max(1, |want|) elementwise.
bool close_rel(const std::vector<float>& got, const std::vector<double>& want, double rel) {
  for (size_t i = 0; i < got.size(); ++i)
    if (!(std::fabs(double(got[i]) - want[i]) <= rel * std::max(1.0, std::fabs(want[i])))) return false;
  return true;
}

// The pair that keeps the winners: the same y and, bit for bit, the same
// dx as pool2d_forward / pool2d_backward; the reference's winners; and a
// winner outside its window (>= kh * kw, or in the padding) refused.
void test_max_pool_argmax(const Pool2dShape& s, const std::vector<float>& x, const std::vector<float>& dy,
                          const std::vector<float>& y_plain, const std::vector<float>& dx_plain,
                          const std::vector<uint8_t>& argmax_ref, const std::string& what) {
  std::vector<float> y(dy.size()), dx(x.size(), 7.0f);
  std::vector<uint8_t> argmax(dy.size(), 255);
  max_pool2d_forward_argmax(s, x.data(), y.data(), argmax.data());
  const bool ok = max_pool2d_backward_argmax(s, argmax.data(), dy.data(), dx.data());
  check(y == y_plain, "max_pool2d_forward_argmax", what + " y as pool2d_forward");
  check(argmax == argmax_ref, "max_pool2d_forward_argmax", what + " winners as the reference");
  check(ok && std::memcmp(dx.data(), dx_plain.data(), sizeof(float) * dx.size()) == 0,
        "max_pool2d_backward_argmax", what + " dx as pool2d_backward, bit for bit");
  if (argmax.empty()) return;
  std::vector<uint8_t> bad = argmax;
  bad.back() = uint8_t(s.kh * s.kw);
  check(!max_pool2d_backward_argmax(s, bad.data(), dy.data(), dx.data()), "max_pool2d_backward_argmax",
        what + " refuses a cell past the window");
  if (s.pad_h > 0 || s.pad_w > 0) {
    bad = argmax;
    bad.front() = 0;  // the first window's top-left cell is padding
    check(!max_pool2d_backward_argmax(s, bad.data(), dy.data(), dx.data()), "max_pool2d_backward_argmax",
          what + " refuses a cell in the padding");
  }
}

void test_pool(PoolMode mode, Pool2dShape s, const std::string& tag) {
  s.ho = pool2d_output_size(s.h, s.kh, s.stride_h, s.pad_h, s.ceil_mode);
  s.wo = pool2d_output_size(s.w, s.kw, s.stride_w, s.pad_w, s.ceil_mode);
  auto x = random_vec(size_t(s.n * s.c * s.h * s.w));
  auto dy = random_vec(size_t(s.n * s.c * s.ho * s.wo));
  std::vector<double> y_ref(dy.size()), dx_ref(x.size());
  std::vector<uint8_t> argmax_ref(dy.size());
  for (int64_t p = 0; p < s.n * s.c; ++p)
    for (int64_t oh = 0; oh < s.ho; ++oh)
      for (int64_t ow = 0; ow < s.wo; ++ow) {
        const int64_t hs = oh * s.stride_h - s.pad_h, ws = ow * s.stride_w - s.pad_w;
        const int64_t he = std::min(hs + s.kh, s.h + s.pad_h), we = std::min(ws + s.kw, s.w + s.pad_w);
        double sum = 0, best = -INFINITY;
        int64_t arg = -1, cells = 0;
        for (int64_t ih = std::max<int64_t>(hs, 0); ih < std::min(he, s.h); ++ih)
          for (int64_t iw = std::max<int64_t>(ws, 0); iw < std::min(we, s.w); ++iw) {
            const int64_t idx = (p * s.h + ih) * s.w + iw;
            sum += x[size_t(idx)];
            ++cells;
            if (x[size_t(idx)] > best) { best = x[size_t(idx)]; arg = idx; }
          }
        const double div = mode == PoolMode::kSum ? 1.0
                           : s.count_include_pad ? double((he - hs) * (we - ws)) : double(cells);
        const size_t o = size_t((p * s.ho + oh) * s.wo + ow);
        y_ref[o] = mode == PoolMode::kMax ? best : sum / div;
        if (mode == PoolMode::kMax) {
          dx_ref[size_t(arg)] += dy[o];
          const int64_t in_plane = arg - p * s.h * s.w;
          argmax_ref[o] = uint8_t((in_plane / s.w - hs) * s.kw + (in_plane % s.w - ws));
        } else {
          for (int64_t ih = std::max<int64_t>(hs, 0); ih < std::min(he, s.h); ++ih)
            for (int64_t iw = std::max<int64_t>(ws, 0); iw < std::min(we, s.w); ++iw)
              dx_ref[size_t((p * s.h + ih) * s.w + iw)] += dy[o] / div;
        }
      }
  std::vector<float> y(dy.size()), dx(x.size());
  pool2d_forward(mode, s, x.data(), y.data());
  pool2d_backward(mode, s, x.data(), dy.data(), dx.data());
  const std::string what = tag + " pool mode " + std::to_string(int(mode)) + " h=" + std::to_string(s.h);
  check(close_rel(y, y_ref, 1e-5), "pool2d_forward", what);
  check(close_rel(dx, dx_ref, 1e-5), "pool2d_backward", what);
  if (mode == PoolMode::kMax) test_max_pool_argmax(s, x, dy, y, dx, argmax_ref, what);
}

void test_eltwise(const std::string& tag) {
  const int64_t n = 1003;
  const size_t len = 1003;
  auto x = random_vec(len, -4.0f, 4.0f);
  auto dy = random_vec(len);
  ActivationParams ap;
  ap.alpha = 0.2f;
  ap.min_val = -0.5f;
  ap.max_val = 1.5f;
  struct Ref { Activation kind; const char* name; double (*f)(double); double (*df)(double); };
  const Ref refs[] = {
      {Activation::kIdentity, "identity", [](double v) { return v; }, [](double) { return 1.0; }},
      {Activation::kRelu, "relu", [](double v) { return v > 0 ? v : 0.0; }, [](double v) { return v > 0 ? 1.0 : 0.0; }},
      {Activation::kLeakyRelu, "leaky_relu", [](double v) { return v > 0 ? v : 0.2 * v; }, [](double v) { return v > 0 ? 1.0 : 0.2; }},
      {Activation::kTanh, "tanh", [](double v) { return std::tanh(v); }, [](double v) { return 1 - std::tanh(v) * std::tanh(v); }},
      {Activation::kSigmoid, "sigmoid", [](double v) { return 1 / (1 + std::exp(-v)); },
       [](double v) { const double e = 1 / (1 + std::exp(-v)); return e * (1 - e); }},
      {Activation::kHardtanh, "hardtanh", [](double v) { return std::min(1.5, std::max(-0.5, v)); },
       [](double v) { return v > -0.5 && v < 1.5 ? 1.0 : 0.0; }},
  };
  for (const Ref& r : refs) {
    std::vector<float> y(len), dx(len);
    std::vector<double> y_ref(len), dx_ref(len);
    for (int64_t i = 0; i < n; ++i) {
      y_ref[size_t(i)] = r.f(x[size_t(i)]);
      dx_ref[size_t(i)] = dy[size_t(i)] * r.df(x[size_t(i)]);
    }
    activation_forward(r.kind, ap, n, x.data(), y.data());
    activation_backward(r.kind, ap, n, x.data(), y.data(), dy.data(), dx.data());
    check(close_rel(y, y_ref, 1e-6), "activation_forward", tag + " " + r.name);
    check(close_rel(dx, dx_ref, 1e-5), "activation_backward", tag + " " + r.name);
  }

  // PReLU, bias add and bias gradient over [n=3, c=4, hw=5].
  const ChannelShape cs{3, 4, 5};
  auto slope = random_vec(4, 0.0f, 0.5f), bias = random_vec(4);
  auto xs = random_vec(60), gs = random_vec(60);
  std::vector<float> y(60), dx(60), dslope(4), yb(60), db(4);
  std::vector<double> y_ref(60), dx_ref(60), ds_ref(4), yb_ref(60), db_ref(4);
  for (int64_t i = 0; i < 60; ++i) {
    const int64_t c = (i / 5) % 4;
    const double v = xs[size_t(i)], g = gs[size_t(i)];
    y_ref[size_t(i)] = v > 0 ? v : slope[size_t(c)] * v;
    dx_ref[size_t(i)] = v > 0 ? g : slope[size_t(c)] * g;
    if (v <= 0) ds_ref[size_t(c)] += v * g;
    yb_ref[size_t(i)] = v + bias[size_t(c)];
    db_ref[size_t(c)] += g;
  }
  prelu_forward(cs, 4, xs.data(), slope.data(), y.data());
  prelu_backward(cs, 4, xs.data(), slope.data(), gs.data(), dx.data(), dslope.data());
  bias_add(cs, xs.data(), bias.data(), yb.data());
  bias_grad(cs, gs.data(), db.data());
  check(close_rel(y, y_ref, 1e-6), "prelu_forward", tag);
  check(close_rel(dx, dx_ref, 1e-6) && close_rel(dslope, ds_ref, 1e-5), "prelu_backward", tag);
  check(close_rel(yb, yb_ref, 1e-6), "bias_add", tag);
  check(close_rel(db, db_ref, 1e-5), "bias_grad", tag);

  // Softmax family over [rows=5, cols=7], with a huge logit for stability.
  const int64_t rows = 5, cols = 7;
  auto logits = random_vec(size_t(rows * cols), -5.0f, 5.0f);
  logits[3] = 80.0f;
  auto g = random_vec(size_t(rows * cols));
  std::vector<int32_t> labels = {0, 6, 3, 3, 1};
  std::vector<double> p_ref(size_t(rows * cols)), lp_ref(p_ref.size()), dsm_ref(p_ref.size()),
      dlsm_ref(p_ref.size()), dce_ref(p_ref.size());
  double loss_ref = 0;
  for (int64_t r = 0; r < rows; ++r) {
    double mx = -INFINITY, sum = 0, dot = 0, gsum = 0;
    for (int64_t j = 0; j < cols; ++j) mx = std::max(mx, double(logits[size_t(r * cols + j)]));
    for (int64_t j = 0; j < cols; ++j) sum += std::exp(logits[size_t(r * cols + j)] - mx);
    for (int64_t j = 0; j < cols; ++j) {
      const size_t i = size_t(r * cols + j);
      lp_ref[i] = logits[i] - mx - std::log(sum);
      p_ref[i] = std::exp(lp_ref[i]);
      dot += p_ref[i] * g[i];
      gsum += g[i];
    }
    for (int64_t j = 0; j < cols; ++j) {
      const size_t i = size_t(r * cols + j);
      dsm_ref[i] = p_ref[i] * (g[i] - dot);
      dlsm_ref[i] = g[i] - p_ref[i] * gsum;
      dce_ref[i] = 0.5 * (p_ref[i] - (j == labels[size_t(r)] ? 1.0 : 0.0));
    }
    loss_ref -= lp_ref[size_t(r * cols + labels[size_t(r)])] / double(rows);
  }
  std::vector<float> p(p_ref.size()), lp(p_ref.size()), dsm(p_ref.size()), dlsm(p_ref.size()),
      probs(p_ref.size()), dce(p_ref.size());
  softmax_forward(rows, cols, logits.data(), p.data());
  log_softmax_forward(rows, cols, logits.data(), lp.data());
  softmax_backward(rows, cols, p.data(), g.data(), dsm.data());
  log_softmax_backward(rows, cols, lp.data(), g.data(), dlsm.data());
  ClassTarget t;
  t.labels = labels.data();
  const double loss = softmax_cross_entropy_forward(rows, cols, logits.data(), t, probs.data());
  softmax_cross_entropy_backward(rows, cols, probs.data(), t, 0.5f, dce.data());
  check(close_rel(p, p_ref, 1e-6), "softmax_forward", tag);
  check(close_rel(lp, lp_ref, 1e-6), "log_softmax_forward", tag);
  check(close_rel(dsm, dsm_ref, 1e-6), "softmax_backward", tag);
  check(close_rel(dlsm, dlsm_ref, 1e-6), "log_softmax_backward", tag);
  check(std::fabs(loss - loss_ref) <= 1e-6 * std::max(1.0, loss_ref) && close_rel(probs, p_ref, 1e-6),
        "softmax_cross_entropy_forward", tag);
  check(close_rel(dce, dce_ref, 1e-6), "softmax_cross_entropy_backward", tag);

  // MSE.
  double mse_ref = 0;
  std::vector<double> dmse_ref(len);
  for (int64_t i = 0; i < n; ++i) {
    const double d = double(x[size_t(i)]) - dy[size_t(i)];
    mse_ref += d * d;
    dmse_ref[size_t(i)] = 2 * 0.25 * d;
  }
  std::vector<float> dmse(len);
  check(std::fabs(mse_forward(n, x.data(), dy.data()) - mse_ref) <= 1e-9 * mse_ref, "mse_forward", tag);
  mse_backward(n, x.data(), dy.data(), 0.25f, dmse.data());
  check(close_rel(dmse, dmse_ref, 1e-6), "mse_backward", tag);

  // SGD with momentum, nesterov and weight decay, three steps; Adam and AdamW.
  for (bool nesterov : {false, true}) {
    auto param = random_vec(101), buf = std::vector<float>(101);
    std::vector<double> p_d(param.begin(), param.end()), b_d(101);
    for (int64_t step = 1; step <= 3; ++step) {
      auto grad = random_vec(101);
      SgdParams sp{0.1f, 0.9f, 0.0f, 0.01f, nesterov, step};
      sgd_update(sp, 101, param.data(), grad.data(), buf.data());
      for (size_t i = 0; i < 101; ++i) {
        double d = grad[i] + 0.01 * p_d[i];
        b_d[i] = step == 1 ? d : 0.9 * b_d[i] + d;
        d = nesterov ? d + 0.9 * b_d[i] : b_d[i];
        p_d[i] -= 0.1 * d;
      }
    }
    check(close_rel(param, p_d, 1e-5), "sgd_update", tag + (nesterov ? " nesterov" : ""));
  }
  for (bool decoupled : {false, true}) {
    auto param = random_vec(101);
    std::vector<float> m(101), v(101);
    std::vector<double> p_d(param.begin(), param.end()), m_d(101), v_d(101);
    for (int64_t step = 1; step <= 3; ++step) {
      auto grad = random_vec(101);
      AdamParams ap2{0.01f, 0.9f, 0.999f, 1e-8f, 0.1f, decoupled, step};
      adam_update(ap2, 101, param.data(), grad.data(), m.data(), v.data());
      for (size_t i = 0; i < 101; ++i) {
        double gi = grad[i] + (decoupled ? 0.0 : 0.1 * p_d[i]);
        if (decoupled) p_d[i] *= 1 - 0.01 * 0.1;
        m_d[i] = 0.9 * m_d[i] + 0.1 * gi;
        v_d[i] = 0.999 * v_d[i] + 0.001 * gi * gi;
        const double mh = m_d[i] / (1 - std::pow(0.9, double(step)));
        const double vh = v_d[i] / (1 - std::pow(0.999, double(step)));
        p_d[i] -= 0.01 * mh / (std::sqrt(vh) + 1e-8);
      }
    }
    check(close_rel(param, p_d, 1e-5), "adam_update", tag + (decoupled ? " adamw" : ""));
  }
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
  check(ok, "conv2d_forward", "worked example 7x7 conv");
  Pool2dShape p{1, 1, 5, 5, 2, 2, 2, 2, 0, 0, true, true, 0, 0};
  p.ho = pool2d_output_size(5, 2, 2, 0, true);
  p.wo = pool2d_output_size(5, 2, 2, 0, true);
  std::vector<float> pooled(9);
  pool2d_forward(PoolMode::kMax, p, y.data(), pooled.data());
  const float want_pool[9] = {1, 1, 0, 4, 2, 1, 0, 2, 1};
  check(p.ho == 3 && p.wo == 3 && std::equal(pooled.begin(), pooled.end(), want_pool),
        "pool2d_forward", "worked example max pool 5x5 -> 3x3");
}

}  // namespace

int main() {
  std::printf("ISA paths available:");
  for (Isa isa : available_isas()) std::printf(" %s", isa_name(isa));
  std::printf("\n");
  std::uniform_int_distribution<int> small(1, 70);
  for (Isa isa : available_isas()) {
    set_active_isa(isa);
    current_isa = isa_name(isa);
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
      test_conv(conv_shape(2, 3, 9, 8, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1), tag);
      test_conv(conv_shape(3, 4, 11, 10, 6, 3, 2, 2, 3, 1, 0, 2, 1, 2), tag);
      test_conv(conv_shape(1, 5, 6, 7, 3, 1, 1, 1, 1, 0, 0, 1, 1, 1), tag);  // pointwise
      test_conv(conv_shape(5, 1, 12, 12, 6, 5, 5, 1, 1, 2, 2, 1, 1, 1), tag);  // batch-parallel
      test_conv(conv_shape(2, 6, 7, 7, 6, 3, 3, 2, 2, 1, 1, 1, 1, 6), tag);  // depthwise
      test_conv(conv_shape(1, 64, 10, 10, 40, 3, 3, 1, 1, 1, 1, 1, 1, 1), tag);
      test_conv(conv_shape(2, 8, 23, 29, 12, 3, 3, 2, 2, 1, 1, 1, 1, 1), tag);  // stride 2, 15 wide: im2col's vector gather
      for (PoolMode mode : {PoolMode::kMax, PoolMode::kAvg, PoolMode::kSum}) {
        test_pool(mode, Pool2dShape{2, 3, 7, 6, 3, 3, 2, 2, 1, 1, true, true, 0, 0}, tag);
        test_pool(mode, Pool2dShape{1, 2, 9, 9, 2, 2, 3, 3, 0, 0, false, false, 0, 0}, tag);
        test_pool(mode, Pool2dShape{64, 8, 12, 12, 2, 2, 2, 2, 0, 0, false, true, 0, 0}, tag);  // threaded
      }
      // 3x3 stride 2 (the vector tiles): widths around one and two vectors
      // of 8 and 16 windows, padding 0 and 1, ceil mode, threaded.
      for (int64_t w : {5, 16, 17, 31, 34, 35, 36, 66, 71})
        for (int64_t pad : {0, 1})
          test_pool(PoolMode::kMax, Pool2dShape{1, 2, 9 + w % 4, w, 3, 3, 2, 2, pad, pad, w % 3 == 0, true, 0, 0}, tag);
      test_pool(PoolMode::kMax, Pool2dShape{4, 16, 40, 40, 3, 3, 2, 2, 1, 1, false, true, 0, 0}, tag);  // threaded
      test_eltwise(tag);
      const double peak = measure_peak_gflops(isa, threads, 0.02);
      check(std::isfinite(peak) && peak > 0.1, "fma_peak_probe", tag + " peak " + std::to_string(peak));
      std::printf("%-12s %s\n", tag.c_str(), failed == before ? "ok" : "FAILED");
    }
    test_conv_thread_invariance(conv_shape(7, 3, 12, 12, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1), isa_name(isa));
    test_gemm_thread_invariance(isa_name(isa));
    test_conv_thread_invariance(conv_shape(2, 64, 32, 32, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1), isa_name(isa));
  }
  set_active_isa(available_isas().front());
  current_isa = isa_name(available_isas().front());
  test_worked_example();
  test_thread_leases();
  test_optimizer_lists();

  std::printf("\nchecks per kernel and ISA path (each path at 1 and 2 threads):\n%-32s", "kernel");
  for (Isa isa : available_isas()) std::printf("%8s", isa_name(isa));
  std::printf("\n");
  for (const auto& [kernel, per_isa] : counts) {
    std::printf("%-32s", kernel.c_str());
    for (Isa isa : available_isas()) {
      auto it = per_isa.find(isa_name(isa));
      std::printf("%8d", it == per_isa.end() ? 0 : it->second);
    }
    std::printf("\n");
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
