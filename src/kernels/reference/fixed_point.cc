#include "kernels/reference/fixed_point.h"

#include <cmath>
#include <limits>

#include "core/check.h"

namespace edgeforge::kernels::reference {

QuantizedMultiplier QuantizeMultiplier(double real_multiplier) {
  QuantizedMultiplier result;
  if (real_multiplier == 0.0) return result;
  int exponent = 0;
  const double fraction = std::frexp(real_multiplier, &exponent);
  // std::round: ties away from zero, like TfLiteRound.
  int64_t fixed = static_cast<int64_t>(std::round(fraction * static_cast<double>(1LL << 31)));
  EF_CHECK_LE(fixed, 1LL << 31);
  if (fixed == (1LL << 31)) {
    fixed /= 2;
    ++exponent;
  }
  // Multipliers below ~2^-31 would shift every bit out; TFLite flushes them to zero.
  if (exponent < -31) {
    exponent = 0;
    fixed = 0;
  }
  result.multiplier = static_cast<int32_t>(fixed);
  result.shift = exponent;
  return result;
}

int32_t SaturatingRoundingDoublingHighMul(int32_t a, int32_t b) {
  constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
  constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
  if (a == kMin && b == kMin) return kMax;
  const int64_t product = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  // gemmlowp's nudge: +2^30 for a non-negative product, 1 - 2^30 for a negative one, then a
  // division by 2^31 that truncates toward zero.
  const int64_t nudge = product >= 0 ? (1LL << 30) : (1 - (1LL << 30));
  return static_cast<int32_t>((product + nudge) / (1LL << 31));
}

int32_t RoundingDivideByPOT(int32_t x, int exponent) {
  EF_CHECK_GE(exponent, 0);
  EF_CHECK_LE(exponent, 31);
  const int64_t mask = (int64_t{1} << exponent) - 1;
  const int64_t remainder = static_cast<int64_t>(x) & mask;
  const int64_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return static_cast<int32_t>((static_cast<int64_t>(x) >> exponent) + (remainder > threshold ? 1 : 0));
}

int32_t MultiplyByQuantizedMultiplier(int32_t x, int32_t multiplier, int shift) {
  const int left_shift = shift > 0 ? shift : 0;
  const int right_shift = shift > 0 ? 0 : -shift;
  // TFLite multiplies by (1 << left_shift) in int32; wrap the same way without signed overflow.
  const int32_t shifted =
      static_cast<int32_t>(static_cast<uint32_t>(x) << static_cast<uint32_t>(left_shift));
  return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(shifted, multiplier), right_shift);
}

}  // namespace edgeforge::kernels::reference
