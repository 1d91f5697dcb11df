// FULLY_CONNECTED reference kernels against float64 (at most 1 apart) and against the XNNPACK
// formula written out in the test (identical): uint8 with weight zero points, int8 per-tensor
// and per-channel, odd depths, every activation, with and without bias, scales that make ties.
#include <cmath>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/reference/fully_connected.h"
#include "kernels_numeric_util.h"

namespace edgeforge::kernels::reference {
namespace {

using testing::numeric::Act;
using testing::numeric::ApplyActivation;
using testing::numeric::DesignXnnpackClamp;
using testing::numeric::DesignXnnpackRequantize;
using testing::numeric::QuantizeReal;
using testing::numeric::RandomFloats;
using testing::numeric::RandomValues;

struct FcCase {
  int batches = 1, in = 17, out = 5;
  Act act = Act::kNone;
  int zx = 0, zw = 0, zo = 0;
  bool per_channel = false;
  bool with_bias = true;
  bool tie_scales = false;
};

std::string Describe(const FcCase& c) {
  std::ostringstream os;
  os << "batches=" << c.batches << " in=" << c.in << " out=" << c.out
     << " act=" << static_cast<int>(c.act) << " zx=" << c.zx << " zw=" << c.zw << " zo=" << c.zo
     << (c.per_channel ? " per-channel" : " per-tensor") << (c.with_bias ? " bias" : " no-bias")
     << (c.tie_scales ? " tie-scales" : "");
  return os.str();
}

FusedActivation ToFused(Act a) { return static_cast<FusedActivation>(static_cast<int>(a)); }

template <typename T>
void RunCase(const FcCase& c, uint32_t seed) {
  SCOPED_TRACE(Describe(c) + " seed=" + std::to_string(seed));
  std::mt19937 rng(seed);
  constexpr int qmin = std::numeric_limits<T>::min();
  constexpr int qmax = std::numeric_limits<T>::max();
  const auto input = RandomValues<T>(rng, static_cast<size_t>(c.batches * c.in));
  const size_t weight_count = static_cast<size_t>(c.out * c.in);
  const auto weights = std::is_signed_v<T> ? RandomValues<T>(rng, weight_count, -127, 127)
                                           : RandomValues<T>(rng, weight_count);
  const auto bias = RandomValues<int32_t>(rng, static_cast<size_t>(c.out), -50000, 50000);
  std::uniform_real_distribution<double> exponent(-4.0, -1.0);
  float s_in = static_cast<float>(std::pow(10.0, exponent(rng)));
  std::vector<float> s_w;
  const float shared = static_cast<float>(std::pow(10.0, exponent(rng)));
  for (int o = 0; o < c.out; ++o) {
    s_w.push_back(c.per_channel ? static_cast<float>(std::pow(10.0, exponent(rng))) : shared);
  }
  if (c.tie_scales) {
    s_in = 1.0f / 32.0f;
    for (int o = 0; o < c.out; ++o) s_w[static_cast<size_t>(o)] = std::ldexp(1.0f, -(4 + o % 2));
  }

  std::vector<int64_t> acc(static_cast<size_t>(c.batches * c.out));
  std::vector<double> real(acc.size());
  double max_abs = 0.0;
  for (int b = 0; b < c.batches; ++b) {
    for (int o = 0; o < c.out; ++o) {
      const size_t i = static_cast<size_t>(b * c.out + o);
      const double sw = s_w[static_cast<size_t>(o)];
      acc[i] = c.with_bias ? bias[static_cast<size_t>(o)] : 0;
      real[i] = c.with_bias ? static_cast<double>(s_in) * sw * bias[static_cast<size_t>(o)] : 0.0;
      for (int k = 0; k < c.in; ++k) {
        const int dx = input[static_cast<size_t>(b * c.in + k)] - c.zx;
        const int dw = weights[static_cast<size_t>(o * c.in + k)] - c.zw;
        acc[i] += static_cast<int64_t>(dx) * dw;
        real[i] += (static_cast<double>(s_in) * dx) * (sw * dw);
      }
      max_abs = std::max(max_abs, std::fabs(real[i]));
    }
  }
  float s_out = static_cast<float>(max_abs > 0 ? max_abs / 100.0 : 1.0);
  if (c.tie_scales) s_out = std::exp2(std::round(std::log2(s_out)));

  std::vector<float> scales;
  for (float s : s_w) scales.push_back(XnnpackRequantizationScale(s_in, s, s_out));
  LinearQuantization quant;
  quant.input_zero_point = c.zx;
  quant.filter_zero_point = c.zw;
  quant.output.scheme = OutputStage::Scheme::kXnnpackFloatScale;
  quant.output.scale = scales.data();
  quant.output.zero_point = c.zo;
  const QuantizedRange range = XnnpackActivationRange(ToFused(c.act), s_out, c.zo, qmin, qmax);
  quant.output.min = range.min;
  quant.output.max = range.max;

  std::vector<T> output(acc.size());
  const FullyConnectedShape shape{c.batches, c.in, c.out};
  const int32_t* b = c.with_bias ? bias.data() : nullptr;
  if constexpr (std::is_same_v<T, uint8_t>) {
    FullyConnectedUint8(shape, quant, input.data(), weights.data(), b, output.data());
  } else {
    FullyConnectedInt8(shape, quant, input.data(), weights.data(), b, output.data());
  }

  int lo = 0, hi = 0;
  DesignXnnpackClamp(c.act, s_out, c.zo, qmin, qmax, &lo, &hi);
  for (size_t i = 0; i < output.size(); ++i) {
    const int o = static_cast<int>(i % static_cast<size_t>(c.out));
    const int formula = DesignXnnpackRequantize(acc[i], s_in, s_w[static_cast<size_t>(o)], s_out,
                                                c.zo, lo, hi);
    const int from_double = QuantizeReal(ApplyActivation(real[i], c.act), s_out, c.zo, qmin, qmax);
    ASSERT_EQ(output[i], formula) << "output " << i << " acc " << acc[i];
    ASSERT_LE(std::abs(output[i] - from_double), 1) << "output " << i << " real " << real[i];
  }
}

TEST(KernelsNumericFullyConnected, Uint8AgainstFormulaAndFloat64) {
  uint32_t seed = 1;
  for (int batches : {1, 3}) {
    for (int in : {1, 17, 64}) {
      for (Act act : {Act::kNone, Act::kRelu, Act::kReluN1To1, Act::kRelu6}) {
        for (int zw : {0, 128, 255, 119}) {
          for (bool ties : {false, true}) {
            FcCase c;
            c.batches = batches;
            c.in = in;
            c.out = 7;
            c.act = act;
            c.zx = (seed * 37) % 256;
            c.zw = zw;
            c.zo = (seed * 91) % 256;
            c.with_bias = seed % 5 != 0;
            c.tie_scales = ties;
            RunCase<uint8_t>(c, seed++);
          }
        }
      }
    }
  }
}

TEST(KernelsNumericFullyConnected, Int8AgainstFormulaAndFloat64) {
  uint32_t seed = 1000;
  for (int batches : {1, 2}) {
    for (int in : {3, 33, 1280}) {
      for (Act act : {Act::kNone, Act::kRelu6}) {
        for (int zx : {-128, 127, 0, -5}) {
          for (bool per_channel : {false, true}) {
            for (bool ties : {false, true}) {
              FcCase c;
              c.batches = batches;
              c.in = in;
              c.out = 11;
              c.act = act;
              c.zx = zx;
              c.zo = -zx / 2;
              c.per_channel = per_channel;
              c.with_bias = seed % 3 != 0;
              c.tie_scales = ties;
              RunCase<int8_t>(c, seed++);
            }
          }
        }
      }
    }
  }
}

TEST(KernelsNumericFullyConnected, Float32AgainstFloat64) {
  std::mt19937 rng(5);
  const int batches = 3, in = 19, out = 6;
  const auto input = RandomFloats(rng, batches * in, -1.0f, 1.0f);
  const auto weights = RandomFloats(rng, out * in, -1.0f, 1.0f);
  const auto bias = RandomFloats(rng, out, -0.5f, 0.5f);
  for (Act act : {Act::kNone, Act::kRelu, Act::kReluN1To1, Act::kRelu6}) {
    for (bool with_bias : {true, false}) {
      SCOPED_TRACE(::testing::Message() << "act " << static_cast<int>(act) << " bias " << with_bias);
      std::vector<float> output(batches * out);
      FullyConnectedFloat32({batches, in, out}, FloatActivationRange(ToFused(act)), input.data(),
                            weights.data(), with_bias ? bias.data() : nullptr, output.data());
      for (int b = 0; b < batches; ++b) {
        for (int o = 0; o < out; ++o) {
          double expected = with_bias ? bias[o] : 0.0;
          for (int k = 0; k < in; ++k) expected += double{input[b * in + k]} * weights[o * in + k];
          EXPECT_NEAR(output[b * out + o], ApplyActivation(expected, act), 1e-5);
        }
      }
    }
  }
}

}  // namespace
}  // namespace edgeforge::kernels::reference
