// Reading and checking the shape objects the entry points take. Geometry is
// resolved here once (output sizes, group divisibility), with the same rules
// and messages as lib/backend/geometry.ts.
#pragma once

#include "args.h"
#include "convnode/kernels.h"

namespace convnode::napi {

// {n, c, h, w, k, kh, kw, strideH=1, strideW=1, padH=0, padW=0,
//  dilationH=1, dilationW=1, groups=1}
Conv2dShape read_conv2d_shape(const Call& call, size_t i);
// {n, c, h, w, kh, kw, strideH=kh, strideW=kw, padH=0, padW=0,
//  ceilMode=false, countIncludePad=true}; `mode` is read separately.
Pool2dShape read_pool2d_shape(const Call& call, const Napi::Object& o);
// {n, c, hw=1}
ChannelShape read_channel_shape(const Call& call, size_t i);
// {rows, cols}
void read_rows_cols(const Call& call, size_t i, int64_t* rows, int64_t* cols);

}  // namespace convnode::napi
