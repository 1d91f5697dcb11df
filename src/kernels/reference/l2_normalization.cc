#include "kernels/reference/l2_normalization.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "kernels/reference/shape_ops_fixed_point.h"

namespace edgeforge::kernels::reference {

namespace fp = shape_fixed_point;

void L2Normalization(int64_t outer, int64_t depth, const float* input, float* output) {
  for (int64_t i = 0; i < outer; ++i) {
    const float* row = input + i * depth;
    float squared_norm = 0;
    for (int64_t c = 0; c < depth; ++c) squared_norm += row[c] * row[c];
    const float norm = std::max(std::sqrt(squared_norm), kL2NormalizationEpsilon);
    for (int64_t c = 0; c < depth; ++c) output[i * depth + c] = row[c] / norm;
  }
}

void InvSqrtQuantizedMultiplier(int32_t x, int32_t* multiplier, int* shift) {
  // 0 and 1 both give "multiply by (almost) 1": 0 is a degenerate all-zero-point row.
  if (x <= 1) {
    *multiplier = std::numeric_limits<int32_t>::max();
    *shift = 0;
    return;
  }
  int right_shift = 11;
  while (x >= (1 << 29)) {
    x /= 4;
    ++right_shift;
  }
  // Normalize x into [2^27, 2^29) by an even left shift.
  const unsigned max_left_shift_bits = static_cast<unsigned>(std::countl_zero(static_cast<uint32_t>(x))) - 1;
  const unsigned left_shift_bit_pairs = max_left_shift_bits / 2 - 1;
  right_shift -= static_cast<int>(left_shift_bit_pairs);
  x <<= 2 * left_shift_bit_pairs;

  // Newton-Raphson for 1/sqrt in Q3.28 (gemmlowp FixedPoint<int32, 3>), 5 iterations from 1.
  // Products of Qa and Qb numbers are Q(a+b) (SaturatingRoundingDoublingHighMul); Rescale to
  // Q3 is a saturating rounding multiply by a power of two.
  const int32_t input_q3 = x >> 1;
  const int32_t half_input_q3 = fp::SaturatingRoundingMultiplyByPOT(input_q3, -1);
  constexpr int32_t kHalfThreeQ3 = (1 << 28) + (1 << 27);  // 1.5
  int32_t estimate = 1 << 28;                               // 1.0
  for (int iteration = 0; iteration < 5; ++iteration) {
    const int32_t cube_q9 = SaturatingRoundingDoublingHighMul(
        SaturatingRoundingDoublingHighMul(estimate, estimate), estimate);
    const int32_t cube_q3 = fp::SaturatingRoundingMultiplyByPOT(cube_q9, 6);
    const int64_t difference_q6 =
        static_cast<int64_t>(SaturatingRoundingDoublingHighMul(kHalfThreeQ3, estimate)) -
        SaturatingRoundingDoublingHighMul(half_input_q3, cube_q3);
    estimate = fp::SaturatingRoundingMultiplyByPOT(static_cast<int32_t>(difference_q6), 3);
  }
  constexpr int32_t kHalfSqrt2Q0 = 1518500250;  // sqrt(2)/2 in Q0.31
  estimate = SaturatingRoundingDoublingHighMul(estimate, kHalfSqrt2Q0);
  if (right_shift < 0) {
    estimate = static_cast<int32_t>(static_cast<uint32_t>(estimate) << -right_shift);
    right_shift = 0;
  }
  *multiplier = estimate;
  *shift = -right_shift;
}

namespace {
// Σ (x − zp)² in int32 as TFLite accumulates it; saturated rather than overflowing (TFLite's
// overflow, past ~33000 channels, is undefined behaviour).
template <typename T>
int32_t SquaredNorm(const T* row, int64_t depth, int32_t zero_point) {
  int64_t sum = 0;
  for (int64_t c = 0; c < depth; ++c) {
    const int64_t diff = static_cast<int64_t>(row[c]) - zero_point;
    sum += diff * diff;
  }
  return static_cast<int32_t>(std::min<int64_t>(sum, std::numeric_limits<int32_t>::max()));
}
}  // namespace

// TFLite's uint8 L2Normalization: output = 128 + round(128 · (x − zp) / ‖x − zp‖).
void L2Normalization(int64_t outer, int64_t depth, int32_t input_zero_point,
                     const uint8_t* input, uint8_t* output) {
  for (int64_t i = 0; i < outer; ++i) {
    const uint8_t* row = input + i * depth;
    const int32_t squared_norm = SquaredNorm(row, depth, input_zero_point);
    int32_t multiplier = 0;
    int shift = 0;
    InvSqrtQuantizedMultiplier(squared_norm, &multiplier, &shift);
    for (int64_t c = 0; c < depth; ++c) {
      const int32_t diff = row[c] - input_zero_point;
      const int32_t rescaled = RoundingDivideByPOT(
          SaturatingRoundingDoublingHighMul(128 * diff, multiplier), -shift);
      output[i * depth + c] = static_cast<uint8_t>(std::clamp(128 + rescaled, 0, 255));
    }
  }
}

// TFLite's reference_integer_ops::L2Normalization: output on scale 1/128 (the 2^7 is folded
// into the shift), zero point 0, so the real range [-1, 1] becomes [-128, 127].
void L2Normalization(int64_t outer, int64_t depth, int32_t input_zero_point, const int8_t* input,
                     int8_t* output) {
  constexpr int kOutputScaleBits = 7;
  for (int64_t i = 0; i < outer; ++i) {
    const int8_t* row = input + i * depth;
    const int32_t squared_norm = SquaredNorm(row, depth, input_zero_point);
    int32_t multiplier = 0;
    int shift = 0;
    InvSqrtQuantizedMultiplier(squared_norm, &multiplier, &shift);
    for (int64_t c = 0; c < depth; ++c) {
      const int32_t diff = row[c] - input_zero_point;
      const int32_t value =
          MultiplyByQuantizedMultiplier(diff, multiplier, shift + kOutputScaleBits);
      output[i * depth + c] = static_cast<int8_t>(std::clamp(value, -128, 127));
    }
  }
}

}  // namespace edgeforge::kernels::reference
