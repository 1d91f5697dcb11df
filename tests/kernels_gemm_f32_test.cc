// The float32 GEMM kernels (kernels/optimized/f32_*) against the reference CONV_2D and
// FULLY_CONNECTED kernels: random problems with odd channel counts, K not a multiple of any
// tile, M and N edges, strides, padding, dilation, every fused activation range, every kernel
// this CPU can run and 1, 2 and 3 threads. The kernels sum in the reference's order with one
// FMA per tap, so each output may differ by a few roundings per tap: the tolerance is
// 2 * (K + 1) * FLT_EPSILON * (|bias| + sum |x * w|), the bound of that reordering-free error.
// Results must also be identical for every thread count.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/cpu_features.h"
#include "core/thread_pool.h"
#include "kernels/optimized/f32_conv.h"
#include "kernels/reference/activation.h"
#include "kernels/reference/conv.h"
#include "kernels/reference/fully_connected.h"

namespace edgeforge::kernels::optimized {
namespace {

namespace kr = kernels::reference;

struct F32Case {
  int batches = 1, in_h = 5, in_w = 7, in_c = 3, out_c = 5;
  int k_h = 3, k_w = 3, stride_h = 1, stride_w = 1, dil_h = 1, dil_w = 1;
  bool same = true;
  bool with_bias = true;
  kr::FusedActivation act = kr::FusedActivation::kNone;
  bool fully_connected = false;

  std::string Describe() const {
    std::ostringstream os;
    os << (fully_connected ? "FC" : "CONV") << " batches=" << batches << " in=" << in_h << "x" << in_w << "x"
       << in_c << " out_c=" << out_c << " k=" << k_h << "x" << k_w << " stride=" << stride_h << "," << stride_w
       << " dil=" << dil_h << "," << dil_w << (same ? " SAME" : " VALID") << (with_bias ? " bias" : " no-bias")
       << " act=" << static_cast<int>(act);
    return os.str();
  }
};

int PaddingBefore(bool same, int in, int kernel, int stride, int dilation, int* out) {
  const int effective = (kernel - 1) * dilation + 1;
  if (!same) {
    *out = (in - effective) / stride + 1;
    return 0;
  }
  *out = (in + stride - 1) / stride;
  return std::max((*out - 1) * stride + effective - in, 0) / 2;
}

class F32ConvTester {
 public:
  F32ConvTester(const F32Case& c, uint32_t seed) : c_(c) {
    std::mt19937 rng(seed);
    if (c.fully_connected) {
      g_ = FullyConnectedGeometry(c.batches, c.in_c, c.out_c);
    } else {
      g_.batches = c.batches;
      g_.in_h = c.in_h, g_.in_w = c.in_w, g_.in_c = c.in_c, g_.out_c = c.out_c;
      g_.k_h = c.k_h, g_.k_w = c.k_w;
      g_.stride_h = c.stride_h, g_.stride_w = c.stride_w;
      g_.dilation_h = c.dil_h, g_.dilation_w = c.dil_w;
      g_.pad_top = PaddingBefore(c.same, c.in_h, c.k_h, c.stride_h, c.dil_h, &g_.out_h);
      g_.pad_left = PaddingBefore(c.same, c.in_w, c.k_w, c.stride_w, c.dil_w, &g_.out_w);
    }
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    input_.resize(static_cast<size_t>(g_.batches) * g_.in_h * g_.in_w * g_.in_c);
    filter_.resize(static_cast<size_t>(g_.n()) * g_.k());
    for (auto& v : input_) v = dist(rng);
    for (auto& v : filter_) v = dist(rng);
    if (c.with_bias) {
      for (int i = 0; i < c.out_c; ++i) bias_.push_back(dist(rng));
    }
    clamp_ = kr::FloatActivationRange(c.act);
    expected_ = Reference(input_, filter_, bias_, clamp_);
    // Error bound per output from the same computation on absolute values.
    auto abs_all = [](std::vector<float> v) {
      for (auto& x : v) x = std::fabs(x);
      return v;
    };
    const float inf = std::numeric_limits<float>::infinity();
    magnitude_ = Reference(abs_all(input_), abs_all(filter_), abs_all(bias_), {-inf, inf});
  }

  // Runs one kernel; returns its output.
  std::vector<float> Run(const F32GemmKernel& kernel, int threads) const {
    core::ThreadPool pool(threads);
    F32Conv conv;
    conv.Prepare(g_, filter_.data(), c_.with_bias ? bias_.data() : nullptr, clamp_, kernel, threads);
    GemmAlignedBuffer scratch(conv.scratch_bytes());
    std::vector<float> got(expected_.size(), std::numeric_limits<float>::quiet_NaN());
    conv.Run(input_.data(), got.data(), scratch.as<void>(), pool);
    return got;
  }

