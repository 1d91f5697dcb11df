// Reference kernels of the element-wise activations RELU, RELU6, LOGISTIC and TANH
// (HARD_SWISH has its own file): float32 math, TFLite's quantized ReluX, and the 256-entry
// lookup tables TFLite builds for 8-bit LOGISTIC and TANH.
#pragma once

#include <cstdint>

namespace edgeforge::kernels::reference {

// out = min(max(in, lo), hi). RELU is [0, +inf), RELU6 is [0, 6].
void ReluX(float lo, float hi, const float* input, float* output, int64_t size);

// TFLite's quantized ReluX: requantize from the input to the output scale
// (MultiplyByQuantizedMultiplier, exact when the scales are equal), then clamp.
struct QuantizedReluParams {
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  int32_t output_multiplier = 0;  // input_scale / output_scale as Q31 · 2^shift
  int output_shift = 0;
  int32_t activation_min = 0;  // in output units
  int32_t activation_max = 0;
};

// RELU clamps to [0, +inf), RELU6 to [0, 6], both in output units and within the type's range.
QuantizedReluParams MakeQuantizedReluParams(float input_scale, int32_t input_zero_point,
                                            float output_scale, int32_t output_zero_point,
                                            bool relu6, int32_t type_min, int32_t type_max);

void QuantizedReluX(const QuantizedReluParams& params, const int8_t* input, int8_t* output,
                    int64_t size);
void QuantizedReluX(const QuantizedReluParams& params, const uint8_t* input, uint8_t* output,
                    int64_t size);

// 1 / (1 + exp(-x)) and tanh(x) in float32, as TFLite's reference kernels compute them.
float LogisticValue(float x);
float TanhValue(float x);
void Logistic(const float* input, float* output, int64_t size);
void Tanh(const float* input, float* output, int64_t size);

// An 8-bit lookup table, indexed by the raw input byte (int8 values cast to uint8).
struct LookupTable8 {
  uint8_t entries[256] = {};
};

// TFLite's LUTPopulate: for every representable input q, dequantize
// (input_scale · (q − input_zero_point) in float), apply `transform`, quantize with
// round(y · (1/output_scale)) + output_zero_point (round half away from zero) and clamp.
LookupTable8 BuildLookupTableInt8(float input_scale, int32_t input_zero_point,
                                  float output_scale, int32_t output_zero_point,
                                  float (*transform)(float));
LookupTable8 BuildLookupTableUInt8(float input_scale, int32_t input_zero_point,
                                   float output_scale, int32_t output_zero_point,
                                   float (*transform)(float));

void ApplyLookupTable(const LookupTable8& table, const int8_t* input, int8_t* output,
                      int64_t size);
void ApplyLookupTable(const LookupTable8& table, const uint8_t* input, uint8_t* output,
                      int64_t size);

}  // namespace edgeforge::kernels::reference
