// convnode native kernel API: plain C++, raw pointers and small shape structs.
// No N-API here: the binding in native/napi/ guards every argument against
// its contract (lib/backend/contracts.ts) before it calls into these
// functions, so kernels assume well-formed input.
//
// Layout: fp32, row-major, NCHW. All sizes are int64_t. Output buffers are
// written, never allocated; kernels keep grow-only scratch buffers per thread
// so steady-state calls do not allocate.
#pragma once

#include <cstdint>

#include "convnode/enums.gen.h"  // Activation, PoolMode, kMaxPoolArgmaxCells

namespace convnode {

// ---------------------------------------------------------------- GEMM
// C[m x n] = alpha * op(A)[m x k] * op(B)[k x n] + beta * C.
// op(A) = A (m x k, leading dimension lda) or A^T (A stored k x m).
// When beta == 0, C is not read (NaNs in C do not propagate).
void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k,
           float alpha, const float* a, int64_t lda, const float* b,
           int64_t ldb, float beta, float* c, int64_t ldc);

// ---------------------------------------------------------------- conv2d
// Cross-correlation. x [n, c, h, w], w [k, c/groups, kh, kw], y [n, k, ho, wo].
struct Conv2dShape {
  int64_t n, c, h, w;        // input
  int64_t k, kh, kw;         // filters
  int64_t stride_h, stride_w;
  int64_t pad_h, pad_w;      // zero padding, each side
  int64_t dilation_h, dilation_w;
  int64_t groups;
  int64_t ho, wo;            // output size, see conv2d_output_size
};
// floor((in + 2*pad - dilation*(kernel-1) - 1) / stride) + 1; may be <= 0
// when the kernel does not fit (callers reject that).
int64_t conv2d_output_size(int64_t in, int64_t kernel, int64_t stride,
                           int64_t pad, int64_t dilation);

void conv2d_forward(const Conv2dShape& s, const float* x, const float* w,
                    const float* bias /* nullable, [k] */, float* y);
void conv2d_backward_data(const Conv2dShape& s, const float* dy,
                          const float* w, float* dx);
void conv2d_backward_weight(const Conv2dShape& s, const float* x,
                            const float* dy, float* dw);
void conv2d_backward_bias(const Conv2dShape& s, const float* dy, float* db);

// ---------------------------------------------------------------- pool2d
struct Pool2dShape {
  int64_t n, c, h, w;
  int64_t kh, kw, stride_h, stride_w, pad_h, pad_w;
  bool ceil_mode;
  bool count_include_pad;  // avg only: divide by the window size including
                           // zero padding (PyTorch's default) or not
  int64_t ho, wo;          // see pool2d_output_size
};
// Like conv (dilation 1), rounding up in ceil mode; in ceil mode the last
// window must start inside the input or its left padding.
int64_t pool2d_output_size(int64_t in, int64_t kernel, int64_t stride,
                           int64_t pad, bool ceil_mode);

void pool2d_forward(PoolMode mode, const Pool2dShape& s, const float* x,
                    float* y);
// dx is overwritten. Max pooling recomputes each window's argmax from x
// (the first maximum wins; NaN counts as a maximum, as in PyTorch).
void pool2d_backward(PoolMode mode, const Pool2dShape& s, const float* x,
                     const float* dy, float* dx);

// Max pooling that keeps each window's winner, so that the backward pass
// reads one byte per output instead of the whole input again (PyTorch
// keeps indices too). argmax[i] is the cell of output i's window that
// pool2d_forward's max came from, numbered row * kw + col inside the
// kh x kw window, padding included; y is exactly pool2d_forward's.
// Needs kh * kw <= kMaxPoolArgmaxCells.
void max_pool2d_forward_argmax(const Pool2dShape& s, const float* x, float* y,
                               uint8_t* argmax);
// dx is overwritten with what pool2d_backward(kMax, ...) gives when argmax
// came from that x: each window's gradient added to the cell argmax names,
// in row-major window order, from +0. Returns false if some entry names
// no input cell of its window (>= kh * kw, or in the padding); dx then
// holds no meaningful values.
bool max_pool2d_backward_argmax(const Pool2dShape& s, const uint8_t* argmax,
                                const float* dy, float* dx);

// ---------------------------------------------------------------- eltwise
struct ActivationParams {
  float alpha = 0.01f;      // leaky relu slope for x < 0
  float min_val = -1.0f;    // hardtanh bounds
  float max_val = 1.0f;
};
// y may equal x (in place).
// y = a + b over len floats; y may be a or b.
void add(int64_t len, const float* a, const float* b, float* y);
// y = relu(a + b) (0 where a + b <= 0, NaN stays NaN); y may equal a or b.
void add_relu(int64_t len, const float* a, const float* b, float* y);

void activation_forward(Activation kind, const ActivationParams& p, int64_t len,
                        const float* x, float* y);
// dx = dy * f'(x); tanh and sigmoid use y = f(x), the others x. dx may equal dy.
void activation_backward(Activation kind, const ActivationParams& p,
                         int64_t len, const float* x, const float* y,
                         const float* dy, float* dx);

// Per-channel data over [n, c, hw] (hw = 1 for dense layers).
struct ChannelShape { int64_t n, c, hw; };
// slope has c elements, or 1 shared by every channel (num_slopes).
void prelu_forward(const ChannelShape& s, int64_t num_slopes, const float* x,
                   const float* slope, float* y);
// dslope is overwritten with the sum over n and hw.
void prelu_backward(const ChannelShape& s, int64_t num_slopes, const float* x,
                    const float* slope, const float* dy, float* dx,
                    float* dslope);
