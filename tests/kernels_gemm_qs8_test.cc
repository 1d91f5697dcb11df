// The 8-bit GEMM kernels (kernels/optimized/qs8_*) against the reference CONV_2D and
// FULLY_CONNECTED kernels, XNNPACK-tester style: random problems with odd channel counts, K not
// a multiple of any tile, M and N edges, strides, padding, dilation, extreme zero points,
// per-channel scales over orders of magnitude, both output stages, every kernel this CPU can
// run and 1, 2 and 3 threads. Results must be identical byte for byte.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/cpu_features.h"
#include "core/thread_pool.h"
#include "kernels/optimized/qs8_conv.h"
#include "kernels/reference/activation.h"
#include "kernels/reference/conv.h"
#include "kernels/reference/fixed_point.h"
#include "kernels/reference/fully_connected.h"

namespace edgeforge::kernels::optimized {
namespace {

namespace kr = kernels::reference;

struct Qs8Case {
  int batches = 1, in_h = 5, in_w = 7, in_c = 3, out_c = 5;
  int k_h = 3, k_w = 3, stride_h = 1, stride_w = 1, dil_h = 1, dil_w = 1;
  bool same = true;
  bool is_uint8 = false;
  int zx = 0, zw = 0, zo = 0;
  bool per_channel = true;
  bool with_bias = true;
  bool fixed_point = false;  // TFLite's fixed-point output stage instead of XNNPACK's
  bool huge_bias = false;    // biases near the int32 limits: accumulators wrap
  kr::FusedActivation act = kr::FusedActivation::kNone;
  bool fully_connected = false;

