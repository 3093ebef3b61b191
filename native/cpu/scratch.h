// Grow-only, 64-byte aligned scratch memory. Kernels keep one per thread
// (thread_local), so a steady stream of same-sized calls allocates nothing.
//
// Two bounds keep a hostile or careless call from exhausting the process:
// - A thread holds at most scratch_limit_bytes() of scratch in all
//   (CONVNODE_SCRATCH_LIMIT_MB, default 1024 MiB). A request past it throws
//   ScratchLimitError before allocating; the binding turns it into a
//   RangeError that names the size and the variable.
// - A buffer grown past kRetainBytes is returned to the system when the
//   call that grew it ends (release_large_scratch), so one huge call does
//   not keep gigabytes resident for the life of the process.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>
#include <stdexcept>
#include <string>

namespace convnode {

// What one thread keeps between calls: the largest steady-state buffers
// (SmallVGG's and the bench shapes' padded images and column matrices) are
// a few MiB.
constexpr size_t kRetainBytes = size_t(64) << 20;

// CONVNODE_SCRATCH_LIMIT_MB read once (a whole number >= 1), else 1024 MiB.
size_t scratch_limit_bytes();

class ScratchLimitError : public std::runtime_error {
 public:
  ScratchLimitError(size_t wanted, size_t held, size_t limit);
  size_t wanted, held, limit;
};

class Scratch {
 public:
  Scratch() = default;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch();

  // At least `count` floats; contents are unspecified. Throws
  // ScratchLimitError past the limit, std::bad_alloc when the system refuses.
  float* floats(size_t count) {
    if (count > capacity_) grow(count);
    return data_;
  }

  // Frees the buffer if it holds more than kRetainBytes.
  void trim();

 private:
  void grow(size_t count);
  float* data_ = nullptr;
  size_t capacity_ = 0;  // floats
  bool listed_ = false;  // in this thread's list of large buffers
  friend void release_large_scratch();
};

// Frees this thread's buffers above kRetainBytes. Only safe where none of
// them is in use: at the end of a kernel call on the calling thread, at the
// end of a parallel region on the team's other threads.
void release_large_scratch();

}  // namespace convnode
