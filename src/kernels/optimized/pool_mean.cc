#include "kernels/optimized/pool_mean.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "kernels/optimized/dw_common.h"

namespace edgeforge::kernels::optimized {

namespace {

// The reference's final step for one window of `count` taps summing to `sum`.
inline float FinishAverage(float sum, int32_t count, reference::FloatRange clamp) {
  const float average = count > 0 ? sum / static_cast<float>(count) : 0.0f;
  return std::min(std::max(average, clamp.min), clamp.max);
}
inline int32_t FinishAverage(int32_t sum, int32_t count, bool is_signed, reference::QuantizedRange clamp) {
  int32_t average = 0;
  if (count > 0) {
    if (!is_signed) {
      average = (sum + count / 2) / count;
    } else {
      average = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
    }
  }
  return std::min(std::max(average, clamp.min), clamp.max);
}

}  // namespace

// Accumulators for this many channels live on the stack.
constexpr int32_t kBlock = 256;

AveragePoolPlan::AveragePoolPlan(const PoolGeometry& geometry, PoolDType dtype,
                                 reference::FloatRange float_clamp, reference::QuantizedRange clamp,
                                 int num_threads)
    : g_(geometry), dtype_(dtype), float_clamp_(float_clamp), clamp_(clamp) {
  const int64_t rows = static_cast<int64_t>(g_.batches) * g_.out_h;
  tasks_ = static_cast<int32_t>(std::max<int64_t>(1, std::min<int64_t>(std::max(1, num_threads), rows)));
}

const char* AveragePoolPlan::name() const {
  switch (dtype_) {
    case PoolDType::kFloat32: return "f32_avgpool_c1__portable";
    case PoolDType::kInt8: return "qs8_avgpool_c1__portable";
    case PoolDType::kUint8: return "qu8_avgpool_c1__portable";
  }
  return "?";
}

template <typename T, typename Acc>
void AveragePoolPlan::RunTask(int32_t task, const T* input, T* output) const {
  const reference::PoolParams& p = g_.params;
  const int32_t C = g_.channels;
  const dw::Range rows = dw::PartOf(static_cast<int64_t>(g_.batches) * g_.out_h, tasks_, task);
  Acc acc[kBlock];
  for (int64_t r = rows.begin; r < rows.end; ++r) {
    const int64_t batch = r / g_.out_h;
    const int32_t oy = static_cast<int32_t>(r % g_.out_h);
    const int32_t y0 = oy * p.stride_h - p.pad_top;
    const int32_t y_begin = std::max(y0, 0), y_end = std::min(y0 + p.filter_h, g_.in_h);
    T* out = output + r * g_.out_w * C;
    for (int32_t ox = 0; ox < g_.out_w; ++ox, out += C) {
      const int32_t x0 = ox * p.stride_w - p.pad_left;
      const int32_t x_begin = std::max(x0, 0), x_end = std::min(x0 + p.filter_w, g_.in_w);
      const int32_t count = std::max(0, y_end - y_begin) * std::max(0, x_end - x_begin);
      for (int32_t c0 = 0; c0 < C; c0 += kBlock) {
        const int32_t n = std::min(kBlock, C - c0);
        std::fill(acc, acc + n, Acc{0});
        for (int32_t y = y_begin; y < y_end; ++y) {
          for (int32_t x = x_begin; x < x_end; ++x) {
            const T* in = input + ((batch * g_.in_h + y) * g_.in_w + x) * C + c0;
            for (int32_t c = 0; c < n; ++c) acc[c] += static_cast<Acc>(in[c]);
          }
        }
        for (int32_t c = 0; c < n; ++c) {
          if constexpr (std::is_same_v<T, float>) {
            out[c0 + c] = FinishAverage(acc[c], count, float_clamp_);
          } else {
            out[c0 + c] = static_cast<T>(FinishAverage(acc[c], count, std::is_signed_v<T>, clamp_));
          }
        }
      }
    }
  }
}

void AveragePoolPlan::Run(const void* input, void* output, core::ThreadPool& pool) const {
  pool.ParallelFor(tasks_, 1, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      const auto task = static_cast<int32_t>(t);
      switch (dtype_) {
        case PoolDType::kFloat32:
          RunTask<float, float>(task, static_cast<const float*>(input), static_cast<float*>(output));
          break;
        case PoolDType::kInt8:
          RunTask<int8_t, int32_t>(task, static_cast<const int8_t*>(input), static_cast<int8_t*>(output));
          break;
        case PoolDType::kUint8:
          RunTask<uint8_t, int32_t>(task, static_cast<const uint8_t*>(input), static_cast<uint8_t*>(output));
          break;
      }
    }
  });
}

