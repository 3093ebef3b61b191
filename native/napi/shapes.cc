#include "shapes.h"

namespace convnode::napi {

Conv2dShape read_conv2d_shape(const Call& call, size_t i) {
  Napi::Object o = call.object(i, "shape");
  Conv2dShape s{};
  s.n = call.int_field(o, "shape", "n", 1, kMaxDim);
  s.c = call.int_field(o, "shape", "c", 1, kMaxDim);
  s.h = call.int_field(o, "shape", "h", 1, kMaxDim);
  s.w = call.int_field(o, "shape", "w", 1, kMaxDim);
  s.k = call.int_field(o, "shape", "k", 1, kMaxDim);
  s.kh = call.int_field(o, "shape", "kh", 1, kMaxDim);
  s.kw = call.int_field(o, "shape", "kw", 1, kMaxDim);
  s.stride_h = call.int_field(o, "shape", "strideH", 1, kMaxDim, 1);
  s.stride_w = call.int_field(o, "shape", "strideW", 1, kMaxDim, 1);
  s.pad_h = call.int_field(o, "shape", "padH", 0, kMaxDim, 0);
  s.pad_w = call.int_field(o, "shape", "padW", 0, kMaxDim, 0);
  s.dilation_h = call.int_field(o, "shape", "dilationH", 1, kMaxDim, 1);
  s.dilation_w = call.int_field(o, "shape", "dilationW", 1, kMaxDim, 1);
  s.groups = call.int_field(o, "shape", "groups", 1, kMaxDim, 1);
  if (s.c % s.groups != 0)
    call.range_error("shape.c (" + std::to_string(s.c) + ") must be divisible by shape.groups (" +
                     std::to_string(s.groups) + ")");
  if (s.k % s.groups != 0)
    call.range_error("shape.k (" + std::to_string(s.k) + ") must be divisible by shape.groups (" +
                     std::to_string(s.groups) + ")");
  s.ho = conv2d_output_size(s.h, s.kh, s.stride_h, s.pad_h, s.dilation_h);
  s.wo = conv2d_output_size(s.w, s.kw, s.stride_w, s.pad_w, s.dilation_w);
  if (s.ho < 1)
    call.range_error("the filter height (kh with dilation: " +
                     std::to_string(s.dilation_h * (s.kh - 1) + 1) +
                     ") is larger than the padded input height (h + 2*padH: " +
                     std::to_string(s.h + 2 * s.pad_h) + ")");
  if (s.wo < 1)
    call.range_error("the filter width (kw with dilation: " +
                     std::to_string(s.dilation_w * (s.kw - 1) + 1) +
                     ") is larger than the padded input width (w + 2*padW: " +
                     std::to_string(s.w + 2 * s.pad_w) + ")");
  return s;
}

Pool2dShape read_pool2d_shape(const Call& call, const Napi::Object& o) {
  Pool2dShape s{};
  s.n = call.int_field(o, "shape", "n", 1, kMaxDim);
  s.c = call.int_field(o, "shape", "c", 1, kMaxDim);
  s.h = call.int_field(o, "shape", "h", 1, kMaxDim);
  s.w = call.int_field(o, "shape", "w", 1, kMaxDim);
  s.kh = call.int_field(o, "shape", "kh", 1, kMaxDim);
  s.kw = call.int_field(o, "shape", "kw", 1, kMaxDim);
  s.stride_h = call.int_field(o, "shape", "strideH", 1, kMaxDim, s.kh);
  s.stride_w = call.int_field(o, "shape", "strideW", 1, kMaxDim, s.kw);
  s.pad_h = call.int_field(o, "shape", "padH", 0, kMaxDim, 0);
  s.pad_w = call.int_field(o, "shape", "padW", 0, kMaxDim, 0);
  s.ceil_mode = call.bool_field(o, "shape", "ceilMode", false);
  s.count_include_pad = call.bool_field(o, "shape", "countIncludePad", true);
  // Larger padding would allow windows made only of padding.
  if (2 * s.pad_h > s.kh)
    call.range_error("shape.padH must be at most half of shape.kh (" + std::to_string(s.kh) +
                     "), got " + std::to_string(s.pad_h));
  if (2 * s.pad_w > s.kw)
    call.range_error("shape.padW must be at most half of shape.kw (" + std::to_string(s.kw) +
                     "), got " + std::to_string(s.pad_w));
  s.ho = pool2d_output_size(s.h, s.kh, s.stride_h, s.pad_h, s.ceil_mode);
  s.wo = pool2d_output_size(s.w, s.kw, s.stride_w, s.pad_w, s.ceil_mode);
  if (s.ho < 1)
    call.range_error("the window height shape.kh (" + std::to_string(s.kh) +
                     ") is larger than the padded input height (h + 2*padH: " +
                     std::to_string(s.h + 2 * s.pad_h) + ")");
  if (s.wo < 1)
    call.range_error("the window width shape.kw (" + std::to_string(s.kw) +
                     ") is larger than the padded input width (w + 2*padW: " +
                     std::to_string(s.w + 2 * s.pad_w) + ")");
  return s;
}

ChannelShape read_channel_shape(const Call& call, size_t i) {
  Napi::Object o = call.object(i, "shape");
  ChannelShape s{};
  s.n = call.int_field(o, "shape", "n", 1, kMaxDim);
  s.c = call.int_field(o, "shape", "c", 1, kMaxDim);
  s.hw = call.int_field(o, "shape", "hw", 1, kMaxDim, 1);
  return s;
}

void read_rows_cols(const Call& call, size_t i, int64_t* rows, int64_t* cols) {
  Napi::Object o = call.object(i, "shape");
  *rows = call.int_field(o, "shape", "rows", 1, kMaxDim);
  *cols = call.int_field(o, "shape", "cols", 1, kMaxDim);
}

}  // namespace convnode::napi
