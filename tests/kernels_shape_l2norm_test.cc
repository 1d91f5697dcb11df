// Reference kernels of L2_NORMALIZATION against float64.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "kernels/reference/l2_normalization.h"
#include "kernels_shape_test_util.h"

namespace edgeforge {
namespace {

namespace ref = kernels::reference;
using testing::shape_ops::QuantizeDouble;

TEST(KernelsShapeL2Norm, InverseSqrtMultiplierIsAccurate) {
  std::mt19937 rng(41);
  std::vector<int32_t> inputs = {2, 3, 4, 5, 255, 256, 65025, (1 << 27) - 1, 1 << 29,
                                 std::numeric_limits<int32_t>::max()};
  for (int i = 0; i < 2000; ++i) {
    inputs.push_back(std::uniform_int_distribution<int32_t>(2, std::numeric_limits<int32_t>::max())(rng));
  }
  for (int32_t x : inputs) {
    int32_t multiplier = 0;
    int shift = 0;
    ref::InvSqrtQuantizedMultiplier(x, &multiplier, &shift);
    const double value = multiplier * std::ldexp(1.0, shift - 31);
    EXPECT_NEAR(value * std::sqrt(static_cast<double>(x)), 1.0, 2e-6) << "x = " << x;
  }
  // 0 and 1 (a row at the zero point): "multiply by almost 1".
  for (int32_t x : {0, 1}) {
    int32_t multiplier = 0;
    int shift = -1;
    ref::InvSqrtQuantizedMultiplier(x, &multiplier, &shift);
    EXPECT_EQ(multiplier, std::numeric_limits<int32_t>::max());
    EXPECT_EQ(shift, 0);
  }
}

TEST(KernelsShapeL2Norm, FloatMatchesFloat64) {
  std::mt19937 rng(42);
  for (int depth : {1, 2, 7, 64, 1001}) {
    const int64_t outer = 3;
    std::vector<float> in(static_cast<size_t>(outer * depth)), out(in.size());
    for (auto& v : in) v = std::uniform_real_distribution<float>(-5, 5)(rng);
    ref::L2Normalization(outer, depth, in.data(), out.data());
    for (int64_t r = 0; r < outer; ++r) {
      double norm = 0;
      for (int c = 0; c < depth; ++c) norm += std::pow(in[static_cast<size_t>(r * depth + c)], 2);
      norm = std::sqrt(norm);
      for (int c = 0; c < depth; ++c) {
        const size_t i = static_cast<size_t>(r * depth + c);
        ASSERT_NEAR(out[i], in[i] / norm, 1e-6) << "depth " << depth;
      }
    }
  }
  // An all-zero row divides by the epsilon instead of by zero.
  const std::vector<float> zeros = {0, 0, 0};
  std::vector<float> out(3, 1.0f);
  ref::L2Normalization(1, 3, zeros.data(), out.data());
  EXPECT_EQ(out, zeros);
}

template <typename T>
void CheckQuantized(std::mt19937& rng) {
  const int32_t lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  const int32_t out_zp = std::is_same_v<T, uint8_t> ? 128 : 0;
  std::uniform_int_distribution<int32_t> value(lo, hi);
  for (int trial = 0; trial < 60; ++trial) {
    const int depth = std::vector<int>{1, 2, 3, 8, 17, 100, 1000}[static_cast<size_t>(trial % 7)];
    const int32_t zp = trial < 7 ? lo : (trial < 14 ? hi : value(rng));
    SCOPED_TRACE("depth " + std::to_string(depth) + " input zero point " + std::to_string(zp));
    std::vector<T> in(static_cast<size_t>(2 * depth)), out(in.size());
    for (auto& v : in) {
      // Half the rows sit close to the zero point: small norms stress the multiplier.
      v = static_cast<T>(trial % 2 ? value(rng) : std::clamp(zp + value(rng) % 3, lo, hi));
    }
    ref::L2Normalization(2, depth, zp, in.data(), out.data());
    for (int r = 0; r < 2; ++r) {
      double norm = 0;
      for (int c = 0; c < depth; ++c) norm += std::pow(static_cast<double>(in[static_cast<size_t>(r * depth + c)]) - zp, 2);
      norm = std::sqrt(norm);
      for (int c = 0; c < depth; ++c) {
        const size_t i = static_cast<size_t>(r * depth + c);
        const double real = norm == 0 ? 0.0 : (static_cast<double>(in[i]) - zp) / norm;
        ASSERT_NEAR(out[i], QuantizeDouble(real, 1.0 / 128, out_zp, lo, hi), 1)
            << "row " << r << " element " << c << " value " << +in[i];
      }
    }
  }
}

TEST(KernelsShapeL2Norm, Int8WithinOneOfFloat64) {
  std::mt19937 rng(43);
  CheckQuantized<int8_t>(rng);
}

TEST(KernelsShapeL2Norm, UInt8WithinOneOfFloat64) {
  std::mt19937 rng(44);
  CheckQuantized<uint8_t>(rng);
}

}  // namespace
}  // namespace edgeforge
