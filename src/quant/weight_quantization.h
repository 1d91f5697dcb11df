// Weights and biases of CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED in TFLite's 8-bit
// scheme: weights int8 symmetric in [-127, 127] (zero point 0), one scale per output channel
// (CONV_2D and FULLY_CONNECTED axis 0, DEPTHWISE_CONV_2D axis 3) or one for the tensor; biases
// int32 with scale input_scale * weight_scale[c] and zero point 0.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "edgeforge/status.h"
#include "edgeforge/types.h"

namespace edgeforge::quant {

// Symmetric scales max|w| / 127 per slice along `axis` of `shape` (one scale when axis < 0).
// An all-zero slice gets scale 1 (any scale represents it).
std::vector<float> SymmetricScales(std::span<const float> values, const Shape& shape, int axis);

// A bias that does not fit int32 at scale input_scale * weight_scale[c] widens that weight
// scale until it fits (as TFLite's converter does), so quantize weights after this.
void WidenScalesForBias(std::span<const float> bias, float input_scale, std::vector<float>& weight_scales);

// int8 bytes of `values` at `scales` along `axis` (one scale when axis < 0): round half away
// from zero, clamp to [-127, 127].
std::vector<uint8_t> QuantizeSymmetric(std::span<const float> values, const Shape& shape, int axis,
                                       std::span<const float> scales);

// The QuantParams of such weights: zero points 0, quantized_dimension `axis` (0 when < 0).
QuantParams SymmetricParams(const std::vector<float>& scales, int axis);

// The bias scales input_scale * weight_scale[c] (float32 products, as TFLite checks them).
std::vector<float> BiasScales(float input_scale, std::span<const float> weight_scales);

// int32 bias values at `bias_scales` (one per channel, or one for all).
std::vector<int32_t> QuantizeBiasValues(std::span<const float> bias, std::span<const float> bias_scales);

}  // namespace edgeforge::quant
