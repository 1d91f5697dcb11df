// CONV_2D and DEPTHWISE_CONV_2D reference kernels against (1) an independent float64
// computation — dequantize, convolve in double, requantize: at most 1 apart — and (2) DESIGN.md's
// formulas written out again in the test: identical. Odd sizes, strides 1 and 2, SAME and VALID,
// dilation, groups, depth multipliers, extreme zero points, per-channel scales spread over
// orders of magnitude, every fused activation, with and without bias.
#include <cmath>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/reference/conv.h"
#include "kernels/reference/depthwise_conv.h"
#include "kernels/reference/fixed_point.h"
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
using testing::numeric::TfPadding;

FusedActivation ToFused(Act a) {
  switch (a) {
    case Act::kNone: return FusedActivation::kNone;
    case Act::kRelu: return FusedActivation::kRelu;
    case Act::kReluN1To1: return FusedActivation::kReluN1To1;
    case Act::kRelu6: return FusedActivation::kRelu6;
  }
  return FusedActivation::kNone;
}

const char* ActName(Act a) {
  switch (a) {
    case Act::kNone: return "NONE";
    case Act::kRelu: return "RELU";
    case Act::kReluN1To1: return "RELU_N1_TO_1";
    case Act::kRelu6: return "RELU6";
  }
  return "?";
}

// One convolution problem. For depthwise, out_c = in_c * depth_multiplier and groups is unused.
struct Case {
  int batches = 1, in_h = 7, in_w = 9, in_c = 3, out_c = 5;
  int k_h = 3, k_w = 3, stride_h = 1, stride_w = 1, dil_h = 1, dil_w = 1;
  bool same = true;
  Act act = Act::kNone;
  int zx = 0, zw = 0, zo = 0;
  bool per_channel = false;
  bool with_bias = true;
  int groups = 1;
  int depth_multiplier = 1;
  // Powers of two for every scale, so that acc * scale often lands exactly on .5: the rounding
  // rule (ties to even vs away from zero) must then be the runtime's.
  bool tie_scales = false;
};

std::string Describe(const Case& c) {
  std::ostringstream os;
  os << "batches=" << c.batches << " in=" << c.in_h << "x" << c.in_w << "x" << c.in_c
     << " out_c=" << c.out_c << " k=" << c.k_h << "x" << c.k_w << " stride=" << c.stride_h << ","
     << c.stride_w << " dilation=" << c.dil_h << "," << c.dil_w
     << (c.same ? " SAME" : " VALID") << " act=" << ActName(c.act) << " zx=" << c.zx
     << " zw=" << c.zw << " zo=" << c.zo << (c.per_channel ? " per-channel" : " per-tensor")
     << (c.with_bias ? " bias" : " no-bias") << " groups=" << c.groups
     << " depth_multiplier=" << c.depth_multiplier << (c.tie_scales ? " tie-scales" : "");
  return os.str();
}

// Everything a quantized run needs, generated from a Case.
template <typename T>
struct Problem {
  Shape input_shape, filter_shape, output_shape;
  std::vector<T> input, filter;
  std::vector<int32_t> bias;
  float s_in = 0.0f, s_out = 0.0f;
  std::vector<float> s_w;  // per output channel
  int pad_top = 0, pad_left = 0;
  // Integer accumulators (bias included) and exact real results (before activation).
  std::vector<int64_t> acc;
  std::vector<double> real;
};

// Walks every output element and its in-bounds taps, TF's rule, written independently of the
// kernels: tap(out_index, oc, input_index, filter_index).
template <typename Tap>
void WalkConv(const Case& c, bool depthwise, int out_h, int out_w, int pad_top, int pad_left,
              Tap&& tap) {
  int64_t out_index = 0;
  for (int b = 0; b < c.batches; ++b) {
    for (int oy = 0; oy < out_h; ++oy) {
      for (int ox = 0; ox < out_w; ++ox) {
        for (int oc = 0; oc < c.out_c; ++oc, ++out_index) {
          for (int ky = 0; ky < c.k_h; ++ky) {
            for (int kx = 0; kx < c.k_w; ++kx) {
              const int iy = oy * c.stride_h - pad_top + ky * c.dil_h;
              const int ix = ox * c.stride_w - pad_left + kx * c.dil_w;
              if (iy < 0 || iy >= c.in_h || ix < 0 || ix >= c.in_w) continue;
              const int64_t pixel = ((static_cast<int64_t>(b) * c.in_h + iy) * c.in_w + ix) * c.in_c;
              if (depthwise) {
                const int ic = oc / c.depth_multiplier;
                tap(out_index, oc, pixel + ic, (static_cast<int64_t>(ky) * c.k_w + kx) * c.out_c + oc);
              } else {
                const int filter_in_c = c.in_c / c.groups;
                const int group = oc / (c.out_c / c.groups);
                for (int ic = 0; ic < filter_in_c; ++ic) {
                  tap(out_index, oc, pixel + group * filter_in_c + ic,
                      ((static_cast<int64_t>(oc) * c.k_h + ky) * c.k_w + kx) * filter_in_c + ic);
                }
              }
            }
          }
        }
      }
    }
  }
}

