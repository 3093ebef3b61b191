// Four floats as a generic vector: the compiler lowers the shuffles to SSE
// on x86 and to NEON permutes on arm64, so portable code (packing,
// im2col) gets vector moves without per-ISA files.
#pragma once

namespace convnode {

typedef float Vec4 __attribute__((vector_size(16)));
typedef int Idx4 __attribute__((vector_size(16)));

}  // namespace convnode

// The shuffle of two Vec4s by four constant lane indices (0-3 from a, 4-7
// from b); GCC and Clang spell it differently.
#if defined(__clang__)
#define CONVNODE_SHUFFLE4(a, b, i0, i1, i2, i3) __builtin_shufflevector(a, b, i0, i1, i2, i3)
#else
#define CONVNODE_SHUFFLE4(a, b, i0, i1, i2, i3) __builtin_shuffle(a, b, ::convnode::Idx4{i0, i1, i2, i3})
#endif
