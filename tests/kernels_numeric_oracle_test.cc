// Outputs of the real TFLite runtime, pinned. Each vector below comes from a single-op model
// run through ../shared/tools/tflite-oracle (LiteRT.js 2.5.3, CPU/XNNPACK), picked where the
// candidate arithmetics disagree: the "TFLite's kernel" comments give what TFLite's own
// fixed-point kernel (or round(x / s)) would have produced instead. They keep the XNNPACK
// choices in kernels/reference from being "fixed" into something the runtime does not do.
#include <bit>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "kernels/reference/elementwise.h"
#include "kernels/reference/quantize.h"

namespace edgeforge::kernels::reference {
namespace {

struct BinaryVector {
  int a, b, expected;
};

template <typename T>
void ExpectBinary(bool mul, AddOrSub op, const BinaryQuantization& q,
                  const std::vector<BinaryVector>& vectors) {
  constexpr int qmin = std::numeric_limits<T>::min();
  constexpr int qmax = std::numeric_limits<T>::max();
  const BroadcastLayout layout = MakeBroadcastLayout({1}, {1}, {1});
  for (const BinaryVector& v : vectors) {
    const T a = static_cast<T>(v.a), b = static_cast<T>(v.b);
    T out{};
    if (mul) {
      const QuantizedMulParams p = MakeQuantizedMulParams(q, FusedActivation::kNone, qmin, qmax);
      ASSERT_EQ(p.scheme, QuantizedMulParams::Scheme::kXnnpackFloatScale);
      if constexpr (std::is_same_v<T, int8_t>) MulInt8(layout, p, &a, &b, &out);
      else MulUint8(layout, p, &a, &b, &out);
    } else {
      ASSERT_TRUE(XnnpackAddSupportsScales(q));
      const XnnpackAddParams p = MakeXnnpackAddParams(op, q, FusedActivation::kNone, qmin, qmax);
      if constexpr (std::is_same_v<T, int8_t>) AddXnnpackInt8(layout, p, &a, &b, &out);
      else AddXnnpackUint8(layout, p, &a, &b, &out);
    }
    EXPECT_EQ(static_cast<int>(out), v.expected) << "a=" << v.a << " b=" << v.b;
  }
}

TEST(KernelsNumericOracle, AddUint8) {
  ExpectBinary<uint8_t>(false, AddOrSub::kAdd, {0.5f, 128, 0.25f, 125, 1.0f, 128},
                        {{30, 163, 89},    // TFLite's kernel: 88
                         {146, 51, 119},   // 118
                         {6, 163, 77},     // 76
                         {10, 51, 51},     // 50
                         {78, 51, 85},     // 84
                         {38, 51, 65}});   // 64
}

TEST(KernelsNumericOracle, SubInt8) {
  ExpectBinary<int8_t>(false, AddOrSub::kSub, {0.5f, 0, 0.25f, -3, 1.0f, 0},
                       {{56, 119, -2},      // TFLite's kernel: -3
                        {-106, 119, -83},   // -84
                        {-110, -121, -25},  // -26
                        {-115, -63, -42},   // -43
                        {2, 31, -7},        // -8
                        {-50, 31, -33}});   // -34
}

TEST(KernelsNumericOracle, MulUint8AndInt8) {
  ExpectBinary<uint8_t>(true, AddOrSub::kAdd, {0.5f, 130, 0.25f, 121, 4.0f, 125},
                        {{101, 41, 197},   // TFLite's kernel: 198
                         {179, 41, 3},     // 2
                         {132, 225, 131},  // 132
                         {151, 41, 73},    // 72
                         {96, 225, 15}});  // 14
  ExpectBinary<int8_t>(true, AddOrSub::kAdd, {0.5f, 2, 0.25f, -7, 4.0f, -3},
                       {{-78, -52, 109},   // TFLite's kernel: 110
                        {-9, -55, 13},     // 14
                        {22, -75, -45},    // -46
                        {38, -75, -79},    // -80
                        {57, -55, -85}});  // -86
}

TEST(KernelsNumericOracle, RequantizeUint8ToUint8UsesXnnpackConvert) {
  const RequantizeParams p = MakeRequantizeParams(0.037f, 128, 0.1f, 3, /*same_dtype=*/true);
  ASSERT_EQ(p.scheme, RequantizeParams::Scheme::kXnnpackConvert);
  const int vectors[][2] = {{124, 2},  // TFLite's kernel: 1
                            {127, 3},  // 2
                            {129, 3},  // 4
                            {132, 4},  // 5
                            {137, 6},  // 7
                            {148, 10}};  // 11
  for (const auto& v : vectors) {
    const uint8_t x = static_cast<uint8_t>(v[0]);
    uint8_t out = 0;
    RequantizeUint8ToUint8(1, p, &x, &out);
    EXPECT_EQ(out, v[1]) << "x=" << v[0];
  }
}

TEST(KernelsNumericOracle, QuantizeFloatMultipliesByTheReciprocal) {
  // Scale 0.3, zero point 0: x * (1 / 0.3f) lands on -k.5 where x / 0.3f does not.
  const std::pair<uint32_t, int> vectors[] = {
      {0xC20D0000u, -118},  // -35.25; x / s rounds to -117
      {0xC2096667u, -115},  // -34.35; -114
      {0xC2010000u, -108},  // -32.25; -107
      {0xC1FD3333u, -106},  // -31.65; -105
      {0xC1F60001u, -103},  // -30.75; -102
      {0xC1EA0000u, -98},   // -29.25; -97
  };
  const AffineQuantizeParams p = MakeAffineQuantizeParams(0.3f, 0);
  for (const auto& [bits, expected] : vectors) {
    const float x = std::bit_cast<float>(bits);
    int8_t out = 0;
    QuantizeFloat32ToInt8(1, p, &x, &out);
    EXPECT_EQ(out, expected) << "x=" << x;
  }
}

}  // namespace
}  // namespace edgeforge::kernels::reference