  std::string Describe() const {
    std::ostringstream os;
    os << (fully_connected ? "FC" : "CONV") << (is_uint8 ? " uint8" : " int8") << " batches=" << batches
       << " in=" << in_h << "x" << in_w << "x" << in_c << " out_c=" << out_c << " k=" << k_h << "x" << k_w
       << " stride=" << stride_h << "," << stride_w << " dil=" << dil_h << "," << dil_w
       << (same ? " SAME" : " VALID") << " zx=" << zx << " zw=" << zw << " zo=" << zo
       << (per_channel ? " per-channel" : " per-tensor") << (with_bias ? " bias" : " no-bias")
       << (fixed_point ? " fixed-point" : " float-scale") << (huge_bias ? " huge-bias" : "")
       << " act=" << static_cast<int>(act);
    return os.str();
  }
};

struct Padding1D {
  int out, before;
};
Padding1D TfPadding(bool same, int in, int kernel, int stride, int dilation) {
  const int effective = (kernel - 1) * dilation + 1;
  if (!same) return {(in - effective) / stride + 1, 0};
  const int out = (in + stride - 1) / stride;
  return {out, std::max((out - 1) * stride + effective - in, 0) / 2};
}

// One problem, its reference result, and a runner for any kernel and thread count.
class Qs8ConvTester {
 public:
  Qs8ConvTester(const Qs8Case& c, uint32_t seed) : c_(c) {
    std::mt19937 rng(seed);
    const auto ph = TfPadding(c.same, c.in_h, c.k_h, c.stride_h, c.dil_h);
    const auto pw = TfPadding(c.same, c.in_w, c.k_w, c.stride_w, c.dil_w);
    g_.batches = c.batches;
    g_.in_h = c.in_h, g_.in_w = c.in_w, g_.in_c = c.in_c;
    g_.out_h = ph.out, g_.out_w = pw.out, g_.out_c = c.out_c;
    g_.k_h = c.k_h, g_.k_w = c.k_w;
    g_.stride_h = c.stride_h, g_.stride_w = c.stride_w;
    g_.dilation_h = c.dil_h, g_.dilation_w = c.dil_w;
    g_.pad_top = ph.before, g_.pad_left = pw.before;
    if (c.fully_connected) g_ = FullyConnectedGeometry(c.batches, c.in_c, c.out_c);

    const int lo = c.is_uint8 ? 0 : -128, hi = c.is_uint8 ? 255 : 127;
    std::uniform_int_distribution<int> value(lo, hi);
    input_.resize(static_cast<size_t>(g_.batches) * g_.in_h * g_.in_w * g_.in_c);
    for (auto& v : input_) v = static_cast<uint8_t>(value(rng));
    filter_.resize(static_cast<size_t>(g_.n()) * g_.k());
    std::uniform_int_distribution<int> weight(c.is_uint8 ? 0 : -127, c.is_uint8 ? 255 : 127);
    for (auto& v : filter_) v = static_cast<uint8_t>(weight(rng));
    if (c.with_bias) {
      std::uniform_int_distribution<int32_t> b(c.huge_bias ? std::numeric_limits<int32_t>::min() : -30000,
                                               c.huge_bias ? std::numeric_limits<int32_t>::max() : 30000);
      for (int i = 0; i < c.out_c; ++i) bias_.push_back(b(rng));
    }

    // Scales: per-channel weight scales over three orders of magnitude; the output scale puts
    // typical accumulators a few dozen steps from zero (some channels saturate, some round).
    std::uniform_real_distribution<double> exponent(-4.0, -1.0);
    const float s_in = static_cast<float>(std::pow(10.0, std::uniform_real_distribution<double>(-2.5, -1.0)(rng)));
    const float per_tensor = static_cast<float>(std::pow(10.0, exponent(rng)));
    std::vector<float> s_w;
    for (int i = 0; i < c.out_c; ++i) {
      s_w.push_back(c.per_channel ? static_cast<float>(std::pow(10.0, exponent(rng))) : per_tensor);
    }
    const float s_out = s_in * 3e-3f * std::sqrt(static_cast<float>(g_.k())) * 60.0f;
    const int qmin = lo, qmax = hi;
    quant_.input_zero_point = c.zx;
    quant_.filter_zero_point = c.zw;
    quant_.output.zero_point = c.zo;
    if (!c.fixed_point) {
      for (float s : s_w) scales_.push_back(kr::XnnpackRequantizationScale(s_in, s, s_out));
      const kr::QuantizedRange range = kr::XnnpackActivationRange(c.act, s_out, c.zo, qmin, qmax);
      quant_.output.scheme = kr::OutputStage::Scheme::kXnnpackFloatScale;
      quant_.output.scale = scales_.data();
      quant_.output.min = range.min;
      quant_.output.max = range.max;
    } else {
      for (float s : s_w) {
        multipliers_.push_back(kr::QuantizeMultiplier(static_cast<double>(s_in) * s / s_out));
      }
      const kr::QuantizedRange range = kr::TfliteActivationRange(c.act, s_out, c.zo, qmin, qmax);
      quant_.output.scheme = kr::OutputStage::Scheme::kTfliteFixedPoint;
      quant_.output.multiplier = multipliers_.data();
      quant_.output.min = range.min;
      quant_.output.max = range.max;
    }

    expected_.resize(static_cast<size_t>(g_.m()) * g_.n());
    const int32_t* bias = c.with_bias ? bias_.data() : nullptr;
    if (c.fully_connected) {
      const kr::FullyConnectedShape shape{c.batches, c.in_c, c.out_c};
      if (c.is_uint8) {
        kr::FullyConnectedUint8(shape, quant_, input_.data(), filter_.data(), bias, expected_.data());
      } else {
        kr::FullyConnectedInt8(shape, quant_, reinterpret_cast<const int8_t*>(input_.data()),
                               reinterpret_cast<const int8_t*>(filter_.data()), bias,
                               reinterpret_cast<int8_t*>(expected_.data()));
      }
    } else {
      const kr::ConvParams params{g_.stride_h, g_.stride_w, g_.dilation_h, g_.dilation_w, g_.pad_top, g_.pad_left};
      const Shape in_shape{g_.batches, g_.in_h, g_.in_w, g_.in_c};
      const Shape f_shape{g_.out_c, g_.k_h, g_.k_w, g_.in_c};
      const Shape out_shape{g_.batches, g_.out_h, g_.out_w, g_.out_c};
      if (c.is_uint8) {
        kr::ConvUint8(params, quant_, in_shape, input_.data(), f_shape, filter_.data(), bias, out_shape,
                      expected_.data());
      } else {
        kr::ConvPerChannelInt8(params, quant_, in_shape, reinterpret_cast<const int8_t*>(input_.data()),
                               f_shape, reinterpret_cast<const int8_t*>(filter_.data()), bias, out_shape,
                               reinterpret_cast<int8_t*>(expected_.data()));
      }
    }
  }