template <typename T>
Problem<T> MakeProblem(const Case& c, bool depthwise, std::mt19937& rng) {
  Problem<T> p;
  const auto ph = TfPadding(c.same, c.in_h, c.k_h, c.stride_h, c.dil_h);
  const auto pw = TfPadding(c.same, c.in_w, c.k_w, c.stride_w, c.dil_w);
  p.pad_top = ph.before;
  p.pad_left = pw.before;
  p.input_shape = {c.batches, c.in_h, c.in_w, c.in_c};
  p.filter_shape = depthwise ? Shape{1, c.k_h, c.k_w, c.out_c}
                             : Shape{c.out_c, c.k_h, c.k_w, c.in_c / c.groups};
  p.output_shape = {c.batches, ph.out, pw.out, c.out_c};
  p.input = RandomValues<T>(rng, static_cast<size_t>(NumElements(p.input_shape)));
  // int8 weights are symmetric: [-127, 127].
  const size_t filter_size = static_cast<size_t>(NumElements(p.filter_shape));
  p.filter = std::is_signed_v<T> ? RandomValues<T>(rng, filter_size, -127, 127)
                                 : RandomValues<T>(rng, filter_size);
  std::uniform_real_distribution<double> exponent(-4.0, -1.0);
  p.s_in = static_cast<float>(std::pow(10.0, std::uniform_real_distribution<double>(-2.5, -1.0)(rng)));
  const float per_tensor = static_cast<float>(std::pow(10.0, exponent(rng)));
  for (int oc = 0; oc < c.out_c; ++oc) {
    p.s_w.push_back(c.per_channel ? static_cast<float>(std::pow(10.0, exponent(rng))) : per_tensor);
  }
  if (c.tie_scales) {
    p.s_in = 1.0f / 64.0f;
    for (int oc = 0; oc < c.out_c; ++oc) {
      p.s_w[static_cast<size_t>(oc)] = std::ldexp(1.0f, -(5 + (c.per_channel ? oc % 3 : 0)));
    }
  }
  if (c.with_bias) p.bias = RandomValues<int32_t>(rng, static_cast<size_t>(c.out_c), -30000, 30000);

  const size_t outputs = static_cast<size_t>(NumElements(p.output_shape));
  p.acc.assign(outputs, 0);
  p.real.assign(outputs, 0.0);
  for (size_t i = 0; i < outputs; ++i) {
    const int oc = static_cast<int>(i % static_cast<size_t>(c.out_c));
    if (c.with_bias) {
      p.acc[i] = p.bias[static_cast<size_t>(oc)];
      p.real[i] = static_cast<double>(p.s_in) * p.s_w[static_cast<size_t>(oc)] * p.bias[static_cast<size_t>(oc)];
    }
  }
  WalkConv(c, depthwise, ph.out, pw.out, p.pad_top, p.pad_left,
           [&](int64_t o, int oc, int64_t in_i, int64_t f_i) {
             const int dx = static_cast<int>(p.input[static_cast<size_t>(in_i)]) - c.zx;
             const int dw = static_cast<int>(p.filter[static_cast<size_t>(f_i)]) - c.zw;
             p.acc[static_cast<size_t>(o)] += static_cast<int64_t>(dx) * dw;
             p.real[static_cast<size_t>(o)] += (static_cast<double>(p.s_in) * dx) *
                                               (static_cast<double>(p.s_w[static_cast<size_t>(oc)]) * dw);
           });
  double max_abs = 0.0;
  for (double r : p.real) max_abs = std::max(max_abs, std::fabs(r));
  // Spread the outputs over ~200 levels so that rounding, not saturation, is what is tested.
  p.s_out = static_cast<float>(max_abs > 0 ? max_abs / 100.0 : 1.0);
  if (c.tie_scales) p.s_out = std::exp2(std::round(std::log2(p.s_out)));
  return p;
}

