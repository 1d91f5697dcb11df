#include "kernels/reference/unary_activations.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/reference/activation.h"
#include "kernels/reference/fixed_point.h"

namespace edgeforge::kernels::reference {

void ReluX(float lo, float hi, const float* input, float* output, int64_t size) {
  for (int64_t i = 0; i < size; ++i) output[i] = std::min(std::max(input[i], lo), hi);
}

QuantizedReluParams MakeQuantizedReluParams(float input_scale, int32_t input_zero_point,
                                            float output_scale, int32_t output_zero_point,
                                            bool relu6, int32_t type_min, int32_t type_max) {
  QuantizedReluParams p;
  p.input_zero_point = input_zero_point;
  p.output_zero_point = output_zero_point;
  // TFLite divides the two float scales in float, then widens to double.
  const QuantizedMultiplier m = QuantizeMultiplier(input_scale / output_scale);
  p.output_multiplier = m.multiplier;
  p.output_shift = m.shift;
  // TFLite's QuantizedReluX bounds: zero_point + round(bound / scale), ties away from zero.
  // Measured at a tie too (scale 12: 6 / scale = 0.5 → zero_point + 1), so the runtime does
  // not use XNNPACK's round-to-even clamp bounds here.
  const QuantizedRange range =
      TfliteActivationRange(relu6 ? FusedActivation::kRelu6 : FusedActivation::kRelu, output_scale,
                            output_zero_point, type_min, type_max);
  p.activation_min = range.min;
  p.activation_max = range.max;
  return p;
}

namespace {

// TFLite's reference ReluX. Measured: byte-identical to the TFLite runtime (LiteRT.js 2.5.3,
// XNNPACK delegate) for int8 and uint8 RELU/RELU6, with equal and with different input and
// output quantization, over every input value.
template <typename T>
void QuantizedReluXImpl(const QuantizedReluParams& p, const T* input, T* output, int64_t size) {
  for (int64_t i = 0; i < size; ++i) {
    const int32_t centered = static_cast<int32_t>(input[i]) - p.input_zero_point;
    int32_t value = p.output_zero_point +
                    MultiplyByQuantizedMultiplier(centered, p.output_multiplier, p.output_shift);
    value = std::min(std::max(value, p.activation_min), p.activation_max);
    output[i] = static_cast<T>(value);
  }
}

template <typename T>
LookupTable8 BuildLookupTable(float input_scale, int32_t input_zero_point, float output_scale,
                              int32_t output_zero_point, float (*transform)(float)) {
  LookupTable8 table;
  const float inverse_scale = 1 / output_scale;
  const int32_t lo = std::numeric_limits<T>::min();
  const int32_t hi = std::numeric_limits<T>::max();
  for (int32_t q = lo; q <= hi; ++q) {
    const float dequantized = input_scale * static_cast<float>(q - input_zero_point);
    const float transformed = transform(dequantized);
    const float rescaled = std::round(transformed * inverse_scale);
    const int32_t quantized = static_cast<int32_t>(rescaled + static_cast<float>(output_zero_point));
    const T clamped = static_cast<T>(std::max(std::min(hi, quantized), lo));
    table.entries[static_cast<uint8_t>(static_cast<T>(q))] = static_cast<uint8_t>(clamped);
  }
  return table;
}

template <typename T>
void ApplyLookupTableImpl(const LookupTable8& table, const T* input, T* output, int64_t size) {
  for (int64_t i = 0; i < size; ++i) {
    output[i] = static_cast<T>(table.entries[static_cast<uint8_t>(input[i])]);
  }
}

}  // namespace

void QuantizedReluX(const QuantizedReluParams& params, const int8_t* input, int8_t* output,
                    int64_t size) {
  QuantizedReluXImpl(params, input, output, size);
}
void QuantizedReluX(const QuantizedReluParams& params, const uint8_t* input, uint8_t* output,
                    int64_t size) {
  QuantizedReluXImpl(params, input, output, size);
}

float LogisticValue(float x) { return 1.0f / (1.0f + std::exp(-x)); }
float TanhValue(float x) { return std::tanh(x); }

void Logistic(const float* input, float* output, int64_t size) {
  for (int64_t i = 0; i < size; ++i) output[i] = LogisticValue(input[i]);
}

void Tanh(const float* input, float* output, int64_t size) {
  for (int64_t i = 0; i < size; ++i) output[i] = TanhValue(input[i]);
}

// TFLite's LUT path for 8-bit LOGISTIC/TANH. Measured: byte-identical to the runtime for
// int8 and uint8 LOGISTIC and TANH over every input value, input scales 1e-4 to 2, any zero
// point (TANH also with output quantization other than 1/128).
LookupTable8 BuildLookupTableInt8(float input_scale, int32_t input_zero_point,
                                  float output_scale, int32_t output_zero_point,
                                  float (*transform)(float)) {
  return BuildLookupTable<int8_t>(input_scale, input_zero_point, output_scale, output_zero_point,
                                  transform);
}
LookupTable8 BuildLookupTableUInt8(float input_scale, int32_t input_zero_point,
                                   float output_scale, int32_t output_zero_point,
                                   float (*transform)(float)) {
  return BuildLookupTable<uint8_t>(input_scale, input_zero_point, output_scale, output_zero_point,
                                   transform);
}

void ApplyLookupTable(const LookupTable8& table, const int8_t* input, int8_t* output,
                      int64_t size) {
  ApplyLookupTableImpl(table, input, output, size);
}
void ApplyLookupTable(const LookupTable8& table, const uint8_t* input, uint8_t* output,
                      int64_t size) {
  ApplyLookupTableImpl(table, input, output, size);
}

}  // namespace edgeforge::kernels::reference