  void Test(const Qs8GemmKernel& kernel, int threads) const {
    SCOPED_TRACE(std::string("kernel=") + kernel.name + " threads=" + std::to_string(threads));
    core::ThreadPool pool(threads);
    Qs8Conv conv;
    conv.Prepare(g_, c_.is_uint8, filter_.data(), c_.with_bias ? bias_.data() : nullptr, quant_, kernel,
                 threads);
    GemmAlignedBuffer scratch(conv.scratch_bytes());
    std::vector<uint8_t> got(expected_.size(), 0xA5);
    conv.Run(input_.data(), got.data(), scratch.as<void>(), pool);
    size_t mismatches = 0, first = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      if (got[i] != expected_[i] && mismatches++ == 0) first = i;
    }
    EXPECT_EQ(mismatches, 0u) << "first at output " << first << " (row " << first / g_.n() << ", channel "
                              << first % g_.n() << "): got " << int{got[first]} << ", expected "
                              << int{expected_[first]};
  }

  // Every kernel this CPU can run, with 1, 2 and 3 threads.
  void TestAllKernels() const {
    size_t count = 0;
    const Qs8GemmKernel* kernels = Qs8GemmKernels(&count);
    for (size_t i = 0; i < count; ++i) {
      if (!core::IsaAvailable(kernels[i].isa)) continue;
      for (int threads : {1, 2, 3}) Test(kernels[i], threads);
    }
  }

