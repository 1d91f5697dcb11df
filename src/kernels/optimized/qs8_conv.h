// A quantized (uint8 / int8) CONV_2D or FULLY_CONNECTED on the 8-bit GEMM kernels: the weights
// are packed once (Prepare); each Run packs blocks of im2col rows into scratch and multiplies
// them, the blocks spread over the thread pool. Output rows (pixels) — or, for few rows, output
// channels — are split between threads, never K, so results do not depend on the thread count.
// Results are byte-identical to kernels/reference/conv.h and fully_connected.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/optimized/conv_geometry.h"
#include "kernels/optimized/gemm_work_split.h"
#include "kernels/optimized/qs8_gemm.h"
#include "kernels/optimized/qs8_pack.h"
#include "kernels/reference/requantize.h"

namespace edgeforge::kernels::optimized {

class Qs8Conv {
 public:
  // filter: [out_c][k_h][k_w][in_c] bytes of the layer's dtype; bias: [out_c] or nullptr.
  // quant.output's arrays must outlive this object (the op kernel owns both).
  // Grouped convolutions are not handled (in_c must be the filter's).
  void Prepare(const ConvGeometry& geometry, bool is_uint8, const uint8_t* filter,
               const int32_t* bias, const reference::LinearQuantization& quant,
               const Qs8GemmKernel& kernel, int num_threads);

  // Scratch that Run needs (request it in the op's Prepare).
  size_t scratch_bytes() const { return slot_bytes_ * static_cast<size_t>(split_.tasks); }

  // input: [batches][in_h][in_w][in_c]; output: [M][out_c]; scratch: scratch_bytes(), 64-byte
  // aligned.
  void Run(const uint8_t* input, uint8_t* output, void* scratch, core::ThreadPool& pool) const;

  const Qs8GemmKernel& kernel() const { return *kernel_; }

 private:
  void RunTask(int64_t task, const uint8_t* input, uint8_t* output, uint8_t* scratch) const;

  ConvGeometry geometry_;
  Qs8Operands operands_;
  reference::OutputStage output_stage_;
  bool raw_accumulators_ = false;  // output stage other than the float scale: scalar epilogue
  const Qs8GemmKernel* kernel_ = nullptr;
  Qs8PackRowsFn pack_rows_ = nullptr;
  Qs8PackedWeights weights_;
  std::vector<float> scales_;  // per column, padded to whole panels
  float min_less_zero_point_ = 0.0f;
  float max_less_zero_point_ = 0.0f;
  bool scales_at_most_half_ = false;
  bool read_input_in_place_ = false;  // pointwise layers whose input rows are A's rows

  // Each task of the split has its own scratch slot.
  GemmWorkSplit split_;
  size_t a_stride_ = 0;        // bytes per packed row
  size_t a_bytes_ = 0;         // packed rows of a slot (padded to the kernel's row padding)
  size_t correction_bytes_ = 0;
  size_t slot_bytes_ = 0;
};

}  // namespace edgeforge::kernels::optimized
