// Optimized DEPTHWISE_CONV_2D plans (kernels/optimized/dwconv.h) against the reference kernels,
// XNNPACK tester style: random inputs with odd channel counts (so flat chunks and channel
// blocks end mid-pixel), strides, dilation, SAME/VALID padding, batches, extreme zero points,
// per-channel scales over orders of magnitude, both output stages, every ISA this CPU has and
// 1, 2, 3 threads. Quantized results must be identical; float ones within a tolerance that
// grows with the number of taps.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/cpu_features.h"
#include "core/thread_pool.h"
#include "kernels/optimized/dwconv.h"
#include "kernels/reference/depthwise_conv.h"

namespace edgeforge::kernels::optimized {
namespace {

namespace kr = reference;

constexpr core::Isa kAllIsas[] = {core::Isa::kPortable, core::Isa::kAvx2, core::Isa::kAvx512,
                                  core::Isa::kAvx512Vnni, core::Isa::kAmx};

// 64-byte aligned scratch of exactly the requested size (a multiple of 64 or not), so that the
// sanitizer sees overruns.
struct Scratch {
  explicit Scratch(size_t bytes)
      : ptr(bytes == 0 ? nullptr : static_cast<uint8_t*>(std::aligned_alloc(64, (bytes + 63) / 64 * 64))) {}
  ~Scratch() { std::free(ptr); }
  uint8_t* ptr;
};

class DwconvTester {
 public:
  DwconvTester& batches(int v) { batches_ = v; return *this; }
  DwconvTester& input_size(int h, int w) { in_h_ = h; in_w_ = w; return *this; }
  DwconvTester& channels(int v) { channels_ = v; return *this; }
  DwconvTester& kernel(int h, int w) { kh_ = h; kw_ = w; return *this; }
  DwconvTester& stride(int h, int w) { sh_ = h; sw_ = w; return *this; }
  DwconvTester& dilation(int h, int w) { dh_ = h; dw_ = w; return *this; }
  DwconvTester& same_padding(bool v) { same_ = v; return *this; }
  DwconvTester& depth_multiplier(int v) { multiplier_ = v; return *this; }
  DwconvTester& zero_points(int zx, int zw, int zo) { zx_ = zx; zw_ = zw; zo_ = zo; return *this; }
  DwconvTester& activation(kr::FusedActivation v) { act_ = v; return *this; }
  DwconvTester& with_bias(bool v) { with_bias_ = v; return *this; }
  DwconvTester& huge_bias(bool v) { huge_bias_ = v; return *this; }
  DwconvTester& per_channel(bool v) { per_channel_ = v; return *this; }
  DwconvTester& tflite_scheme(bool v) { tflite_scheme_ = v; return *this; }
  DwconvTester& seed(uint32_t v) { seed_ = v; return *this; }

  std::string Describe() const {
    std::ostringstream os;
    os << "batches=" << batches_ << " in=" << in_h_ << "x" << in_w_ << "x" << channels_
       << " k=" << kh_ << "x" << kw_ << " stride=" << sh_ << "," << sw_ << " dilation=" << dh_
       << "," << dw_ << (same_ ? " SAME" : " VALID") << " M=" << multiplier_ << " zx=" << zx_
       << " zw=" << zw_ << " zo=" << zo_ << " act=" << static_cast<int>(act_)
       << (with_bias_ ? (huge_bias_ ? " huge-bias" : " bias") : " no-bias")
       << (per_channel_ ? " per-channel" : " per-tensor")
       << (tflite_scheme_ ? " tflite-scheme" : " xnnpack-scheme") << " seed=" << seed_;
    return os.str();
  }