void bias_add(const ChannelShape& s, const float* x, const float* bias, float* y);
// db[c] = sum over n, hw of dy (overwritten).
void bias_grad(const ChannelShape& s, const float* dy, float* db);

// Batch normalisation's passes (batch_norm.cc). Sums accumulate in float
// lanes per row and double across rows.
// mean[c] and the biased variance var[c] over n and hw.
void channel_moments(const ChannelShape& s, const float* x, float* mean, float* var);
// sum_dy[c] = sum of dy; sum_dy_xc[c] = sum of dy * (x - mean[c]). With
// relu_out (channel_affine_relu's output; may be null), dy counts as 0
// where relu_out <= 0.
void channel_grad_sums(const ChannelShape& s, const float* dy, const float* x, const float* mean,
                       float* sum_dy, float* sum_dy_xc, const float* relu_out = nullptr);
// y = scale[c] * x + shift[c]; y may equal x.
void channel_affine(const ChannelShape& s, const float* x, const float* scale, const float* shift, float* y);
// y = relu(scale[c] * x + shift[c]) (0 where <= 0, NaN stays NaN); y may equal x.
void channel_affine_relu(const ChannelShape& s, const float* x, const float* scale, const float* shift, float* y);
// dx = a[c] * dy + b[c] * x + d[c]; dx may equal dy. With relu_out, dy
// counts as 0 where relu_out <= 0.
void channel_combine(const ChannelShape& s, const float* dy, const float* x, const float* a, const float* b,
                     const float* d, float* dx, const float* relu_out = nullptr);

// Row-wise over [rows, cols]. y may equal x.
void softmax_forward(int64_t rows, int64_t cols, const float* x, float* y);
void log_softmax_forward(int64_t rows, int64_t cols, const float* x, float* y);
// dx = y * (dy - sum(dy * y)), y the softmax output.
void softmax_backward(int64_t rows, int64_t cols, const float* y,
                      const float* dy, float* dx);
// dx = dy - exp(y) * sum(dy), y the log-softmax output.
void log_softmax_backward(int64_t rows, int64_t cols, const float* y,
                          const float* dy, float* dx);

// ---------------------------------------------------------------- losses
// Target is either class indices (labels, int32 in [0, cols)) or one
// distribution per row (probs [rows, cols]); exactly one is non-null.
struct ClassTarget {
  const int32_t* labels = nullptr;
  const float* probs = nullptr;
};
// Writes softmax(logits) to probs_out and returns the mean over rows of
// -sum_j t_j log softmax(logits)_j (computed from log-sum-exp, not from probs).
double softmax_cross_entropy_forward(int64_t rows, int64_t cols,
                                     const float* logits, ClassTarget target,
                                     float* probs_out);
// dlogits = scale * (probs * sum_j t_j - t) per row (probs - t for class
// indices); scale is usually d(loss) / rows. dlogits may be probs (in place).
void softmax_cross_entropy_backward(int64_t rows, int64_t cols,
                                    const float* probs, ClassTarget target,
                                    float scale, float* dlogits);
// Returns sum (pred - target)^2, accumulated in double.
double mse_forward(int64_t len, const float* pred, const float* target);
// dpred = 2 * scale * (pred - target): scale 1/len for the mean, 1 for the
// sum, 1/2 for the articles' half-sum.
void mse_backward(int64_t len, const float* pred, const float* target,
                  float scale, float* dpred);

// ---------------------------------------------------------------- optim
// PyTorch semantics. momentum_buf may be null when momentum == 0; on step 1
// it is initialised to the gradient (as PyTorch does with an empty buffer).
struct SgdParams {
  float lr, momentum, dampening, weight_decay;
  bool nesterov;
  int64_t step;  // 1-based
};
void sgd_update(const SgdParams& p, int64_t len, float* param, const float* grad,
                float* momentum_buf);

// Adam (weight decay added to the gradient) or AdamW (decoupled: the
// parameter shrinks by lr * weight_decay before the update). With amsgrad,
// max_exp_avg_sq keeps the running maximum of exp_avg_sq and the update
// divides by it (it may be null otherwise).
struct AdamParams {
  float lr, beta1, beta2, eps, weight_decay;
  bool decoupled;
  int64_t step;  // 1-based, for bias correction
  bool amsgrad;
};
void adam_update(const AdamParams& p, int64_t len, float* param,
                 const float* grad, float* exp_avg, float* exp_avg_sq, float* max_exp_avg_sq);

// The same updates over a list of `count` tensors (tensor i has lengths[i]
// elements) in one call, as one optimizer step over every parameter of a
// model: the threads split the total length, so a model's many small bias
// vectors cost no more than one pass, and one call replaces one per tensor.
// momentum_bufs may be null when momentum == 0.
void sgd_update_many(const SgdParams& p, int64_t count, const int64_t* lengths,
                     float* const* params, const float* const* grads,
                     float* const* momentum_bufs);
void adam_update_many(const AdamParams& p, int64_t count, const int64_t* lengths,
                      float* const* params, const float* const* grads,
                      float* const* exp_avgs, float* const* exp_avg_sqs,
                      float* const* max_exp_avg_sqs);

// RMSprop (torch.optim.RMSprop) over a list of tensors: momentum_bufs may
// be null when momentum == 0, grad_avgs when not centered.
struct RmspropParams {
  float lr, alpha, eps, weight_decay, momentum;
  bool centered;
};
void rmsprop_update_many(const RmspropParams& p, int64_t count, const int64_t* lengths, float* const* params,
                         const float* const* grads, float* const* square_avgs, float* const* momentum_bufs,
                         float* const* grad_avgs);

}  // namespace convnode
