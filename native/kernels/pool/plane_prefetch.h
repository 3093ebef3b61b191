// Prefetching the next plane while this one is pooled, so that its load
// from memory overlaps the arithmetic instead of stalling the first rows.
#pragma once

#include <cstdint>

namespace convnode {
namespace {

// Band `band` of `bands`' equal share of the cache lines of `next` (a plane
// of `floats` floats, or null: nothing to prefetch).
inline void prefetch_share(int64_t floats, int64_t bands, const float* next, int64_t band) {
  if (next == nullptr) return;
  constexpr int64_t kLine = 64 / sizeof(float);
  const int64_t lines = (floats + kLine - 1) / kLine;
  const int64_t per_band = (lines + bands - 1) / bands;
  const int64_t end = (band + 1) * per_band < lines ? (band + 1) * per_band : lines;
  for (int64_t l = band * per_band; l < end; ++l) __builtin_prefetch(next + l * kLine);
}

}  // namespace
}  // namespace convnode
