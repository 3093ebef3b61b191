// The direct-convolution microkernels, written once over a vector type.
//
// Each ISA file (f32_conv_direct__avx512.cc, f32_conv_direct__avx2_fma.cc)
// defines a struct of vector operations (V, kVec, zero, load, store, bcast,
// fma, sum) and includes this header, so every tile here is compiled with
// that file's flags. Everything is in an anonymous namespace and uses no
// library templates: a shared (COMDAT) copy picked by the linker could
// otherwise be one compiled for another ISA. The contracts are in
// conv_direct_ukernel.h.
#pragma once

#include <cstdint>

namespace convnode {
namespace {

// Forward: out[kk * ld + j] = sum_t w[t * KB + kk] * src[offs[t] + j] for
// kk < KB channels and j < NV vectors of wide positions. KB x NV
// accumulators; each tap loads NV input vectors and broadcasts KB weights.
template <class Ops, int KB, int NV>
void forward_tile(int64_t taps, const int64_t* offs, const float* src, const float* w,
                  float* out, int64_t ld) {
  using V = typename Ops::V;
  constexpr int kVec = Ops::kVec;
  V acc[KB][NV];
#pragma GCC unroll 16
  for (int k = 0; k < KB; ++k)
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) acc[k][v] = Ops::zero();
  for (int64_t t = 0; t < taps; ++t) {
    const float* s = src + offs[t];
    V x[NV];
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) x[v] = Ops::load(s + v * kVec);
#pragma GCC unroll 16
    for (int k = 0; k < KB; ++k) {
      const V wk = Ops::bcast(w[t * KB + k]);
#pragma GCC unroll 16
      for (int v = 0; v < NV; ++v) acc[k][v] = Ops::fma(wk, x[v], acc[k][v]);
    }
  }
#pragma GCC unroll 16
  for (int k = 0; k < KB; ++k)
#pragma GCC unroll 16
    for (int v = 0; v < NV; ++v) Ops::store(out + k * ld + v * kVec, acc[k][v]);
}

// Weight gradient, positions in vector lanes: dw[kk * ldw + tt] +=
// sum_{j < len} dy[kk * ld_dy + j] * src[offs[tt] + j] for kk < KB, tt < TB
// (len a multiple of kVec). Each accumulator ends in a horizontal sum, so it
// suits long rows and few output channels (LeNet's first layer).
template <class Ops, int KB, int TB>
void weight_tile_lanes_over_positions(int64_t len, const float* dy, int64_t ld_dy,
                                      const int64_t* offs, const float* src, float* dw,
                                      int64_t ldw) {
  using V = typename Ops::V;
  constexpr int kVec = Ops::kVec;
  V acc[KB][TB];
#pragma GCC unroll 16
  for (int k = 0; k < KB; ++k)
#pragma GCC unroll 16
    for (int t = 0; t < TB; ++t) acc[k][t] = Ops::zero();
  const float* s[TB];
#pragma GCC unroll 16
  for (int t = 0; t < TB; ++t) s[t] = src + offs[t];
  for (int64_t j = 0; j < len; j += kVec) {
    V x[TB];
#pragma GCC unroll 16
    for (int t = 0; t < TB; ++t) x[t] = Ops::load(s[t] + j);
#pragma GCC unroll 16
    for (int k = 0; k < KB; ++k) {
      const V g = Ops::load(dy + k * ld_dy + j);
#pragma GCC unroll 16
      for (int t = 0; t < TB; ++t) acc[k][t] = Ops::fma(g, x[t], acc[k][t]);
    }
  }
#pragma GCC unroll 16
  for (int k = 0; k < KB; ++k)
#pragma GCC unroll 16
    for (int t = 0; t < TB; ++t) dw[k * ldw + t] += Ops::sum(acc[k][t]);
}

// Weight gradient, output channels in vector lanes: dw[tt * ldw + kk] +=
// sum over rows r < rows and columns c < cols of
//   g[(r * cols + c) * ldg + kk] * src[offs[tt] + r * row_stride + c]
// for kk < KV * kVec channels, tt < TB taps. g is dy transposed to
// position-major, so a vector load gives kVec channels at one position and
// each tap is one broadcast input value: no horizontal sums, and the
// columns a wide row has past the output width are skipped.
template <class Ops, int KV, int TB>
void weight_tile_lanes_over_channels(int64_t rows, int64_t cols, int64_t row_stride,
                                     const float* g, int64_t ldg, const int64_t* offs,
                                     const float* src, float* dw, int64_t ldw) {
  using V = typename Ops::V;
  constexpr int kVec = Ops::kVec;
  V acc[TB][KV];
#pragma GCC unroll 16
  for (int t = 0; t < TB; ++t)
#pragma GCC unroll 16
    for (int v = 0; v < KV; ++v) acc[t][v] = Ops::load(dw + t * ldw + v * kVec);
  const float* s[TB];
#pragma GCC unroll 16
  for (int t = 0; t < TB; ++t) s[t] = src + offs[t];
  for (int64_t r = 0; r < rows; ++r) {
    const float* gr = g + r * cols * ldg;
    const int64_t base = r * row_stride;
    for (int64_t c = 0; c < cols; ++c) {
      V gv[KV];
#pragma GCC unroll 16
      for (int v = 0; v < KV; ++v) gv[v] = Ops::load(gr + c * ldg + v * kVec);
#pragma GCC unroll 16
      for (int t = 0; t < TB; ++t) {
        const V b = Ops::bcast(s[t][base + c]);
#pragma GCC unroll 16
        for (int v = 0; v < KV; ++v) acc[t][v] = Ops::fma(gv[v], b, acc[t][v]);
      }
    }
  }
#pragma GCC unroll 16
  for (int t = 0; t < TB; ++t)
#pragma GCC unroll 16
    for (int v = 0; v < KV; ++v) Ops::store(dw + t * ldw + v * kVec, acc[t][v]);
}

// Row copy between the wide layout and the plain one: dst[kk * dst_ld + r *
// dst_wp + j] = src[kk * src_ld + r * src_wp + j] (+ bias[kk] when bias is
// not null) for kk < channels, r < rows, j < cols. Compiled per ISA: the
// same loop compiled for the baseline (SSE, one call or peeled loop per
// row) was a third of shape c's forward pass, whose 32 x 32 rows it copies
// 32 floats at a time.
template <class Ops>
void copy_rows(int64_t channels, int64_t rows, int64_t cols, const float* src, int64_t src_ld,
               int64_t src_wp, const float* bias, float* dst, int64_t dst_ld, int64_t dst_wp) {
  using V = typename Ops::V;
  constexpr int kVec = Ops::kVec;
  const int64_t full = cols - cols % kVec;
  const int tail = int(cols % kVec);
  for (int64_t kk = 0; kk < channels; ++kk) {
    const V b = Ops::bcast(bias != nullptr ? bias[kk] : 0.0f);
    for (int64_t r = 0; r < rows; ++r) {
      const float* s = src + kk * src_ld + r * src_wp;
      float* d = dst + kk * dst_ld + r * dst_wp;
      for (int64_t j = 0; j < full; j += kVec) Ops::store(d + j, Ops::add(Ops::load(s + j), b));
      if (tail != 0) Ops::store_first(d + full, Ops::add(Ops::load_first(s + full, tail), b), tail);
    }
  }
}

}  // namespace
}  // namespace convnode
