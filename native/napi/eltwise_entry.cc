// Activations, PReLU, bias, softmax / log-softmax (contracts:
// lib/backend/contracts.ts).
#include "entry.h"

namespace convnode::napi {
namespace {

Activation kind(const Guarded& g) { return static_cast<Activation>(g.dim(contract::activation::kind)); }

ActivationParams params(const Guarded& g) {
  using namespace contract::activation;
  ActivationParams p;
  p.alpha = float(g.value(alpha));
  p.min_val = float(g.value(min));
  p.max_val = float(g.value(max));
  return p;
}

int64_t rows(const Guarded& g) { return g.dim(contract::rows::rows); }
int64_t cols(const Guarded& g) { return g.dim(contract::rows::cols); }

void add_run(const Guarded& g) { add(g.length(0), g.f32(0), g.f32(1), g.f32(2)); }
void add_relu_run(const Guarded& g) { add_relu(g.length(0), g.f32(0), g.f32(1), g.f32(2)); }
void activation_fwd(const Guarded& g) { activation_forward(kind(g), params(g), g.length(0), g.f32(0), g.f32(1)); }
void activation_bwd(const Guarded& g) {
  activation_backward(kind(g), params(g), g.length(0), g.f32(0), g.f32(1), g.f32(2), g.f32(3));
}
void prelu_fwd(const Guarded& g) { prelu_forward(channels(g), g.length(1), g.f32(0), g.f32(1), g.f32(2)); }
void prelu_bwd(const Guarded& g) {
  prelu_backward(channels(g), g.length(1), g.f32(0), g.f32(1), g.f32(2), g.f32(3), g.f32(4));
}
void bias_add_run(const Guarded& g) { bias_add(channels(g), g.f32(0), g.f32(1), g.f32(2)); }
void bias_grad_run(const Guarded& g) { bias_grad(channels(g), g.f32(0), g.f32(1)); }
void softmax_fwd(const Guarded& g) { softmax_forward(rows(g), cols(g), g.f32(0), g.f32(1)); }
void log_softmax_fwd(const Guarded& g) { log_softmax_forward(rows(g), cols(g), g.f32(0), g.f32(1)); }
void softmax_bwd(const Guarded& g) { softmax_backward(rows(g), cols(g), g.f32(0), g.f32(1), g.f32(2)); }
void log_softmax_bwd(const Guarded& g) { log_softmax_backward(rows(g), cols(g), g.f32(0), g.f32(1), g.f32(2)); }

}  // namespace

const EntryRecord kEltwiseEntries[12] = {
    kernel_entry<contract::kAdd, add_run>(),
    kernel_entry<contract::kAddRelu, add_relu_run>(),
    kernel_entry<contract::kActivationForward, activation_fwd>(),
    kernel_entry<contract::kActivationBackward, activation_bwd>(),
    kernel_entry<contract::kPreluForward, prelu_fwd>(),
    kernel_entry<contract::kPreluBackward, prelu_bwd>(),
    kernel_entry<contract::kBiasAdd, bias_add_run>(),
    kernel_entry<contract::kBiasGrad, bias_grad_run>(),
    kernel_entry<contract::kSoftmaxForward, softmax_fwd>(),
    kernel_entry<contract::kLogSoftmaxForward, log_softmax_fwd>(),
    kernel_entry<contract::kSoftmaxBackward, softmax_bwd>(),
    kernel_entry<contract::kLogSoftmaxBackward, log_softmax_bwd>(),
};

}  // namespace convnode::napi
