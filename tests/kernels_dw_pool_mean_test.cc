// Optimized AVERAGE_POOL_2D and MEAN over H, W (kernels/optimized/pool_mean.h) against the
// reference kernels: results must be identical for float32, int8 and uint8 (integer sums are
// exact and float sums run in the reference's order). Windows cut by padding, strides larger
// than the filter, odd channel counts, batches, 1, 2, 3 threads.
#include <cstdint>
#include <cstdlib>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/thread_pool.h"
#include "kernels/optimized/pool_mean.h"
#include "kernels/reference/mean.h"
#include "kernels/reference/pooling.h"

namespace edgeforge::kernels::optimized {
namespace {

namespace kr = reference;

struct PoolCase {
  int batches = 1, in_h = 7, in_w = 7, channels = 13, filter_h = 3, filter_w = 3;
  int stride_h = 1, stride_w = 1;
  bool same = true;
  uint32_t seed = 1;

  std::string Describe() const {
    std::ostringstream os;
    os << "batches=" << batches << " in=" << in_h << "x" << in_w << "x" << channels
       << " filter=" << filter_h << "x" << filter_w << " stride=" << stride_h << "," << stride_w
       << (same ? " SAME" : " VALID") << " seed=" << seed;
    return os.str();
  }
  PoolGeometry Geometry() const {
    PoolGeometry g;
    g.batches = batches, g.in_h = in_h, g.in_w = in_w, g.channels = channels;
    auto pad = [&](int in, int k, int s, int* out, int* before) {
      if (same) {
        *out = (in + s - 1) / s;
        *before = std::max((*out - 1) * s + k - in, 0) / 2;
      } else {
        *out = (in - k) / s + 1;
        *before = 0;
      }
    };
    pad(in_h, filter_h, stride_h, &g.out_h, &g.params.pad_top);
    pad(in_w, filter_w, stride_w, &g.out_w, &g.params.pad_left);
    g.params.stride_h = stride_h, g.params.stride_w = stride_w;
    g.params.filter_h = filter_h, g.params.filter_w = filter_w;
    return g;
  }
};

template <typename T>
void TestAveragePool(const PoolCase& c) {
  SCOPED_TRACE(c.Describe());
  const PoolGeometry g = c.Geometry();
  std::mt19937 rng(c.seed);
  std::vector<T> input(static_cast<size_t>(c.batches) * c.in_h * c.in_w * c.channels);
  if constexpr (std::is_same_v<T, float>) {
    std::uniform_real_distribution<float> dist(-3.0f, 3.0f);
    for (T& v : input) v = dist(rng);
  } else {
    std::uniform_int_distribution<int> dist(std::numeric_limits<T>::min(), std::numeric_limits<T>::max());
    for (T& v : input) v = static_cast<T>(dist(rng));
  }
  const Shape in_shape{c.batches, c.in_h, c.in_w, c.channels};
  const Shape out_shape{c.batches, g.out_h, g.out_w, c.channels};
  std::vector<T> expected(static_cast<size_t>(NumElements(out_shape)));
  const kr::FloatRange float_clamp{-2.0f, 2.5f};
  const kr::QuantizedRange clamp{std::is_signed_v<T> ? -100 : 10, std::is_signed_v<T> ? 90 : 240};
  PoolDType dtype = PoolDType::kFloat32;
  if constexpr (std::is_same_v<T, float>) {
    kr::AveragePoolFloat32(g.params, float_clamp, in_shape, input.data(), out_shape, expected.data());
  } else if constexpr (std::is_same_v<T, int8_t>) {
    dtype = PoolDType::kInt8;
    kr::AveragePoolInt8(g.params, clamp, in_shape, input.data(), out_shape, expected.data());
  } else {
    dtype = PoolDType::kUint8;
    kr::AveragePoolUint8(g.params, clamp, in_shape, input.data(), out_shape, expected.data());
  }
  for (int threads : {1, 2, 3}) {
    SCOPED_TRACE("threads=" + std::to_string(threads));
    AveragePoolPlan plan(g, dtype, float_clamp, clamp, threads);
    core::ThreadPool pool(threads);
    std::vector<T> got(expected.size(), T{77});
    plan.Run(input.data(), got.data(), pool);
    ASSERT_EQ(got, expected);
  }
}

std::vector<PoolCase> PoolCases() {
  std::vector<PoolCase> cases;
  uint32_t seed = 1;
  PoolCase c;
  c.seed = seed++;
  cases.push_back(c);
  c.in_h = c.in_w = 7, c.filter_h = c.filter_w = 7, c.same = false, c.channels = 1024, c.seed = seed++;
  cases.push_back(c);  // MobileNet v1's global pool
  c = PoolCase{};
  c.stride_h = c.stride_w = 2, c.in_h = 9, c.in_w = 8, c.channels = 5, c.seed = seed++;
  cases.push_back(c);
  c.filter_h = 2, c.filter_w = 4, c.stride_h = 3, c.stride_w = 5, c.batches = 2, c.seed = seed++;
  cases.push_back(c);  // strides beyond the filter, asymmetric
  c = PoolCase{};
  c.filter_h = c.filter_w = 5, c.in_h = 3, c.in_w = 4, c.channels = 33, c.seed = seed++;
  cases.push_back(c);  // filter larger than the input, SAME
  return cases;
}

TEST(KernelsDwPoolMean, AveragePoolMatchesReference) {
  for (const PoolCase& c : PoolCases()) {
    TestAveragePool<float>(c);
    TestAveragePool<int8_t>(c);
    TestAveragePool<uint8_t>(c);
  }
}

template <typename T>
void TestMean(int batches, int h, int w, int channels, float s_in, int z_in, float s_out, int z_out, uint32_t seed) {
  SCOPED_TRACE("batches=" + std::to_string(batches) + " hw=" + std::to_string(h) + "x" + std::to_string(w) +
               " channels=" + std::to_string(channels) + " z_in=" + std::to_string(z_in) +
               " z_out=" + std::to_string(z_out) + " seed=" + std::to_string(seed));
  std::mt19937 rng(seed);
  const Shape shape{batches, h, w, channels};
  std::vector<T> input(static_cast<size_t>(NumElements(shape)));
  if constexpr (std::is_same_v<T, float>) {
    std::uniform_real_distribution<float> dist(-3.0f, 3.0f);
    for (T& v : input) v = dist(rng);
  } else {
    std::uniform_int_distribution<int> dist(std::numeric_limits<T>::min(), std::numeric_limits<T>::max());
    for (T& v : input) v = static_cast<T>(dist(rng));
  }
  const kr::ReductionLayout layout = kr::MakeReductionLayout(shape, {1, 2});
  constexpr int qmin = std::is_signed_v<T> ? -128 : 0, qmax = std::is_signed_v<T> ? 127 : 255;
  const kr::QuantizedMeanParams params =
      kr::MakeQuantizedMeanParams(s_in, z_in, s_out, z_out, layout.reduced_count, qmin, qmax);
  std::vector<T> expected(static_cast<size_t>(batches) * channels);
  PoolDType dtype = PoolDType::kFloat32;
  if constexpr (std::is_same_v<T, float>) {
    kr::MeanFloat32(layout, input.data(), expected.data());
  } else if constexpr (std::is_same_v<T, int8_t>) {
    dtype = PoolDType::kInt8;
    kr::MeanInt8(layout, params, input.data(), expected.data());
  } else {
    dtype = PoolDType::kUint8;
    kr::MeanUint8(layout, params, input.data(), expected.data());
  }
  MeanHwPlan plan(batches, h * w, channels, dtype, params);
  std::vector<T> got(expected.size(), T{77});
  plan.Run(input.data(), got.data());
  ASSERT_EQ(got, expected);
}

TEST(KernelsDwPoolMean, MeanMatchesReference) {
  uint32_t seed = 1;
  for (auto [b, h, w, c] : {std::array<int, 4>{1, 7, 7, 1280}, {2, 3, 5, 17}, {1, 1, 1, 3}, {3, 14, 14, 33}}) {
    TestMean<float>(b, h, w, c, 1.0f, 0, 1.0f, 0, seed++);
    TestMean<int8_t>(b, h, w, c, 0.02f, -128, 0.011f, 127, seed++);
    TestMean<int8_t>(b, h, w, c, 0.05f, 5, 0.05f, -3, seed++);
    TestMean<uint8_t>(b, h, w, c, 0.02f, 255, 0.03f, 0, seed++);
  }
}

}  // namespace
}  // namespace edgeforge::kernels::optimized
