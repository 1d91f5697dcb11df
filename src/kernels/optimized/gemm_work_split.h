// How a GEMM's output is cut into tasks for the thread pool: row blocks sized for the cache,
// as many per thread; when there are too few rows for that (late layers, FULLY_CONNECTED),
// ranges of output-channel panels instead. K is never split, so every output is computed the
// same way whatever the thread count.
#pragma once

#include <cstddef>
#include <cstdint>

namespace edgeforge::kernels::optimized {

struct GemmWorkSplit {
  int64_t rows_per_block = 1;
  int64_t m_blocks = 1;
  int32_t panels_per_split = 1;
  int64_t tasks = 1;  // task t: row block t % m_blocks, panel range t / m_blocks

  int64_t row_begin(int64_t task) const { return (task % m_blocks) * rows_per_block; }
  int32_t panel_begin(int64_t task) const {
    return static_cast<int32_t>(task / m_blocks) * panels_per_split;
  }
};

// m rows of a_row_bytes each, `panels` column panels, `threads` threads.
GemmWorkSplit PlanGemmWork(int64_t m, int32_t panels, size_t a_row_bytes, int threads);

}  // namespace edgeforge::kernels::optimized
