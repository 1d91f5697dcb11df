// The TFLite 8-bit affine scheme, real = scale * (q - zero_point), as plain functions: choosing
// parameters for a float range, and quantizing values. Used wherever edgeforge writes
// quantized weights or picks activation ranges (on-device heads, the quantizer).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "edgeforge/types.h"

namespace edgeforge::core {

// Asymmetric parameters covering [min, max] (widened to include 0, as TFLite requires so that
// zero is exact) for int8 ([-128, 127]) or uint8 ([0, 255]).
QuantParams ChooseAsymmetric(float min, float max, DType dtype);

// Symmetric int8 weights: scale = max|w| / 127, zero point 0, range [-127, 127].
QuantParams ChooseSymmetricInt8(std::span<const float> values);

// q = clamp(round(x / scale) + zero_point) to the dtype's range (round half away from zero,
// as TFLite's converter does).
std::vector<uint8_t> QuantizeValues(std::span<const float> values, const QuantParams& quant, DType dtype);

// int32 bias with scale input_scale * weight_scale (per channel when weight_scales has
// several entries), zero point 0.
std::vector<int32_t> QuantizeBias(std::span<const float> bias, float input_scale,
                                  std::span<const float> weight_scales);

}  // namespace edgeforge::core