  template <typename T>
  void TestQuantized() const {
    SCOPED_TRACE(Describe());
    Setup();
    std::mt19937 rng(seed_);
    constexpr bool is_uint8 = std::is_same_v<T, uint8_t>;
    constexpr int qmin = is_uint8 ? 0 : -128, qmax = is_uint8 ? 255 : 127;
    const int out_c = channels_ * multiplier_;
    std::uniform_int_distribution<int> any(qmin, qmax), weight(is_uint8 ? 0 : -127, is_uint8 ? 255 : 127);
    std::vector<T> input(static_cast<size_t>(batches_) * in_h_ * in_w_ * channels_);
    for (T& v : input) v = static_cast<T>(any(rng));
    std::vector<T> filter(static_cast<size_t>(kh_) * kw_ * out_c);
    for (T& v : filter) v = static_cast<T>(weight(rng));
    std::vector<int32_t> bias(static_cast<size_t>(out_c));
    std::uniform_int_distribution<int32_t> bias_dist(huge_bias_ ? -2000000000 : -30000,
                                                     huge_bias_ ? 2000000000 : 30000);
    for (int32_t& b : bias) b = bias_dist(rng);

    // Scales: input 10^[-2.5, -1], weights 10^[-4, -1] per channel (or one), output chosen so
    // that results spread over the 8-bit range (or, with a huge bias, saturate).
    std::uniform_real_distribution<double> exponent(-4.0, -1.0);
    const float s_in = static_cast<float>(std::pow(10.0, std::uniform_real_distribution<double>(-2.5, -1.0)(rng)));
    std::vector<float> s_w(static_cast<size_t>(out_c));
    const float shared = static_cast<float>(std::pow(10.0, exponent(rng)));
    for (float& s : s_w) s = per_channel_ ? static_cast<float>(std::pow(10.0, exponent(rng))) : shared;
    double typical = 0.0;
    for (int c = 0; c < out_c; ++c) {
      typical = std::max(typical, static_cast<double>(s_in) * s_w[static_cast<size_t>(c)] * 128.0 * 64.0 *
                                      std::sqrt(static_cast<double>(kh_ * kw_)));
    }
    // A huge bias comes with requantization scales up to ~200: acc * scale then leaves the
    // int32 range, which the kernels must clamp before converting.
    const float min_s_w = *std::min_element(s_w.begin(), s_w.end());
    const float s_out = static_cast<float>(huge_bias_ ? static_cast<double>(s_in) * min_s_w / 200.0
                                                      : typical / 100.0);

    std::vector<float> scales;
    std::vector<kr::QuantizedMultiplier> multipliers;
    kr::OutputStage stage;
    stage.zero_point = zo_;
    kr::QuantizedRange range;
    if (tflite_scheme_) {
      for (float s : s_w) multipliers.push_back(kr::QuantizeMultiplier(static_cast<double>(s_in) * s / s_out));
      stage.scheme = kr::OutputStage::Scheme::kTfliteFixedPoint;
      stage.multiplier = multipliers.data();
      range = kr::TfliteActivationRange(act_, s_out, zo_, qmin, qmax);
    } else {
      for (float s : s_w) scales.push_back(std::min(kr::XnnpackRequantizationScale(s_in, s, s_out), 255.0f));
      stage.scheme = kr::OutputStage::Scheme::kXnnpackFloatScale;
      stage.scale = scales.data();
      range = kr::XnnpackActivationRange(act_, s_out, zo_, qmin, qmax);
    }
    stage.min = range.min;
    stage.max = range.max;

    kr::DepthwiseConvParams params;
    params.stride_h = sh_;
    params.stride_w = sw_;
    params.dilation_h = dh_;
    params.dilation_w = dw_;
    params.pad_top = pad_top_;
    params.pad_left = pad_left_;
    params.depth_multiplier = multiplier_;
    kr::LinearQuantization quant;
    quant.input_zero_point = zx_;
    quant.filter_zero_point = zw_;
    quant.output = stage;
    const Shape in_shape{batches_, in_h_, in_w_, channels_};
    const Shape filter_shape{1, kh_, kw_, out_c};
    const Shape out_shape{batches_, out_h_, out_w_, out_c};
    std::vector<T> expected(static_cast<size_t>(NumElements(out_shape)));
    const int32_t* bias_ptr = with_bias_ ? bias.data() : nullptr;
    if constexpr (is_uint8) {
      kr::DepthwiseConvUint8(params, quant, in_shape, input.data(), filter_shape, filter.data(),
                             bias_ptr, out_shape, expected.data());
    } else {
      kr::DepthwiseConvPerChannelInt8(params, quant, in_shape, input.data(), filter_shape,
                                      filter.data(), bias_ptr, out_shape, expected.data());
    }

    QuantizedDepthwiseSpec spec;
    spec.geometry = Geometry();
    spec.is_uint8 = is_uint8;
    spec.input_zero_point = zx_;
    spec.filter_zero_point = zw_;
    spec.filter = filter.data();
    spec.bias = bias_ptr;
    spec.output = stage;
    for (core::Isa isa : kAllIsas) {
      if (!core::IsaAvailable(isa)) continue;
      for (int threads : {1, 2, 3}) {
        auto plan = QuantizedDepthwiseConv::Create(spec, isa, threads);
        SCOPED_TRACE(std::string("isa=") + core::IsaName(isa) + " threads=" +
                     std::to_string(threads) + " kernel=" + plan->name());
        core::ThreadPool pool(threads);
        Scratch scratch(plan->scratch_bytes());
        std::vector<T> got(expected.size(), T{0x55});
        plan->Run(input.data(), got.data(), scratch.ptr, pool);
        int mismatches = 0;
        for (size_t i = 0; i < got.size() && mismatches < 5; ++i) {
          if (got[i] != expected[i]) {
            ++mismatches;
            ADD_FAILURE() << "output " << i << " (channel " << i % static_cast<size_t>(out_c)
                          << "): got " << static_cast<int>(got[i]) << ", reference "
                          << static_cast<int>(expected[i]);
          }
        }
        if (mismatches > 0) return;
      }
    }
  }

