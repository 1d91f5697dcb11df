// Reference kernels of RELU, RELU6, LOGISTIC, TANH and HARD_SWISH against float64.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "kernels/reference/unary_activations.h"
#include "kernels/reference/hard_swish.h"
#include "kernels_shape_test_util.h"

namespace edgeforge {
namespace {

namespace ref = kernels::reference;
using testing::shape_ops::QuantizeDouble;

struct QuantCase {
  float input_scale;
  int32_t input_zero_point;
  float output_scale;
  int32_t output_zero_point;
};

std::string Describe(const QuantCase& c) {
  return "in scale " + std::to_string(c.input_scale) + " zp " + std::to_string(c.input_zero_point) +
         ", out scale " + std::to_string(c.output_scale) + " zp " + std::to_string(c.output_zero_point);
}

// Every representable input of T (all 256 of them), in order.
template <typename T>
std::vector<T> AllValues() {
  std::vector<T> v;
  for (int32_t q = std::numeric_limits<T>::min(); q <= std::numeric_limits<T>::max(); ++q) {
    v.push_back(static_cast<T>(q));
  }
  return v;
}

float LogUniform(std::mt19937& rng, float lo, float hi) {
  return std::exp(std::uniform_real_distribution<float>(std::log(lo), std::log(hi))(rng));
}

TEST(KernelsShapeActivations, FloatReluAndRelu6Clamp) {
  const std::vector<float> in = {-7.0f, -0.0f, 0.5f, 5.99f, 6.0f, 6.01f, 1e30f, -1e30f};
  std::vector<float> out(in.size());
  ref::ReluX(0.0f, std::numeric_limits<float>::infinity(), in.data(), out.data(),
             static_cast<int64_t>(in.size()));
  EXPECT_EQ(out, (std::vector<float>{0, 0, 0.5f, 5.99f, 6.0f, 6.01f, 1e30f, 0}));
  ref::ReluX(0.0f, 6.0f, in.data(), out.data(), static_cast<int64_t>(in.size()));
  EXPECT_EQ(out, (std::vector<float>{0, 0, 0.5f, 5.99f, 6.0f, 6.0f, 6.0f, 0}));
}

TEST(KernelsShapeActivations, FloatLogisticTanhHardSwishMatchFloat64) {
  std::vector<float> in;
  for (int i = -2000; i <= 2000; ++i) in.push_back(static_cast<float>(i) * 0.01f);
  const int64_t n = static_cast<int64_t>(in.size());
  std::vector<float> logistic(in.size()), tanh_out(in.size()), swish(in.size());
  ref::Logistic(in.data(), logistic.data(), n);
  ref::Tanh(in.data(), tanh_out.data(), n);
  ref::HardSwish(in.data(), swish.data(), n);
  for (size_t i = 0; i < in.size(); ++i) {
    const double x = in[i];
    SCOPED_TRACE("x = " + std::to_string(x));
    EXPECT_NEAR(logistic[i], 1.0 / (1.0 + std::exp(-x)), 1e-6);
    EXPECT_NEAR(tanh_out[i], std::tanh(x), 1e-6);
    EXPECT_NEAR(swish[i], x * std::min(6.0, std::max(0.0, x + 3)) / 6, 1e-5);
  }
}

template <typename T>
void CheckQuantizedRelu(bool relu6, std::mt19937& rng) {
  const int32_t lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  std::uniform_int_distribution<int32_t> zp(lo, hi);
  for (int trial = 0; trial < 40; ++trial) {
    QuantCase c;
    c.input_scale = LogUniform(rng, 1e-3f, 1.0f);
    c.input_zero_point = trial == 0 ? lo : (trial == 1 ? hi : zp(rng));
    const bool same = trial % 2 == 0;
    c.output_scale = same ? c.input_scale : c.input_scale * LogUniform(rng, 0.2f, 5.0f);
    c.output_zero_point = same ? c.input_zero_point : zp(rng);
    SCOPED_TRACE(Describe(c) + (relu6 ? " RELU6" : " RELU"));
    const ref::QuantizedReluParams p = ref::MakeQuantizedReluParams(
        c.input_scale, c.input_zero_point, c.output_scale, c.output_zero_point, relu6, lo, hi);
    const std::vector<T> in = AllValues<T>();
    std::vector<T> out(in.size());
    ref::QuantizedReluX(p, in.data(), out.data(), static_cast<int64_t>(in.size()));
    for (size_t i = 0; i < in.size(); ++i) {
      const double real = c.input_scale * (static_cast<double>(in[i]) - c.input_zero_point);
      const double activated = std::min(std::max(real, 0.0), relu6 ? 6.0 : 1e300);
      const int32_t expected = QuantizeDouble(activated, c.output_scale, c.output_zero_point, lo, hi);
      if (same && !relu6) {
        // Same scale: RELU is exactly max(x, zero point).
        ASSERT_EQ(out[i], std::max<int32_t>(in[i], c.output_zero_point)) << "input " << +in[i];
      } else {
        ASSERT_NEAR(out[i], expected, 1) << "input " << +in[i];
      }
    }
  }
}

TEST(KernelsShapeActivations, QuantizedReluWithinOneOfFloat64) {
  std::mt19937 rng(11);
  CheckQuantizedRelu<int8_t>(false, rng);
  CheckQuantizedRelu<uint8_t>(false, rng);
  CheckQuantizedRelu<int8_t>(true, rng);
  CheckQuantizedRelu<uint8_t>(true, rng);
}

template <typename T>
void CheckLookupTable(bool logistic, std::mt19937& rng) {
  const int32_t lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  std::uniform_int_distribution<int32_t> zp(lo, hi);
  for (int trial = 0; trial < 30; ++trial) {
    QuantCase c;
    c.input_scale = LogUniform(rng, 1e-3f, 0.5f);
    c.input_zero_point = trial == 0 ? lo : (trial == 1 ? hi : zp(rng));
    if (logistic) {
      c.output_scale = 1.0f / 256;
      c.output_zero_point = lo;
    } else {
      c.output_scale = trial % 2 ? 1.0f / 128 : LogUniform(rng, 1e-3f, 0.05f);
      c.output_zero_point = trial % 2 ? (lo + hi + 1) / 2 : zp(rng);
    }
    SCOPED_TRACE(Describe(c) + (logistic ? " LOGISTIC" : " TANH"));
    const auto build = std::is_same_v<T, int8_t> ? ref::BuildLookupTableInt8 : ref::BuildLookupTableUInt8;
    const ref::LookupTable8 table =
        build(c.input_scale, c.input_zero_point, c.output_scale, c.output_zero_point,
              logistic ? ref::LogisticValue : ref::TanhValue);
    const std::vector<T> in = AllValues<T>();
    std::vector<T> out(in.size());
    ref::ApplyLookupTable(table, in.data(), out.data(), static_cast<int64_t>(in.size()));
    for (size_t i = 0; i < in.size(); ++i) {
      const double x = c.input_scale * (static_cast<double>(in[i]) - c.input_zero_point);
      const double y = logistic ? 1.0 / (1.0 + std::exp(-x)) : std::tanh(x);
      ASSERT_NEAR(out[i], QuantizeDouble(y, c.output_scale, c.output_zero_point, lo, hi), 1)
          << "input " << +in[i];
    }
  }
}

TEST(KernelsShapeActivations, LogisticAndTanhTablesWithinOneOfFloat64) {
  std::mt19937 rng(12);
  CheckLookupTable<int8_t>(true, rng);
  CheckLookupTable<uint8_t>(true, rng);
  CheckLookupTable<int8_t>(false, rng);
  CheckLookupTable<uint8_t>(false, rng);
}

template <typename T>
void CheckHardSwish(std::mt19937& rng) {
  const int32_t lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  std::uniform_int_distribution<int32_t> zp(lo, hi);
  for (int trial = 0; trial < 60; ++trial) {
    QuantCase c;
    c.input_scale = LogUniform(rng, 1e-3f, 0.5f);
    c.input_zero_point = trial == 0 ? lo : (trial == 1 ? hi : zp(rng));
    // Output ranges as a calibrator would pick them: hard_swish(x) lies in [-0.375, max(x)].
    c.output_scale = c.input_scale * LogUniform(rng, 0.3f, 3.0f);
    c.output_zero_point = trial == 2 ? lo : (trial == 3 ? hi : zp(rng));
    SCOPED_TRACE(Describe(c));
    const ref::HardSwishParams p = ref::MakeHardSwishParams(c.input_scale, c.input_zero_point,
                                                            c.output_scale, c.output_zero_point);
    ASSERT_LE(p.output_multiplier_exponent, 0);
    const std::vector<T> in = AllValues<T>();
    std::vector<T> out(in.size());
    ref::QuantizedHardSwish(p, in.data(), out.data(), static_cast<int64_t>(in.size()));
    for (size_t i = 0; i < in.size(); ++i) {
      const double x = c.input_scale * (static_cast<double>(in[i]) - c.input_zero_point);
      const double y = x * std::min(6.0, std::max(0.0, x + 3)) / 6;
      ASSERT_NEAR(out[i], QuantizeDouble(y, c.output_scale, c.output_zero_point, lo, hi), 1)
          << "input " << +in[i];
    }
  }
}

TEST(KernelsShapeActivations, QuantizedHardSwishWithinOneOfFloat64) {
  std::mt19937 rng(13);
  CheckHardSwish<int8_t>(rng);
  CheckHardSwish<uint8_t>(rng);
}

TEST(KernelsShapeActivations, HardSwishParamsFollowTflite) {
  // input scale 0.1, output scale 0.05: hires = 0.1/128; output multiplier 0.015625 = 2^-6
  // (Q15 0.5 · 2^-5), reluish multiplier (0.1/128) / (3/32768) = 8.533… = 0.5333 · 2^4.
  const ref::HardSwishParams p = ref::MakeHardSwishParams(0.1f, 3, 0.05f, -7);
  EXPECT_EQ(p.input_zero_point, 3);
  EXPECT_EQ(p.output_zero_point, -7);
  EXPECT_EQ(p.output_multiplier_exponent, -5);
  EXPECT_EQ(p.output_multiplier_fixedpoint_int16, 16384);
  EXPECT_EQ(p.reluish_multiplier_exponent, 4);
  EXPECT_NEAR(p.reluish_multiplier_fixedpoint_int16, std::lround(0.1 / 128 / (3.0 / 32768) / 16 * 32768), 1);
}

}  // namespace
}  // namespace edgeforge
