// Reading whole files: read-only memory maps (model weights are used in place, never copied)
// and small helpers for writing files atomically.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "edgeforge/status.h"

namespace edgeforge::core {

// A read-only view of a whole file's bytes, mapped with mmap. Unmapped on destruction.
class MappedFile {
 public:
  static StatusOr<std::shared_ptr<const MappedFile>> Open(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  const std::string& path() const { return path_; }

 private:
  MappedFile(std::string path, const uint8_t* data, size_t size)
      : path_(std::move(path)), data_(data), size_(size) {}
  std::string path_;
  const uint8_t* data_;
  size_t size_;
};

// Reads a whole file into memory (for small inputs such as raw tensors and images).
StatusOr<std::vector<uint8_t>> ReadFile(const std::string& path);

// Writes to PATH.tmp then renames over PATH, so a crash never leaves a half-written file.
Status WriteFileAtomic(const std::string& path, std::span<const uint8_t> bytes);

}  // namespace edgeforge::core
