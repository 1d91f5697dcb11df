// Optimized AVERAGE_POOL_2D and MEAN over H and W, NHWC: every output pixel sums its window one
// channel row at a time (loops compilers vectorize across channels) into a small stack array of
// accumulators (no scratch), then applies the reference's exact final formula per channel. Integer sums are exact and the
// float sums run in the reference's order (window rows, then columns), so every result equals
// the reference's, for int8, uint8 and float32.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/thread_pool.h"
#include "kernels/reference/activation.h"
#include "kernels/reference/mean.h"
#include "kernels/reference/pooling.h"

namespace edgeforge::kernels::optimized {

enum class PoolDType { kFloat32, kInt8, kUint8 };

struct PoolGeometry {
  int32_t batches = 1, in_h = 1, in_w = 1, channels = 1, out_h = 1, out_w = 1;
  reference::PoolParams params;
};

class AveragePoolPlan {
 public:
  // clamp: the float range for float32, the quantized range (TfliteActivationRange) otherwise.
  AveragePoolPlan(const PoolGeometry& geometry, PoolDType dtype, reference::FloatRange float_clamp,
                  reference::QuantizedRange clamp, int num_threads);
  const char* name() const;
  void Run(const void* input, void* output, core::ThreadPool& pool) const;

 private:
  template <typename T, typename Acc>
  void RunTask(int32_t task, const T* input, T* output) const;

  PoolGeometry g_;
  PoolDType dtype_;
  reference::FloatRange float_clamp_;
  reference::QuantizedRange clamp_;
  int32_t tasks_ = 1;
};

// MEAN over axes {1, 2} of a [batches, h, w, channels] tensor.
class MeanHwPlan {
 public:
  MeanHwPlan(int32_t batches, int32_t positions, int32_t channels, PoolDType dtype,
             const reference::QuantizedMeanParams& params);
  const char* name() const;
  void Run(const void* input, void* output) const;

 private:
  template <typename T>
  void RunQuantized(const T* input, T* output) const;
  void RunFloat(const float* input, float* output) const;

  int32_t batches_, positions_, channels_;
  PoolDType dtype_;
  reference::QuantizedMeanParams params_;
};

}  // namespace edgeforge::kernels::optimized