  void TestFloat() const {
    SCOPED_TRACE(Describe());
    Setup();
    std::mt19937 rng(seed_);
    const int out_c = channels_ * multiplier_;
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    std::vector<float> input(static_cast<size_t>(batches_) * in_h_ * in_w_ * channels_);
    for (float& v : input) v = dist(rng);
    std::vector<float> filter(static_cast<size_t>(kh_) * kw_ * out_c);
    for (float& v : filter) v = dist(rng);
    std::vector<float> bias(static_cast<size_t>(out_c));
    for (float& v : bias) v = dist(rng);
    const kr::FloatRange clamp = kr::FloatActivationRange(act_);
    kr::DepthwiseConvParams params;
    params.stride_h = sh_;
    params.stride_w = sw_;
    params.dilation_h = dh_;
    params.dilation_w = dw_;
    params.pad_top = pad_top_;
    params.pad_left = pad_left_;
    params.depth_multiplier = multiplier_;
    const Shape in_shape{batches_, in_h_, in_w_, channels_};
    const Shape filter_shape{1, kh_, kw_, out_c};
    const Shape out_shape{batches_, out_h_, out_w_, out_c};
    std::vector<float> expected(static_cast<size_t>(NumElements(out_shape)));
    const float* bias_ptr = with_bias_ ? bias.data() : nullptr;
    kr::DepthwiseConvFloat32(params, clamp, in_shape, input.data(), filter_shape, filter.data(),
                             bias_ptr, out_shape, expected.data());
    // |x|, |w|, |b| <= 1: the sum of |terms| is at most taps + 1.
    const float tolerance = 4e-7f * static_cast<float>(kh_ * kw_ + 1);

    FloatDepthwiseSpec spec;
    spec.geometry = Geometry();
    spec.filter = filter.data();
    spec.bias = bias_ptr;
    spec.clamp = clamp;
    for (core::Isa isa : kAllIsas) {
      if (!core::IsaAvailable(isa)) continue;
      for (int threads : {1, 2, 3}) {
        auto plan = FloatDepthwiseConv::Create(spec, isa, threads);
        SCOPED_TRACE(std::string("isa=") + core::IsaName(isa) + " threads=" +
                     std::to_string(threads) + " kernel=" + plan->name());
        core::ThreadPool pool(threads);
        Scratch scratch(plan->scratch_bytes());
        std::vector<float> got(expected.size(), 12345.0f);
        plan->Run(input.data(), got.data(), scratch.ptr, pool);
        int mismatches = 0;
        for (size_t i = 0; i < got.size() && mismatches < 5; ++i) {
          if (!(std::fabs(got[i] - expected[i]) <= tolerance)) {
            ++mismatches;
            ADD_FAILURE() << "output " << i << ": got " << got[i] << ", reference " << expected[i];
          }
        }
        if (mismatches > 0) return;
      }
    }
  }

