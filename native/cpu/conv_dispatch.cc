// conv2d's implementations, in the order they are tried: the first that
// accepts a call runs it; the reference, im2col + GEMM, comes last and
// accepts every call (native/kernels/conv/conv2d_impls.h). Before the list,
// each direction tries Winograd F(4x4, 3x3) (3x3 stride 1, >= 32 channels
// in and out); forward and backward data report an output that came out
// non-finite (an Inf or NaN spreads over its tile) so that the list
// recomputes it, as a non-finite weight gradient is recomputed below.
#include <cmath>

#include "convnode/kernels.h"
#include "dispatch.h"
#include "kernels/conv/conv2d_impls.h"

namespace convnode {
namespace {

bool any_shape(const Conv2dShape&) { return true; }

template <typename Fn>
struct Impl {
  const char* name;
  bool (*accepts)(const Conv2dShape&);
  Fn run;
};

using ForwardFn = void (*)(const Conv2dShape&, const float*, const float*, const float*, float*);
using BackwardFn = void (*)(const Conv2dShape&, const float*, const float*, float*);

constexpr Impl<ForwardFn> kForward[] = {
    {"direct", conv2d_direct_applies, conv2d_forward_direct},
    {"im2col_gemm", any_shape, conv2d_forward_im2col},
};
constexpr Impl<BackwardFn> kBackwardData[] = {
    {"direct", conv2d_direct_backward_data_applies, conv2d_backward_data_direct},
    {"im2col_gemm", any_shape, conv2d_backward_data_im2col},
};
constexpr Impl<BackwardFn> kBackwardWeight[] = {
    {"direct", conv2d_direct_backward_weight_applies, conv2d_backward_weight_direct},
    {"im2col_gemm", any_shape, conv2d_backward_weight_im2col},
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
bool all_finite(const float* v, int64_t count) {
  bool ok = true;
  for (int64_t i = 0; i < count; ++i) ok &= std::isfinite(v[i]);
  return ok;
}

int64_t filter_size(const Conv2dShape& s) { return s.k * (s.c / s.groups) * s.kh * s.kw; }

template <typename Fn, size_t N>
Fn choose(const char* op, const Impl<Fn> (&impls)[N], const Conv2dShape& s) {
  for (const Impl<Fn>& impl : impls) {
    if (!impl.accepts(s)) continue;
    log_choice(op, impl.name);
    return impl.run;
  }
  return impls[N - 1].run;  // unreachable: the last accepts every shape
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
  if (conv2d_winograd_applies(s)) {
    log_choice("conv2d_forward", "winograd_f4x3");
    if (conv2d_forward_winograd(s, x, w, bias, y)) return;
    log_choice("conv2d_forward", "winograd_f4x3 gave a non-finite output: recomputed");
  }
  choose("conv2d_forward", kForward, s)(s, x, w, bias, y);
}

void conv2d_backward_data(const Conv2dShape& s, const float* dy, const float* w, float* dx) {
  if (!all_finite(w, filter_size(s))) {
    log_choice("conv2d_backward_data", "im2col_gemm (non-finite filters)");
    conv2d_backward_data_im2col(s, dy, w, dx);
    return;
  }
  if (conv2d_winograd_backward_data_applies(s)) {
    log_choice("conv2d_backward_data", "winograd_f4x3");
    if (conv2d_backward_data_winograd(s, dy, w, dx)) return;
    log_choice("conv2d_backward_data", "winograd_f4x3 gave a non-finite output: recomputed");
  }
  choose("conv2d_backward_data", kBackwardData, s)(s, dy, w, dx);
}

void conv2d_backward_weight(const Conv2dShape& s, const float* x, const float* dy, float* dw) {
  if (conv2d_winograd_applies(s)) {
    log_choice("conv2d_backward_weight", "winograd_f4x3");
    conv2d_backward_weight_winograd(s, x, dy, dw);
  } else {
    choose("conv2d_backward_weight", kBackwardWeight, s)(s, x, dy, dw);
  }
  if (!all_finite(dw, filter_size(s))) {
    log_choice("conv2d_backward_weight", "definition (non-finite gradient, recomputed)");
    conv2d_backward_weight_definition(s, x, dy, dw);
  }
}

void conv2d_backward_bias(const Conv2dShape& s, const float* dy, float* db) {
  bias_grad(ChannelShape{s.n, s.k, s.ho * s.wo}, dy, db);
}

}  // namespace convnode
