// Runs of pooling windows cut into chunks of 16, 8 and 4, each handed to a
// loop with a compile-time trip count: LeNet's and VGG's rows (14, 7 or 5
// windows) are shorter than an AVX-512 vector, and a loop over the row
// itself ran only its scalar remainder.
#pragma once

#include <cstdint>

namespace convnode {
namespace {

template <int64_t N>
struct Width {
  static constexpr int64_t kN = N;
};

// chunk(Width<N>(), first) for windows [begin, end). The last few windows
// run as a chunk of 4 that overlaps windows already done, so a chunk must
// be safe to repeat (it writes the same values again); a run whose length
// is a multiple of 4 never overlaps. Runs shorter than 4 go one by one.
template <typename ChunkFn>
void for_each_chunk(int64_t begin, int64_t end, ChunkFn chunk) {
  int64_t i = begin;
  for (; i + 16 <= end; i += 16) chunk(Width<16>(), i);
  if (i + 8 <= end) chunk(Width<8>(), i), i += 8;
  if (i + 4 <= end) chunk(Width<4>(), i), i += 4;
  if (i == end) return;
  if (end - begin >= 4) {
    chunk(Width<4>(), end - 4);
  } else {
    for (; i < end; ++i) chunk(Width<1>(), i);
  }
}

}  // namespace
}  // namespace convnode
