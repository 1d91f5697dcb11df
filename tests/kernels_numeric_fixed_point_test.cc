// Known values of the integer helpers (gemmlowp / TFLite semantics) and of the activation
// ranges both runtimes compute.
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include <gtest/gtest.h>

#include "kernels/reference/activation.h"
#include "kernels/reference/fixed_point.h"
#include "kernels/reference/requantize.h"

namespace edgeforge::kernels::reference {
namespace {

constexpr int32_t kInt32Min = std::numeric_limits<int32_t>::min();
constexpr int32_t kInt32Max = std::numeric_limits<int32_t>::max();

TEST(KernelsNumericFixedPoint, QuantizeMultiplierKnownValues) {
  QuantizedMultiplier half = QuantizeMultiplier(0.5);
  EXPECT_EQ(half.multiplier, 1 << 30);
  EXPECT_EQ(half.shift, 0);

  QuantizedMultiplier one = QuantizeMultiplier(1.0);
  EXPECT_EQ(one.multiplier, 1 << 30);
  EXPECT_EQ(one.shift, 1);

  QuantizedMultiplier quarter = QuantizeMultiplier(0.25);
  EXPECT_EQ(quarter.multiplier, 1 << 30);
  EXPECT_EQ(quarter.shift, -1);

  QuantizedMultiplier three_quarters = QuantizeMultiplier(0.75);
  EXPECT_EQ(three_quarters.multiplier, 1610612736);  // round(0.75 * 2^31)
  EXPECT_EQ(three_quarters.shift, 0);

  QuantizedMultiplier three = QuantizeMultiplier(3.0);
  EXPECT_EQ(three.multiplier, 1610612736);
  EXPECT_EQ(three.shift, 2);

  QuantizedMultiplier zero = QuantizeMultiplier(0.0);
  EXPECT_EQ(zero.multiplier, 0);
  EXPECT_EQ(zero.shift, 0);
}

TEST(KernelsNumericFixedPoint, QuantizeMultiplierRoundsUpToTwoToThe31) {
  // fraction * 2^31 rounds to 2^31: halved, exponent + 1.
  QuantizedMultiplier m = QuantizeMultiplier(1.0 - std::ldexp(1.0, -40));
  EXPECT_EQ(m.multiplier, 1 << 30);
  EXPECT_EQ(m.shift, 1);
}

TEST(KernelsNumericFixedPoint, QuantizeMultiplierFlushesTinyToZero) {
  QuantizedMultiplier m = QuantizeMultiplier(std::ldexp(1.0, -40));
  EXPECT_EQ(m.multiplier, 0);
  EXPECT_EQ(m.shift, 0);
}

TEST(KernelsNumericFixedPoint, QuantizeMultiplierMatchesItsValue) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> exponent(-20.0, 10.0);
  for (int i = 0; i < 1000; ++i) {
    const double m = std::pow(2.0, exponent(rng));
    SCOPED_TRACE(m);
    const QuantizedMultiplier q = QuantizeMultiplier(m);
    EXPECT_GE(q.multiplier, 1 << 30);
    const double represented = std::ldexp(static_cast<double>(q.multiplier), q.shift - 31);
    EXPECT_NEAR(represented / m, 1.0, std::ldexp(1.0, -30));
  }
}

TEST(KernelsNumericFixedPoint, SaturatingRoundingDoublingHighMulGemmlowpVectors) {
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(kInt32Min, kInt32Min), kInt32Max);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(1 << 30, 1 << 30), 1 << 29);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(kInt32Max, kInt32Max), kInt32Max - 1);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(kInt32Min, kInt32Max), kInt32Min + 1);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(0, 12345), 0);
  // gemmlowp's nudge rounds ties toward +infinity: 1.5 -> 2 but -1.5 -> -1.
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(3, 1 << 30), 2);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-3, 1 << 30), -1);
  // 0.5 -> 1; -0.5 -> 0.
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(1, 1 << 30), 1);
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-1, 1 << 30), 0);
  // Not a tie: -1.75 -> -2.
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(-7, 1 << 29), -2);
  // 0.25 -> 0
  EXPECT_EQ(SaturatingRoundingDoublingHighMul(1, 1 << 29), 0);
}