template <typename T>
void RunQuantizedCase(const Case& c, bool depthwise, bool tflite_scheme, uint32_t seed) {
  SCOPED_TRACE(Describe(c) + (tflite_scheme ? " scheme=tflite" : " scheme=xnnpack") +
               " seed=" + std::to_string(seed));
  std::mt19937 rng(seed);
  Problem<T> p = MakeProblem<T>(c, depthwise, rng);
  constexpr int qmin = std::numeric_limits<T>::min();
  constexpr int qmax = std::numeric_limits<T>::max();

  // The kernel's output stage, through the kernels' public helpers.
  std::vector<float> scales;
  std::vector<QuantizedMultiplier> multipliers;
  LinearQuantization quant;
  quant.input_zero_point = c.zx;
  quant.filter_zero_point = c.zw;
  quant.output.zero_point = c.zo;
  QuantizedRange range;
  if (tflite_scheme) {
    for (float s : p.s_w) {
      multipliers.push_back(QuantizeMultiplier(static_cast<double>(p.s_in) * s / p.s_out));
    }
    quant.output.scheme = OutputStage::Scheme::kTfliteFixedPoint;
    quant.output.multiplier = multipliers.data();
    range = TfliteActivationRange(ToFused(c.act), p.s_out, c.zo, qmin, qmax);
  } else {
    for (float s : p.s_w) scales.push_back(XnnpackRequantizationScale(p.s_in, s, p.s_out));
    quant.output.scheme = OutputStage::Scheme::kXnnpackFloatScale;
    quant.output.scale = scales.data();
    range = XnnpackActivationRange(ToFused(c.act), p.s_out, c.zo, qmin, qmax);
  }
  quant.output.min = range.min;
  quant.output.max = range.max;

  std::vector<T> output(p.acc.size());
  const int32_t* bias = c.with_bias ? p.bias.data() : nullptr;
  if (depthwise) {
    DepthwiseConvParams params;
    params.stride_h = c.stride_h;
    params.stride_w = c.stride_w;
    params.dilation_h = c.dil_h;
    params.dilation_w = c.dil_w;
    params.pad_top = p.pad_top;
    params.pad_left = p.pad_left;
    params.depth_multiplier = c.depth_multiplier;
    if constexpr (std::is_same_v<T, uint8_t>) {
      DepthwiseConvUint8(params, quant, p.input_shape, p.input.data(), p.filter_shape,
                         p.filter.data(), bias, p.output_shape, output.data());
    } else {
      DepthwiseConvPerChannelInt8(params, quant, p.input_shape, p.input.data(), p.filter_shape,
                                  p.filter.data(), bias, p.output_shape, output.data());
    }
  } else {
    ConvParams params;
    params.stride_h = c.stride_h;
    params.stride_w = c.stride_w;
    params.dilation_h = c.dil_h;
    params.dilation_w = c.dil_w;
    params.pad_top = p.pad_top;
    params.pad_left = p.pad_left;
    if constexpr (std::is_same_v<T, uint8_t>) {
      ConvUint8(params, quant, p.input_shape, p.input.data(), p.filter_shape, p.filter.data(),
                bias, p.output_shape, output.data());
    } else {
      ConvPerChannelInt8(params, quant, p.input_shape, p.input.data(), p.filter_shape,
                         p.filter.data(), bias, p.output_shape, output.data());
    }
  }

  int design_lo = 0, design_hi = 0;
  DesignXnnpackClamp(c.act, p.s_out, c.zo, qmin, qmax, &design_lo, &design_hi);
  int mismatches = 0;
  for (size_t i = 0; i < output.size() && mismatches < 5; ++i) {
    const int oc = static_cast<int>(i % static_cast<size_t>(c.out_c));
    const float s_w = p.s_w[static_cast<size_t>(oc)];
    const int got = output[i];
    const int from_double = QuantizeReal(ApplyActivation(p.real[i], c.act), p.s_out, c.zo, qmin, qmax);
    int formula;
    if (tflite_scheme) {
      // TFLite's own kernel: MultiplyByQuantizedMultiplier, clamp zp + round(bound / s).
      const int32_t q = MultiplyByQuantizedMultiplier(
                            static_cast<int32_t>(p.acc[i]),
                            QuantizeMultiplier(static_cast<double>(p.s_in) * s_w / p.s_out)) +
                        c.zo;
      formula = std::min(std::max(q, range.min), range.max);
    } else {
      formula = DesignXnnpackRequantize(p.acc[i], p.s_in, s_w, p.s_out, c.zo, design_lo, design_hi);
    }
    if (got != formula || std::abs(got - from_double) > 1) {
      ++mismatches;
      ADD_FAILURE() << "output " << i << " (channel " << oc << "): kernel " << got
                    << ", formula " << formula << ", float64 " << from_double << " (acc "
                    << p.acc[i] << ", real " << p.real[i] << ")";
    }
  }
}