 private:
  Qs8Case c_;
  ConvGeometry g_;
  std::vector<uint8_t> input_, filter_, expected_;
  std::vector<int32_t> bias_;
  std::vector<float> scales_;
  std::vector<kr::QuantizedMultiplier> multipliers_;
  kr::LinearQuantization quant_;
};

void RunCase(const Qs8Case& c, uint32_t seed) {
  SCOPED_TRACE(c.Describe() + " seed=" + std::to_string(seed));
  Qs8ConvTester(c, seed).TestAllKernels();
}

TEST(KernelsGemmQs8, PointwiseInt8OddSizes) {
  // K not a multiple of 4 or 64, N not a multiple of 16, M not a multiple of any tile.
  const int ks[] = {1, 3, 16, 27, 63, 64, 65, 96, 130};
  const int ns[] = {1, 15, 16, 17, 33, 49, 70};
  uint32_t seed = 100;
  for (int k : ks) {
    for (int n : ns) {
      Qs8Case c;
      c.k_h = c.k_w = 1;
      c.in_h = 3 + seed % 5, c.in_w = 7 + seed % 3;
      c.in_c = k, c.out_c = n;
      c.zx = static_cast<int>(seed % 7) * 40 - 128;
      c.zo = static_cast<int>(seed % 5) * 60 - 128;
      c.act = static_cast<kr::FusedActivation>(seed % 4);
      RunCase(c, seed++);
    }
  }
}

TEST(KernelsGemmQs8, SpatialInt8StridesPaddingDilation) {
  std::mt19937 rng(7);
  for (int i = 0; i < 24; ++i) {
    Qs8Case c;
    c.batches = 1 + i % 2;
    c.in_h = 3 + static_cast<int>(rng() % 9), c.in_w = 3 + static_cast<int>(rng() % 9);
    c.in_c = 1 + static_cast<int>(rng() % 20), c.out_c = 1 + static_cast<int>(rng() % 40);
    c.k_h = 1 + static_cast<int>(rng() % 3), c.k_w = 1 + static_cast<int>(rng() % 3);
    c.stride_h = 1 + static_cast<int>(rng() % 2), c.stride_w = 1 + static_cast<int>(rng() % 2);
    c.dil_h = i % 5 == 0 ? 2 : 1, c.dil_w = i % 7 == 0 ? 2 : 1;
    c.same = i % 3 != 0;
    if (!c.same) {
      c.in_h = std::max(c.in_h, (c.k_h - 1) * c.dil_h + 1);
      c.in_w = std::max(c.in_w, (c.k_w - 1) * c.dil_w + 1);
    }
    c.zx = static_cast<int>(rng() % 256) - 128;
    c.zo = static_cast<int>(rng() % 256) - 128;
    c.act = static_cast<kr::FusedActivation>(i % 4);
    RunCase(c, 200 + static_cast<uint32_t>(i));
  }
}

TEST(KernelsGemmQs8, StemShapesFewInputChannels) {
  // Filter rows of at most 16 bytes take the packers' short-row path; its last pixels read
  // near the end of the input.
  const int shapes[][6] = {// in_h, in_w, in_c, k, stride, same
                           {15, 15, 3, 3, 2, 1}, {9, 9, 3, 3, 1, 0}, {8, 11, 1, 3, 1, 1},
                           {10, 7, 5, 3, 2, 0},  {6, 6, 2, 5, 1, 1}, {12, 13, 4, 2, 2, 1}};
  uint32_t seed = 350;
  for (const auto& shape : shapes) {
    for (bool uint8 : {false, true}) {
      Qs8Case c;
      c.batches = 2;
      c.in_h = shape[0], c.in_w = shape[1], c.in_c = shape[2];
      c.k_h = c.k_w = shape[3];
      c.stride_h = c.stride_w = shape[4];
      c.same = shape[5] != 0;
      c.out_c = 32;
      c.is_uint8 = uint8;
      c.per_channel = !uint8;
      c.zw = uint8 ? 90 : 0;  // uint8: needs the row correction
      c.zx = uint8 ? 200 : -100;
      c.act = kr::FusedActivation::kRelu6;
      RunCase(c, seed++);
    }
  }
}

TEST(KernelsGemmQs8, Int8ExtremeZeroPoints) {
  for (int zx : {-128, 127}) {
    for (int zo : {-128, 127}) {
      Qs8Case c;
      c.in_c = 19, c.out_c = 21, c.stride_h = 2;
      c.zx = zx, c.zo = zo;
      c.act = zo == -128 ? kr::FusedActivation::kRelu6 : kr::FusedActivation::kNone;
      RunCase(c, 300 + static_cast<uint32_t>(zx + zo + 256));
    }
  }
}

TEST(KernelsGemmQs8, Int8PerTensorWithWeightZeroPoint) {
  // int8 per-tensor weights may carry a zero point: w - zw no longer fits in s8 and the kC4
  // kernels take the row-correction path.
  for (int zw : {-128, -3, 0, 5, 127}) {
    Qs8Case c;
    c.per_channel = false;
    c.zw = zw, c.zx = 9, c.zo = -4;
    c.in_c = 37, c.out_c = 18;
    RunCase(c, 400 + static_cast<uint32_t>(zw + 128));
  }
}

TEST(KernelsGemmQs8, Uint8LegacyZeroPoints) {
  // zw = 128 keeps w - zw in s8; anything else far from it needs the row correction.
  for (int zw : {0, 100, 128, 160, 255}) {
    for (int zx : {0, 128, 255}) {
      Qs8Case c;
      c.is_uint8 = true;
      c.per_channel = false;
      c.zw = zw, c.zx = zx, c.zo = (zw + zx) % 256;
      c.in_c = 5 + zw % 23, c.out_c = 3 + zx % 29;
      c.k_h = zx == 128 ? 1 : 3, c.k_w = zx == 128 ? 1 : 3;
      c.stride_w = zw == 160 ? 2 : 1;
      c.act = static_cast<kr::FusedActivation>((zw + zx) % 4);
      RunCase(c, 500 + static_cast<uint32_t>(zw * 3 + zx));
    }
  }
}

TEST(KernelsGemmQs8, PointwiseReadsTheInputInPlace) {
  // K a multiple of 4 (and <= 64 or a multiple of 64) and no +128 shift (uint8 whose weights
  // fit s8, or int8 for kernels taking s8): the kernels read input rows as A, packing only a
  // last block whose row tiles would read past the input.
  for (bool uint8 : {true, false}) {
    for (int k : {4, 32, 64, 128}) {
      for (int rows : {15, 16, 47, 80}) {
        Qs8Case c;
        c.is_uint8 = uint8;
        c.per_channel = !uint8;
        c.zw = uint8 ? 128 : 0;
        c.zx = uint8 ? 77 : -77;
        c.zo = uint8 ? 200 : 10;
        c.k_h = c.k_w = 1;
        c.in_h = 1, c.in_w = rows;
        c.in_c = k, c.out_c = 40;
        RunCase(c, 650 + static_cast<uint32_t>(k + rows) + (uint8 ? 1000u : 0u));
      }
    }
  }
}

TEST(KernelsGemmQs8, FixedPointOutputStageAndNoBias) {
  for (bool uint8 : {false, true}) {
    for (bool with_bias : {false, true}) {
      Qs8Case c;
      c.is_uint8 = uint8;
      c.per_channel = !uint8;
      c.zw = uint8 ? 120 : 0;
      c.zx = uint8 ? 130 : -5;
      c.with_bias = with_bias;
      c.fixed_point = true;
      c.in_c = 22, c.out_c = 35;
      c.act = kr::FusedActivation::kRelu;
      RunCase(c, 600 + (uint8 ? 2u : 0u) + (with_bias ? 1u : 0u));
    }
  }
}

TEST(KernelsGemmQs8, AccumulatorsWrapLikeInt32) {
  for (bool uint8 : {false, true}) {
    Qs8Case c;
    c.is_uint8 = uint8;
    c.per_channel = !uint8;
    c.zw = uint8 ? 7 : 0;
    c.zx = uint8 ? 250 : 100;
    c.huge_bias = true;
    c.in_c = 31, c.out_c = 17;
    RunCase(c, 700 + (uint8 ? 1u : 0u));
  }
}

TEST(KernelsGemmQs8, FullyConnectedGemvAndBatches) {
  const int shapes[][3] = {{1, 1280, 1001}, {1, 7, 3}, {3, 64, 17}, {5, 130, 40}, {33, 20, 33}};
  uint32_t seed = 800;
  for (const auto& s : shapes) {
    for (bool uint8 : {false, true}) {
      Qs8Case c;
      c.fully_connected = true;
      c.batches = s[0], c.in_c = s[1], c.out_c = s[2];
      c.is_uint8 = uint8;
      c.per_channel = !uint8;
      c.zw = uint8 ? 140 : 0;
      c.zx = uint8 ? 3 : -128;
      c.zo = uint8 ? 255 : 0;
      c.with_bias = seed % 3 != 0;
      RunCase(c, seed++);
    }
  }
}

TEST(KernelsGemmQs8, LongKUsesSeveralAmxChunks) {
  Qs8Case c;
  c.k_h = c.k_w = 1;
  c.in_h = 6, c.in_w = 7;  // 42 rows: a partial second row tile
  c.in_c = 300, c.out_c = 50;
  c.zx = -1, c.zo = 3;
  RunCase(c, 900);
}

}  // namespace
}  // namespace edgeforge::kernels::optimized
