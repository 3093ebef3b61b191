// Rounding a count up to whole blocks (tiles, vectors, microkernel slivers).
#pragma once

#include <cstdint>

namespace convnode {

inline int64_t round_up(int64_t v, int64_t to) { return (v + to - 1) / to * to; }

}  // namespace convnode
