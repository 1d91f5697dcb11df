// Reference kernels of the data-movement ops (RESHAPE, PAD, CONCATENATION, SPLIT), ARG_MAX
// and CAST against independent element-by-element computations: all exact.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "kernels/reference/arg_max.h"
#include "kernels/reference/cast.h"
#include "kernels/reference/concatenation.h"
#include "kernels/reference/pad.h"
#include "kernels/reference/reshape.h"
#include "kernels/reference/split.h"
#include "kernels_shape_test_util.h"

namespace edgeforge {
namespace {

namespace ref = kernels::reference;
using testing::shape_ops::QuantizeDouble;

Shape RandomShape(std::mt19937& rng, int rank, int max_dim) {
  Shape s;
  for (int d = 0; d < rank; ++d) s.push_back(std::uniform_int_distribution<int>(1, max_dim)(rng));
  return s;
}

// Row-major multi-index of flat index i.
std::vector<int> Unravel(int64_t i, const Shape& shape) {
  std::vector<int> index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    index[d] = static_cast<int>(i % shape[d]);
    i /= shape[d];
  }
  return index;
}

int64_t Ravel(const std::vector<int>& index, const Shape& shape) {
  int64_t i = 0;
  for (size_t d = 0; d < shape.size(); ++d) i = i * shape[d] + index[d];
  return i;
}

std::vector<int8_t> RandomInt8(std::mt19937& rng, int64_t n) {
  std::vector<int8_t> v(static_cast<size_t>(n));
  for (auto& x : v) x = static_cast<int8_t>(std::uniform_int_distribution<int>(-128, 127)(rng));
  return v;
}

TEST(KernelsShapeCopy, ReshapeCopiesBytesAndToleratesAliasing) {
  std::vector<uint8_t> in = {1, 2, 3, 4, 5, 6, 7};
  std::vector<uint8_t> out(in.size());
  ref::Reshape(in.data(), out.data(), in.size());
  EXPECT_EQ(out, in);
  ref::Reshape(in.data(), in.data(), in.size());  // same buffer: unchanged
  EXPECT_EQ(out, in);
}

TEST(KernelsShapeCopy, PadMatchesIndexArithmetic) {
  std::mt19937 rng(21);
  for (int trial = 0; trial < 60; ++trial) {
    const int rank = 1 + trial % 5;
    ref::PadParams p;
    p.input_shape = RandomShape(rng, rank, 4);
    Shape out_shape;
    for (int d = 0; d < rank; ++d) {
      p.before.push_back(std::uniform_int_distribution<int>(0, 3)(rng));
      p.after.push_back(std::uniform_int_distribution<int>(0, 3)(rng));
      out_shape.push_back(p.input_shape[static_cast<size_t>(d)] + p.before.back() + p.after.back());
    }
    SCOPED_TRACE("input " + ShapeToString(p.input_shape) + " output " + ShapeToString(out_shape));
    const std::vector<int8_t> in = RandomInt8(rng, NumElements(p.input_shape));
    const int8_t pad_value = static_cast<int8_t>(trial % 2 ? -128 : 77);  // e.g. a zero point
    std::vector<int8_t> out(static_cast<size_t>(NumElements(out_shape)));
    ref::Pad<int8_t>(p, in.data(), pad_value, out.data());
    for (int64_t o = 0; o < NumElements(out_shape); ++o) {
      std::vector<int> index = Unravel(o, out_shape);
      bool inside = true;
      for (int d = 0; d < rank; ++d) {
        index[static_cast<size_t>(d)] -= p.before[static_cast<size_t>(d)];
        inside &= index[static_cast<size_t>(d)] >= 0 &&
                  index[static_cast<size_t>(d)] < p.input_shape[static_cast<size_t>(d)];
      }
      const int8_t expected = inside ? in[static_cast<size_t>(Ravel(index, p.input_shape))] : pad_value;
      ASSERT_EQ(out[static_cast<size_t>(o)], expected) << "output element " << o;
    }
  }
}

TEST(KernelsShapeCopy, PadFloatAndInt64) {
  ref::PadParams p;
  p.input_shape = {2};
  p.before = {1};
  p.after = {2};
  const std::vector<float> in = {1.5f, -2.5f};
  std::vector<float> out(5);
  ref::Pad<float>(p, in.data(), 0.0f, out.data());
  EXPECT_EQ(out, (std::vector<float>{0, 1.5f, -2.5f, 0, 0}));
  const std::vector<int64_t> in64 = {int64_t{1} << 40, -3};
  std::vector<int64_t> out64(5);
  ref::Pad<int64_t>(p, in64.data(), 0, out64.data());
  EXPECT_EQ(out64, (std::vector<int64_t>{0, int64_t{1} << 40, -3, 0, 0}));
}

// Concatenation checked element by element: output index → (input, index within it).
template <typename T, typename Check>
void ForEachConcatElement(const std::vector<Shape>& shapes, int axis, const Shape& out_shape,
                          Check check) {
  for (int64_t o = 0; o < NumElements(out_shape); ++o) {
    std::vector<int> index = Unravel(o, out_shape);
    size_t input = 0;
    int& along = index[static_cast<size_t>(axis)];
    while (along >= shapes[input][static_cast<size_t>(axis)]) {
      along -= shapes[input][static_cast<size_t>(axis)];
      ++input;
    }
    check(o, input, Ravel(index, shapes[input]));
  }
}

TEST(KernelsShapeCopy, ConcatenationAnyAxisExact) {
  std::mt19937 rng(22);
  for (int trial = 0; trial < 60; ++trial) {
    const int rank = 1 + trial % 4;
    const Shape base = RandomShape(rng, rank, 4);
    ref::ConcatenationParams p;
    p.axis = std::uniform_int_distribution<int>(0, rank - 1)(rng);
    const int inputs = std::uniform_int_distribution<int>(1, 4)(rng);
    std::vector<std::vector<int8_t>> data;
    std::vector<const void*> pointers;
    Shape out_shape = base;
    out_shape[static_cast<size_t>(p.axis)] = 0;
    for (int i = 0; i < inputs; ++i) {
      Shape s = base;
      s[static_cast<size_t>(p.axis)] = std::uniform_int_distribution<int>(1, 5)(rng);
      out_shape[static_cast<size_t>(p.axis)] += s[static_cast<size_t>(p.axis)];
      p.input_shapes.push_back(s);
      data.push_back(RandomInt8(rng, NumElements(s)));
    }
    for (const auto& d : data) pointers.push_back(d.data());
    SCOPED_TRACE("axis " + std::to_string(p.axis) + " output " + ShapeToString(out_shape));
    std::vector<int8_t> out(static_cast<size_t>(NumElements(out_shape)));
    ref::Concatenation<int8_t>(p, pointers.data(), out.data());
    ForEachConcatElement<int8_t>(p.input_shapes, p.axis, out_shape,
                                 [&](int64_t o, size_t input, int64_t i) {
                                   ASSERT_EQ(out[static_cast<size_t>(o)], data[input][static_cast<size_t>(i)]);
                                 });
  }
}

TEST(KernelsShapeCopy, ConcatenationFloatActivationClamps) {
  ref::ConcatenationParams p;
  p.axis = 0;
  p.input_shapes = {{3}, {2}};
  const std::vector<float> a = {-2, 0.5f, 7}, b = {6.5f, -0.25f};
  const std::vector<const void*> pointers = {a.data(), b.data()};
  std::vector<float> out(5);
  ref::ConcatenationFloat(p, pointers.data(), 0.0f, 6.0f, out.data());
  EXPECT_EQ(out, (std::vector<float>{0, 0.5f, 6, 6, 0}));
}

template <typename T>
void CheckQuantizedConcatenation(std::mt19937& rng) {
  const int32_t lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
  std::uniform_int_distribution<int32_t> zp(lo, hi), value(lo, hi);
  std::uniform_real_distribution<float> log_scale(std::log(1e-3f), std::log(1.0f));
  for (int trial = 0; trial < 40; ++trial) {
    ref::ConcatenationParams p;
    p.axis = trial % 2;
    ref::QuantizedConcatenationParams q;
    q.output_scale = std::exp(log_scale(rng));
    q.output_zero_point = trial == 0 ? lo : (trial == 1 ? hi : zp(rng));
    q.activation_min = lo;
    q.activation_max = hi;
    if (trial % 3 == 2) q.activation_min = std::max(lo, q.output_zero_point);  // RELU
    std::vector<std::vector<T>> data;
    std::vector<const void*> pointers;
    for (int i = 0; i < 3; ++i) {
      const bool same = i == 0;  // input 0 shares the output's quantization: a plain copy
      q.input_scale.push_back(same ? q.output_scale : std::exp(log_scale(rng)));
      q.input_zero_point.push_back(same ? q.output_zero_point : zp(rng));
      p.input_shapes.push_back(p.axis == 0 ? Shape{i + 1, 5} : Shape{3, 2 * i + 1});
      std::vector<T> d(static_cast<size_t>(NumElements(p.input_shapes.back())));
      for (auto& x : d) x = static_cast<T>(value(rng));
      data.push_back(d);
    }
    for (const auto& d : data) pointers.push_back(d.data());
    const Shape out_shape = p.axis == 0 ? Shape{6, 5} : Shape{3, 9};
    std::vector<T> out(static_cast<size_t>(NumElements(out_shape)));
    ref::QuantizedConcatenation<T>(p, q, pointers.data(), out.data());
    SCOPED_TRACE("trial " + std::to_string(trial) + " out scale " + std::to_string(q.output_scale) +
                 " zp " + std::to_string(q.output_zero_point));
    ForEachConcatElement<T>(p.input_shapes, p.axis, out_shape, [&](int64_t o, size_t input, int64_t i) {
      const T x = data[input][static_cast<size_t>(i)];
      const double real = q.input_scale[input] * (static_cast<double>(x) - q.input_zero_point[input]);
      const int32_t expected =
          std::max(QuantizeDouble(real, q.output_scale, q.output_zero_point, lo, hi), q.activation_min);
      if (input == 0 && q.activation_min == lo) {
        ASSERT_EQ(out[static_cast<size_t>(o)], x) << "same quantization must copy exactly";
      } else {
        ASSERT_NEAR(out[static_cast<size_t>(o)], expected, 1)
            << "input " << input << " value " << +x << " scale " << q.input_scale[input] << " zp "
            << q.input_zero_point[input];
      }
    });
  }
}

TEST(KernelsShapeCopy, QuantizedConcatenationRequantizesWithinOne) {
  std::mt19937 rng(23);
  CheckQuantizedConcatenation<int8_t>(rng);
  CheckQuantizedConcatenation<uint8_t>(rng);
}

TEST(KernelsShapeCopy, SplitAnyAxisExact) {
  std::mt19937 rng(24);
  for (int trial = 0; trial < 60; ++trial) {
    const int rank = 1 + trial % 4;
    ref::SplitParams p;
    p.input_shape = RandomShape(rng, rank, 3);
    p.axis = std::uniform_int_distribution<int>(0, rank - 1)(rng);
    p.num_splits = std::uniform_int_distribution<int>(1, 4)(rng);
    p.input_shape[static_cast<size_t>(p.axis)] *= p.num_splits;
    p.element_size = 1;
    SCOPED_TRACE("input " + ShapeToString(p.input_shape) + " axis " + std::to_string(p.axis) +
                 " splits " + std::to_string(p.num_splits));
    const std::vector<int8_t> in = RandomInt8(rng, NumElements(p.input_shape));
    Shape part = p.input_shape;
    part[static_cast<size_t>(p.axis)] /= p.num_splits;
    std::vector<std::vector<int8_t>> outs(static_cast<size_t>(p.num_splits),
                                          std::vector<int8_t>(static_cast<size_t>(NumElements(part))));
    std::vector<uint8_t*> pointers;
    for (auto& o : outs) pointers.push_back(reinterpret_cast<uint8_t*>(o.data()));
    ref::Split(p, reinterpret_cast<const uint8_t*>(in.data()), pointers.data());
    for (int k = 0; k < p.num_splits; ++k) {
      for (int64_t j = 0; j < NumElements(part); ++j) {
        std::vector<int> index = Unravel(j, part);
        index[static_cast<size_t>(p.axis)] += k * part[static_cast<size_t>(p.axis)];
        ASSERT_EQ(outs[static_cast<size_t>(k)][static_cast<size_t>(j)],
                  in[static_cast<size_t>(Ravel(index, p.input_shape))]);
      }
    }
  }
}

TEST(KernelsShapeCopy, SplitWideElements) {
  ref::SplitParams p;
  p.input_shape = {2, 4};
  p.axis = 1;
  p.num_splits = 2;
  p.element_size = sizeof(float);
  const std::vector<float> in = {1, 2, 3, 4, 5, 6, 7, 8};
  std::vector<float> a(4), b(4);
  uint8_t* outs[] = {reinterpret_cast<uint8_t*>(a.data()), reinterpret_cast<uint8_t*>(b.data())};
  ref::Split(p, reinterpret_cast<const uint8_t*>(in.data()), outs);
  EXPECT_EQ(a, (std::vector<float>{1, 2, 5, 6}));
  EXPECT_EQ(b, (std::vector<float>{3, 4, 7, 8}));
}

TEST(KernelsShapeCopy, ArgMaxFirstMaximumWins) {
  std::mt19937 rng(25);
  for (int trial = 0; trial < 50; ++trial) {
    ref::ArgMaxParams p;
    p.outer = std::uniform_int_distribution<int>(1, 4)(rng);
    p.axis_size = std::uniform_int_distribution<int>(1, 9)(rng);
    p.inner = std::uniform_int_distribution<int>(1, 4)(rng);
    SCOPED_TRACE("outer " + std::to_string(p.outer) + " axis " + std::to_string(p.axis_size) +
                 " inner " + std::to_string(p.inner));
    // Few distinct values: many ties.
    std::vector<uint8_t> in(static_cast<size_t>(p.outer * p.axis_size * p.inner));
    for (auto& x : in) x = static_cast<uint8_t>(std::uniform_int_distribution<int>(0, 3)(rng) * 60);
    std::vector<int32_t> out32(static_cast<size_t>(p.outer * p.inner));
    std::vector<int64_t> out64(out32.size());
    ref::ArgMax(p, in.data(), out32.data());
    ref::ArgMax(p, in.data(), out64.data());
    for (int64_t o = 0; o < p.outer; ++o) {
      for (int64_t i = 0; i < p.inner; ++i) {
        int64_t best = 0;
        for (int64_t a = 0; a < p.axis_size; ++a) {
          if (in[static_cast<size_t>((o * p.axis_size + a) * p.inner + i)] >
              in[static_cast<size_t>((o * p.axis_size + best) * p.inner + i)]) {
            best = a;
          }
        }
        ASSERT_EQ(out32[static_cast<size_t>(o * p.inner + i)], best);
        ASSERT_EQ(out64[static_cast<size_t>(o * p.inner + i)], best);
      }
    }
  }
}

TEST(KernelsShapeCopy, ArgMaxSignedAndFloat) {
  ref::ArgMaxParams p;
  p.axis_size = 5;
  const std::vector<int8_t> s8 = {-128, -3, 100, 100, -1};
  int32_t out = -1;
  ref::ArgMax(p, s8.data(), &out);
  EXPECT_EQ(out, 2);
  const std::vector<float> f = {-1e30f, -0.5f, -0.25f, -0.25f, -7.0f};
  ref::ArgMax(p, f.data(), &out);
  EXPECT_EQ(out, 2);
}

TEST(KernelsShapeCopy, CastBetweenAllTypes) {
  const std::vector<float> f = {-3.7f, -0.5f, 0.0f, 0.9f, 1.5f, 127.9f, 200.25f};
  std::vector<int32_t> i32(f.size());
  ref::Cast(DType::kFloat32, f.data(), DType::kInt32, i32.data(), static_cast<int64_t>(f.size()));
  EXPECT_EQ(i32, (std::vector<int32_t>{-3, 0, 0, 0, 1, 127, 200}));  // toward zero
  std::vector<uint8_t> b(f.size());
  ref::Cast(DType::kFloat32, f.data(), DType::kBool, b.data(), static_cast<int64_t>(f.size()));
  EXPECT_EQ(b, (std::vector<uint8_t>{1, 1, 0, 1, 1, 1, 1}));

  const std::vector<int32_t> ints = {-129, -1, 0, 255, 256, 70000};
  std::vector<uint8_t> u8(ints.size());
  std::vector<int8_t> s8(ints.size());
  std::vector<int16_t> s16(ints.size());
  std::vector<int64_t> s64(ints.size());
  std::vector<float> back(ints.size());
  const int64_t n = static_cast<int64_t>(ints.size());
  ref::Cast(DType::kInt32, ints.data(), DType::kUInt8, u8.data(), n);
  ref::Cast(DType::kInt32, ints.data(), DType::kInt8, s8.data(), n);
  ref::Cast(DType::kInt32, ints.data(), DType::kInt16, s16.data(), n);
  ref::Cast(DType::kInt32, ints.data(), DType::kInt64, s64.data(), n);
  ref::Cast(DType::kInt32, ints.data(), DType::kFloat32, back.data(), n);
  // Integers wrap modulo 2^n, as static_cast does.
  EXPECT_EQ(u8, (std::vector<uint8_t>{127, 255, 0, 255, 0, 112}));
  EXPECT_EQ(s8, (std::vector<int8_t>{127, -1, 0, -1, 0, 112}));
  EXPECT_EQ(s16, (std::vector<int16_t>{-129, -1, 0, 255, 256, 4464}));
  EXPECT_EQ(s64, (std::vector<int64_t>{-129, -1, 0, 255, 256, 70000}));
  EXPECT_EQ(back, (std::vector<float>{-129, -1, 0, 255, 256, 70000}));

  const std::vector<uint8_t> bools = {0, 1, 7};  // any non-zero byte is true
  std::vector<float> bf(3);
  std::vector<int64_t> bi(3);
  ref::Cast(DType::kBool, bools.data(), DType::kFloat32, bf.data(), 3);
  ref::Cast(DType::kBool, bools.data(), DType::kInt64, bi.data(), 3);
  EXPECT_EQ(bf, (std::vector<float>{0, 1, 1}));
  EXPECT_EQ(bi, (std::vector<int64_t>{0, 1, 1}));
}

TEST(KernelsShapeCopy, CastOutOfRangeFloatsSaturate) {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> f = {std::nanf(""), inf, -inf, 1e20f, -1e20f, 300.0f, -1.0f};
  std::vector<int32_t> i32(f.size());
  std::vector<uint8_t> u8(f.size());
  std::vector<int64_t> i64(f.size());
  const int64_t n = static_cast<int64_t>(f.size());
  ref::Cast(DType::kFloat32, f.data(), DType::kInt32, i32.data(), n);
  ref::Cast(DType::kFloat32, f.data(), DType::kUInt8, u8.data(), n);
  ref::Cast(DType::kFloat32, f.data(), DType::kInt64, i64.data(), n);
  constexpr int32_t kMax = std::numeric_limits<int32_t>::max(), kMin = std::numeric_limits<int32_t>::min();
  EXPECT_EQ(i32, (std::vector<int32_t>{0, kMax, kMin, kMax, kMin, 300, -1}));
  EXPECT_EQ(u8, (std::vector<uint8_t>{0, 255, 0, 255, 0, 255, 0}));
  EXPECT_EQ(i64[1], std::numeric_limits<int64_t>::max());
  EXPECT_EQ(i64[2], std::numeric_limits<int64_t>::min());
}

}  // namespace
}  // namespace edgeforge
