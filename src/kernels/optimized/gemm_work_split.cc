#include "kernels/optimized/gemm_work_split.h"

#include <algorithm>

namespace edgeforge::kernels::optimized {

namespace {
// A row block's A should stay in L1/L2 while every panel group streams past it.
constexpr size_t kTargetBlockBytes = 32 * 1024;
// A full AMX tile / several register tiles of rows.
constexpr int64_t kMinBlockRows = 16;
}  // namespace

GemmWorkSplit PlanGemmWork(int64_t m, int32_t panels, size_t a_row_bytes, int threads) {
  threads = std::max(1, threads);
  const int64_t target_rows = std::max<int64_t>(
      kMinBlockRows, static_cast<int64_t>(kTargetBlockBytes / std::max<size_t>(1, a_row_bytes)));
  int64_t m_blocks = std::max<int64_t>(1, (m + target_rows - 1) / target_rows);
  int32_t n_splits = 1;
  if (threads > 1) {
    if (m < kMinBlockRows * threads && panels >= threads) {
      n_splits = threads;
    } else {
      m_blocks = (m_blocks + threads - 1) / threads * threads;
    }
  }
  GemmWorkSplit split;
  split.rows_per_block = std::max<int64_t>(1, (m + m_blocks - 1) / m_blocks);
  split.m_blocks = std::max<int64_t>(1, (m + split.rows_per_block - 1) / split.rows_per_block);
  split.panels_per_split = std::max(1, (panels + n_splits - 1) / n_splits);
  n_splits = std::max(1, (panels + split.panels_per_split - 1) / split.panels_per_split);
  split.tasks = split.m_blocks * n_splits;
  return split;
}

}  // namespace edgeforge::kernels::optimized
