// Small helpers shared by the depthwise / pooling / elementwise plans in this folder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "core/check.h"
#include "core/cpu_features.h"

namespace edgeforge::kernels::optimized::dw {

inline size_t RoundUp64(size_t n) { return (n + 63) / 64 * 64; }

// A 64-byte aligned, zero-filled array owned by a plan (packed weights and the like).
class AlignedBytes {
 public:
  AlignedBytes() = default;
  explicit AlignedBytes(size_t bytes)
      : data_(static_cast<uint8_t*>(std::aligned_alloc(64, RoundUp64(bytes == 0 ? 1 : bytes)))) {
    EF_CHECK(data_ != nullptr);
    std::memset(data_.get(), 0, RoundUp64(bytes == 0 ? 1 : bytes));
  }
  template <typename T>
  T* as() { return reinterpret_cast<T*>(data_.get()); }
  template <typename T>
  const T* as() const { return reinterpret_cast<const T*>(data_.get()); }

 private:
  struct Free {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t, Free> data_;
};

// [begin, end) of part i when [0, n) is cut into `parts` near-equal parts.
struct Range {
  int64_t begin;
  int64_t end;
};
inline Range PartOf(int64_t n, int64_t parts, int64_t i) { return {n * i / parts, n * (i + 1) / parts}; }

// How a plan cuts its output into one task per thread: by rows (every task walks whole rows),
// or — when the rows do not split evenly, e.g. 7 rows on 2 threads — by chunks of each row.
// Tasks never share outputs, so the result does not depend on the split.
struct WorkSplit {
  int32_t row_parts = 1;
  int32_t chunk_parts = 1;
  int32_t tasks() const { return row_parts * chunk_parts; }
};
inline WorkSplit ChooseWorkSplit(int64_t rows, int64_t chunks_per_row, int threads) {
  WorkSplit split;
  if (threads <= 1) return split;
  const bool rows_split_well = rows % threads == 0 || rows >= 8 * threads;
  if (rows_split_well || chunks_per_row < 2 * threads) {
    split.row_parts = static_cast<int32_t>(rows < threads ? (rows < 1 ? 1 : rows) : threads);
  } else {
    split.chunk_parts = threads;
  }
  return split;
}

// The best ISA at most `cap` that this CPU (and $EF_ISA) allows.
inline core::Isa UsableIsa(core::Isa cap) {
  const core::Isa best = core::BestIsa();
  return static_cast<int>(cap) < static_cast<int>(best) ? cap : best;
}

inline bool AtLeast(core::Isa isa, core::Isa level) {
  return static_cast<int>(isa) >= static_cast<int>(level);
}

}  // namespace edgeforge::kernels::optimized::dw