 private:
  void Setup() const {
    auto pad = [&](int in, int k, int s, int d, int* out, int* before) {
      const int effective = (k - 1) * d + 1;
      if (same_) {
        *out = (in + s - 1) / s;
        *before = std::max((*out - 1) * s + effective - in, 0) / 2;
      } else {
        *out = in >= effective ? (in - effective) / s + 1 : 0;
        *before = 0;
      }
    };
    pad(in_h_, kh_, sh_, dh_, &out_h_, &pad_top_);
    pad(in_w_, kw_, sw_, dw_, &out_w_, &pad_left_);
    ASSERT_GT(out_h_, 0);
    ASSERT_GT(out_w_, 0);
  }

  DepthwiseGeometry Geometry() const {
    DepthwiseGeometry g;
    g.batches = batches_;
    g.in_h = in_h_;
    g.in_w = in_w_;
    g.channels = channels_;
    g.kernel_h = kh_;
    g.kernel_w = kw_;
    g.out_h = out_h_;
    g.out_w = out_w_;
    g.stride_h = sh_;
    g.stride_w = sw_;
    g.dilation_h = dh_;
    g.dilation_w = dw_;
    g.pad_top = pad_top_;
    g.pad_left = pad_left_;
    g.depth_multiplier = multiplier_;
    return g;
  }

