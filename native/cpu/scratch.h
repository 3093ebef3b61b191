// Grow-only, 64-byte aligned scratch memory. Kernels keep one per thread
// (thread_local), so a steady stream of same-sized calls allocates nothing.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>

namespace convnode {

class Scratch {
 public:
  Scratch() = default;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() { std::free(data_); }

  // At least `count` floats; contents are unspecified. Throws std::bad_alloc.
  float* floats(size_t count) {
    if (count > capacity_) {
      size_t bytes = ((count * sizeof(float) + 63) / 64) * 64;
      void* p = std::aligned_alloc(64, bytes);
      if (p == nullptr) throw std::bad_alloc();
      std::free(data_);
      data_ = static_cast<float*>(p);
      capacity_ = bytes / sizeof(float);
    }
    return data_;
  }

 private:
  float* data_ = nullptr;
  size_t capacity_ = 0;
};

}  // namespace convnode