  void TestAllKernels() const {
    size_t count = 0;
    const F32GemmKernel* kernels = F32GemmKernels(&count);
    const float tolerance_factor = 2.0f * static_cast<float>(g_.k() + 1) * FLT_EPSILON;
    for (size_t i = 0; i < count; ++i) {
      if (!core::IsaAvailable(kernels[i].isa)) continue;
      std::vector<float> first;
      for (int threads : {1, 2, 3}) {
        SCOPED_TRACE(std::string("kernel=") + kernels[i].name + " threads=" + std::to_string(threads));
        const std::vector<float> got = Run(kernels[i], threads);
        size_t bad = 0, first_bad = 0;
        for (size_t j = 0; j < got.size(); ++j) {
          const float allowed = tolerance_factor * magnitude_[j] + 1e-30f;
          if (!(std::fabs(got[j] - expected_[j]) <= allowed) && bad++ == 0) first_bad = j;
        }
        EXPECT_EQ(bad, 0u) << "first at output " << first_bad << ": got " << got[first_bad] << ", expected "
                           << expected_[first_bad] << " (tolerance "
                           << tolerance_factor * magnitude_[first_bad] << ")";
        if (first.empty()) {
          first = got;
        } else {
          EXPECT_TRUE(std::equal(first.begin(), first.end(), got.begin(),
                                 [](float x, float y) { return std::memcmp(&x, &y, sizeof x) == 0; }))
              << "results depend on the thread count";
        }
      }
    }
  }

 private:
  std::vector<float> Reference(const std::vector<float>& x, const std::vector<float>& w,
                               const std::vector<float>& b, kr::FloatRange clamp) const {
    std::vector<float> out(static_cast<size_t>(g_.m()) * g_.n());
    const float* bias = c_.with_bias ? b.data() : nullptr;
    if (c_.fully_connected) {
      kr::FullyConnectedFloat32({c_.batches, c_.in_c, c_.out_c}, clamp, x.data(), w.data(), bias, out.data());
    } else {
      kr::ConvFloat32({g_.stride_h, g_.stride_w, g_.dilation_h, g_.dilation_w, g_.pad_top, g_.pad_left}, clamp,
                      {g_.batches, g_.in_h, g_.in_w, g_.in_c}, x.data(), {g_.out_c, g_.k_h, g_.k_w, g_.in_c},
                      w.data(), bias, {g_.batches, g_.out_h, g_.out_w, g_.out_c}, out.data());
    }
    return out;
  }

  F32Case c_;
  ConvGeometry g_;
  kr::FloatRange clamp_{0.0f, 0.0f};
  std::vector<float> input_, filter_, bias_, expected_, magnitude_;
};

void RunCase(const F32Case& c, uint32_t seed) {
  SCOPED_TRACE(c.Describe() + " seed=" + std::to_string(seed));
  F32ConvTester(c, seed).TestAllKernels();
}

TEST(KernelsGemmF32, PointwiseOddSizes) {
  const int ks[] = {1, 3, 16, 27, 65, 130};
  const int ns[] = {1, 15, 16, 17, 33, 49, 70};
  uint32_t seed = 1000;
  for (int k : ks) {
    for (int n : ns) {
      F32Case c;
      c.k_h = c.k_w = 1;
      c.in_h = 3 + seed % 5, c.in_w = 7 + seed % 3;
      c.in_c = k, c.out_c = n;
      c.act = static_cast<kr::FusedActivation>(seed % 4);
      c.with_bias = seed % 5 != 0;
      RunCase(c, seed++);
    }
  }
}

TEST(KernelsGemmF32, SpatialStridesPaddingDilation) {
  std::mt19937 rng(17);
  for (int i = 0; i < 20; ++i) {
    F32Case c;
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
    c.act = static_cast<kr::FusedActivation>(i % 4);
    RunCase(c, 1100 + static_cast<uint32_t>(i));
  }
}

TEST(KernelsGemmF32, StemShapesFewInputChannels) {
  const int shapes[][6] = {// in_h, in_w, in_c, k, stride, same
                           {15, 15, 3, 3, 2, 1}, {9, 9, 3, 3, 1, 0}, {8, 11, 1, 3, 1, 1},
                           {10, 7, 5, 3, 2, 0},  {6, 6, 2, 5, 1, 1}, {12, 13, 4, 2, 2, 1}};
  uint32_t seed = 1150;
  for (const auto& shape : shapes) {
    F32Case c;
    c.batches = 2;
    c.in_h = shape[0], c.in_w = shape[1], c.in_c = shape[2];
    c.k_h = c.k_w = shape[3];
    c.stride_h = c.stride_w = shape[4];
    c.same = shape[5] != 0;
    c.out_c = 32;
    c.act = kr::FusedActivation::kRelu6;
    RunCase(c, seed++);
  }
}

TEST(KernelsGemmF32, FullyConnected) {
  const int shapes[][3] = {{1, 1280, 1001}, {1, 7, 3}, {3, 64, 17}, {5, 130, 40}, {33, 20, 33}};
  uint32_t seed = 1200;
  for (const auto& s : shapes) {
    F32Case c;
    c.fully_connected = true;
    c.batches = s[0], c.in_c = s[1], c.out_c = s[2];
    c.with_bias = seed % 2 == 0;
    RunCase(c, seed++);
  }
}

}  // namespace
}  // namespace edgeforge::kernels::optimized
