// An integer order for floats, used to pick a max pooling window's winner
// without a data-dependent branch.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>

namespace convnode {
// Internal linkage: the per-ISA pooling files include this with their own
// target flags, and one shared (COMDAT) copy could end up running AVX-512
// code on a CPU without it.
namespace {

// A 32-bit integer that orders floats like "<" does, with -0 equal to +0 and
// NaN above everything (so the first NaN wins, as in PyTorch). Integer
// compares and selects vectorise on every ISA path and compile to cmov in
// scalar code.
inline int32_t order_key(float v) {
  int32_t b;
  std::memcpy(&b, &v, sizeof b);
  int32_t k = b ^ ((b >> 31) & 0x7FFFFFFF);  // negative floats: reverse order
  k += int32_t(b == std::numeric_limits<int32_t>::min());  // -0 -> 0
  return (b & 0x7FFFFFFF) > 0x7F800000 ? std::numeric_limits<int32_t>::max() : k;  // NaN
}

}  // namespace
}  // namespace convnode
