// The fast paths of the reference (jpeg-js 0.4.4) JPEG reconstruction against jpeg-js's own
// formulas written out plainly here: the fixed-point colour conversion over every input, the
// row-wise upsampling on random frames with every sampling layout, and the IDCT's fast paths
// (flat blocks; int32 lanes with AVX2 where the CPU has it) against the full 64-bit transform. (Golden and file-level tests: data_image_test.cc.)
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <random>
#include <vector>

#include "data/jpeg_reconstruct.h"

namespace edgeforge {
namespace {

// jpeg-js (decoder.js, clampTo8bit and the Uint8Array store): double arithmetic in this order,
// clamped to [0, 255], truncated.
uint8_t JsByte(double v) { return static_cast<uint8_t>(static_cast<int>(v < 0 ? 0 : v > 255 ? 255 : v)); }
void JsYCbCrToRgb(int y, int cb, int cr, uint8_t* rgb) {
  rgb[0] = JsByte(y + 1.402 * (cr - 128));
  rgb[1] = JsByte(y - 0.3441363 * (cb - 128) - 0.71413636 * (cr - 128));
  rgb[2] = JsByte(y + 1.772 * (cb - 128));
}

TEST(JpegReconstruct, ColourConversionIsExactOverAllInputs) {
  // One row per (Cb, Cr) pair holding every Y: all 2^24 inputs.
  std::vector<uint8_t> luma(256), blue(256), red(256), got(768);
  for (int y = 0; y < 256; ++y) luma[y] = static_cast<uint8_t>(y);
  int64_t mismatches = 0;
  for (int cb = 0; cb < 256; ++cb) {
    for (int cr = 0; cr < 256; ++cr) {
      blue.assign(256, static_cast<uint8_t>(cb));
      red.assign(256, static_cast<uint8_t>(cr));
      data::ReferenceYCbCrToRgbRow(luma.data(), blue.data(), red.data(), 256, got.data());
      for (int y = 0; y < 256; ++y) {
        uint8_t want[3];
        JsYCbCrToRgb(y, cb, cr, want);
        for (int c = 0; c < 3; ++c) {
          if (got[3 * y + c] != want[c] && ++mismatches <= 10) {
            ADD_FAILURE() << "Y " << y << " Cb " << cb << " Cr " << cr << " channel " << c
                          << ": got " << int{got[3 * y + c]} << ", jpeg-js " << int{want[c]};
          }
        }
      }
    }
  }
  EXPECT_EQ(mismatches, 0);
}

// jpeg-js's upsampling and conversion, pixel by pixel: sample index 0 | (x * h / hmax).
Image NaiveColorConvert(const data::ReferenceFrame& frame) {
  Image image{frame.width, frame.height, frame.planes.size() == 1 ? 1 : 3, {}};
  for (int y = 0; y < frame.height; ++y) {
    for (int x = 0; x < frame.width; ++x) {
      int sample[3];
      for (size_t c = 0; c < frame.planes.size(); ++c) {
        const data::ReferencePlane& plane = frame.planes[c];
        const int px = static_cast<int>(x * (static_cast<double>(plane.sampling_h) / frame.max_sampling_h));
        const int py = static_cast<int>(y * (static_cast<double>(plane.sampling_v) / frame.max_sampling_v));
        sample[c] = plane.samples[static_cast<size_t>(py) * plane.width + px];
      }
      if (frame.planes.size() == 1) {
        image.pixels.push_back(static_cast<uint8_t>(sample[0]));
      } else {
        uint8_t rgb[3];
        JsYCbCrToRgb(sample[0], sample[1], sample[2], rgb);
        image.pixels.insert(image.pixels.end(), rgb, rgb + 3);
      }
    }
  }
  return image;
}

TEST(JpegReconstruct, UpsamplingAndConversionMatchJpegJsOnRandomFrames) {
  struct Layout {
    int components;
    int h[3], v[3];
  };
  const Layout layouts[] = {{1, {1}, {1}},
                            {3, {1, 1, 1}, {1, 1, 1}},   // 4:4:4
                            {3, {2, 1, 1}, {2, 1, 1}},   // 4:2:0
                            {3, {2, 1, 1}, {1, 1, 1}},   // 4:2:2
                            {3, {1, 1, 1}, {2, 1, 1}},   // 4:4:0
                            {3, {4, 1, 1}, {1, 1, 1}},   // 4:1:1
                            {3, {3, 1, 2}, {1, 2, 1}},   // unusual: 3x1, 1x2, 2x1
                            {3, {1, 2, 1}, {1, 1, 2}}};  // chroma above luma's resolution
  std::mt19937 rng(20261121);
  for (const Layout& layout : layouts) {
    for (auto [width, height] : {std::pair{1, 1}, std::pair{17, 9}, std::pair{300, 31}}) {
      data::ReferenceFrame frame;
      frame.width = width;
      frame.height = height;
      for (int c = 0; c < layout.components; ++c) {
        frame.max_sampling_h = std::max(frame.max_sampling_h, layout.h[c]);
        frame.max_sampling_v = std::max(frame.max_sampling_v, layout.v[c]);
      }
      for (int c = 0; c < layout.components; ++c) {
        data::ReferencePlane plane;
        plane.sampling_h = layout.h[c];
        plane.sampling_v = layout.v[c];
        plane.width = 8 * data::ReferenceBlockCount(width, layout.h[c], frame.max_sampling_h);
        plane.height = 8 * data::ReferenceBlockCount(height, layout.v[c], frame.max_sampling_v);
        plane.samples.resize(static_cast<size_t>(plane.width) * plane.height);
        for (uint8_t& s : plane.samples) s = static_cast<uint8_t>(rng());
        frame.planes.push_back(std::move(plane));
      }
      SCOPED_TRACE("components " + std::to_string(layout.components) + " sampling " +
                   std::to_string(layout.h[0]) + "x" + std::to_string(layout.v[0]) + " size " +
                   std::to_string(width) + "x" + std::to_string(height));
      StatusOr<Image> got = data::ReferenceColorConvert(frame, "random");
      ASSERT_TRUE(got.ok()) << got.status().message();
      EXPECT_EQ(*got, NaiveColorConvert(frame));
    }
  }
}


// Random blocks, a seventh of them flat (DC only), with photo-like values, values on both sides
// of the int32 path's limit (4096 after dequantization) and extreme ones (16-bit steps make
// jpeg-js's 32-bit arithmetic wrap): ReferenceInverseDct's fast paths must give what the full
// per-row / per-column transform gives.
TEST(JpegReconstruct, InverseDctFastPathsEqualTheFullTransform) {
  std::mt19937 rng(4096);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int16_t coefficients[64];
  uint16_t steps[64];
  uint8_t fast[64], exact[64];
  for (int trial = 0; trial < 100000; ++trial) {
    const int kind = trial % 6;
    for (uint16_t& step : steps) {
      step = static_cast<uint16_t>(kind == 5 ? uniform(1, 65535) : kind == 4 ? 1 : uniform(1, 64));
    }
    const int magnitude = kind == 0 ? 40 : kind == 1 ? 4096 / 64 : kind == 2 ? 1024 : 32767;
    const int density = uniform(0, 64);  // how many coefficients are non-zero, roughly
    for (int i = 0; i < 64; ++i) {
      coefficients[i] = uniform(0, 63) < density
                            ? static_cast<int16_t>(uniform(-magnitude, magnitude))
                            : int16_t{0};
    }
    if (trial % 7 == 0) std::fill(coefficients + 1, coefficients + 64, int16_t{0});
    data::ReferenceInverseDct(coefficients, steps, fast, 8);
    data::ReferenceInverseDctExact(coefficients, steps, exact, 8);
    for (int i = 0; i < 64; ++i) {
      if (fast[i] != exact[i]) {
        std::string block;
        for (int k = 0; k < 64; ++k) {
          block += std::to_string(coefficients[k]) + "*" + std::to_string(steps[k]) + " ";
        }
        FAIL() << "trial " << trial << " sample " << i << ": got " << int{fast[i]}
               << ", full transform " << int{exact[i]} << "; block " << block;
      }
    }
  }
  // Every DC value with the largest and smallest steps.
  for (uint16_t step : {uint16_t{1}, uint16_t{255}, uint16_t{65535}}) {
    std::fill(steps, steps + 64, step);
    std::fill(coefficients, coefficients + 64, int16_t{0});
    for (int dc = -32768; dc <= 32767; dc += 7) {
      coefficients[0] = static_cast<int16_t>(dc);
      data::ReferenceInverseDct(coefficients, steps, fast, 8);
      data::ReferenceInverseDctExact(coefficients, steps, exact, 8);
      ASSERT_EQ(std::vector<uint8_t>(fast, fast + 64), std::vector<uint8_t>(exact, exact + 64))
          << "DC " << dc << " step " << step;
    }
  }
}


// The bound behind the int32 path, at its worst: every coefficient at the limit, with the sign
// pattern of each 2-D basis function (and its negation), which maximises the sums.
TEST(JpegReconstruct, InverseDctAtTheInt32LimitWithAlignedSigns) {
  uint16_t unit[64];
  std::fill(unit, unit + 64, uint16_t{1});
  int16_t coefficients[64];
  uint8_t fast[64], exact[64];
  for (int u = 0; u < 8; ++u) {
    for (int v = 0; v < 8; ++v) {
      for (int flip = 0; flip < 2; ++flip) {
        for (int i = 0; i < 64; ++i) {
          const int row = i / 8, column = i % 8;
          const double basis = std::cos((2 * v + 1) * row * M_PI / 16) *
                               std::cos((2 * u + 1) * column * M_PI / 16);
          coefficients[i] = static_cast<int16_t>((basis >= 0) != (flip == 1) ? 4096 : -4096);
        }
        data::ReferenceInverseDct(coefficients, unit, fast, 8);
        data::ReferenceInverseDctExact(coefficients, unit, exact, 8);
        for (int i = 0; i < 64; ++i) ASSERT_EQ(fast[i], exact[i]) << u << "," << v << "," << flip;
      }
    }
  }
}

}  // namespace
}  // namespace edgeforge
