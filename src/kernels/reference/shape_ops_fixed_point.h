// Fixed-point helpers that only the activation and normalization reference kernels need
// (HARD_SWISH's int16 arithmetic, L2_NORMALIZATION's Newton-Raphson), on top of the shared
// int32 ones in kernels/reference/fixed_point.h. gemmlowp semantics with TFLite's default
// double rounding.
#pragma once

#include <cstdint>
#include <limits>

#include "kernels/reference/fixed_point.h"

namespace edgeforge::kernels::reference::shape_fixed_point {

// gemmlowp's SaturatingRoundingMultiplyByPOT<exponent> on int32: a saturating left shift for
// exponent > 0, a rounding right shift for exponent < 0.
inline int32_t SaturatingRoundingMultiplyByPOT(int32_t x, int exponent) {
  if (exponent == 0) return x;
  if (exponent < 0) return RoundingDivideByPOT(x, -exponent);
  const int64_t threshold = (int64_t{1} << (31 - exponent)) - 1;
  if (x > threshold) return std::numeric_limits<int32_t>::max();
  if (x < -threshold) return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(static_cast<int64_t>(x) * (int64_t{1} << exponent));
}

// --- int16 (HARD_SWISH) -----------------------------------------------------------------

// round(a · b / 2^15), ties away from zero, saturating the single overflow case.
inline int16_t SaturatingRoundingDoublingHighMul16(int16_t a, int16_t b) {
  if (a == b && a == std::numeric_limits<int16_t>::min()) return std::numeric_limits<int16_t>::max();
  const int32_t product = static_cast<int32_t>(a) * static_cast<int32_t>(b);
  const int32_t nudge = product >= 0 ? (1 << 14) : (1 - (1 << 14));
  return static_cast<int16_t>((product + nudge) / (1 << 15));
}

// Like the above but truncating (TFLite's SaturatingDoublingHighMul): HARD_SWISH uses it on
// purpose to cancel the bias of the rounding variant.
inline int16_t SaturatingDoublingHighMul16(int16_t a, int16_t b) {
  if (a == b && a == std::numeric_limits<int16_t>::min()) return std::numeric_limits<int16_t>::max();
  const int32_t product = static_cast<int32_t>(a) * static_cast<int32_t>(b);
  return static_cast<int16_t>(product / (1 << 15));
}

// exponent in [0, 31]; same rounding as the int32 version.
inline int16_t RoundingDivideByPOT16(int16_t x, int exponent) {
  return static_cast<int16_t>(RoundingDivideByPOT(x, exponent));
}

inline int16_t SaturatingLeftShift16(int16_t x, int amount) {
  constexpr int64_t kLo = std::numeric_limits<int16_t>::min();
  constexpr int64_t kHi = std::numeric_limits<int16_t>::max();
  if (x == 0) return 0;
  if (amount >= 16) return x > 0 ? static_cast<int16_t>(kHi) : static_cast<int16_t>(kLo);
  const int64_t shifted = static_cast<int64_t>(x) * (int64_t{1} << amount);
  return static_cast<int16_t>(shifted < kLo ? kLo : (shifted > kHi ? kHi : shifted));
}

// TFLite's DownScaleInt32ToInt16Multiplier: round a Q31 multiplier to Q15, saturating.
inline int16_t DownScaleInt32ToInt16Multiplier(int32_t multiplier) {
  constexpr int32_t kRoundingOffset = 1 << 15;
  if (multiplier >= std::numeric_limits<int32_t>::max() - kRoundingOffset) {
    return std::numeric_limits<int16_t>::max();
  }
  return static_cast<int16_t>((multiplier + kRoundingOffset) >> 16);
}

}  // namespace edgeforge::kernels::reference::shape_fixed_point