  int batches_ = 1, in_h_ = 7, in_w_ = 9, channels_ = 19;
  int kh_ = 3, kw_ = 3, sh_ = 1, sw_ = 1, dh_ = 1, dw_ = 1;
  bool same_ = true;
  int multiplier_ = 1;
  int zx_ = 3, zw_ = 0, zo_ = -5;
  kr::FusedActivation act_ = kr::FusedActivation::kNone;
  bool with_bias_ = true, huge_bias_ = false, per_channel_ = true, tflite_scheme_ = false;
  uint32_t seed_ = 1;
  mutable int out_h_ = 0, out_w_ = 0, pad_top_ = 0, pad_left_ = 0;
};

// MobileNet-like shapes and the awkward ones.
std::vector<DwconvTester> Int8Cases() {
  std::vector<DwconvTester> cases;
  uint32_t seed = 100;
  for (int channels : {1, 3, 16, 19, 32, 48, 64, 80, 96, 144}) {
    for (int stride : {1, 2}) {
      cases.push_back(DwconvTester().channels(channels).input_size(9, 11).stride(stride, stride).seed(seed++));
    }
  }
  cases.push_back(DwconvTester().kernel(5, 5).channels(40).input_size(12, 13).seed(seed++));
  cases.push_back(DwconvTester().kernel(5, 5).channels(21).stride(2, 2).input_size(12, 13).seed(seed++));
  cases.push_back(DwconvTester().kernel(7, 7).channels(24).input_size(10, 10).seed(seed++));
  cases.push_back(DwconvTester().kernel(1, 6).channels(17).input_size(5, 12).seed(seed++));
  cases.push_back(DwconvTester().kernel(2, 3).stride(2, 1).channels(33).seed(seed++));
  cases.push_back(DwconvTester().kernel(3, 3).stride(1, 3).channels(35).input_size(8, 17).seed(seed++));
  cases.push_back(DwconvTester().dilation(2, 3).channels(29).input_size(11, 12).seed(seed++));
  cases.push_back(DwconvTester().dilation(2, 2).stride(2, 2).channels(64).input_size(11, 12).seed(seed++));
  cases.push_back(DwconvTester().same_padding(false).stride(2, 2).channels(24).input_size(12, 12).seed(seed++));
  cases.push_back(DwconvTester().same_padding(false).channels(50).input_size(3, 3).seed(seed++));
  cases.push_back(DwconvTester().kernel(5, 4).batches(2).input_size(4, 5).channels(26).seed(seed++));
  cases.push_back(DwconvTester().batches(3).input_size(7, 7).channels(64).seed(seed++));
  cases.push_back(DwconvTester().input_size(2, 2).channels(200).seed(seed++));
  cases.push_back(DwconvTester().input_size(1, 1).channels(7).seed(seed++));
  cases.push_back(DwconvTester().depth_multiplier(3).channels(5).seed(seed++));
  cases.push_back(DwconvTester().zero_points(-128, 0, 127).activation(kr::FusedActivation::kRelu6).seed(seed++));
  cases.push_back(DwconvTester().zero_points(127, 0, -128).activation(kr::FusedActivation::kRelu).channels(48).seed(seed++));
  cases.push_back(DwconvTester().zero_points(0, 0, 0).activation(kr::FusedActivation::kReluN1To1).seed(seed++));
  cases.push_back(DwconvTester().per_channel(false).with_bias(false).channels(40).seed(seed++));
  cases.push_back(DwconvTester().huge_bias(true).channels(67).seed(seed++));
  cases.push_back(DwconvTester().tflite_scheme(true).channels(23).seed(seed++));
  cases.push_back(DwconvTester().tflite_scheme(true).stride(2, 2).depth_multiplier(2).channels(9).seed(seed++));
  return cases;
}

TEST(KernelsDwDwconv, Int8MatchesReference) {
  for (const DwconvTester& t : Int8Cases()) t.TestQuantized<int8_t>();
}

TEST(KernelsDwDwconv, Uint8MatchesReference) {
  uint32_t seed = 500;
  for (DwconvTester t : Int8Cases()) {
    t.zero_points(128 + static_cast<int>(seed % 7), 0, 120).seed(seed);
    ++seed;
    t.TestQuantized<uint8_t>();
  }
  // Legacy per-tensor weights with extreme zero points: w - z_w spans [-255, 255].
  for (int zw : {0, 1, 127, 128, 200, 255}) {
    for (int zx : {0, 255}) {
      DwconvTester().per_channel(false).zero_points(zx, zw, 255 - zx).channels(37).stride(1 + zw % 2, 1 + zw % 2)
          .seed(seed++).TestQuantized<uint8_t>();
    }
  }
  DwconvTester().per_channel(false).zero_points(0, 255, 0).activation(kr::FusedActivation::kRelu6)
      .kernel(5, 5).channels(32).seed(seed++).TestQuantized<uint8_t>();
  DwconvTester().per_channel(false).zero_points(130, 128, 0).huge_bias(true).channels(96)
      .seed(seed++).TestQuantized<uint8_t>();
}

TEST(KernelsDwDwconv, Float32WithinTolerance) {
  uint32_t seed = 900;
  for (DwconvTester t : Int8Cases()) t.seed(seed++).TestFloat();
  DwconvTester().activation(kr::FusedActivation::kRelu6).channels(31).seed(seed++).TestFloat();
  // The sliding 3x3 / 5x5 kernels: rows wide enough for full tiles plus checked border tiles
  // and single-column tails, row counts that leave partial row groups, both loop orders
  // (channel blocks inner at stride 2 and for layers larger than L2), partial channel blocks.
  for (int k : {3, 5}) {
    for (int stride : {1, 2}) {
      for (bool same : {true, false}) {
        DwconvTester().kernel(k, k).stride(stride, stride).same_padding(same).input_size(13, 23)
            .channels(37).activation(kr::FusedActivation::kRelu6).seed(seed++).TestFloat();
        DwconvTester().kernel(k, k).stride(stride, stride).same_padding(same).input_size(6, 5)
            .batches(2).channels(16).seed(seed++).TestFloat();
      }
      DwconvTester().kernel(k, k).stride(stride, stride).input_size(190, 100).channels(35)
          .seed(seed++).TestFloat();
    }
  }
}

}  // namespace
}  // namespace edgeforge::kernels::optimized
