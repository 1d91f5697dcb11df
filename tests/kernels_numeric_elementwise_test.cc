// ADD, SUB and MUL reference kernels: broadcasting, float32 against float64, quantized
// against float64 (at most 1 apart) and against XNNPACK's / TFLite's formulas written out in
// the test (identical), extreme zero points, scale ratios on both sides of XNNPACK's limits.
#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/reference/elementwise.h"
#include "kernels_numeric_util.h"

namespace edgeforge::kernels::reference {
namespace {

using testing::numeric::Act;
using testing::numeric::ApplyActivation;
using testing::numeric::DesignXnnpackClamp;
using testing::numeric::QuantizeReal;
using testing::numeric::RandomFloats;
using testing::numeric::RandomValues;

FusedActivation ToFused(Act a) { return static_cast<FusedActivation>(static_cast<int>(a)); }

TEST(KernelsNumericBroadcast, Shapes) {
  EXPECT_TRUE(BroadcastsTo({2, 3, 4}, {4}, {2, 3, 4}));
  EXPECT_TRUE(BroadcastsTo({2, 1, 4}, {1, 3, 1}, {2, 3, 4}));
  EXPECT_TRUE(BroadcastsTo({}, {5}, {5}));
  EXPECT_FALSE(BroadcastsTo({2, 3}, {3, 2}, {2, 3}));
  EXPECT_FALSE(BroadcastsTo({2, 3}, {3}, {2, 4}));
  EXPECT_FALSE(BroadcastsTo({2, 1}, {1, 3}, {2, 1}));

  // Offsets visited for [2,1,3] x [1,2,1] -> [2,2,3].
  const BroadcastLayout layout = MakeBroadcastLayout({2, 1, 3}, {1, 2, 1}, {2, 2, 3});
  std::vector<int64_t> a, b;
  ForEachBroadcastElement(layout, [&](int64_t o, int64_t ia, int64_t ib) {
    EXPECT_EQ(o, static_cast<int64_t>(a.size()));
    a.push_back(ia);
    b.push_back(ib);
  });
  EXPECT_EQ(a, (std::vector<int64_t>{0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5}));
  EXPECT_EQ(b, (std::vector<int64_t>{0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1}));
}

struct ShapeTriple {
  Shape a, b, out;
};
const ShapeTriple kShapes[] = {
    {{1, 5, 7, 3}, {1, 5, 7, 3}, {1, 5, 7, 3}},  // same shape
    {{1, 5, 7, 3}, {3}, {1, 5, 7, 3}},           // per channel
    {{1, 1, 1, 3}, {1, 5, 7, 3}, {1, 5, 7, 3}},  // squeeze-excite style, a broadcast
    {{2, 1, 4}, {1, 3, 1}, {2, 3, 4}},           // both broadcast
    {{}, {4, 3}, {4, 3}},                        // scalar
};

// Element i of the output with the inputs it reads, by explicit coordinates (independent of
// the layout's stride walk).
template <typename F>
void ForEachByCoordinates(const ShapeTriple& s, F&& f) {
  const size_t rank = s.out.size();
  const int64_t n = NumElements(s.out);
  for (int64_t o = 0; o < n; ++o) {
    std::vector<int> coord(rank);
    int64_t rest = o;
    for (size_t d = rank; d-- > 0;) {
      coord[d] = static_cast<int>(rest % s.out[d]);
      rest /= s.out[d];
    }
    auto offset = [&](const Shape& in) {
      int64_t off = 0;
      const size_t skip = rank - in.size();
      for (size_t d = 0; d < in.size(); ++d) {
        off = off * in[d] + (in[d] == 1 ? 0 : coord[d + skip]);
      }
      return off;
    };
    f(o, offset(s.a), offset(s.b));
  }
}

TEST(KernelsNumericElementwise, Float32AddSubMul) {
  std::mt19937 rng(1);
  for (const ShapeTriple& s : kShapes) {
    const auto a = RandomFloats(rng, static_cast<size_t>(NumElements(s.a)), -4.0f, 4.0f);
    const auto b = RandomFloats(rng, static_cast<size_t>(NumElements(s.b)), -4.0f, 4.0f);
    const BroadcastLayout layout = MakeBroadcastLayout(s.a, s.b, s.out);
    for (Act act : {Act::kNone, Act::kRelu, Act::kReluN1To1, Act::kRelu6}) {
      SCOPED_TRACE(ShapeToString(s.a) + " op " + ShapeToString(s.b) + " act " +
                   std::to_string(static_cast<int>(act)));
      const FloatRange clamp = FloatActivationRange(ToFused(act));
      std::vector<float> add(static_cast<size_t>(NumElements(s.out)));
      std::vector<float> sub(add.size()), mul(add.size());
      AddSubFloat32(AddOrSub::kAdd, layout, clamp, a.data(), b.data(), add.data());
      AddSubFloat32(AddOrSub::kSub, layout, clamp, a.data(), b.data(), sub.data());
      MulFloat32(layout, clamp, a.data(), b.data(), mul.data());
      ForEachByCoordinates(s, [&](int64_t o, int64_t ia, int64_t ib) {
        const double x = a[static_cast<size_t>(ia)], y = b[static_cast<size_t>(ib)];
        EXPECT_NEAR(add[static_cast<size_t>(o)], ApplyActivation(x + y, act), 1e-6);
        EXPECT_NEAR(sub[static_cast<size_t>(o)], ApplyActivation(x - y, act), 1e-6);
        EXPECT_NEAR(mul[static_cast<size_t>(o)], ApplyActivation(x * y, act), 1e-5);
      });
    }
  }
}

struct QuantCase {
  float sa, sb, so;
  int za, zb, zo;
  Act act;
};

std::string Describe(const QuantCase& c) {
  std::ostringstream os;
  os << "sa=" << c.sa << " sb=" << c.sb << " so=" << c.so << " za=" << c.za << " zb=" << c.zb
     << " zo=" << c.zo << " act=" << static_cast<int>(c.act);
  return os.str();
}

// XNNPACK's ADD, from DESIGN.md, with b's scale negated for SUB.
template <typename T>
int DesignXnnpackAdd(int a, int b, const QuantCase& c, bool subtract, int lo, int hi) {
  const float ra = c.sa / c.so;
  const float rb = (subtract ? -1.0f : 1.0f) * (c.sb / c.so);
  const float max_abs = std::max(std::fabs(ra), std::fabs(rb));
  const int e = static_cast<int>((std::bit_cast<uint32_t>(max_abs) >> 23) & 0xFF) - 127;
  const int shift = 20 - e;
  const long ma = std::lrintf(ra * std::exp2f(static_cast<float>(shift)));
  const long mb = std::lrintf(rb * std::exp2f(static_cast<float>(shift)));
  const long bias = (1L << (shift - 1)) - ma * c.za - mb * c.zb;
  const long q = ((bias + a * ma + b * mb) >> shift) + c.zo;
  return static_cast<int>(std::min<long>(std::max<long>(q, lo), hi));
}

template <typename T>
void RunAddSubCase(const QuantCase& c, const ShapeTriple& s, uint32_t seed) {
  SCOPED_TRACE(Describe(c) + " " + ShapeToString(s.a) + "," + ShapeToString(s.b) + " seed=" +
               std::to_string(seed));
  std::mt19937 rng(seed);
  constexpr int qmin = std::numeric_limits<T>::min();
  constexpr int qmax = std::numeric_limits<T>::max();
  const auto a = RandomValues<T>(rng, static_cast<size_t>(NumElements(s.a)));
  const auto b = RandomValues<T>(rng, static_cast<size_t>(NumElements(s.b)));
  const BroadcastLayout layout = MakeBroadcastLayout(s.a, s.b, s.out);
  const BinaryQuantization q{c.sa, c.za, c.sb, c.zb, c.so, c.zo};
  const bool xnnpack = XnnpackAddSupportsScales(q);
  for (AddOrSub op : {AddOrSub::kAdd, AddOrSub::kSub}) {
    const bool subtract = op == AddOrSub::kSub;
    std::vector<T> out(static_cast<size_t>(NumElements(s.out)));
    QuantizedRange range;
    if (xnnpack) {
      const XnnpackAddParams p = MakeXnnpackAddParams(op, q, ToFused(c.act), qmin, qmax);
      range = p.clamp;
      if constexpr (std::is_same_v<T, uint8_t>) {
        AddXnnpackUint8(layout, p, a.data(), b.data(), out.data());
      } else {
        AddXnnpackInt8(layout, p, a.data(), b.data(), out.data());
      }
    } else {
      const TfliteAddParams p = MakeTfliteAddParams(op, q, ToFused(c.act), qmin, qmax);
      range = p.clamp;
      if constexpr (std::is_same_v<T, uint8_t>) {
        AddTfliteUint8(layout, p, a.data(), b.data(), out.data());
      } else {
        AddTfliteInt8(layout, p, a.data(), b.data(), out.data());
      }
    }
    int lo = 0, hi = 0;
    DesignXnnpackClamp(c.act, c.so, c.zo, qmin, qmax, &lo, &hi);
    if (xnnpack) {
      EXPECT_EQ(range.min, lo);
      EXPECT_EQ(range.max, hi);
    }
    ForEachByCoordinates(s, [&](int64_t o, int64_t ia, int64_t ib) {
      const int va = a[static_cast<size_t>(ia)], vb = b[static_cast<size_t>(ib)];
      const double real = static_cast<double>(c.sa) * (va - c.za) +
                          (subtract ? -1.0 : 1.0) * static_cast<double>(c.sb) * (vb - c.zb);
      const int from_double = QuantizeReal(ApplyActivation(real, c.act), c.so, c.zo, qmin, qmax);
      const int got = out[static_cast<size_t>(o)];
      EXPECT_LE(std::abs(got - from_double), 1)
          << (subtract ? "SUB" : "ADD") << " a=" << va << " b=" << vb << " got " << got;
      if (xnnpack) {
        EXPECT_EQ(got, DesignXnnpackAdd<T>(va, vb, c, subtract, lo, hi))
            << (subtract ? "SUB" : "ADD") << " a=" << va << " b=" << vb;
      }
    });
  }
}

TEST(KernelsNumericElementwise, QuantizedAddSub) {
  const QuantCase cases[] = {
      {0.05f, 0.05f, 0.1f, 0, 0, 0, Act::kNone},
      {0.0235f, 0.0412f, 0.0517f, 128, 3, 255, Act::kRelu},
      {0.5f, 0.25f, 0.125f, 255, 0, 128, Act::kRelu6},       // power-of-two ratios: ties
      {0.01f, 2.0f, 1.0f, 7, 250, 0, Act::kReluN1To1},       // ratio 1/100 and 2
      {0.001f, 0.1f, 1.0f, 100, 100, 100, Act::kNone},        // 1/1000 < 2^-10: TFLite path
      {300.0f, 1.0f, 1.0f, 100, 100, 100, Act::kNone},        // 300 >= 256: TFLite path
      {0.0078125f, 0.0078125f, 0.015625f, 128, 128, 128, Act::kRelu6},
  };
  uint32_t seed = 1;
  for (const QuantCase& c : cases) {
    for (const ShapeTriple& s : kShapes) {
      RunAddSubCase<uint8_t>(c, s, seed++);
      QuantCase signed_case = c;
      signed_case.za -= 128;
      signed_case.zb -= 128;
      signed_case.zo -= 128;
      RunAddSubCase<int8_t>(signed_case, s, seed++);
    }
  }
}

TEST(KernelsNumericElementwise, XnnpackAddParamsKnownValues) {
  // ra = 0.5, rb = 0.25: exponent -1, shift 21, ma = 2^20, mb = 2^19.
  const BinaryQuantization q{0.5f, 3, 0.25f, -2, 1.0f, 0};
  const XnnpackAddParams p = MakeXnnpackAddParams(AddOrSub::kAdd, q, FusedActivation::kNone, -128, 127);
  EXPECT_EQ(p.shift, 21);
  EXPECT_EQ(p.a_multiplier, 1 << 20);
  EXPECT_EQ(p.b_multiplier, 1 << 19);
  EXPECT_EQ(p.bias, (1 << 20) - 3 * (1 << 20) + 2 * (1 << 19));
  const XnnpackAddParams s = MakeXnnpackAddParams(AddOrSub::kSub, q, FusedActivation::kNone, -128, 127);
  EXPECT_EQ(s.b_multiplier, -(1 << 19));
  EXPECT_TRUE(XnnpackAddSupportsScales({1.0f, 0, 1.0f, 0, 1.0f / 255.0f, 0}));
  EXPECT_FALSE(XnnpackAddSupportsScales({1.0f, 0, 1.0f, 0, 1.0f / 256.0f, 0}));  // ratio 256
  EXPECT_FALSE(XnnpackAddSupportsScales({1.0f, 0, 0.0009f, 0, 1.0f, 0}));       // < 2^-10
}

template <typename T>
void RunMulCase(const QuantCase& c, const ShapeTriple& s, uint32_t seed) {
  SCOPED_TRACE(Describe(c) + " " + ShapeToString(s.a) + "," + ShapeToString(s.b) + " seed=" +
               std::to_string(seed));
  std::mt19937 rng(seed);
  constexpr int qmin = std::numeric_limits<T>::min();
  constexpr int qmax = std::numeric_limits<T>::max();
  const auto a = RandomValues<T>(rng, static_cast<size_t>(NumElements(s.a)));
  const auto b = RandomValues<T>(rng, static_cast<size_t>(NumElements(s.b)));
  const BroadcastLayout layout = MakeBroadcastLayout(s.a, s.b, s.out);
  const BinaryQuantization q{c.sa, c.za, c.sb, c.zb, c.so, c.zo};
  const QuantizedMulParams p = MakeQuantizedMulParams(q, ToFused(c.act), qmin, qmax);
  const bool xnnpack = XnnpackMulSupportsScales(q);
  EXPECT_EQ(p.scheme == QuantizedMulParams::Scheme::kXnnpackFloatScale, xnnpack);
  std::vector<T> out(static_cast<size_t>(NumElements(s.out)));
  if constexpr (std::is_same_v<T, uint8_t>) {
    MulUint8(layout, p, a.data(), b.data(), out.data());
  } else {
    MulInt8(layout, p, a.data(), b.data(), out.data());
  }
  int lo = 0, hi = 0;
  DesignXnnpackClamp(c.act, c.so, c.zo, qmin, qmax, &lo, &hi);
  ForEachByCoordinates(s, [&](int64_t o, int64_t ia, int64_t ib) {
    const int va = a[static_cast<size_t>(ia)], vb = b[static_cast<size_t>(ib)];
    const double real = (static_cast<double>(c.sa) * (va - c.za)) * (static_cast<double>(c.sb) * (vb - c.zb));
    const int from_double = QuantizeReal(ApplyActivation(real, c.act), c.so, c.zo, qmin, qmax);
    const int got = out[static_cast<size_t>(o)];
    EXPECT_LE(std::abs(got - from_double), 1) << "a=" << va << " b=" << vb << " got " << got;
    if (xnnpack) {
      // XNNPACK vmul: scale = f32(f32(sa * sb) / so), lrintf((a - za)(b - zb) * scale) + zo.
      const float product_scale = c.sa * c.sb;
      const float scale = product_scale / c.so;
      const long formula =
          std::lrintf(static_cast<float>((va - c.za) * (vb - c.zb)) * scale) + c.zo;
      EXPECT_EQ(got, std::min<long>(std::max<long>(formula, lo), hi)) << "a=" << va << " b=" << vb;
    }
  });
}

TEST(KernelsNumericElementwise, QuantizedMul) {
  const QuantCase cases[] = {
      {0.05f, 0.05f, 0.1f, 0, 0, 0, Act::kNone},
      {0.0235f, 0.0039f, 0.0117f, 128, 0, 255, Act::kRelu},
      {0.5f, 0.25f, 4.0f, 255, 0, 128, Act::kRelu6},      // power-of-two scale: ties
      {0.02f, 0.02f, 0.5f, 7, 250, 3, Act::kReluN1To1},
      {0.0001f, 0.0001f, 1.0f, 100, 100, 100, Act::kNone},  // 1e-8 < 2^-16: TFLite path
      {20.0f, 20.0f, 1.0f, 128, 128, 128, Act::kNone},      // 400 >= 256: TFLite path
  };
  uint32_t seed = 100;
  for (const QuantCase& c : cases) {
    for (const ShapeTriple& s : kShapes) {
      RunMulCase<uint8_t>(c, s, seed++);
      QuantCase signed_case = c;
      signed_case.za -= 128;
      signed_case.zb -= 128;
      signed_case.zo -= 128;
      RunMulCase<int8_t>(signed_case, s, seed++);
    }
  }
}

}  // namespace
}  // namespace edgeforge::kernels::reference