std::vector<Case> ConvCases() {
  std::vector<Case> cases;
  Case c;
  cases.push_back(c);  // 3x3 SAME stride 1
  c.stride_h = c.stride_w = 2;
  c.same = false;
  c.act = Act::kRelu6;
  cases.push_back(c);  // VALID stride 2
  c = Case{};
  c.same = true;
  c.stride_h = 2;
  c.stride_w = 1;
  c.k_h = 2;
  c.k_w = 3;
  c.in_c = 5;
  c.out_c = 7;
  c.act = Act::kRelu;
  cases.push_back(c);  // even kernel height, SAME with asymmetric padding
  c = Case{};
  c.dil_h = 2;
  c.dil_w = 3;
  c.act = Act::kReluN1To1;
  cases.push_back(c);  // dilation, SAME
  c.same = false;
  c.in_h = 11;
  c.in_w = 10;
  cases.push_back(c);  // dilation, VALID
  c = Case{};
  c.k_h = c.k_w = 1;
  c.stride_h = c.stride_w = 2;
  c.in_c = 9;
  c.out_c = 3;
  cases.push_back(c);  // 1x1 stride 2 (pointwise)
  c = Case{};
  c.batches = 2;
  c.in_h = 4;
  c.in_w = 5;
  c.k_h = 5;
  c.k_w = 4;
  c.act = Act::kRelu6;
  cases.push_back(c);  // kernel larger than input with SAME, two batches
  c = Case{};
  c.in_c = 6;
  c.out_c = 4;
  c.groups = 2;
  cases.push_back(c);  // grouped
  return cases;
}

std::vector<Case> DepthwiseCases() {
  std::vector<Case> cases;
  for (Case c : ConvCases()) {
    if (c.groups != 1) continue;
    c.depth_multiplier = 1;
    c.out_c = c.in_c;
    cases.push_back(c);
    c.depth_multiplier = 2;
    c.out_c = c.in_c * 2;
    cases.push_back(c);
  }
  Case c;
  c.in_c = 1;
  c.depth_multiplier = 3;
  c.out_c = 3;
  c.stride_h = c.stride_w = 2;
  cases.push_back(c);
  return cases;
}

struct ZeroPoints {
  int zx, zw, zo;
};

TEST(KernelsNumericConv, Uint8MatchesDesignFormulaAndFloat64) {
  const ZeroPoints zps[] = {{0, 0, 0}, {255, 255, 255}, {128, 131, 0}, {3, 122, 255}, {200, 0, 128}};
  uint32_t seed = 100;
  for (const Case& base : ConvCases()) {
    for (const ZeroPoints& z : zps) {
      Case c = base;
      c.zx = z.zx;
      c.zw = z.zw;
      c.zo = z.zo;
      RunQuantizedCase<uint8_t>(c, /*depthwise=*/false, /*tflite_scheme=*/false, seed++);
      c.tie_scales = true;
      RunQuantizedCase<uint8_t>(c, /*depthwise=*/false, /*tflite_scheme=*/false, seed++);
    }
  }
}

TEST(KernelsNumericConv, Int8PerChannelMatchesDesignFormulaAndFloat64) {
  const ZeroPoints zps[] = {{0, 0, 0}, {-128, 0, -128}, {127, 0, 127}, {-3, 0, 50}};
  uint32_t seed = 200;
  for (const Case& base : ConvCases()) {
    for (const ZeroPoints& z : zps) {
      for (bool per_channel : {true, false}) {
        Case c = base;
        c.zx = z.zx;
        c.zo = z.zo;
        c.per_channel = per_channel;
        RunQuantizedCase<int8_t>(c, /*depthwise=*/false, /*tflite_scheme=*/false, seed++);
        c.tie_scales = true;
        RunQuantizedCase<int8_t>(c, /*depthwise=*/false, /*tflite_scheme=*/false, seed++);
      }
    }
  }
}