MeanHwPlan::MeanHwPlan(int32_t batches, int32_t positions, int32_t channels, PoolDType dtype,
                       const reference::QuantizedMeanParams& params)
    : batches_(batches), positions_(positions), channels_(channels), dtype_(dtype), params_(params) {}

const char* MeanHwPlan::name() const {
  switch (dtype_) {
    case PoolDType::kFloat32: return "f32_mean_hw__portable";
    case PoolDType::kInt8: return "qs8_mean_hw__portable";
    case PoolDType::kUint8: return "qu8_mean_hw__portable";
  }
  return "?";
}

template <typename T>
void MeanHwPlan::RunQuantized(const T* input, T* output) const {
  const int64_t C = channels_;
  uint32_t acc[kBlock];  // unsigned: wraps like the reference's int32 sum, without overflow UB
  for (int32_t b = 0; b < batches_; ++b) {
    for (int64_t c0 = 0; c0 < C; c0 += kBlock) {
      const int32_t n = static_cast<int32_t>(std::min<int64_t>(kBlock, C - c0));
      const T* in = input + static_cast<int64_t>(b) * positions_ * C + c0;
      std::fill(acc, acc + n, 0u);
      for (int32_t i = 0; i < positions_; ++i, in += C) {
        for (int32_t c = 0; c < n; ++c) acc[c] += static_cast<uint32_t>(static_cast<int32_t>(in[c]));
      }
      T* out = output + static_cast<int64_t>(b) * C + c0;
      for (int32_t c = 0; c < n; ++c) {
        // The reference's statements, one float32 rounding each.
        const float scaled = static_cast<float>(static_cast<int32_t>(acc[c])) * params_.inv;
        const float shifted = scaled + params_.zero_point_term;
        const float rounded = std::nearbyintf(shifted);
        const float clamped = std::min(std::max(rounded, static_cast<float>(params_.qmin)),
                                       static_cast<float>(params_.qmax));
        out[c] = static_cast<T>(static_cast<int32_t>(clamped));
      }
    }
  }
}

void MeanHwPlan::RunFloat(const float* input, float* output) const {
  const int64_t C = channels_;
  const float count = static_cast<float>(static_cast<int64_t>(positions_));
  float sum[kBlock];
  for (int32_t b = 0; b < batches_; ++b) {
    for (int64_t c0 = 0; c0 < C; c0 += kBlock) {
      const int32_t n = static_cast<int32_t>(std::min<int64_t>(kBlock, C - c0));
      const float* in = input + static_cast<int64_t>(b) * positions_ * C + c0;
      std::fill(sum, sum + n, 0.0f);
      for (int32_t i = 0; i < positions_; ++i, in += C) {
        for (int32_t c = 0; c < n; ++c) sum[c] += in[c];
      }
      float* out = output + static_cast<int64_t>(b) * C + c0;
      for (int32_t c = 0; c < n; ++c) out[c] = sum[c] / count;
    }
  }
}

void MeanHwPlan::Run(const void* input, void* output) const {
  switch (dtype_) {
    case PoolDType::kFloat32:
      RunFloat(static_cast<const float*>(input), static_cast<float*>(output));
      return;
    case PoolDType::kInt8:
      RunQuantized(static_cast<const int8_t*>(input), static_cast<int8_t*>(output));
      return;
    case PoolDType::kUint8:
      RunQuantized(static_cast<const uint8_t*>(input), static_cast<uint8_t*>(output));
      return;
  }
}

}  // namespace edgeforge::kernels::optimized
