// gemmlowp-style fixed-point arithmetic as TFLite's own integer kernels use it (QUANTIZE
// requantization, the fallback paths of CONV_2D / DEPTHWISE_CONV_2D / ADD / SUB / MUL that the
// XNNPACK delegate declines). TFLite's default build: "double rounding" (a rounding doubling
// high multiply whose ties go toward +infinity, then a rounding right shift whose ties go away
// from zero), not TFLITE_SINGLE_ROUNDING.
#pragma once

#include <cstdint>

namespace edgeforge::kernels::reference {

// A real multiplier m represented as multiplier * 2^(shift - 31), multiplier in [2^30, 2^31)
// (or 0). shift > 0 means a left shift.
struct QuantizedMultiplier {
  int32_t multiplier = 0;
  int shift = 0;
};

// TFLite's QuantizeMultiplier: frexp, round(q * 2^31) with ties away from zero, halve on
// overflow to 2^31; multipliers below about 2^-31 flush to zero.
QuantizedMultiplier QuantizeMultiplier(double real_multiplier);

// round(a * b / 2^31), ties toward +infinity (gemmlowp's nudge: +2^30, or 1 - 2^30 for a
// negative product, then truncation), saturating the single overflow case INT32_MIN^2.
int32_t SaturatingRoundingDoublingHighMul(int32_t a, int32_t b);

// round(x / 2^exponent) with ties away from zero; exponent in [0, 31].
int32_t RoundingDivideByPOT(int32_t x, int exponent);

// TFLite's MultiplyByQuantizedMultiplier (double rounding): x * 2^max(shift, 0) (wrapping like
// the int32 arithmetic it imitates), SaturatingRoundingDoublingHighMul by multiplier, then
// RoundingDivideByPOT by max(-shift, 0).
int32_t MultiplyByQuantizedMultiplier(int32_t x, int32_t multiplier, int shift);
inline int32_t MultiplyByQuantizedMultiplier(int32_t x, QuantizedMultiplier m) {
  return MultiplyByQuantizedMultiplier(x, m.multiplier, m.shift);
}

}  // namespace edgeforge::kernels::reference
