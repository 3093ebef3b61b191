// The conv2d implementations, for native/cpu/conv_dispatch.cc to choose
// from: stride-1 convolution without im2col where the active path has
// direct tiles (conv2d_direct.cc, conv2d_winograd.cc, conv2d_pointwise.cc;
// each *_applies says whether it takes a shape), and im2col + GEMM, which
// takes every shape (conv2d_im2col.cc);
// the definition's loops for non-finite values (conv2d_definition.cc).
#pragma once

#include "convnode/kernels.h"

namespace convnode {

void conv2d_forward_im2col(const Conv2dShape& s, const float* x, const float* w, const float* bias, float* y);
void conv2d_backward_data_im2col(const Conv2dShape& s, const float* dy, const float* w, float* dx);
void conv2d_backward_weight_im2col(const Conv2dShape& s, const float* x, const float* dy, float* dw);

// Sums over the taps inside the image only: padding is never multiplied.
void conv2d_forward_definition(const Conv2dShape& s, const float* x, const float* w, const float* bias, float* y);
void conv2d_backward_weight_definition(const Conv2dShape& s, const float* x, const float* dy, float* dw);

// True when the active ISA path has a direct kernel and the shape suits it.
bool conv2d_direct_applies(const Conv2dShape& s);
void conv2d_forward_direct(const Conv2dShape& s, const float* x, const float* w,
                           const float* bias, float* y);
// Output rows the direct forward computes per pass over a padded band of
// the image: all of them unless that would need more than 64 MiB of
// scratch (huge padding). The banded form, with any band >= 1, gives the
// same bits as the whole image; the tests call it with small bands.
int64_t conv2d_direct_band_rows(const Conv2dShape& s);
void conv2d_forward_direct_banded(const Conv2dShape& s, const float* x, const float* w,
                                  const float* bias, float* y, int64_t band);
bool conv2d_direct_backward_data_applies(const Conv2dShape& s);
void conv2d_backward_data_direct(const Conv2dShape& s, const float* dy, const float* w, float* dx);
// Winograd F(4x4, 3x3) for 3x3 stride-1 layers with at least 16 channels in
// and out (conv2d_winograd.cc). The forward and backward-data functions
// return false when an output came out non-finite: the caller recomputes
// it another way.
bool conv2d_winograd_applies(const Conv2dShape& s);
bool conv2d_forward_winograd(const Conv2dShape& s, const float* x, const float* w, const float* bias, float* y);
bool conv2d_winograd_backward_data_applies(const Conv2dShape& s);
bool conv2d_backward_data_winograd(const Conv2dShape& s, const float* dy, const float* w, float* dx);
// Takes the shapes conv2d_winograd_applies takes.
void conv2d_backward_weight_winograd(const Conv2dShape& s, const float* x, const float* dy, float* dw);
// The pointwise convolution (1x1, stride 1, no padding, one group) on the
// direct-A tiles, filters packed once per call (conv2d_pointwise.cc).
bool conv2d_pointwise_applies(const Conv2dShape& s);
void conv2d_forward_pointwise(const Conv2dShape& s, const float* x, const float* w, const float* bias, float* y);
void conv2d_backward_data_pointwise(const Conv2dShape& s, const float* dy, const float* w, float* dx);
void conv2d_backward_weight_pointwise(const Conv2dShape& s, const float* x, const float* dy, float* dw);
bool conv2d_direct_backward_weight_applies(const Conv2dShape& s);
void conv2d_backward_weight_direct(const Conv2dShape& s, const float* x, const float* dy, float* dw);

}  // namespace convnode
