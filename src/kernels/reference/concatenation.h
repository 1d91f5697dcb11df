// Reference kernel of CONCATENATION along any axis: a strided copy, plus for 8-bit quantized
// tensors TFLite's float requantization of inputs whose scale or zero point differ from the
// output's, and the fused activation's clamp.
#pragma once

#include <cstdint>
#include <vector>

#include "edgeforge/types.h"

namespace edgeforge::kernels::reference {

// `inputs` holds one data pointer per input, each pointing at elements of type T.
struct ConcatenationParams {
  int axis = 0;  // in [0, rank)
  std::vector<Shape> input_shapes;  // all equal except along axis
};

// Plain copy (float without activation, int16/int32/int64, 8-bit with equal quantization).
template <typename T>
void Concatenation(const ConcatenationParams& params, const void* const* inputs, T* output);

// Float with a fused activation: every output value clamped to [act_min, act_max].
void ConcatenationFloat(const ConcatenationParams& params, const void* const* inputs,
                        float act_min, float act_max, float* output);

struct QuantizedConcatenationParams {
  std::vector<float> input_scale;  // one per input
  std::vector<int32_t> input_zero_point;
  float output_scale = 1;
  int32_t output_zero_point = 0;
  int32_t activation_min = 0;  // output units; the type's range when there is no activation
  int32_t activation_max = 0;
};

// Inputs with the output's scale and zero point are copied; the others are requantized as
// TFLite's ConcatenationWithScaling does: s = input_scale · (1 / output_scale),
// q = round(x · s − zp_in · s) + zp_out in float (round half away from zero). Then clamped.
template <typename T>
void QuantizedConcatenation(const ConcatenationParams& params,
                            const QuantizedConcatenationParams& quant,
                            const void* const* inputs, T* output);

}  // namespace edgeforge::kernels::reference
