// data/model_input.h: the photo -> input tensor steps shared by classify, serve and
// calibration. (The golden input tensors are checked through them in serve_test.cc.)
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "data/model_input.h"
#include "test_util.h"

namespace edgeforge {
namespace {

using testing::ReadBytes;
using testing::TestData;

data::ModelInput Describe(const Shape& shape, DType dtype = DType::kUInt8) {
  auto input = data::DescribeImageInput("m.tflite", "x", shape, dtype, {}, {}, {});
  EXPECT_TRUE(input.ok()) << input.status().message();
  return input.ok() ? input.value() : data::ModelInput{};
}

TEST(ModelInput, DescribesImageInputs) {
  const data::ModelInput rgb = Describe({1, 224, 160, 3}, DType::kFloat32);
  EXPECT_EQ(rgb.height, 224);
  EXPECT_EQ(rgb.width, 160);
  EXPECT_EQ(rgb.channels, 3);
  EXPECT_EQ(rgb.color_mode(), ColorMode::kRgb);
  EXPECT_EQ(rgb.byte_size(), size_t{224} * 160 * 3 * 4);
  EXPECT_EQ(Describe({1, 28, 28, 1}, DType::kInt8).color_mode(), ColorMode::kGray);
}

TEST(ModelInput, RejectsInputsThatAreNotImages) {
  for (const Shape& shape : {Shape{1, 3}, Shape{2, 8, 8, 3}, Shape{1, 8, 8, 4}, Shape{1, 0, 8, 3}}) {
    auto input = data::DescribeImageInput("m.tflite", "x", shape, DType::kUInt8, {}, {}, {});
    ASSERT_FALSE(input.ok()) << ShapeToString(shape);
    EXPECT_EQ(input.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(input.status().message().find("m.tflite"), std::string::npos);
    EXPECT_NE(input.status().message().find("[1,H,W,3]"), std::string::npos);
  }
  auto int16 = data::DescribeImageInput("m.tflite", "x", {1, 8, 8, 3}, DType::kInt16, {}, {}, {});
  ASSERT_FALSE(int16.ok());
  EXPECT_EQ(int16.status().code(), StatusCode::kUnimplemented);
}

TEST(ModelInput, FileBytesAndDecodedImageGiveTheSameTensor) {
  const data::ModelInput input = Describe({1, 96, 128, 3});
  const std::string path = TestData("coral/parrot.jpg");
  auto loaded = data::LoadForModelInput(path, input);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  auto decoded = data::DecodeForModelInput(ReadBytes(path), path, input);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(*loaded, *decoded);
  EXPECT_EQ(loaded->width, 128);
  EXPECT_EQ(loaded->height, 96);
  std::vector<uint8_t> written(input.byte_size());
  ASSERT_TRUE(data::WriteModelInput(*loaded, input, written).ok());

  auto full = LoadImage(path);
  ASSERT_TRUE(full.ok());
  auto bytes = data::ModelInputBytes(*full, input);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  EXPECT_EQ(*bytes, written);
}

TEST(ModelInput, ImageBytesNeedTheInputsChannelCount) {
  const data::ModelInput gray = Describe({1, 8, 8, 1});
  Image rgb{4, 4, 3, std::vector<uint8_t>(48, 7)};
  auto bytes = data::ModelInputBytes(rgb, gray);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), StatusCode::kInvalidArgument);
}

TEST(ModelInput, MissingPhotoIsAnError) {
  auto image = data::LoadForModelInput("/nonexistent/photo.jpg", Describe({1, 8, 8, 3}));
  ASSERT_FALSE(image.ok());
  EXPECT_NE(image.status().message().find("photo.jpg"), std::string::npos);
}

}  // namespace
}  // namespace edgeforge
