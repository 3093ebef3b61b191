// Stride-1 convolution without im2col, in all three directions (see
// conv2d_direct.cc). conv2d.cc asks the *_applies functions first.
#pragma once

#include "convnode/kernels.h"

namespace convnode {

// True when the active ISA path has a direct kernel and the shape suits it.
bool conv2d_direct_applies(const Conv2dShape& s);
void conv2d_forward_direct(const Conv2dShape& s, const float* x, const float* w,
                           const float* bias, float* y);
bool conv2d_direct_backward_data_applies(const Conv2dShape& s);
void conv2d_backward_data_direct(const Conv2dShape& s, const float* dy, const float* w, float* dx);
bool conv2d_direct_backward_weight_applies(const Conv2dShape& s);
void conv2d_backward_weight_direct(const Conv2dShape& s, const float* x, const float* dy, float* dw);

}  // namespace convnode
