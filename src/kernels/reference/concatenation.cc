#include "kernels/reference/concatenation.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"

namespace edgeforge::kernels::reference {

namespace {

// The tensors seen as [outer, axis · inner]: outer = product of the dimensions before the
// axis. Calls emit(input index, input row pointer offset, row length, output offset) for every
// contiguous run, in output order.
template <typename Emit>
void ForEachRun(const ConcatenationParams& params, Emit emit) {
  EF_CHECK(!params.input_shapes.empty());
  const Shape& first = params.input_shapes[0];
  EF_CHECK(params.axis >= 0 && params.axis < static_cast<int>(first.size()));
  int64_t outer = 1;
  for (int d = 0; d < params.axis; ++d) outer *= first[static_cast<size_t>(d)];
  std::vector<int64_t> row(params.input_shapes.size());
  for (size_t i = 0; i < params.input_shapes.size(); ++i) {
    const Shape& s = params.input_shapes[i];
    int64_t n = 1;
    for (size_t d = static_cast<size_t>(params.axis); d < s.size(); ++d) n *= s[d];
    row[i] = n;
  }
  int64_t out = 0;
  for (int64_t o = 0; o < outer; ++o) {
    for (size_t i = 0; i < row.size(); ++i) {
      emit(i, o * row[i], row[i], out);
      out += row[i];
    }
  }
}

}  // namespace

template <typename T>
void Concatenation(const ConcatenationParams& params, const void* const* inputs, T* output) {
  ForEachRun(params, [&](size_t i, int64_t from, int64_t n, int64_t to) {
    const T* in = static_cast<const T*>(inputs[i]);
    std::copy(in + from, in + from + n, output + to);
  });
}

void ConcatenationFloat(const ConcatenationParams& params, const void* const* inputs,
                        float act_min, float act_max, float* output) {
  ForEachRun(params, [&](size_t i, int64_t from, int64_t n, int64_t to) {
    const float* in = static_cast<const float*>(inputs[i]);
    for (int64_t j = 0; j < n; ++j) {
      output[to + j] = std::min(std::max(in[from + j], act_min), act_max);
    }
  });
}

// TFLite's ConcatenationWithScaling (its uint8 kernel). Measured: byte-identical to the TFLite
// runtime for uint8 inputs with their own scales and zero points. The runtime cannot run int8
// inputs whose quantization differs from the output's (its XNNPACK delegate fails to delegate
// them, TFLite's kernel rejects them); we apply the same formula. Fused activations: the
// runtime ignores them on float32 (XNNPACK) and rejects them on 8-bit; we apply the clamp.
template <typename T>
void QuantizedConcatenation(const ConcatenationParams& params,
                            const QuantizedConcatenationParams& quant,
                            const void* const* inputs, T* output) {
  EF_CHECK_EQ(quant.input_scale.size(), params.input_shapes.size());
  EF_CHECK_EQ(quant.input_zero_point.size(), params.input_shapes.size());
  const float inverse_output_scale = 1.f / quant.output_scale;
  ForEachRun(params, [&](size_t i, int64_t from, int64_t n, int64_t to) {
    const bool same = quant.input_scale[i] == quant.output_scale &&
                      quant.input_zero_point[i] == quant.output_zero_point;
    const float scale = quant.input_scale[i] * inverse_output_scale;
    const float bias = static_cast<float>(-quant.input_zero_point[i]) * scale;
    const T* in = static_cast<const T*>(inputs[i]);
    for (int64_t j = 0; j < n; ++j) {
      const T x = in[from + j];
      int32_t value = x;
      if (!same) {
        // Limited before the conversion so that absurd scale ratios saturate instead of
        // overflowing; the clamp below gives the same result for every value in range.
        const float rounded = std::clamp(std::round(static_cast<float>(x) * scale + bias), -1e9f, 1e9f);
        value = static_cast<int32_t>(rounded) + quant.output_zero_point;
      }
      value = std::min(std::max(value, quant.activation_min), quant.activation_max);
      output[to + j] = static_cast<T>(value);
    }
  });
}

template void Concatenation<float>(const ConcatenationParams&, const void* const*, float*);
template void Concatenation<int8_t>(const ConcatenationParams&, const void* const*, int8_t*);
template void Concatenation<uint8_t>(const ConcatenationParams&, const void* const*, uint8_t*);
template void Concatenation<int16_t>(const ConcatenationParams&, const void* const*, int16_t*);
template void Concatenation<int32_t>(const ConcatenationParams&, const void* const*, int32_t*);
template void Concatenation<int64_t>(const ConcatenationParams&, const void* const*, int64_t*);
template void QuantizedConcatenation<int8_t>(const ConcatenationParams&,
                                             const QuantizedConcatenationParams&,
                                             const void* const*, int8_t*);
template void QuantizedConcatenation<uint8_t>(const ConcatenationParams&,
                                              const QuantizedConcatenationParams&,
                                              const void* const*, uint8_t*);

}  // namespace edgeforge::kernels::reference
