// Filters transformed for a fast convolution (Winograd's U), kept between
// calls on the calling thread, for calls too small to pay for the transform
// each time: at batch 1 the transform is as long as the convolution itself
// (SmallVGG's 64 -> 64 layer on 14 x 14), and a service runs the same
// filters call after call.
//
// Filters change in place (an optimizer step, a load into the same
// tensor), so neither their address nor a version can say that a
// transform is still good. An entry keeps a copy of the filters it was
// made from, and a lookup compares the call's filters with it bit for bit:
// a hit is exactly the transform of the call's filters. The comparison
// reads the filters once, a quarter or less of what the transform writes
// (36 points for 9 taps), and stops at the first difference.
//
// Bounded: at most kMaxEntries entries and kMaxBytes of copies and
// transforms per thread; the least recently used entry goes first. Its
// buffers are Scratch, so they count against the thread's scratch limit.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "cpu/scratch.h"

namespace convnode {

// What decides a transform's layout besides the filters' values: the
// kernel table's pointers (setIsa can change the path between calls) and
// the dimensions.
struct DerivedFilterLayout {
  const void* transforms;
  const void* gemm_tile;
  int64_t cin, cout, derived_floats;
  bool operator==(const DerivedFilterLayout& o) const {
    return transforms == o.transforms && gemm_tile == o.gemm_tile && cin == o.cin && cout == o.cout &&
           derived_floats == o.derived_floats;
  }
};

class DerivedFilterCache {
 public:
  static constexpr size_t kMaxEntries = 16;
  static constexpr size_t kMaxBytes = size_t(16) << 20;

  // Whether an entry of this size may be kept at all.
  static bool fits(const DerivedFilterLayout& layout, int64_t count) {
    return sizeof(float) * size_t(count + layout.derived_floats) <= kMaxBytes / 4;
  }

  // The transform of `filters` (count floats) under `layout`: the kept one
  // when a kept copy of the filters equals them, else build(derived) fills
  // a new or reused entry's layout.derived_floats floats. The pointer stays
  // valid until the next call on this thread.
  template <class Build>
  const float* get(const DerivedFilterLayout& layout, const float* filters, int64_t count, Build build) {
    const size_t filter_bytes = sizeof(float) * size_t(count);
    Entry* reuse = nullptr;  // the same filters' address: most likely updated in place
    for (auto& e : entries_) {
      if (!(e->layout == layout) || e->count != count) continue;
      if (std::memcmp(e->filters.floats(size_t(count)), filters, filter_bytes) == 0) {
        e->last_use = ++clock_;
        return e->derived.floats(size_t(layout.derived_floats));
      }
      if (e->address == filters) reuse = e.get();
    }
    Entry* e = reuse != nullptr ? reuse : make_room(layout, count);
    // Build first, copy after: if build throws, the entry does not claim
    // filters it has no transform of.
    e->count = 0;
    build(e->derived.floats(size_t(layout.derived_floats)));
    std::memcpy(e->filters.floats(size_t(count)), filters, filter_bytes);
    e->layout = layout;
    e->count = count;
    e->address = filters;
    e->last_use = ++clock_;
    return e->derived.floats(size_t(layout.derived_floats));
  }

 private:
  struct Entry {
    DerivedFilterLayout layout{};
    int64_t count = 0;  // 0: holds nothing (a build that threw)
    const float* address = nullptr;
    uint64_t last_use = 0;
    Scratch filters, derived;
    size_t bytes() const { return sizeof(float) * size_t(count + layout.derived_floats); }
  };

  // A fresh entry, after evicting the least recently used ones while the
  // new one would pass either bound.
  Entry* make_room(const DerivedFilterLayout& layout, int64_t count) {
    const size_t wanted = sizeof(float) * size_t(count + layout.derived_floats);
    auto total = [&] {
      size_t sum = 0;
      for (auto& e : entries_) sum += e->bytes();
      return sum;
    };
    while (!entries_.empty() && (entries_.size() >= kMaxEntries || total() + wanted > kMaxBytes)) {
      size_t oldest = 0;
      for (size_t i = 1; i < entries_.size(); ++i)
        if (entries_[i]->last_use < entries_[oldest]->last_use) oldest = i;
      entries_.erase(entries_.begin() + std::ptrdiff_t(oldest));
    }
    entries_.push_back(std::make_unique<Entry>());
    return entries_.back().get();
  }

  std::vector<std::unique_ptr<Entry>> entries_;
  uint64_t clock_ = 0;
};

}  // namespace convnode