TEST(KernelsNumericFixedPoint, RoundingDivideByPOTTiesAwayFromZero) {
  EXPECT_EQ(RoundingDivideByPOT(5, 1), 3);
  EXPECT_EQ(RoundingDivideByPOT(-5, 1), -3);
  EXPECT_EQ(RoundingDivideByPOT(3, 1), 2);
  EXPECT_EQ(RoundingDivideByPOT(-3, 1), -2);
  EXPECT_EQ(RoundingDivideByPOT(4, 1), 2);
  EXPECT_EQ(RoundingDivideByPOT(-4, 1), -2);
  EXPECT_EQ(RoundingDivideByPOT(12, 3), 2);   // 1.5 -> 2
  EXPECT_EQ(RoundingDivideByPOT(-12, 3), -2);
  EXPECT_EQ(RoundingDivideByPOT(11, 3), 1);   // 1.375 -> 1
  EXPECT_EQ(RoundingDivideByPOT(-13, 3), -2); // -1.625 -> -2
  EXPECT_EQ(RoundingDivideByPOT(7, 0), 7);
  EXPECT_EQ(RoundingDivideByPOT(kInt32Max, 31), 1);
  EXPECT_EQ(RoundingDivideByPOT(kInt32Min, 31), -1);
}

TEST(KernelsNumericFixedPoint, MultiplyByQuantizedMultiplierAgainstDouble) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> exponent(-12.0, 4.0);
  std::uniform_int_distribution<int32_t> value(-100000, 100000);
  for (int i = 0; i < 2000; ++i) {
    const double m = std::pow(2.0, exponent(rng));
    const int32_t x = value(rng);
    SCOPED_TRACE(::testing::Message() << "m=" << m << " x=" << x);
    const int32_t got = MultiplyByQuantizedMultiplier(x, QuantizeMultiplier(m));
    EXPECT_LE(std::fabs(got - x * m), 1.0);
  }
  // Exact cases: x * 0.5 with ties away from zero (double rounding keeps them there).
  EXPECT_EQ(MultiplyByQuantizedMultiplier(5, QuantizeMultiplier(0.5)), 3);
  EXPECT_EQ(MultiplyByQuantizedMultiplier(-5, QuantizeMultiplier(0.5)), -2);
  EXPECT_EQ(MultiplyByQuantizedMultiplier(100, QuantizeMultiplier(2.0)), 200);
  EXPECT_EQ(MultiplyByQuantizedMultiplier(-7, QuantizeMultiplier(1.0)), -7);
}

TEST(KernelsNumericFixedPoint, MultiplyByQuantizedMultiplierRoundsTwice) {
  // 5 * (2^30 + 1) * 2^-32 = 1.2500000012: a single rounding gives 1, but TFLite's default
  // rounds twice: the high multiply gives round(2.5000000023) = 3, the divide by 2 then rounds
  // 1.5 away from zero to 2.
  EXPECT_EQ(MultiplyByQuantizedMultiplier(5, (1 << 30) + 1, -1), 2);
  EXPECT_EQ(MultiplyByQuantizedMultiplier(-5, (1 << 30) + 1, -1), -2);  // -3 then -1.5 -> -2
  // 3 * (2^30 - 1) * 2^-32 = 0.7499999993 -> 1 either way.
  EXPECT_EQ(MultiplyByQuantizedMultiplier(3, (1 << 30) - 1, -1), 1);
  // A positive shift multiplies first: 100 * 2 * 0.75.
  EXPECT_EQ(MultiplyByQuantizedMultiplier(100, QuantizeMultiplier(1.5)), 150);
}

TEST(KernelsNumericFixedPoint, XnnpackRequantizationScaleIsFloatLeftToRight) {
  const float s_in = 0.0235294122f, s_w = 0.00312345f, s_out = 0.0470588244f;
  const float product = s_in * s_w;
  EXPECT_EQ(XnnpackRequantizationScale(s_in, s_w, s_out), product / s_out);
}