TEST(KernelsNumericConv, WithoutBiasTfliteFixedPointScheme) {
  uint32_t seed = 300;
  for (Case c : ConvCases()) {
    c.with_bias = false;
    c.zx = 17;
    c.zw = 140;
    c.zo = 5;
    RunQuantizedCase<uint8_t>(c, false, /*tflite_scheme=*/true, seed++);
    c.tie_scales = true;
    RunQuantizedCase<uint8_t>(c, false, /*tflite_scheme=*/true, seed++);
    c.tie_scales = false;
    c.zx = -100;
    c.zw = 0;
    c.zo = -20;
    c.per_channel = true;
    RunQuantizedCase<int8_t>(c, false, /*tflite_scheme=*/true, seed++);
  }
}

TEST(KernelsNumericConv, RandomShapes) {
  std::mt19937 rng(4242);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int i = 0; i < 60; ++i) {
    Case c;
    c.in_h = pick(1, 9);
    c.in_w = pick(1, 9);
    c.in_c = pick(1, 6);
    c.out_c = pick(1, 6);
    c.k_h = pick(1, 4);
    c.k_w = pick(1, 4);
    c.stride_h = pick(1, 3);
    c.stride_w = pick(1, 3);
    c.dil_h = pick(1, 2);
    c.dil_w = pick(1, 2);
    c.same = pick(0, 1) == 1;
    if (!c.same && ((c.k_h - 1) * c.dil_h + 1 > c.in_h || (c.k_w - 1) * c.dil_w + 1 > c.in_w)) {
      c.same = true;
    }
    c.act = static_cast<Act>(pick(0, 3));
    c.with_bias = pick(0, 3) != 0;
    c.zx = pick(0, 255);
    c.zw = pick(0, 255);
    c.zo = pick(0, 255);
    const bool tflite = !c.with_bias;
    RunQuantizedCase<uint8_t>(c, false, tflite, 1000 + static_cast<uint32_t>(i));
    c.zx -= 128;
    c.zw = 0;
    c.zo -= 128;
    c.per_channel = pick(0, 1) == 1;
    RunQuantizedCase<int8_t>(c, false, tflite, 2000 + static_cast<uint32_t>(i));
    Case d = c;
    d.depth_multiplier = pick(1, 3);
    d.out_c = d.in_c * d.depth_multiplier;
    RunQuantizedCase<int8_t>(d, true, tflite, 3000 + static_cast<uint32_t>(i));
  }
}

TEST(KernelsNumericDepthwiseConv, Uint8MatchesDesignFormulaAndFloat64) {
  const ZeroPoints zps[] = {{0, 0, 0}, {255, 255, 255}, {128, 110, 0}, {5, 250, 200}};
  uint32_t seed = 400;
  for (const Case& base : DepthwiseCases()) {
    for (const ZeroPoints& z : zps) {
      Case c = base;
      c.zx = z.zx;
      c.zw = z.zw;
      c.zo = z.zo;
      RunQuantizedCase<uint8_t>(c, /*depthwise=*/true, /*tflite_scheme=*/false, seed++);
      c.tie_scales = true;
      RunQuantizedCase<uint8_t>(c, /*depthwise=*/true, /*tflite_scheme=*/false, seed++);
    }
  }
}

TEST(KernelsNumericDepthwiseConv, Int8PerChannelMatchesDesignFormulaAndFloat64) {
  const ZeroPoints zps[] = {{0, 0, 0}, {-128, 0, -128}, {127, 0, 127}, {9, 0, -77}};
  uint32_t seed = 500;
  for (const Case& base : DepthwiseCases()) {
    for (const ZeroPoints& z : zps) {
      Case c = base;
      c.zx = z.zx;
      c.zo = z.zo;
      c.per_channel = true;
      RunQuantizedCase<int8_t>(c, /*depthwise=*/true, /*tflite_scheme=*/false, seed++);
      c.tie_scales = true;
      RunQuantizedCase<int8_t>(c, /*depthwise=*/true, /*tflite_scheme=*/false, seed++);
    }
  }
}

TEST(KernelsNumericDepthwiseConv, WithoutBiasTfliteFixedPointScheme) {
  uint32_t seed = 600;
  for (Case c : DepthwiseCases()) {
    c.with_bias = false;
    c.zx = 250;
    c.zw = 7;
    c.zo = 128;
    RunQuantizedCase<uint8_t>(c, true, true, seed++);
    c.tie_scales = true;
    RunQuantizedCase<uint8_t>(c, true, true, seed++);
  }
}

