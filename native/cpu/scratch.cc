// Scratch accounting: the per-thread limit and the release of large buffers
// (see scratch.h).
#include "cpu/scratch.h"

#include "cpu/env.h"

#include <algorithm>
#include <string>

namespace convnode {
namespace {

// Scratch this thread holds, in bytes, over all its buffers.
thread_local size_t held_bytes = 0;
// This thread's buffers above kRetainBytes, to free at the end of the call.
// A plain array: thread_local objects are destroyed in an order that a
// vector could not outlive safely (a Scratch destructor may still look here).
constexpr int kMaxLarge = 32;  // far more than there are scratch sites
thread_local Scratch* large[kMaxLarge];
thread_local int large_count = 0;

constexpr long long kDefaultLimitMb = 1024;

size_t read_limit() {
  const auto mb = env_whole_number("CONVNODE_SCRATCH_LIMIT_MB", 1, 1ll << 30, "a whole number of MiB from 1 to 2^30",
                                   std::to_string(kDefaultLimitMb));
  return size_t(mb.value_or(kDefaultLimitMb)) << 20;
}

std::string mib(size_t bytes) { return std::to_string((bytes + (size_t(1) << 20) - 1) >> 20) + " MiB"; }

}  // namespace

size_t scratch_limit_bytes() {
  static const size_t limit = read_limit();
  return limit;
}

ScratchLimitError::ScratchLimitError(size_t w, size_t h, size_t l)
    : std::runtime_error("this call needs " + mib(w) + " of kernel scratch memory per thread (" + mib(h) +
                         " already held), more than the limit of " + mib(l) +
                         " (CONVNODE_SCRATCH_LIMIT_MB); use smaller images, padding or batches, or raise the limit"),
      wanted(w), held(h), limit(l) {}

Scratch::~Scratch() {
  std::free(data_);
  held_bytes -= std::min(held_bytes, capacity_ * sizeof(float));
  if (listed_) {
    Scratch** end = large + large_count;
    std::remove(large, end, this);
    --large_count;
  }
}

void Scratch::grow(size_t count) {
  if (count > (size_t(-1) >> 3)) throw ScratchLimitError(size_t(-1), held_bytes, scratch_limit_bytes());
  const size_t bytes = ((count * sizeof(float) + 63) / 64) * 64;
  const size_t others = held_bytes - capacity_ * sizeof(float);
  if (others + bytes > scratch_limit_bytes()) throw ScratchLimitError(bytes, others, scratch_limit_bytes());
  // Free first: the old contents are not kept, and holding both would
  // double the peak.
  std::free(data_);
  held_bytes = others;
  data_ = nullptr;
  capacity_ = 0;
  void* p = std::aligned_alloc(64, bytes);
  if (p == nullptr) throw std::bad_alloc();
  data_ = static_cast<float*>(p);
  capacity_ = bytes / sizeof(float);
  held_bytes += bytes;
  if (bytes > kRetainBytes && !listed_ && large_count < kMaxLarge) {
    large[large_count++] = this;
    listed_ = true;
  }
}

void Scratch::trim() {
  if (capacity_ * sizeof(float) <= kRetainBytes) return;
  std::free(data_);
  held_bytes -= capacity_ * sizeof(float);
  data_ = nullptr;
  capacity_ = 0;
}

void release_large_scratch() {
  for (int i = 0; i < large_count; ++i) {
    large[i]->trim();
    large[i]->listed_ = false;
  }
  large_count = 0;
}

}  // namespace convnode
