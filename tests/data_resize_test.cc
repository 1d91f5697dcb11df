// ResizeBilinear and CenterCrop: hand-computed cases, properties, and the reproduction of
// every golden model input in testdata/golden (decode -> resize -> ImageToTensor).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "edgeforge/image.h"
#include "test_util.h"

namespace edgeforge {
namespace {

using testing::ReadBytes;
using testing::TestData;

Image RandomImage(int width, int height, int channels, std::mt19937& rng) {
  Image image{width, height, channels, {}};
  image.pixels.resize(static_cast<size_t>(width) * height * channels);
  for (auto& p : image.pixels) p = static_cast<uint8_t>(rng() & 0xFF);
  return image;
}

TEST(DataResize, SameSizeIsTheIdentity) {
  std::mt19937 rng(1);
  const Image image = RandomImage(17, 9, 3, rng);
  EXPECT_EQ(ResizeBilinear(image, 17, 9), image);
}

TEST(DataResize, UpscaleTwoPixelsByTwo) {
  // Half-pixel centres: outputs sample x = -0.25, 0.25, 0.75, 1.25; the outer two clamp.
  const Image image{2, 1, 1, {0, 255}};
  const Image out = ResizeBilinear(image, 4, 1);
  EXPECT_EQ(out.pixels, (std::vector<uint8_t>{0, 64, 191, 255}));  // 63.75, 191.25
}

TEST(DataResize, DownscaleByTwoAveragesPairsRoundingHalfUp) {
  // x = 0.5 and 2.5: the mean of each pair; 15.5 rounds up (floor(v + 0.5)).
  const Image image{4, 1, 1, {10, 21, 100, 200}};
  EXPECT_EQ(ResizeBilinear(image, 2, 1).pixels, (std::vector<uint8_t>{16, 150}));
  // The same along y, with two channels kept apart.
  const Image column{1, 4, 2, {10, 0, 21, 1, 100, 2, 200, 255}};
  EXPECT_EQ(ResizeBilinear(column, 1, 2).pixels, (std::vector<uint8_t>{16, 1, 150, 129}));
}

TEST(DataResize, ConstantStaysConstantAndResultsStayInRange) {
  std::mt19937 rng(2);
  for (int trial = 0; trial < 40; ++trial) {
    const int in_w = 1 + rng() % 40, in_h = 1 + rng() % 40, channels = 1 + 2 * (rng() % 2);
    const int out_w = 1 + rng() % 60, out_h = 1 + rng() % 60;
    SCOPED_TRACE("trial " + std::to_string(trial) + ": " + std::to_string(in_w) + "x" +
                 std::to_string(in_h) + "x" + std::to_string(channels) + " -> " +
                 std::to_string(out_w) + "x" + std::to_string(out_h));
    const uint8_t value = rng() & 0xFF;
    Image flat{in_w, in_h, channels,
               std::vector<uint8_t>(static_cast<size_t>(in_w) * in_h * channels, value)};
    const Image flat_out = ResizeBilinear(flat, out_w, out_h);
    ASSERT_EQ(flat_out.pixels.size(), static_cast<size_t>(out_w) * out_h * channels);
    EXPECT_TRUE(std::all_of(flat_out.pixels.begin(), flat_out.pixels.end(),
                            [value](uint8_t p) { return p == value; }));

    // A two-valued image never resizes to anything outside [lo, hi].
    Image two{in_w, in_h, channels, {}};
    for (size_t i = 0; i < flat.pixels.size(); ++i) two.pixels.push_back(rng() % 2 ? 40 : 90);
    const Image out = ResizeBilinear(two, out_w, out_h);
    EXPECT_TRUE(std::all_of(out.pixels.begin(), out.pixels.end(),
                            [](uint8_t p) { return p >= 40 && p <= 90; }));
  }
}

TEST(DataResize, MatchesAnIndependentFourTapReference) {
  // TFLite's reference kernel form (four weighted products, long double) differs from TF's
  // lerp form only by rounding: never by more than 1, and in well under 1% of the values
  // (0.18% with this seed).
  std::mt19937 rng(3);
  size_t differing = 0, total = 0;
  for (int trial = 0; trial < 20; ++trial) {
    const int in_w = 1 + rng() % 50, in_h = 1 + rng() % 50;
    const int out_w = 1 + rng() % 70, out_h = 1 + rng() % 70;
    SCOPED_TRACE("trial " + std::to_string(trial));
    const Image image = RandomImage(in_w, in_h, 3, rng);
    const Image out = ResizeBilinear(image, out_w, out_h);
    for (int y = 0; y < out_h; ++y) {
      const long double fy = (y + 0.5L) * in_h / out_h - 0.5L;
      const int y0 = std::max(0, static_cast<int>(std::floor(fy)));
      const int y1 = std::min(in_h - 1, static_cast<int>(std::ceil(fy)));
      const long double wy = fy - std::floor(fy);
      for (int x = 0; x < out_w; ++x) {
        const long double fx = (x + 0.5L) * in_w / out_w - 0.5L;
        const int x0 = std::max(0, static_cast<int>(std::floor(fx)));
        const int x1 = std::min(in_w - 1, static_cast<int>(std::ceil(fx)));
        const long double wx = fx - std::floor(fx);
        for (int c = 0; c < 3; ++c) {
          auto at = [&](int yy, int xx) { return image.pixels[(yy * in_w + xx) * 3 + c]; };
          const long double v = at(y0, x0) * (1 - wy) * (1 - wx) + at(y0, x1) * (1 - wy) * wx +
                                at(y1, x0) * wy * (1 - wx) + at(y1, x1) * wy * wx;
          const int want = static_cast<int>(std::floor(v + 0.5L));
          const int got = out.pixels[(y * out_w + x) * 3 + c];
          ASSERT_LE(std::abs(got - want), 1) << "at (" << x << ", " << y << ", " << c << ")";
          differing += got != want;
          ++total;
        }
      }
    }
  }
  EXPECT_LT(differing * 100, total) << differing << " of " << total;
}

TEST(DataCrop, CentralFractionLikeTensorFlow) {
  std::mt19937 rng(4);
  const Image image = RandomImage(224, 200, 3, rng);
  // start = int((224 - 196) / 2) = 14 -> 196 wide; int((200 - 175) / 2) = 12 -> 176 tall.
  const Image crop = CenterCrop(image, 0.875f);
  ASSERT_EQ(crop.width, 196);
  ASSERT_EQ(crop.height, 176);
  for (int y = 0; y < crop.height; ++y) {
    for (int x = 0; x < crop.width; ++x) {
      for (int c = 0; c < 3; ++c) {
        ASSERT_EQ(crop.pixels[(y * 196 + x) * 3 + c],
                  image.pixels[((y + 12) * 224 + (x + 14)) * 3 + c]);
      }
    }
  }
  EXPECT_EQ(CenterCrop(image, 1.0f), image);
  const Image odd{5, 5, 1, std::vector<uint8_t>(25, 0)};
  const Image odd_crop = CenterCrop(odd, 0.5f);  // int(1.25) = 1 -> 3x3
  EXPECT_EQ(odd_crop.width, 3);
  EXPECT_EQ(odd_crop.height, 3);
}

TEST(DataCrop, ToAGivenSize) {
  Image image{6, 4, 1, {}};
  for (int i = 0; i < 24; ++i) image.pixels.push_back(i);
  const Image crop = CenterCrop(image, 2, 2);  // offset (2, 1)
  EXPECT_EQ(crop.pixels, (std::vector<uint8_t>{8, 9, 14, 15}));
  const Image odd = CenterCrop(image, 3, 3);  // offset (1, 0): rounds down
  EXPECT_EQ(odd.pixels, (std::vector<uint8_t>{1, 2, 3, 7, 8, 9, 13, 14, 15}));
  EXPECT_EQ(CenterCrop(image, 6, 4), image);
}

// -----------------------------------------------------------------------------------------
// Golden inputs: what the TFLite oracle was fed for each model and photo.

DType DTypeFromName(const std::string& name) {
  if (name == "uint8") return DType::kUInt8;
  if (name == "int8") return DType::kInt8;
  return DType::kFloat32;
}

// The photo behind a golden entry: coral/<image>.bmp, or .jpg when there is no BMP.
std::string PhotoPath(const std::string& image) {
  const std::string bmp = TestData("coral/" + image + ".bmp");
  return std::filesystem::exists(bmp) ? bmp : TestData("coral/" + image + ".jpg");
}

TEST(DataResizeGolden, ReproducesEveryGoldenInput) {
  const nlohmann::json index =
      nlohmann::json::parse(testing::ReadBytes(TestData("golden/index.json")));
  ASSERT_EQ(index.size(), 20u);
  int exact = 0;
  for (const auto& entry : index) {
    const std::string image_name = entry["image"];
    const auto& input = entry["input"];
    SCOPED_TRACE(entry["model"].get<std::string>() + " / " + image_name);
    const std::vector<int> shape = input["shape"];
    ASSERT_EQ(shape.size(), 4u);
    const DType dtype = DTypeFromName(input["dtype"]);
    QuantParams quant;
    quant.scale = input["quant"]["scale"].get<std::vector<float>>();
    quant.zero_point = input["quant"]["zero_point"].get<std::vector<int64_t>>();

    const std::string path = PhotoPath(image_name);
    StatusOr<Image> photo = LoadImage(path);
    ASSERT_TRUE(photo.ok()) << photo.status().message();
    const Image resized = ResizeBilinear(*photo, shape[2], shape[1]);
    ASSERT_EQ(resized.channels, shape[3]);
    std::vector<uint8_t> tensor(static_cast<size_t>(input["bytes"]));
    // Raw pixels: every golden input, the TF2 model's uint8 input included.
    ASSERT_TRUE(ImageToTensor(resized, dtype, quant, {}, {}, tensor).ok());

    const std::vector<uint8_t> golden =
        ReadBytes(TestData("golden/" + input["file"].get<std::string>()));
    ASSERT_EQ(tensor.size(), golden.size());
    // BMP decoding is exact, and the default JPEG decode reproduces jpeg-js (the decoder the
    // goldens were made with) bit for bit, so every resized input must equal the golden.
    EXPECT_EQ(tensor, golden);
    exact += tensor == golden;
  }
  EXPECT_EQ(exact, 20);
}

}  // namespace
}  // namespace edgeforge
