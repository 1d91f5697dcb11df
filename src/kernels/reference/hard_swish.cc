#include "kernels/reference/hard_swish.h"

#include <algorithm>
#include <limits>

#include "kernels/reference/shape_ops_fixed_point.h"

namespace edgeforge::kernels::reference {

namespace fp = shape_fixed_point;

void HardSwish(const float* input, float* output, int64_t size) {
  for (int64_t i = 0; i < size; ++i) {
    const float x = input[i];
    output[i] = x * std::min(6.0f, std::max(0.0f, x + 3)) / 6;
  }
}

HardSwishParams MakeHardSwishParams(float input_scale, int32_t input_zero_point,
                                    float output_scale, int32_t output_zero_point) {
  HardSwishParams p;
  p.input_zero_point = input_zero_point;
  p.output_zero_point = output_zero_point;
  // All in float32, as TFLite does, then widened to double for QuantizeMultiplier.
  const float hires_input_scale = (1.0f / 128.0f) * input_scale;
  const float reluish_scale = 3.0f / 32768.0f;
  const float output_multiplier = hires_input_scale / output_scale;
  const float reluish_multiplier = hires_input_scale / reluish_scale;

  const QuantizedMultiplier output_q31 = QuantizeMultiplier(output_multiplier);
  p.output_multiplier_fixedpoint_int16 = fp::DownScaleInt32ToInt16Multiplier(output_q31.multiplier);
  p.output_multiplier_exponent = output_q31.shift;
  const QuantizedMultiplier reluish_q31 = QuantizeMultiplier(reluish_multiplier);
  p.reluish_multiplier_fixedpoint_int16 = fp::DownScaleInt32ToInt16Multiplier(reluish_q31.multiplier);
  p.reluish_multiplier_exponent = reluish_q31.shift;
  return p;
}

namespace {

// TFLite's reference_ops::HardSwish<T>. Measured: byte-identical to the TFLite runtime
// (LiteRT.js 2.5.3) for int8 and uint8 over every input value, ~130 quantizations with input
// scales 1e-4 to 2 and output/input scale ratios 1/100 to 20.
template <typename T>
void QuantizedHardSwishImpl(const HardSwishParams& p, const T* input, T* output, int64_t size) {
  for (int64_t i = 0; i < size; ++i) {
    // |x − zp| <= 255, so · 128 still fits int16.
    const int16_t centered = static_cast<int16_t>(static_cast<int32_t>(input[i]) - p.input_zero_point);
    const int16_t hires = static_cast<int16_t>(centered * (1 << 7));
    // x on the output scale, before the final right shift: the value for x >= 3.
    const int16_t preshift_output =
        fp::SaturatingRoundingDoublingHighMul16(hires, p.output_multiplier_fixedpoint_int16);

    // relu6(x + 3) / 6 as Q15 in [0, 1]: first x rescaled so that 3.0 is 32768 (saturating),
    // shifting left one bit less than needed so saturation before the multiply cannot matter.
    int16_t reluish = hires;
    if (p.reluish_multiplier_exponent > 0) {
      reluish = fp::SaturatingLeftShift16(reluish, p.reluish_multiplier_exponent - 1);
    }
    reluish = fp::SaturatingRoundingDoublingHighMul16(reluish, p.reluish_multiplier_fixedpoint_int16);
    if (p.reluish_multiplier_exponent > 0) reluish = fp::SaturatingLeftShift16(reluish, 1);
    if (p.reluish_multiplier_exponent < 0) {
      reluish = fp::RoundingDivideByPOT16(reluish, -p.reluish_multiplier_exponent);
    }
    // [-1, 1] → [0, 1].
    reluish = static_cast<int16_t>((static_cast<int32_t>(reluish) + (1 << 15)) >> 1);

    // Truncating multiply on purpose (cancels the rounding bias above, as in TFLite).
    const int16_t preshift_result = fp::SaturatingDoublingHighMul16(reluish, preshift_output);
    int32_t result = fp::RoundingDivideByPOT16(preshift_result, -p.output_multiplier_exponent);
    result += p.output_zero_point;
    result = std::min<int32_t>(result, std::numeric_limits<T>::max());
    result = std::max<int32_t>(result, std::numeric_limits<T>::min());
    output[i] = static_cast<T>(result);
  }
}

}  // namespace

void QuantizedHardSwish(const HardSwishParams& params, const int8_t* input, int8_t* output,
                        int64_t size) {
  QuantizedHardSwishImpl(params, input, output, size);
}
void QuantizedHardSwish(const HardSwishParams& params, const uint8_t* input, uint8_t* output,
                        int64_t size) {
  QuantizedHardSwishImpl(params, input, output, size);
}

}  // namespace edgeforge::kernels::reference
