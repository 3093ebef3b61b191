// The direct-convolution microkernel contract (stride 1, small C x kh x kw).
//
// The driver zero-pads each input image (hp x wp per channel) and computes
// the output "wide": ho rows of wp columns, flattened, of which the first wo
// of each row are real. In that layout every filter tap (ci, ki, kj) reads
// the padded input at one constant offset, ci*hp*wp + ki*wp + kj, from the
// output position, so a tap is a vector multiply-add of a shifted input run.
// A microkernel computes KB output channels x NB consecutive wide positions:
//   out[kk * ld + j] = sum_t w[t * KB + kk] * src[offs[t] + j]
// for kk < KB, j < NB, t < taps; w holds KB filters, tap-major.
//
// The weight-gradient microkernel runs the same layout the other way: with
// dy laid out wide too (zeros in the wp - wo columns past each row's end),
//   dw[kk * ldw + tt] += sum_{j < len} dy[kk * ld_dy + j] * src[offs[tt] + j]
// for kk < KB channels and tt < TB taps; len is a multiple of the vector.
//
// Naming: f32_conv_direct_<KB>x<NB>__<isa> and f32_conv_direct_dw_<KB>x<TB>__<isa>,
// one file each, like the GEMM microkernels. The ISAs without them use
// im2col + GEMM.
#pragma once

#include <cstdint>

#include "convnode/runtime.h"

namespace convnode {

using DirectConvUkernelFn = void (*)(int64_t taps, const int64_t* offs, const float* src,
                                     const float* w, float* out, int64_t ld);

using DirectConvWeightUkernelFn = void (*)(int64_t len, const float* dy, int64_t ld_dy,
                                           const int64_t* offs, const float* src, float* dw,
                                           int64_t ldw);

struct DirectConvKernel {
  const char* name;
  int kb, nb;  // output channels x wide positions per call
  DirectConvUkernelFn ukernel;
  int dw_kb, dw_tb, vec;  // weight gradient: channels x taps per call; floats per vector
  DirectConvWeightUkernelFn dw_ukernel;
};

// nullptr when this ISA path has no direct kernel.
const DirectConvKernel* direct_conv_kernel_for(Isa isa);

void f32_conv_direct_4x24__avx2_fma(int64_t, const int64_t*, const float*, const float*, float*,
                                    int64_t);
void f32_conv_direct_4x48__avx512(int64_t, const int64_t*, const float*, const float*, float*,
                                  int64_t);
void f32_conv_direct_dw_4x2__avx2_fma(int64_t, const float*, int64_t, const int64_t*, const float*,
                                      float*, int64_t);
void f32_conv_direct_dw_4x4__avx512(int64_t, const float*, int64_t, const int64_t*, const float*,
                                    float*, int64_t);

}  // namespace convnode
