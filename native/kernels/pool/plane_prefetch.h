// Prefetching the next plane while this one is pooled, so that its load
// from memory overlaps the arithmetic instead of stalling the first rows.
#pragma once

#include <cstdint>

namespace convnode {
namespace {

// Where the lines go: kToL1 is prefetcht0, kToL2 prefetcht2. Measured on
// the 3x3 stride-2 max pool, 1024 planes of 112x112 from memory, 1 thread
// (C++ harness, two sets of 3 interleaved runs): the forward pass took
// 2.8-3.2 us per plane with kToL2 against 3.5-4.0 with kToL1; the backward
// pass (which reads each plane twice, see plane_is_orderable) 6.8-7.1
// with kToL1 against 7.7-8.0 with kToL2.
enum class PrefetchTo { kToL1 = 3, kToL2 = 1 };

// Band `band` of `bands`' equal share of the cache lines of `next` (a plane
// of `floats` floats, or null: nothing to prefetch).
template <PrefetchTo kTo = PrefetchTo::kToL1>
inline void prefetch_share(int64_t floats, int64_t bands, const float* next, int64_t band) {
  if (next == nullptr) return;
  constexpr int64_t kLine = 64 / sizeof(float);
  const int64_t lines = (floats + kLine - 1) / kLine;
  const int64_t per_band = (lines + bands - 1) / bands;
  const int64_t end = (band + 1) * per_band < lines ? (band + 1) * per_band : lines;
  for (int64_t l = band * per_band; l < end; ++l) __builtin_prefetch(next + l * kLine, 0, int(kTo));
}

}  // namespace
}  // namespace convnode
