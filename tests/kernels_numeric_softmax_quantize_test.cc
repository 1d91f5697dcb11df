// SOFTMAX, QUANTIZE and DEQUANTIZE reference kernels against float64 and against the
// runtime's formulas written out in the test.
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/reference/fixed_point.h"
#include "kernels/reference/quantize.h"
#include "kernels/reference/softmax.h"
#include "kernels_numeric_util.h"

namespace edgeforge::kernels::reference {
namespace {

using testing::numeric::QuantizeReal;
using testing::numeric::RandomFloats;
using testing::numeric::RandomValues;

TEST(KernelsNumericSoftmax, Float32) {
  std::mt19937 rng(1);
  for (float beta : {1.0f, 0.5f, 2.0f}) {
    for (int depth : {1, 10, 1001}) {
      SCOPED_TRACE(::testing::Message() << "beta " << beta << " depth " << depth);
      const int outer = 3;
      const auto input = RandomFloats(rng, static_cast<size_t>(outer * depth), -10.0f, 10.0f);
      std::vector<float> out(input.size());
      SoftmaxFloat32({outer, depth}, beta, input.data(), out.data());
      for (int r = 0; r < outer; ++r) {
        double max = -1e30, sum = 0.0;
        for (int i = 0; i < depth; ++i) max = std::max(max, double{input[r * depth + i]});
        for (int i = 0; i < depth; ++i) sum += std::exp((input[r * depth + i] - max) * beta);
        for (int i = 0; i < depth; ++i) {
          EXPECT_NEAR(out[r * depth + i], std::exp((input[r * depth + i] - max) * beta) / sum, 1e-6);
        }
      }
    }
  }
}

template <typename T>
void RunQuantizedSoftmax(float s_in, float beta, int depth, uint32_t seed) {
  SCOPED_TRACE(::testing::Message() << "s_in " << s_in << " beta " << beta << " depth " << depth
                                    << " seed " << seed);
  std::mt19937 rng(seed);
  constexpr bool is_int8 = std::is_same_v<T, int8_t>;
  const int z_out = is_int8 ? -128 : 0;
  const float s_out = 1.0f / 256.0f;
  const int outer = 4;
  const auto input = RandomValues<T>(rng, static_cast<size_t>(outer * depth));
  SoftmaxLookupTable lut;
  PopulateSoftmaxLookupTable(s_in, beta, s_out, z_out, &lut);
  std::vector<T> out(input.size());
  if constexpr (is_int8) {
    SoftmaxInt8({outer, depth}, lut, input.data(), out.data());
  } else {
    SoftmaxUint8({outer, depth}, lut, input.data(), out.data());
  }
  // DESIGN.md: table[255 - v] = expf(f32(-s_in * beta) * v); t(x) = table[255 - max + x].
  float table[256];
  const float neg_scale = -s_in * beta;
  for (int v = 0; v <= 255; ++v) table[255 - v] = std::exp(neg_scale * static_cast<float>(v));
  for (int r = 0; r < outer; ++r) {
    const T* row = input.data() + r * depth;
    int max = std::numeric_limits<T>::min();
    for (int i = 0; i < depth; ++i) max = std::max(max, static_cast<int>(row[i]));
    float sum = 0.0f;
    for (int i = 0; i < depth; ++i) sum += table[255 - max + row[i]];
    const float inv = 1.0f / (sum * s_out);
    double real_sum = 0.0;
    for (int i = 0; i < depth; ++i) real_sum += std::exp(double{s_in} * beta * (row[i] - max));
    for (int i = 0; i < depth; ++i) {
      const float e = table[255 - max + row[i]];
      int formula = is_int8 ? static_cast<int>(std::round(e * inv)) + z_out
                            : static_cast<int>(e * inv + 0.5f) + z_out;
      formula = std::min(std::max(formula, int{std::numeric_limits<T>::min()}),
                         int{std::numeric_limits<T>::max()});
      const double p = std::exp(double{s_in} * beta * (row[i] - max)) / real_sum;
      const int from_double = QuantizeReal(p, s_out, z_out, std::numeric_limits<T>::min(),
                                           std::numeric_limits<T>::max());
      ASSERT_EQ(out[r * depth + i], formula) << "row " << r << " element " << i;
      ASSERT_LE(std::abs(out[r * depth + i] - from_double), 1) << "row " << r << " element " << i;
    }
  }
}

TEST(KernelsNumericSoftmax, QuantizedMatchesLookupTableFormula) {
  uint32_t seed = 1;
  for (float s_in : {0.0625f, 0.1f, 0.02f, 0.35f}) {
    for (float beta : {1.0f, 0.7f}) {
      for (int depth : {1, 2, 10, 1001}) {
        RunQuantizedSoftmax<uint8_t>(s_in, beta, depth, seed++);
        RunQuantizedSoftmax<int8_t>(s_in, beta, depth, seed++);
      }
    }
  }
}

TEST(KernelsNumericSoftmax, Uint8AllEqualInputsGiveUniform) {
  SoftmaxLookupTable lut;
  PopulateSoftmaxLookupTable(0.1f, 1.0f, 1.0f / 256.0f, 0, &lut);
  const std::vector<uint8_t> input(4, 77);
  std::vector<uint8_t> out(4);
  SoftmaxUint8({1, 4}, lut, input.data(), out.data());
  for (uint8_t v : out) EXPECT_EQ(v, 64);
  // A single element is certain: 256 clamps to 255.
  SoftmaxUint8({1, 1}, lut, input.data(), out.data());
  EXPECT_EQ(out[0], 255);
}

// --- QUANTIZE -----------------------------------------------------------------------------

TEST(KernelsNumericQuantize, FloatToInt8MultipliesByTheReciprocalAndRoundsToEven) {
  // x = 1.25, scale 0.5: x * 2 = 2.5 -> 2 (ties to even); TFLite's round(x / s) would give 3.
  const float input[] = {1.25f, 1.75f, -1.25f, 1000.0f, -1000.0f, 0.0f, std::nanf("")};
  int8_t out[7];
  QuantizeFloat32ToInt8(7, MakeAffineQuantizeParams(0.5f, 1), input, out);
  EXPECT_EQ(out[0], 3);    // 2 + 1
  EXPECT_EQ(out[1], 5);    // 4 + 1
  EXPECT_EQ(out[2], -1);   // -2 + 1
  EXPECT_EQ(out[3], 127);
  EXPECT_EQ(out[4], -128);
  EXPECT_EQ(out[5], 1);
  EXPECT_EQ(out[6], -128);  // NaN: the lower clamp, as XNNPACK's max/min do
}

template <typename T>
void RunFloatQuantize(float scale, int zp, uint32_t seed) {
  SCOPED_TRACE(::testing::Message() << "scale " << scale << " zp " << zp << " seed " << seed);
  std::mt19937 rng(seed);
  constexpr int qmin = std::numeric_limits<T>::min();
  constexpr int qmax = std::numeric_limits<T>::max();
  auto input = RandomFloats(rng, 2000, -300.0f * scale, 300.0f * scale);
  // Exact ties too: (k + 0.5) * scale for a power-of-two scale.
  for (int k = -20; k < 20; ++k) input.push_back((static_cast<float>(k) + 0.5f) * scale);
  std::vector<T> out(input.size());
  const AffineQuantizeParams params = MakeAffineQuantizeParams(scale, zp);
  if constexpr (std::is_same_v<T, int8_t>) {
    QuantizeFloat32ToInt8(static_cast<int64_t>(input.size()), params, input.data(), out.data());
  } else {
    QuantizeFloat32ToUint8(static_cast<int64_t>(input.size()), params, input.data(), out.data());
  }
  const float inv = 1.0f / scale;
  for (size_t i = 0; i < input.size(); ++i) {
    const long formula = std::lrintf(input[i] * inv) + zp;
    const int expected = static_cast<int>(std::min<long>(std::max<long>(formula, qmin), qmax));
    ASSERT_EQ(out[i], expected) << "x=" << input[i];
    ASSERT_LE(std::abs(out[i] - QuantizeReal(input[i], scale, zp, qmin, qmax)), 1);
  }
}

TEST(KernelsNumericQuantize, FloatToInt8AndUint8) {
  RunFloatQuantize<int8_t>(0.0078125f, 0, 1);
  RunFloatQuantize<int8_t>(0.0235f, -128, 2);
  RunFloatQuantize<int8_t>(0.37f, 127, 3);
  RunFloatQuantize<uint8_t>(0.0078125f, 128, 4);
  RunFloatQuantize<uint8_t>(0.0235f, 0, 5);
  RunFloatQuantize<uint8_t>(1.5f, 255, 6);
}

template <typename In, typename Out>
void RunRequantize(float s_in, int z_in, float s_out, int z_out) {  // every input value
  SCOPED_TRACE(::testing::Message() << "s_in " << s_in << " z_in " << z_in << " s_out " << s_out
                                    << " z_out " << z_out);
  constexpr bool same = std::is_same_v<In, Out>;
  constexpr int qmin = std::numeric_limits<Out>::min();
  constexpr int qmax = std::numeric_limits<Out>::max();
  std::vector<In> input;
  for (int v = std::numeric_limits<In>::min(); v <= std::numeric_limits<In>::max(); ++v) {
    input.push_back(static_cast<In>(v));
  }
  const RequantizeParams params = MakeRequantizeParams(s_in, z_in, s_out, z_out, same);
  std::vector<Out> out(input.size());
  const int64_t n = static_cast<int64_t>(input.size());
  if constexpr (std::is_same_v<In, uint8_t> && std::is_same_v<Out, int8_t>) {
    RequantizeUint8ToInt8(n, params, input.data(), out.data());
  } else if constexpr (std::is_same_v<In, int8_t> && std::is_same_v<Out, uint8_t>) {
    RequantizeInt8ToUint8(n, params, input.data(), out.data());
  } else if constexpr (std::is_same_v<In, int8_t>) {
    RequantizeInt8ToInt8(n, params, input.data(), out.data());
  } else {
    RequantizeUint8ToUint8(n, params, input.data(), out.data());
  }
  const float ratio = s_in / s_out;
  const bool xnnpack = same && ratio >= 1.0f / 256.0f && ratio <= 128.0f;
  EXPECT_EQ(params.scheme == RequantizeParams::Scheme::kXnnpackConvert, xnnpack);
  for (size_t i = 0; i < input.size(); ++i) {
    const int x = input[i];
    int formula;
    if (xnnpack) {
      // XNNPACK qs8/qu8 convert: M = lrintf(256 * ratio); (x - z_in) * M + 128, >> 8, + z_out.
      const int m = static_cast<int>(std::lrintf(256.0f * ratio));
      formula = (((x - z_in) * m + 128) >> 8) + z_out;
    } else {
      formula = MultiplyByQuantizedMultiplier(
                    x - z_in, QuantizeMultiplier(static_cast<double>(s_in) / s_out)) +
                z_out;
    }
    formula = std::min(std::max(formula, qmin), qmax);
    ASSERT_EQ(out[i], formula) << "x=" << x;
    // XNNPACK's 8-bit multiplier is only accurate to 1/512 relative; the check against
    // float64 is meaningful for the TFLite scheme and for ratios near 1.
    if (!xnnpack || std::fabs(ratio - 1.0f) < 0.25f) {
      const int from_double = QuantizeReal(static_cast<double>(s_in) * (x - z_in), s_out, z_out, qmin, qmax);
      ASSERT_LE(std::abs(out[i] - from_double), 1) << "x=" << x;
    }
  }
}

TEST(KernelsNumericQuantize, Requantize) {
  // The TF2 model edges: uint8 <-> int8 with the same scale, zero points 128 apart.
  RunRequantize<uint8_t, int8_t>(0.0078125f, 128, 0.0078125f, 0);
  RunRequantize<int8_t, uint8_t>(0.00390625f, -128, 0.00390625f, 0);
  // Scale changes across dtypes.
  RunRequantize<uint8_t, int8_t>(0.0235f, 3, 0.0117f, -100);
  RunRequantize<int8_t, uint8_t>(0.05f, 127, 0.3f, 255);
  // Same dtype: XNNPACK's convert inside [1/256, 128], TFLite's kernel outside.
  RunRequantize<int8_t, int8_t>(0.02f, 5, 0.021f, -7);
  RunRequantize<int8_t, int8_t>(0.02f, -128, 0.5f, 127);
  RunRequantize<uint8_t, uint8_t>(0.5f, 255, 0.45f, 0);
  RunRequantize<uint8_t, uint8_t>(1.0f, 128, 1.0f / 300.0f, 128);  // ratio 300: TFLite
  RunRequantize<int8_t, int8_t>(1e-4f, 0, 1.0f, 0);                 // ratio 1e-4: TFLite
}

// --- DEQUANTIZE ---------------------------------------------------------------------------

TEST(KernelsNumericDequantize, Uint8Int8AreOneFloatRounding) {
  std::vector<uint8_t> u(256);
  std::vector<int8_t> s(256);
  for (int i = 0; i < 256; ++i) {
    u[static_cast<size_t>(i)] = static_cast<uint8_t>(i);
    s[static_cast<size_t>(i)] = static_cast<int8_t>(i - 128);
  }
  std::vector<float> out(256);
  const float scale = 0.0235294122f;
  DequantizeUint8(256, scale, 131, u.data(), out.data());
  for (int i = 0; i < 256; ++i) {
    EXPECT_EQ(out[static_cast<size_t>(i)], static_cast<float>(static_cast<double>(scale) * (i - 131)));
  }
  DequantizeInt8(256, scale, -5, s.data(), out.data());
  for (int i = 0; i < 256; ++i) {
    EXPECT_EQ(out[static_cast<size_t>(i)],
              static_cast<float>(static_cast<double>(scale) * (i - 128 + 5)));
  }
}

TEST(KernelsNumericDequantize, PerChannelInt8) {
  // [2, 3, 2] quantized along dimension 1.
  std::vector<int8_t> input(12);
  for (int i = 0; i < 12; ++i) input[static_cast<size_t>(i)] = static_cast<int8_t>(i * 10 - 60);
  const float scales[] = {0.5f, 0.001f, 3.0f};
  const int32_t zero_points[] = {0, 0, 0};
  std::vector<float> out(12);
  DequantizePerChannelInt8({2, 3, 2}, scales, zero_points, input.data(), out.data());
  for (int i = 0; i < 12; ++i) {
    const int channel = (i / 2) % 3;
    EXPECT_EQ(out[static_cast<size_t>(i)], static_cast<float>(input[static_cast<size_t>(i)]) * scales[channel]);
  }
}

TEST(KernelsNumericDequantize, Float16) {
  const uint16_t input[] = {0x3C00, 0xC000, 0x7BFF, 0x0001, 0x8000, 0x7C00, 0x3555};
  float out[7];
  DequantizeFloat16(7, input, out);
  EXPECT_EQ(out[0], 1.0f);
  EXPECT_EQ(out[1], -2.0f);
  EXPECT_EQ(out[2], 65504.0f);
  EXPECT_EQ(out[3], std::ldexp(1.0f, -24));
  EXPECT_EQ(out[4], 0.0f);
  EXPECT_TRUE(std::signbit(out[4]));
  EXPECT_TRUE(std::isinf(out[5]));
  EXPECT_EQ(out[6], 0.333251953125f);
}

}  // namespace
}  // namespace edgeforge::kernels::reference
