// A zero-initialized, 64-byte aligned byte buffer that owns prepacked weights: vector loads
// (and AMX tile loads) of packed panels never split a cache line.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace edgeforge::kernels::optimized {

class GemmAlignedBuffer {
 public:
  static constexpr size_t kAlignment = 64;

  GemmAlignedBuffer() = default;
  explicit GemmAlignedBuffer(size_t bytes) { Resize(bytes); }

  // Discards the contents; the new bytes are zero.
  void Resize(size_t bytes) {
    const size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
    data_.reset(rounded == 0 ? nullptr : static_cast<std::byte*>(std::aligned_alloc(kAlignment, rounded)));
    if (data_) std::memset(data_.get(), 0, rounded);
    size_ = bytes;
  }

  size_t size() const { return size_; }
  template <typename T>
  T* as() { return reinterpret_cast<T*>(data_.get()); }
  template <typename T>
  const T* as() const { return reinterpret_cast<const T*>(data_.get()); }

 private:
  struct Free {
    void operator()(std::byte* p) const { std::free(p); }
  };
  std::unique_ptr<std::byte, Free> data_;
  size_t size_ = 0;
};

}  // namespace edgeforge::kernels::optimized
