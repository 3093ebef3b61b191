// conv2d's implementations, in the order they are tried: the first that
// accepts a call runs it; the reference, im2col + GEMM, comes last and
// accepts every call (native/kernels/conv/conv2d_impls.h). An
// implementation may also give a call back after running it: Winograd
// F(4x4, 3x3) does when an output came out non-finite (an Inf or NaN
// spreads over its tile), and the next that accepts recomputes it.
#include <cstdint>
#include <cstring>

#include "convnode/kernels.h"
#include "dispatch.h"
#include "kernels/conv/conv2d_impls.h"

namespace convnode {
namespace {

bool any_shape(const Conv2dShape&) { return true; }

// run returns false to give the call back (its output is then to be
// recomputed); implementations that always finish go in through done<>.
template <typename Fn>
struct Impl {
  const char* name;
  bool (*accepts)(const Conv2dShape&);
  Fn run;
};

using ForwardFn = bool (*)(const Conv2dShape&, const float*, const float*, const float*, float*);
using BackwardFn = bool (*)(const Conv2dShape&, const float*, const float*, float*);

template <auto F, typename... Args>
bool done(const Conv2dShape& s, Args... args) {
  F(s, args...);
  return true;
}

constexpr Impl<ForwardFn> kForward[] = {
    {"winograd_f4x3", conv2d_winograd_applies, conv2d_forward_winograd},
    {"direct", conv2d_direct_applies, done<conv2d_forward_direct>},
    {"pointwise", conv2d_pointwise_applies, done<conv2d_forward_pointwise>},
    {"im2col_gemm", any_shape, done<conv2d_forward_im2col>},
};
constexpr Impl<BackwardFn> kBackwardData[] = {
    {"winograd_f4x3", conv2d_winograd_backward_data_applies, conv2d_backward_data_winograd},
    {"direct", conv2d_direct_backward_data_applies, done<conv2d_backward_data_direct>},
    {"pointwise", conv2d_pointwise_applies, done<conv2d_backward_data_pointwise>},
    {"im2col_gemm", any_shape, done<conv2d_backward_data_im2col>},
};
constexpr Impl<BackwardFn> kBackwardWeight[] = {
    {"winograd_f4x3", conv2d_winograd_applies, done<conv2d_backward_weight_winograd>},
    {"direct", conv2d_direct_backward_weight_applies, done<conv2d_backward_weight_direct>},
    {"pointwise", conv2d_pointwise_applies, done<conv2d_backward_weight_pointwise>},
    {"im2col_gemm", any_shape, done<conv2d_backward_weight_im2col>},
};

// The fast paths multiply zeros and drop the products: padding (im2col's
// zero columns, padded images; backward data through the direct kernel
// runs the filters over zero-padded dy) and the direct kernels' spare
// columns. With an Inf or NaN in the other factor, 0 * Inf puts NaN in
// cells the value never reaches by the definition (conv2d_definition.cc).
// So: filters with a non-finite value go to the definition's loops (forward,
// when there is padding) or to im2col + GEMM (backward data, whose col2im
// skips padding); a weight gradient that comes out non-finite is recomputed
// by the definition. The checks read w or dw, which are small.
//
// Reads the bits: an exponent of all ones is an Inf or a NaN, and adding
// one to the exponent field carries into the sign bit exactly then. On
// integers, so that the compiler vectorises it (std::isfinite compiled to a
// scalar compare per float: 10% of SmallVGG's batch-1 inference).
bool all_finite(const float* v, int64_t count) {
  constexpr uint32_t kExponent = 0x7f800000u, kExponentOne = 0x00800000u;
  uint32_t carries = 0;
  for (int64_t i = 0; i < count; ++i) {
    uint32_t bits;
    std::memcpy(&bits, v + i, sizeof bits);
    carries |= (bits & kExponent) + kExponentOne;
  }
  return (carries >> 31) == 0;
}

int64_t filter_size(const Conv2dShape& s) { return s.k * (s.c / s.groups) * s.kh * s.kw; }

// Runs the first implementation that accepts the call and keeps it.
template <typename Fn, size_t N, typename... Args>
void run_first(const char* op, const Impl<Fn> (&impls)[N], const Conv2dShape& s, Args... args) {
  for (const Impl<Fn>& impl : impls) {
    if (!impl.accepts(s)) continue;
    log_choice(op, impl.name);
    if (impl.run(s, args...)) return;
    log_choice(op, impl.name, "gave a non-finite output: recomputed by the next");
  }
  // unreachable: the last accepts every shape and keeps every call
}

}  // namespace

int64_t conv2d_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t pad, int64_t dilation) {
  const int64_t span = in + 2 * pad - dilation * (kernel - 1) - 1;
  if (span < 0) return 0;
  return span / stride + 1;
}

void conv2d_forward(const Conv2dShape& s, const float* x, const float* w, const float* bias, float* y) {
  if ((s.pad_h > 0 || s.pad_w > 0) && !all_finite(w, filter_size(s))) {
    log_choice("conv2d_forward", "definition (non-finite filters)");
    conv2d_forward_definition(s, x, w, bias, y);
    return;
  }
  run_first("conv2d_forward", kForward, s, x, w, bias, y);
}

void conv2d_backward_data(const Conv2dShape& s, const float* dy, const float* w, float* dx) {
  if (!all_finite(w, filter_size(s))) {
    log_choice("conv2d_backward_data", "im2col_gemm (non-finite filters)");
    conv2d_backward_data_im2col(s, dy, w, dx);
    return;
  }
  run_first("conv2d_backward_data", kBackwardData, s, dy, w, dx);
}

void conv2d_backward_weight(const Conv2dShape& s, const float* x, const float* dy, float* dw) {
  run_first("conv2d_backward_weight", kBackwardWeight, s, x, dy, dw);
  if (!all_finite(dw, filter_size(s))) {
    log_choice("conv2d_backward_weight", "definition (non-finite gradient, recomputed)");
    conv2d_backward_weight_definition(s, x, dy, dw);
  }
}

void conv2d_backward_bias(const Conv2dShape& s, const float* dy, float* db) {
  bias_grad(ChannelShape{s.n, s.k, s.ho * s.wo}, dy, db);
}

}  // namespace convnode