// Float kernels against float64 on the same loops.
void RunFloatCase(const Case& c, bool depthwise, uint32_t seed) {
  SCOPED_TRACE(Describe(c) + " seed=" + std::to_string(seed));
  std::mt19937 rng(seed);
  const auto ph = TfPadding(c.same, c.in_h, c.k_h, c.stride_h, c.dil_h);
  const auto pw = TfPadding(c.same, c.in_w, c.k_w, c.stride_w, c.dil_w);
  const Shape input_shape{c.batches, c.in_h, c.in_w, c.in_c};
  const Shape filter_shape = depthwise ? Shape{1, c.k_h, c.k_w, c.out_c}
                                       : Shape{c.out_c, c.k_h, c.k_w, c.in_c / c.groups};
  const Shape output_shape{c.batches, ph.out, pw.out, c.out_c};
  const auto input = RandomFloats(rng, static_cast<size_t>(NumElements(input_shape)), -2.0f, 2.0f);
  const auto filter = RandomFloats(rng, static_cast<size_t>(NumElements(filter_shape)), -1.0f, 1.0f);
  const auto bias = RandomFloats(rng, static_cast<size_t>(c.out_c), -1.0f, 1.0f);
  std::vector<double> expected(static_cast<size_t>(NumElements(output_shape)), 0.0);
  for (size_t i = 0; i < expected.size(); ++i) {
    if (c.with_bias) expected[i] = bias[i % static_cast<size_t>(c.out_c)];
  }
  WalkConv(c, depthwise, ph.out, pw.out, ph.before, pw.before,
           [&](int64_t o, int, int64_t in_i, int64_t f_i) {
             expected[static_cast<size_t>(o)] += static_cast<double>(input[static_cast<size_t>(in_i)]) *
                                                 filter[static_cast<size_t>(f_i)];
           });
  std::vector<float> output(expected.size());
  const float* b = c.with_bias ? bias.data() : nullptr;
  const FloatRange clamp = FloatActivationRange(ToFused(c.act));
  if (depthwise) {
    DepthwiseConvParams params{c.stride_h, c.stride_w, c.dil_h, c.dil_w, ph.before, pw.before,
                               c.depth_multiplier};
    DepthwiseConvFloat32(params, clamp, input_shape, input.data(), filter_shape, filter.data(), b,
                         output_shape, output.data());
  } else {
    ConvParams params{c.stride_h, c.stride_w, c.dil_h, c.dil_w, ph.before, pw.before};
    ConvFloat32(params, clamp, input_shape, input.data(), filter_shape, filter.data(), b,
                output_shape, output.data());
  }
  for (size_t i = 0; i < output.size(); ++i) {
    ASSERT_NEAR(output[i], ApplyActivation(expected[i], c.act), 1e-4) << "output " << i;
  }
}

TEST(KernelsNumericConv, Float32MatchesFloat64) {
  uint32_t seed = 700;
  for (Case c : ConvCases()) {
    RunFloatCase(c, false, seed++);
    c.with_bias = false;
    RunFloatCase(c, false, seed++);
  }
}

TEST(KernelsNumericDepthwiseConv, Float32MatchesFloat64) {
  uint32_t seed = 800;
  for (Case c : DepthwiseCases()) {
    RunFloatCase(c, true, seed++);
    c.with_bias = false;
    RunFloatCase(c, true, seed++);
  }
}

TEST(KernelsNumericConv, PaddedTapsAddNothingEvenWithZeroPoints) {
  // A 3x3 SAME convolution of an input that is all zero point: every output is the bias alone,
  // borders included (the padding must act like the zero point, not like raw 0).
  const Shape input_shape{1, 3, 3, 1}, filter_shape{1, 3, 3, 1}, output_shape{1, 3, 3, 1};
  const std::vector<uint8_t> input(9, 200);
  const std::vector<uint8_t> filter(9, 77);
  const int32_t bias = 1000;
  const float scale = 0.01f;
  LinearQuantization quant;
  quant.input_zero_point = 200;
  quant.filter_zero_point = 128;
  quant.output.scheme = OutputStage::Scheme::kXnnpackFloatScale;
  quant.output.scale = &scale;
  quant.output.zero_point = 3;
  quant.output.min = 0;
  quant.output.max = 255;
  std::vector<uint8_t> output(9);
  ConvParams params;
  params.pad_top = params.pad_left = 1;
  ConvUint8(params, quant, input_shape, input.data(), filter_shape, filter.data(), &bias,
            output_shape, output.data());
  for (uint8_t v : output) EXPECT_EQ(v, 13);  // lrintf(1000 * 0.01) + 3
}

}  // namespace
}  // namespace edgeforge::kernels::reference
