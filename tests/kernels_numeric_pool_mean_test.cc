// AVERAGE_POOL_2D, MAX_POOL_2D and MEAN reference kernels against float64 and against the
// runtime's formulas written out in the test.
#include <cmath>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/reference/mean.h"
#include "kernels/reference/pooling.h"
#include "kernels_numeric_util.h"

namespace edgeforge::kernels::reference {
namespace {

using testing::numeric::Act;
using testing::numeric::ApplyActivation;
using testing::numeric::DesignXnnpackClamp;
using testing::numeric::QuantizeReal;
using testing::numeric::RandomFloats;
using testing::numeric::RandomValues;
using testing::numeric::TfPadding;

FusedActivation ToFused(Act a) { return static_cast<FusedActivation>(static_cast<int>(a)); }

struct PoolCase {
  int batches = 1, in_h = 7, in_w = 7, depth = 3;
  int filter_h = 2, filter_w = 2, stride_h = 2, stride_w = 2;
  bool same = false;
  Act act = Act::kNone;
};

std::string Describe(const PoolCase& c) {
  std::ostringstream os;
  os << "in=" << c.batches << "x" << c.in_h << "x" << c.in_w << "x" << c.depth << " filter="
     << c.filter_h << "x" << c.filter_w << " stride=" << c.stride_h << "," << c.stride_w
     << (c.same ? " SAME" : " VALID") << " act=" << static_cast<int>(c.act);
  return os.str();
}

std::vector<PoolCase> PoolCases() {
  std::vector<PoolCase> cases;
  PoolCase c;
  cases.push_back(c);  // 2x2/2 VALID on an odd size
  c.same = true;
  cases.push_back(c);  // 2x2/2 SAME: last window cut by padding
  c.filter_h = c.filter_w = 3;
  c.stride_h = c.stride_w = 1;
  c.act = Act::kRelu6;
  cases.push_back(c);  // 3x3/1 SAME: borders average fewer taps
  c.stride_h = 2;
  c.in_w = 6;
  c.act = Act::kRelu;
  cases.push_back(c);
  c = PoolCase{};
  c.filter_h = c.in_h;
  c.filter_w = c.in_w;
  c.stride_h = c.stride_w = 1;
  c.depth = 5;
  c.batches = 2;
  cases.push_back(c);  // global pooling
  c = PoolCase{};
  c.in_h = 3;
  c.in_w = 2;
  c.filter_h = 5;
  c.filter_w = 4;
  c.stride_h = c.stride_w = 1;
  c.same = true;
  c.act = Act::kReluN1To1;
  cases.push_back(c);  // window larger than the input
  return cases;
}

// Calls f(output_index, list of input offsets in the window).
template <typename F>
void WalkPool(const PoolCase& c, F&& f) {
  const auto ph = TfPadding(c.same, c.in_h, c.filter_h, c.stride_h, 1);
  const auto pw = TfPadding(c.same, c.in_w, c.filter_w, c.stride_w, 1);
  int64_t o = 0;
  for (int b = 0; b < c.batches; ++b) {
    for (int oy = 0; oy < ph.out; ++oy) {
      for (int ox = 0; ox < pw.out; ++ox) {
        for (int ch = 0; ch < c.depth; ++ch, ++o) {
          std::vector<int64_t> taps;
          for (int fy = 0; fy < c.filter_h; ++fy) {
            for (int fx = 0; fx < c.filter_w; ++fx) {
              const int y = oy * c.stride_h - ph.before + fy;
              const int x = ox * c.stride_w - pw.before + fx;
              if (y < 0 || y >= c.in_h || x < 0 || x >= c.in_w) continue;
              taps.push_back(((static_cast<int64_t>(b) * c.in_h + y) * c.in_w + x) * c.depth + ch);
            }
          }
          f(o, taps);
        }
      }
    }
  }
}

void PoolGeometry(const PoolCase& c, PoolParams* params, Shape* in_shape, Shape* out_shape) {
  const auto ph = TfPadding(c.same, c.in_h, c.filter_h, c.stride_h, 1);
  const auto pw = TfPadding(c.same, c.in_w, c.filter_w, c.stride_w, 1);
  *params = PoolParams{c.stride_h, c.stride_w, c.filter_h, c.filter_w, ph.before, pw.before};
  *in_shape = {c.batches, c.in_h, c.in_w, c.depth};
  *out_shape = {c.batches, ph.out, pw.out, c.depth};
}

TEST(KernelsNumericPool, Float32AverageAndMax) {
  std::mt19937 rng(3);
  for (const PoolCase& c : PoolCases()) {
    SCOPED_TRACE(Describe(c));
    PoolParams params;
    Shape in_shape, out_shape;
    PoolGeometry(c, &params, &in_shape, &out_shape);
    const auto input = RandomFloats(rng, static_cast<size_t>(NumElements(in_shape)), -8.0f, 8.0f);
    std::vector<float> avg(static_cast<size_t>(NumElements(out_shape))), max(avg.size());
    const FloatRange clamp = FloatActivationRange(ToFused(c.act));
    AveragePoolFloat32(params, clamp, in_shape, input.data(), out_shape, avg.data());
    MaxPoolFloat32(params, clamp, in_shape, input.data(), out_shape, max.data());
    WalkPool(c, [&](int64_t o, const std::vector<int64_t>& taps) {
      double sum = 0.0, m = -1e30;
      for (int64_t t : taps) {
        sum += input[static_cast<size_t>(t)];
        m = std::max(m, static_cast<double>(input[static_cast<size_t>(t)]));
      }
      EXPECT_NEAR(avg[static_cast<size_t>(o)], ApplyActivation(sum / taps.size(), c.act), 1e-5);
      EXPECT_EQ(max[static_cast<size_t>(o)], static_cast<float>(ApplyActivation(m, c.act)));
    });
  }
}

template <typename T>
void RunQuantizedPool(const PoolCase& c, float scale, int zero_point, uint32_t seed) {
  SCOPED_TRACE(Describe(c) + " scale=" + std::to_string(scale) + " zp=" +
               std::to_string(zero_point) + " seed=" + std::to_string(seed));
  std::mt19937 rng(seed);
  constexpr int qmin = std::numeric_limits<T>::min();
  constexpr int qmax = std::numeric_limits<T>::max();
  PoolParams params;
  Shape in_shape, out_shape;
  PoolGeometry(c, &params, &in_shape, &out_shape);
  const auto input = RandomValues<T>(rng, static_cast<size_t>(NumElements(in_shape)));
  std::vector<T> avg(static_cast<size_t>(NumElements(out_shape))), max(avg.size());
  const QuantizedRange tflite_range =
      TfliteActivationRange(ToFused(c.act), scale, zero_point, qmin, qmax);
  const QuantizedRange xnnpack_range =
      XnnpackActivationRange(ToFused(c.act), scale, zero_point, qmin, qmax);
  if constexpr (std::is_same_v<T, uint8_t>) {
    AveragePoolUint8(params, tflite_range, in_shape, input.data(), out_shape, avg.data());
    MaxPoolUint8(params, xnnpack_range, in_shape, input.data(), out_shape, max.data());
  } else {
    AveragePoolInt8(params, tflite_range, in_shape, input.data(), out_shape, avg.data());
    MaxPoolInt8(params, xnnpack_range, in_shape, input.data(), out_shape, max.data());
  }
  int lo = 0, hi = 0;
  DesignXnnpackClamp(c.act, scale, zero_point, qmin, qmax, &lo, &hi);
  WalkPool(c, [&](int64_t o, const std::vector<int64_t>& taps) {
    int sum = 0, m = qmin;
    for (int64_t t : taps) {
      sum += input[static_cast<size_t>(t)];
      m = std::max(m, static_cast<int>(input[static_cast<size_t>(t)]));
    }
    const int n = static_cast<int>(taps.size());
    // TFLite: uint8 (sum + n/2) / n; int8 rounds half away from zero.
    int formula = sum >= 0 ? (sum + n / 2) / n : (sum - n / 2) / n;
    formula = std::min(std::max(formula, tflite_range.min), tflite_range.max);
    const double real = static_cast<double>(scale) * (static_cast<double>(sum) / n - zero_point);
    const int from_double = QuantizeReal(ApplyActivation(real, c.act), scale, zero_point, qmin, qmax);
    EXPECT_EQ(avg[static_cast<size_t>(o)], formula) << "output " << o << " sum " << sum << " n " << n;
    EXPECT_LE(std::abs(avg[static_cast<size_t>(o)] - from_double), 1) << "output " << o;
    EXPECT_EQ(max[static_cast<size_t>(o)], std::min(std::max(m, lo), hi)) << "output " << o;
  });
}

TEST(KernelsNumericPool, Uint8AverageAndMax) {
  uint32_t seed = 10;
  for (const PoolCase& c : PoolCases()) {
    for (int zp : {0, 255, 128, 17}) RunQuantizedPool<uint8_t>(c, 0.0235294f, zp, seed++);
  }
}

TEST(KernelsNumericPool, Int8AverageAndMax) {
  uint32_t seed = 50;
  for (const PoolCase& c : PoolCases()) {
    for (int zp : {-128, 127, 0, -9}) RunQuantizedPool<int8_t>(c, 0.05f, zp, seed++);
  }
}

TEST(KernelsNumericPool, Int8AverageRoundsHalfAwayFromZero) {
  // Two taps: -3 + -2 = -5 -> -2.5 -> -3; 3 + 2 = 5 -> 3.
  const std::vector<int8_t> input{-3, 3, -2, 2};  // [1,1,2,2]: channels 0 and 1
  std::vector<int8_t> out(2);
  AveragePoolInt8(PoolParams{1, 1, 1, 2, 0, 0}, {-128, 127}, {1, 1, 2, 2}, input.data(),
                  {1, 1, 1, 2}, out.data());
  EXPECT_EQ(out[0], -3);
  EXPECT_EQ(out[1], 3);
}

// --- MEAN ---------------------------------------------------------------------------------

struct MeanCase {
  Shape shape;
  std::vector<int32_t> axes;
};

const MeanCase kMeanCases[] = {
    {{1, 7, 7, 5}, {1, 2}},  // global average over H,W (the MobileNet case)
    {{2, 3, 4, 5}, {1, 2}},
    {{2, 3, 4, 5}, {3}},
    {{2, 3, 4, 5}, {0, 2}},
    {{2, 3, 4, 5}, {0, 1, 2, 3}},
    {{6, 5}, {1, 1}},  // duplicate axis
    {{1, 13, 1, 3}, {1}},
};

// Offsets averaged into each output, by explicit coordinates.
std::vector<std::vector<int64_t>> MeanGroups(const MeanCase& c) {
  std::vector<bool> reduced(c.shape.size(), false);
  for (int32_t a : c.axes) reduced[static_cast<size_t>(a)] = true;
  Shape out_dims;
  for (size_t d = 0; d < c.shape.size(); ++d) {
    if (!reduced[d]) out_dims.push_back(c.shape[d]);
  }
  std::vector<std::vector<int64_t>> groups(static_cast<size_t>(NumElements(out_dims)));
  const int64_t n = NumElements(c.shape);
  for (int64_t i = 0; i < n; ++i) {
    int64_t rest = i, out_index = 0, out_stride = 1;
    for (size_t d = c.shape.size(); d-- > 0;) {
      const int64_t coord = rest % c.shape[d];
      rest /= c.shape[d];
      if (!reduced[d]) {
        out_index += coord * out_stride;
        out_stride *= c.shape[d];
      }
    }
    groups[static_cast<size_t>(out_index)].push_back(i);
  }
  return groups;
}

TEST(KernelsNumericMean, Float32) {
  std::mt19937 rng(9);
  for (const MeanCase& c : kMeanCases) {
    SCOPED_TRACE(ShapeToString(c.shape));
    const auto input = RandomFloats(rng, static_cast<size_t>(NumElements(c.shape)), -3.0f, 3.0f);
    const ReductionLayout layout = MakeReductionLayout(c.shape, c.axes);
    const auto groups = MeanGroups(c);
    std::vector<float> out(groups.size());
    MeanFloat32(layout, input.data(), out.data());
    for (size_t o = 0; o < groups.size(); ++o) {
      double sum = 0.0;
      for (int64_t i : groups[o]) sum += input[static_cast<size_t>(i)];
      EXPECT_NEAR(out[o], sum / static_cast<double>(groups[o].size()), 1e-5);
    }
  }
}

template <typename T>
void RunQuantizedMean(const MeanCase& c, float s_in, int z_in, float s_out, int z_out,
                      uint32_t seed) {
  SCOPED_TRACE(ShapeToString(c.shape) + " s_in=" + std::to_string(s_in) + " z_in=" +
               std::to_string(z_in) + " s_out=" + std::to_string(s_out) + " z_out=" +
               std::to_string(z_out) + " seed=" + std::to_string(seed));
  std::mt19937 rng(seed);
  constexpr int qmin = std::numeric_limits<T>::min();
  constexpr int qmax = std::numeric_limits<T>::max();
  const auto input = RandomValues<T>(rng, static_cast<size_t>(NumElements(c.shape)));
  const ReductionLayout layout = MakeReductionLayout(c.shape, c.axes);
  const auto groups = MeanGroups(c);
  const int64_t n = static_cast<int64_t>(groups[0].size());
  ASSERT_EQ(layout.reduced_count, n);
  const QuantizedMeanParams params =
      MakeQuantizedMeanParams(s_in, z_in, s_out, z_out, n, qmin, qmax);
  std::vector<T> out(groups.size());
  if constexpr (std::is_same_v<T, uint8_t>) {
    MeanUint8(layout, params, input.data(), out.data());
  } else {
    MeanInt8(layout, params, input.data(), out.data());
  }
  // DESIGN.md's formula, each float32 operation on its own.
  const float ratio = s_in / s_out;
  const float inv_n = 1.0f / static_cast<float>(n);
  const float inv = ratio * inv_n;
  const float zin_term = static_cast<float>(n * z_in) * inv;
  const float zpf = static_cast<float>(z_out) - zin_term;
  for (size_t o = 0; o < groups.size(); ++o) {
    int32_t sum = 0;
    for (int64_t i : groups[o]) sum += input[static_cast<size_t>(i)];
    const float scaled = static_cast<float>(sum) * inv;
    const float shifted = scaled + zpf;
    const float q = std::nearbyintf(shifted);
    const int formula = static_cast<int>(std::min(std::max(q, float{qmin}), float{qmax}));
    const double real = static_cast<double>(s_in) * (static_cast<double>(sum) / n - z_in);
    const int from_double = QuantizeReal(real, s_out, z_out, qmin, qmax);
    EXPECT_EQ(out[o], formula) << "output " << o << " sum " << sum;
    EXPECT_LE(std::abs(out[o] - from_double), 1) << "output " << o << " sum " << sum;
  }
}

TEST(KernelsNumericMean, QuantizedMatchesFormulaAndFloat64) {
  uint32_t seed = 1;
  for (const MeanCase& c : kMeanCases) {
    RunQuantizedMean<int8_t>(c, 0.02f, -128, 0.02f, -128, seed++);
    RunQuantizedMean<int8_t>(c, 0.0235f, 5, 0.011f, -3, seed++);
    RunQuantizedMean<int8_t>(c, 0.5f, 127, 0.125f, 0, seed++);
    RunQuantizedMean<uint8_t>(c, 0.0235f, 128, 0.0235f, 128, seed++);
    RunQuantizedMean<uint8_t>(c, 0.1f, 0, 0.05f, 255, seed++);
  }
}

}  // namespace
}  // namespace edgeforge::kernels::reference
