#include "kernels/reference/mean.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"

namespace edgeforge::kernels::reference {

namespace {

constexpr size_t kMaxRank = 16;

// Calls f(offset) for every combination of coordinates over dims/strides, row-major.
template <typename F>
void ForEachOffset(const std::vector<int32_t>& dims, const std::vector<int64_t>& strides,
                   int64_t base, F&& f) {
  int64_t count = 1;
  for (int32_t d : dims) count *= d;
  if (count == 0) return;
  int32_t coords[kMaxRank] = {};  // no allocation: this runs in Eval
  int64_t offset = base;
  for (int64_t i = 0; i < count; ++i) {
    f(offset);
    for (size_t d = dims.size(); d-- > 0;) {
      ++coords[d];
      offset += strides[d];
      if (coords[d] < dims[d]) break;
      offset -= strides[d] * coords[d];
      coords[d] = 0;
    }
  }
}

template <typename T>
void MeanQuantized(const ReductionLayout& layout, const QuantizedMeanParams& p, const T* input,
                   T* output) {
  int64_t out_index = 0;
  ForEachOffset(layout.kept_dims, layout.kept_strides, 0, [&](int64_t base) {
    int32_t sum = 0;
    ForEachOffset(layout.reduced_dims, layout.reduced_strides, base,
                  [&](int64_t i) { sum += static_cast<int32_t>(input[i]); });
    // Separate statements: each product and sum is rounded to float32 (no contraction to FMA).
    const float scaled = static_cast<float>(sum) * p.inv;
    const float shifted = scaled + p.zero_point_term;
    const float rounded = std::nearbyintf(shifted);
    const float clamped = std::min(std::max(rounded, static_cast<float>(p.qmin)),
                                   static_cast<float>(p.qmax));
    output[out_index++] = static_cast<T>(static_cast<int32_t>(clamped));
  });
}

}  // namespace

ReductionLayout MakeReductionLayout(const Shape& input_shape, const std::vector<int32_t>& axes) {
  const size_t rank = input_shape.size();
  EF_CHECK_LE(rank, kMaxRank);
  std::vector<bool> reduced(rank, false);
  for (int32_t axis : axes) {
    EF_CHECK_GE(axis, 0);
    EF_CHECK_LT(static_cast<size_t>(axis), rank);
    reduced[static_cast<size_t>(axis)] = true;
  }
  ReductionLayout layout;
  int64_t stride = 1;
  std::vector<int64_t> strides(rank, 0);
  for (size_t d = rank; d-- > 0;) {
    strides[d] = stride;
    stride *= input_shape[d];
  }
  for (size_t d = 0; d < rank; ++d) {
    if (reduced[d]) {
      layout.reduced_dims.push_back(input_shape[d]);
      layout.reduced_strides.push_back(strides[d]);
      layout.reduced_count *= input_shape[d];
    } else {
      layout.kept_dims.push_back(input_shape[d]);
      layout.kept_strides.push_back(strides[d]);
    }
  }
  return layout;
}

void MeanFloat32(const ReductionLayout& layout, const float* input, float* output) {
  int64_t out_index = 0;
  const float count = static_cast<float>(layout.reduced_count);
  ForEachOffset(layout.kept_dims, layout.kept_strides, 0, [&](int64_t base) {
    float sum = 0.0f;
    ForEachOffset(layout.reduced_dims, layout.reduced_strides, base,
                  [&](int64_t i) { sum += input[i]; });
    output[out_index++] = sum / count;
  });
}

QuantizedMeanParams MakeQuantizedMeanParams(float input_scale, int32_t input_zero_point,
                                            float output_scale, int32_t output_zero_point,
                                            int64_t reduced_count, int32_t qmin, int32_t qmax) {
  EF_CHECK_GT(reduced_count, 0);
  QuantizedMeanParams p;
  const float scale_ratio = input_scale / output_scale;
  const float inv_count = 1.0f / static_cast<float>(reduced_count);
  p.inv = scale_ratio * inv_count;
  const float input_zero_sum = static_cast<float>(reduced_count * input_zero_point);
  const float input_zero_term = input_zero_sum * p.inv;
  p.zero_point_term = static_cast<float>(output_zero_point) - input_zero_term;
  p.qmin = qmin;
  p.qmax = qmax;
  return p;
}

void MeanUint8(const ReductionLayout& layout, const QuantizedMeanParams& params,
               const uint8_t* input, uint8_t* output) {
  MeanQuantized(layout, params, input, output);
}

void MeanInt8(const ReductionLayout& layout, const QuantizedMeanParams& params, const int8_t* input,
              int8_t* output) {
  MeanQuantized(layout, params, input, output);
}

}  // namespace edgeforge::kernels::reference
