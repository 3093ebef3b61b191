// Branchless selects for the pooling loops, written as bit operations on a
// mask of all ones or all zeros: "c ? a : b" on floats, or on an array
// element being updated, can compile to a branch or a conditional store,
// neither of which vectorises, and on random data "v > best" is a coin flip
// that a branch mispredicts half the time.
#pragma once

#include <cstdint>
#include <cstring>

namespace convnode {
// Internal linkage: included by the per-ISA pooling files, each with its own
// target flags (see max_pool_phased_loops.h).
namespace {

constexpr float kMinusInf = -__builtin_inff();

inline int32_t float_bits(float v) {
  int32_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

inline float bits_float(int32_t b) {
  float v;
  std::memcpy(&v, &b, sizeof v);
  return v;
}

inline int32_t mask_of(bool c) { return -int32_t(c); }
inline int32_t select(int32_t mask, int32_t a, int32_t b) { return (a & mask) | (b & ~mask); }
inline float select(int32_t mask, float a, float b) {
  return bits_float(select(mask, float_bits(a), float_bits(b)));
}

// v where the mask is set, else +0.
inline float pick(int32_t mask, float v) { return bits_float(float_bits(v) & mask); }

// The mask of "v replaces the running max cur": v is larger, or NaN (which
// then stays, since nothing compares larger than NaN). Equal values keep
// cur, the earlier one.
inline int32_t replaces(float v, float cur) { return mask_of((v > cur) | (v != v)); }

}  // namespace
}  // namespace convnode
