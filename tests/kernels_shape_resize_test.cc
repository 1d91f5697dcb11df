// Reference kernels of RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR against float64, for every
// align_corners / half_pixel_centers combination, odd sizes, up- and downscaling.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "kernels/reference/resize.h"

namespace edgeforge {
namespace {

namespace ref = kernels::reference;

struct Mode {
  bool align_corners;
  bool half_pixel_centers;
};

std::string Describe(const ref::ResizeParams& p) {
  return std::to_string(p.input_height) + "x" + std::to_string(p.input_width) + " -> " +
         std::to_string(p.output_height) + "x" + std::to_string(p.output_width) + " c" +
         std::to_string(p.channels) + " b" + std::to_string(p.batch) +
         (p.align_corners ? " align_corners" : "") + (p.half_pixel_centers ? " half_pixel_centers" : "");
}

// TensorFlow's source coordinate of output index `out`, in float64.
double SourcePosition(int out, int in_size, int out_size, Mode m) {
  const double scale = m.align_corners && out_size > 1
                           ? static_cast<double>(in_size - 1) / (out_size - 1)
                           : static_cast<double>(in_size) / out_size;
  if (m.half_pixel_centers) return std::clamp((out + 0.5) * scale - 0.5, 0.0, in_size - 1.0);
  return out * scale;
}

// Bilinear interpolation of channel c at output (b, y, x), in float64.
template <typename T>
double BilinearExpected(const ref::ResizeParams& p, const std::vector<T>& in, int b, int y, int x,
                        int c, Mode m) {
  const double sy = SourcePosition(y, p.input_height, p.output_height, m);
  const double sx = SourcePosition(x, p.input_width, p.output_width, m);
  const int y0 = static_cast<int>(std::floor(sy)), x0 = static_cast<int>(std::floor(sx));
  const int y1 = std::min(y0 + 1, p.input_height - 1), x1 = std::min(x0 + 1, p.input_width - 1);
  const double fy = sy - y0, fx = sx - x0;
  auto at = [&](int yy, int xx) {
    return static_cast<double>(
        in[static_cast<size_t>(((b * p.input_height + yy) * p.input_width + xx) * p.channels + c)]);
  };
  const double top = at(y0, x0) * (1 - fx) + at(y0, x1) * fx;
  const double bottom = at(y1, x0) * (1 - fx) + at(y1, x1) * fx;
  return top * (1 - fy) + bottom * fy;
}

const Mode kBilinearModes[] = {{false, false}, {true, false}, {false, true}};
const Mode kNearestModes[] = {{false, false}, {true, false}, {false, true}, {true, true}};

ref::ResizeParams RandomParams(std::mt19937& rng, Mode m) {
  std::uniform_int_distribution<int> small(1, 9), large(1, 40);
  ref::ResizeParams p;
  p.batch = std::uniform_int_distribution<int>(1, 2)(rng);
  p.input_height = small(rng);
  p.input_width = small(rng);
  p.channels = std::uniform_int_distribution<int>(1, 5)(rng);
  p.output_height = large(rng);
  p.output_width = large(rng);
  p.align_corners = m.align_corners;
  p.half_pixel_centers = m.half_pixel_centers;
  return p;
}

template <typename T>
void CheckBilinear(std::mt19937& rng) {
  for (const Mode m : kBilinearModes) {
    for (int trial = 0; trial < 25; ++trial) {
      const ref::ResizeParams p = RandomParams(rng, m);
      SCOPED_TRACE(Describe(p));
      const size_t in_size = static_cast<size_t>(p.batch) * p.input_height * p.input_width * p.channels;
      const size_t out_size = static_cast<size_t>(p.batch) * p.output_height * p.output_width * p.channels;
      std::vector<T> in(in_size);
      for (auto& v : in) {
        if constexpr (std::is_same_v<T, float>) {
          v = std::uniform_real_distribution<float>(-10, 10)(rng);
        } else {
          // Extremes are frequent: they make the largest interpolation errors.
          const int lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
          const int r = std::uniform_int_distribution<int>(0, 2)(rng);
          v = static_cast<T>(r == 0 ? lo : r == 1 ? hi : std::uniform_int_distribution<int>(lo, hi)(rng));
        }
      }
      std::vector<T> out(out_size);
      ref::ResizeBilinear(p, in.data(), out.data());
      size_t i = 0;
      for (int b = 0; b < p.batch; ++b) {
        for (int y = 0; y < p.output_height; ++y) {
          for (int x = 0; x < p.output_width; ++x) {
            for (int c = 0; c < p.channels; ++c, ++i) {
              const double expected = BilinearExpected(p, in, b, y, x, c, m);
              if constexpr (std::is_same_v<T, float>) {
                ASSERT_NEAR(out[i], expected, 1e-4) << "at " << y << "," << x << "," << c;
              } else {
                ASSERT_NEAR(out[i], std::nearbyint(expected), 1) << "at " << y << "," << x << "," << c;
              }
            }
          }
        }
      }
    }
  }
}

TEST(KernelsShapeResize, BilinearFloatMatchesFloat64) {
  std::mt19937 rng(31);
  CheckBilinear<float>(rng);
}

TEST(KernelsShapeResize, BilinearInt8WithinOneOfFloat64) {
  std::mt19937 rng(32);
  CheckBilinear<int8_t>(rng);
}

TEST(KernelsShapeResize, BilinearUInt8WithinOneOfFloat64) {
  std::mt19937 rng(33);
  CheckBilinear<uint8_t>(rng);
}

TEST(KernelsShapeResize, BilinearSameSizeIsIdentity) {
  for (const Mode m : kBilinearModes) {
    ref::ResizeParams p;
    p.input_height = p.output_height = 5;
    p.input_width = p.output_width = 7;
    p.channels = 3;
    p.align_corners = m.align_corners;
    p.half_pixel_centers = m.half_pixel_centers;
    std::vector<int8_t> in(5 * 7 * 3);
    for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<int8_t>(i * 37);
    std::vector<int8_t> out(in.size());
    ref::ResizeBilinear(p, in.data(), out.data());
    EXPECT_EQ(out, in) << Describe(p);
  }
}

TEST(KernelsShapeResize, BilinearTapsFollowTheCoordinateMapping) {
  // 2 -> 4, legacy: positions 0, 0.5, 1, 1.5 (the last clamps its upper neighbour).
  std::vector<ref::BilinearTap> t = ref::BilinearTaps(2, 4, false, false);
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[1].lower, 0);
  EXPECT_EQ(t[1].upper, 1);
  EXPECT_EQ(t[1].alpha_q11, 1024);
  EXPECT_EQ(t[3].lower, 1);
  EXPECT_EQ(t[3].upper, 1);
  // align_corners, 3 -> 5: positions 0, 0.5, 1, 1.5, 2.
  t = ref::BilinearTaps(3, 5, true, false);
  EXPECT_EQ(t[4].lower, 2);
  EXPECT_FLOAT_EQ(t[4].alpha, 0.0f);
  EXPECT_FLOAT_EQ(t[3].alpha, 0.5f);
  // half_pixel_centers, 2 -> 4: positions -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
  t = ref::BilinearTaps(2, 4, false, true);
  EXPECT_FLOAT_EQ(t[0].alpha, 0.0f);
  EXPECT_FLOAT_EQ(t[1].alpha, 0.25f);
  EXPECT_EQ(t[1].alpha_q11, 512);
  EXPECT_EQ(t[3].lower, 1);
  EXPECT_FLOAT_EQ(t[3].alpha, 0.0f);
}

TEST(KernelsShapeResize, NearestNeighborMatchesFloat64Mapping) {
  std::mt19937 rng(34);
  for (const Mode m : kNearestModes) {
    for (int trial = 0; trial < 25; ++trial) {
      const ref::ResizeParams p = RandomParams(rng, m);
      SCOPED_TRACE(Describe(p));
      auto source = [&](int out, int in_size, int out_size) {
        const double scale = m.align_corners && out_size > 1
                                 ? static_cast<double>(in_size - 1) / (out_size - 1)
                                 : static_cast<double>(in_size) / out_size;
        const double pos = (out + (m.half_pixel_centers ? 0.5 : 0.0)) * scale;
        const int s = static_cast<int>(m.align_corners ? std::round(pos) : std::floor(pos));
        return std::max(0, std::min(s, in_size - 1));
      };
      // Element values encode their own coordinates, so the copy can be checked exactly.
      std::vector<int32_t> in(static_cast<size_t>(p.batch) * p.input_height * p.input_width * p.channels);
      for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<int32_t>(i);
      std::vector<int32_t> out(static_cast<size_t>(p.batch) * p.output_height * p.output_width * p.channels);
      ref::ResizeNearestNeighbor(p, sizeof(int32_t), reinterpret_cast<const uint8_t*>(in.data()),
                                 reinterpret_cast<uint8_t*>(out.data()));
      size_t i = 0;
      for (int b = 0; b < p.batch; ++b) {
        for (int y = 0; y < p.output_height; ++y) {
          for (int x = 0; x < p.output_width; ++x) {
            for (int c = 0; c < p.channels; ++c, ++i) {
              const int sy = source(y, p.input_height, p.output_height);
              const int sx = source(x, p.input_width, p.output_width);
              const int32_t expected = ((b * p.input_height + sy) * p.input_width + sx) * p.channels + c;
              ASSERT_EQ(out[i], expected) << "at " << y << "," << x << "," << c;
            }
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace edgeforge
