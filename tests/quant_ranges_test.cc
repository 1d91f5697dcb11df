// Range estimators, weight and bias quantization, activation parameters: the arithmetic of the
// quantizer on values small enough to check by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "quant/activation_params.h"
#include "quant/quantize_model.h"
#include "quant/range_estimators.h"
#include "quant/weight_quantization.h"

namespace edgeforge::quant {
namespace {

TEST(QuantRanges, MinMaxIgnoresNonFiniteValues) {
  MinMaxObserver o;
  EXPECT_FALSE(o.seen());
  const std::vector<float> a = {1.5f, -2.0f, NAN, INFINITY};
  o.Add(a);
  const std::vector<float> b = {3.0f};
  o.Add(b);
  ASSERT_TRUE(o.seen());
  EXPECT_EQ(o.range(), (ValueRange{-2.0f, 3.0f}));
}

TEST(QuantRanges, PercentileDropsRareOutliers) {
  // 10000 values uniform in [0, 1) and one outlier at 100.
  std::vector<float> values;
  for (int i = 0; i < 10000; ++i) values.push_back(static_cast<float>(i) / 10000.0f);
  values.push_back(100.0f);
  Histogram h({0.0f, 100.0f}, 2048);
  h.Add(values);
  EXPECT_EQ(h.total(), values.size());
  const ValueRange p = PercentileRange(h, 99.9);
  EXPECT_NEAR(p.max, 1.0f, 0.06f);
  EXPECT_GE(p.min, 0.0f);
  EXPECT_LT(p.min, 0.06f);
  EXPECT_EQ(PercentileRange(h, 100.0).max, 100.0f);
}

TEST(QuantRanges, MseClipsTheTailsOfALaplacian) {
  // 100000 Laplace(0, 1) quantiles, |x| up to ln(100000) = 11.5. For 256 levels the expected
  // squared error is smallest near |x| = 9.7 (clipping the rare tails buys finer steps).
  std::vector<float> values;
  constexpr int kN = 100000;
  for (int i = 0; i < kN; ++i) {
    const double u = (i + 0.5) / kN - 0.5;
    values.push_back(static_cast<float>(-std::copysign(1.0, u) * std::log(1 - 2 * std::fabs(u))));
  }
  MinMaxObserver o;
  o.Add(values);
  Histogram h(o.range(), 2048);
  h.Add(values);
  const ValueRange r = MseOptimalRange(h);
  SCOPED_TRACE(::testing::Message() << "range [" << r.min << ", " << r.max << "]");
  EXPECT_GT(r.max, 8.5f);
  EXPECT_LT(r.max, 11.0f);
  EXPECT_LT(r.min, -8.5f);
  EXPECT_GT(r.min, -11.0f);
  // A uniform distribution's best range is its whole range.
  std::vector<float> uniform;
  for (int i = 0; i < 20000; ++i) uniform.push_back(-1.0f + 2.0f * static_cast<float>(i) / 20000.0f);
  Histogram u({-1.0f, 1.0f}, 2048);
  u.Add(uniform);
  const ValueRange ur = MseOptimalRange(u);
  EXPECT_NEAR(ur.max, 1.0f, 0.03f);
  EXPECT_NEAR(ur.min, -1.0f, 0.03f);
}

TEST(QuantRanges, FusedActivationsNarrowTheRange) {
  EXPECT_EQ(NarrowByActivation({-3, 10}, ir::Activation::kRelu6), (ValueRange{0, 6}));
  EXPECT_EQ(NarrowByActivation({-3, 10}, ir::Activation::kRelu), (ValueRange{0, 10}));
  EXPECT_EQ(NarrowByActivation({-3, 10}, ir::Activation::kReluN1To1), (ValueRange{-1, 1}));
  EXPECT_EQ(NarrowByActivation({-3, 10}, ir::Activation::kNone), (ValueRange{-3, 10}));
  EXPECT_EQ(NarrowByActivation({1, 4}, ir::Activation::kRelu6), (ValueRange{1, 4}));
}

TEST(QuantRanges, PixelRangeFollowsThePreprocessing) {
  EXPECT_EQ(PixelRange({}), (ValueRange{0, 255}));
  EXPECT_EQ(PixelRange({{127.5f}, {127.5f}}), (ValueRange{-1, 1}));
  const ValueRange r = PixelRange({{0, 100, 200}, {255, 1, 1}});
  EXPECT_EQ(r.min, -200.0f);
  EXPECT_EQ(r.max, 155.0f);
}

TEST(QuantWeights, PerChannelScalesAlongTheOutputAxis) {
  // [2 out, 1, 1, 3 in] conv filter; channel 1 is all zero.
  const std::vector<float> w = {0.5f, -1.27f, 0.1f, 0, 0, 0};
  const Shape shape = {2, 1, 1, 3};
  const std::vector<float> scales = SymmetricScales(w, shape, 0);
  ASSERT_EQ(scales.size(), 2u);
  EXPECT_FLOAT_EQ(scales[0], 0.01f);
  EXPECT_EQ(scales[1], 1.0f);
  const std::vector<uint8_t> q = QuantizeSymmetric(w, shape, 0, scales);
  EXPECT_EQ(static_cast<int8_t>(q[0]), 50);
  EXPECT_EQ(static_cast<int8_t>(q[1]), -127);
  EXPECT_EQ(static_cast<int8_t>(q[2]), 10);
  // Depthwise [1, 1, 2, 2]: channels on the last axis.
  const std::vector<float> dw = {1.0f, -0.5f, -2.0f, 0.25f};
  const std::vector<float> dws = SymmetricScales(dw, {1, 1, 2, 2}, 3);
  EXPECT_FLOAT_EQ(dws[0], 2.0f / 127);
  EXPECT_FLOAT_EQ(dws[1], 0.5f / 127);
  // Per tensor.
  EXPECT_EQ(SymmetricScales(dw, {1, 1, 2, 2}, -1).size(), 1u);
  const QuantParams p = SymmetricParams(dws, 3);
  EXPECT_EQ(p.zero_point, (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(p.quantized_dimension, 3);
}

TEST(QuantWeights, BiasAtInputTimesWeightScale) {
  const std::vector<float> weight_scales = {0.01f, 0.25f};
  const std::vector<float> bias_scales = BiasScales(0.5f, weight_scales);
  EXPECT_EQ(bias_scales[0], 0.5f * 0.01f);
  const std::vector<int32_t> q = QuantizeBiasValues(std::vector<float>{1.0f, -3.1875f}, bias_scales);
  EXPECT_EQ(q[0], 200);
  EXPECT_EQ(q[1], -26);  // -25.5 rounds away from zero
}

TEST(QuantWeights, HugeBiasWidensItsWeightScale) {
  std::vector<float> scales = {1e-6f, 1e-6f};
  const std::vector<float> bias = {1e6f, 1.0f};
  WidenScalesForBias(bias, 1e-3f, scales);
  EXPECT_GT(scales[0], 1e-6f);
  EXPECT_EQ(scales[1], 1e-6f);
  const std::vector<int32_t> q = QuantizeBiasValues(bias, BiasScales(1e-3f, scales));
  EXPECT_LT(q[0], 2147483647);
  EXPECT_GT(q[0], 2147400000);
}

}  // namespace
}  // namespace edgeforge::quant