TEST(KernelsNumericFixedPoint, RequantizeWithFloatScaleRoundsHalfToEven) {
  // acc * scale = 2.5 -> 2, 3.5 -> 4, -2.5 -> -2.
  EXPECT_EQ(RequantizeWithFloatScale(5, 0.5f, 0, -128, 127), 2);
  EXPECT_EQ(RequantizeWithFloatScale(7, 0.5f, 0, -128, 127), 4);
  EXPECT_EQ(RequantizeWithFloatScale(-5, 0.5f, 0, -128, 127), -2);
  EXPECT_EQ(RequantizeWithFloatScale(5, 0.5f, 10, -128, 127), 12);
  EXPECT_EQ(RequantizeWithFloatScale(1000000, 0.5f, 10, -128, 127), 127);
  EXPECT_EQ(RequantizeWithFloatScale(-1000000, 0.5f, 10, 0, 255), 0);
}

TEST(KernelsNumericFixedPoint, ActivationRanges) {
  // RELU6 with 6 / scale = 23.5 exactly: XNNPACK lrintf(23.5 + zp) ties to even, TFLite
  // zp + round(23.5) rounds away from zero.
  const float scale = 6.0f / 23.5f;
  QuantizedRange x = XnnpackActivationRange(FusedActivation::kRelu6, scale, 0, 0, 255);
  QuantizedRange t = TfliteActivationRange(FusedActivation::kRelu6, scale, 0, 0, 255);
  EXPECT_EQ(x.min, 0);
  EXPECT_EQ(t.min, 0);
  EXPECT_EQ(x.max, 24);  // lrintf(23.5) = 24 (even)
  EXPECT_EQ(t.max, 24);
  x = XnnpackActivationRange(FusedActivation::kRelu6, scale, 1, 0, 255);
  t = TfliteActivationRange(FusedActivation::kRelu6, scale, 1, 0, 255);
  EXPECT_EQ(x.max, 24);  // lrintf(24.5) = 24
  EXPECT_EQ(t.max, 25);  // 1 + round(23.5) = 25

  QuantizedRange none = XnnpackActivationRange(FusedActivation::kNone, 0.1f, -5, -128, 127);
  EXPECT_EQ(none.min, -128);
  EXPECT_EQ(none.max, 127);
  QuantizedRange relu = XnnpackActivationRange(FusedActivation::kRelu, 0.1f, -5, -128, 127);
  EXPECT_EQ(relu.min, -5);
  EXPECT_EQ(relu.max, 127);
  QuantizedRange n1 = XnnpackActivationRange(FusedActivation::kReluN1To1, 0.1f, -5, -128, 127);
  EXPECT_EQ(n1.min, -15);
  EXPECT_EQ(n1.max, 5);
  // Bounds beyond the dtype clamp to it.
  QuantizedRange wide = XnnpackActivationRange(FusedActivation::kRelu6, 0.001f, 100, 0, 255);
  EXPECT_EQ(wide.min, 100);
  EXPECT_EQ(wide.max, 255);
  QuantizedRange wide_t = TfliteActivationRange(FusedActivation::kRelu6, 1e-12f, 100, 0, 255);
  EXPECT_EQ(wide_t.max, 255);
  QuantizedRange relu_high_zp = TfliteActivationRange(FusedActivation::kRelu, 0.1f, 127, -128, 127);
  EXPECT_EQ(relu_high_zp.min, 127);
  EXPECT_EQ(relu_high_zp.max, 127);

  FloatRange f = FloatActivationRange(FusedActivation::kRelu6);
  EXPECT_EQ(f.min, 0.0f);
  EXPECT_EQ(f.max, 6.0f);
  EXPECT_TRUE(std::isinf(FloatActivationRange(FusedActivation::kNone).max));
}

}  // namespace
}  // namespace edgeforge::kernels::reference
