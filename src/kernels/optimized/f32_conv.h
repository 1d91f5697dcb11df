// A float32 CONV_2D or FULLY_CONNECTED on the float GEMM kernels: weights packed once
// (Prepare); each Run multiplies blocks of output rows spread over the thread pool (rows, or
// output channels for few rows; never K). Pointwise layers read the input in place; other
// convolutions read it in place too for pixels whose filter lies inside the image
// horizontally (one A piece per filter row, see F32GemmBlock) and gather im2col rows into
// scratch for the rest. Results match kernels/reference/conv.h within rounding: the same
// summation order with a fused multiply-add per tap (a gathered padded tap adds 0 * w where
// the reference skips it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/thread_pool.h"
#include "kernels/optimized/conv_geometry.h"
#include "kernels/optimized/f32_gemm.h"
#include "kernels/optimized/gemm_aligned_buffer.h"
#include "kernels/optimized/gemm_work_split.h"
#include "kernels/reference/activation.h"

namespace edgeforge::kernels::optimized {

// Gathers the im2col rows [m_begin, m_end) into a (rows of k floats, contiguous).
void GatherF32Rows(const ConvGeometry& g, const float* input, int64_t m_begin, int64_t m_end,
                   float* a);
// The same with AVX-512 (f32_gather_avx512.cc); it may write up to kGatherSlack bytes past the
// last row.
inline constexpr size_t kGatherSlack = 64;
void GatherF32RowsAvx512(const ConvGeometry& g, const float* input, int64_t m_begin,
                         int64_t m_end, float* a);
using F32GatherRowsFn = void (*)(const ConvGeometry&, const float*, int64_t, int64_t, float*);
// The gather that goes with `kernel`: AVX-512 for AVX-512 kernels, else portable (so testing
// every kernel tests both gathers).
F32GatherRowsFn F32GatherRowsFor(const F32GemmKernel& kernel);

class F32Conv {
 public:
  // filter: [out_c][k_h][k_w][in_c]; bias: [out_c] or nullptr. Grouped convolutions are not
  // handled (in_c must be the filter's).
  void Prepare(const ConvGeometry& geometry, const float* filter, const float* bias,
               reference::FloatRange clamp, const F32GemmKernel& kernel, int num_threads);

  // Scratch that Run needs (0 for pointwise layers).
  size_t scratch_bytes() const { return slot_bytes_ * static_cast<size_t>(split_.tasks); }

  void Run(const float* input, float* output, void* scratch, core::ThreadPool& pool) const;

  const F32GemmKernel& kernel() const { return *kernel_; }

 private:
  void RunTask(int64_t task, const float* input, float* output, float* scratch) const;

  ConvGeometry geometry_;
  reference::FloatRange clamp_{0.0f, 0.0f};
  const F32GemmKernel* kernel_ = nullptr;
  F32GatherRowsFn gather_rows_ = nullptr;
  int32_t panels_ = 0;
  GemmAlignedBuffer b_;             // panels of [k][16]
  std::vector<float> bias_;         // padded to whole panels
  GemmWorkSplit split_;
  size_t slot_bytes_ = 0;           // im2col rows of one task (0: read the input in place)
  // Convolutions read interior pixels straight from the input (F32GemmBlock pieces).
  bool implicit_rows_ = false;
  int64_t interior_begin_ = 0;
  int64_t interior_end_ = 0;
};

}  // namespace edgeforge::kernels::optimized
