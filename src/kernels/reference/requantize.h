// From an int32 accumulator to an 8-bit output, the two ways the TFLite runtime does it:
//   - XNNPACK (what TFLite's CPU path hands convolutions, FULLY_CONNECTED and MUL to): one
//     float32 scale per output channel, q = lrintf((float)acc * scale) + zero_point, ties to
//     even. Established byte for byte against the oracle for CONV_2D / DEPTHWISE_CONV_2D
//     (DESIGN.md, "What the TFLite runtime actually computes").
//   - TFLite's own kernels (used when XNNPACK declines an op, e.g. a depthwise convolution
//     without bias): q = MultiplyByQuantizedMultiplier(acc, M, shift) + zero_point (gemmlowp
//     double rounding), M, shift = QuantizeMultiplier((double)s_in * s_w / s_out). Measured
//     for int8 and uint8 DEPTHWISE_CONV_2D without bias (for int8 the float scheme would have
//     differed in 12 of 125 outputs).
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/reference/fixed_point.h"

namespace edgeforge::kernels::reference {

// XNNPACK's requantization scale of a convolution / fully-connected output channel:
// (float)((float)(s_in * s_w) / s_out), evaluated in float32 left to right.
inline float XnnpackRequantizationScale(float input_scale, float weight_scale, float output_scale) {
  const float product = input_scale * weight_scale;
  return product / output_scale;
}

// XNNPACK's fp32 requantization: scale in float32, clamp to [qmin, qmax] - zero_point (in
// float, which commutes with rounding because the bounds are integers), round to nearest even.
inline int32_t RequantizeWithFloatScale(int32_t acc, float scale, int32_t zero_point, int32_t qmin,
                                        int32_t qmax) {
  float scaled = static_cast<float>(acc) * scale;
  scaled = std::fmaxf(scaled, static_cast<float>(qmin - zero_point));
  scaled = std::fminf(scaled, static_cast<float>(qmax - zero_point));
  return static_cast<int32_t>(std::lrintf(scaled)) + zero_point;
}

// How one convolution-like op turns its accumulators into outputs, indexed by output channel.
// The arrays are owned by the caller (the op's Prepare); per-tensor quantization repeats the
// single value for every channel.
struct OutputStage {
  enum class Scheme { kXnnpackFloatScale, kTfliteFixedPoint };
  Scheme scheme = Scheme::kXnnpackFloatScale;
  const float* scale = nullptr;                     // kXnnpackFloatScale
  const QuantizedMultiplier* multiplier = nullptr;  // kTfliteFixedPoint
  int32_t zero_point = 0;
  // The activation range intersected with the output dtype's range.
  int32_t min = 0;
  int32_t max = 0;
};

inline int32_t Requantize(const OutputStage& stage, int32_t acc, int channel) {
  if (stage.scheme == OutputStage::Scheme::kXnnpackFloatScale) {
    return RequantizeWithFloatScale(acc, stage.scale[channel], stage.zero_point, stage.min,
                                    stage.max);
  }
  int32_t q = MultiplyByQuantizedMultiplier(acc, stage.multiplier[channel]) + stage.zero_point;
  if (q < stage.min) q = stage.min;
  if (q > stage.max) q = stage.max;
  return q;
}

// Zero points and output stage of an op computing acc = bias + sum((x - zx) * (w - zw)):
// CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED.
struct LinearQuantization {
  int32_t input_zero_point = 0;
  // Per-tensor weight zero point: legacy uint8 models use e.g. 128 +- a few; int8 weights are
  // symmetric (0), per-channel ones always.
  int32_t filter_zero_point = 0;
  OutputStage output;
};

}  // namespace edgeforge::kernels::reference
