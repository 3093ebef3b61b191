#include "harness.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

std::mt19937 rng(1234);
std::string current_isa = "-";

namespace {

int passed = 0, failed = 0;
// Checks run per kernel and ISA path, for the summary table.
std::map<std::string, std::map<std::string, int>> counts;

}  // namespace

std::vector<float> random_vec(size_t n, float lo, float hi) {
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

// |got - want| <= rel * max(1, |want|) elementwise.
bool close_rel(const std::vector<float>& got, const std::vector<double>& want, double rel) {
  for (size_t i = 0; i < got.size(); ++i)
    if (!(std::fabs(double(got[i]) - want[i]) <= rel * std::max(1.0, std::fabs(want[i])))) return false;
  return true;
}

Conv2dShape conv_shape(int64_t n, int64_t c, int64_t h, int64_t w, int64_t k,
                       int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph,
                       int64_t pw, int64_t dh, int64_t dw, int64_t g) {
  Conv2dShape s{n, c, h, w, k, kh, kw, sh, sw, ph, pw, dh, dw, g, 0, 0};
  s.ho = conv2d_output_size(h, kh, sh, ph, dh);
  s.wo = conv2d_output_size(w, kw, sw, pw, dw);
  return s;
}

int failures() { return failed; }

void print_summary() {
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
}
