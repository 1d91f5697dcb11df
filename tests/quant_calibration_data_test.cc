// Calibration from any dataset `data::OpenDataset` takes (a folder of photos, "fashion-mnist",
// TFRecord files), images converted to the model's channels, the class-interleaved order of
// the calibration prefix, and clear errors for calibration data that is not there.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "data/labelled_images.h"
#include "data/tf_example.h"
#include "data/tfrecord.h"
#include "quant/quantize_model.h"
#include "quant_zoo_models.h"

namespace edgeforge::quant {
namespace {

using testing::TempDir;

const std::string kFlowersTrain = testing::TestData("flowers-mini/train");

ir::Tensor ImageInput(int channels, DType dtype = DType::kFloat32) {
  ir::Tensor t;
  t.name = "input";
  t.dtype = dtype;
  t.shape = {1, 8, 8, channels};
  if (dtype != DType::kFloat32) {
    t.quant.scale = {1.0f};
    t.quant.zero_point = {dtype == DType::kInt8 ? -128 : 0};
  }
  return t;
}

// Ten flowers-mini photos (two per class) as tf.train.Example records in one TFRecord file.
void WriteFlowersTfRecord(const std::string& path) {
  auto listed = data::ListLabelledImages(kFlowersTrain);
  ASSERT_TRUE(listed.ok()) << listed.status().message();
  auto writer = data::TfRecordWriter::Create(path);
  ASSERT_TRUE(writer.ok()) << writer.status().message();
  std::vector<int> per_class(listed->class_names.size(), 0);
  for (const data::LabelledImage& image : listed->images) {
    if (per_class[static_cast<size_t>(image.label)]++ >= 2) continue;
    const std::vector<uint8_t> bytes = testing::ReadBytes(image.path);
    data::ImageExample example;
    example.encoded.assign(bytes.begin(), bytes.end());
    example.format = "JPEG";
    example.label = image.label;
    example.text = listed->class_names[static_cast<size_t>(image.label)];
    ASSERT_TRUE((*writer)->Write(data::EncodeImageExample(example)).ok());
  }
  ASSERT_TRUE((*writer)->Close().ok());
}

StatusOr<QuantizeOutcome> QuantizeOn(const testing::ZooCase& c, const std::string& calibration,
                                     const std::string& out, size_t samples = 8) {
  QuantizeRequest r;
  r.model_path = testing::RandomFloatModel(c);
  r.out_path = out;
  r.calibration_dir = calibration;
  r.samples = samples;
  r.report_samples = 2;
  return QuantizeModel(r, nullptr);
}

TEST(QuantCalibrationData, GrayModelCalibratesOnFashionMnist) {
  if (!std::filesystem::exists("/usr/share/datasets/fashion-mnist") && !std::getenv("EDGEFORGE_DATASETS")) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  }
  TempDir tmp;
  auto outcome = QuantizeOn({"mobilenet-v3-small", 28, 1}, "fashion-mnist", tmp.file("int8.tflite"), 12);
  ASSERT_TRUE(outcome.ok()) << outcome.status().message();
  EXPECT_TRUE(outcome->written);
  EXPECT_EQ(outcome->calibration_images, 12u);
  ASSERT_TRUE(outcome->report.has_value());
  EXPECT_EQ(outcome->report->images, 2u);
}

TEST(QuantCalibrationData, RgbModelCalibratesOnGrayImages) {
  if (!std::filesystem::exists("/usr/share/datasets/fashion-mnist") && !std::getenv("EDGEFORGE_DATASETS")) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  }
  TempDir tmp;
  auto outcome = QuantizeOn({"mobilenet-v1", 32, 3}, "fashion-mnist", tmp.file("int8.tflite"));
  ASSERT_TRUE(outcome.ok()) << outcome.status().message();
  EXPECT_TRUE(outcome->written);
}

TEST(QuantCalibrationData, CalibratesOnATfRecordFileOfRgbAndGrayModels) {
  TempDir tmp;
  const std::string record = tmp.file("flowers.tfrecord");
  WriteFlowersTfRecord(record);
  for (const testing::ZooCase& c :
       {testing::ZooCase{"mobilenet-v1", 32, 3}, testing::ZooCase{"mobilenet-v3-small", 28, 1}}) {
    SCOPED_TRACE(testing::CaseName(c));
    auto outcome = QuantizeOn(c, record, tmp.file("int8.tflite"));
    ASSERT_TRUE(outcome.ok()) << outcome.status().message();
    EXPECT_TRUE(outcome->written);
    EXPECT_EQ(outcome->calibration_images, 8u);
    ASSERT_TRUE(outcome->report.has_value());
    EXPECT_EQ(outcome->report->images, 2u);
  }
}

TEST(QuantCalibrationData, PrefixSamplesEveryClassEvenly) {
  TempDir tmp;
  const std::string record = tmp.file("flowers.tfrecord");
  WriteFlowersTfRecord(record);
  for (const std::string& spec : {kFlowersTrain, record, testing::TestData("flowers-mini")}) {
    SCOPED_TRACE(spec);
    auto dataset = OpenCalibrationData(spec);
    ASSERT_TRUE(dataset.ok()) << dataset.status().message();
    const std::vector<size_t> order = InterleaveClasses(**dataset);
    ASSERT_EQ(order.size(), (*dataset)->size());
    std::set<int> first_round;
    for (size_t i = 0; i < 5; ++i) first_round.insert((*dataset)->label(order[i]));
    EXPECT_EQ(first_round.size(), 5u);
    EXPECT_EQ(std::set<size_t>(order.begin(), order.end()).size(), order.size());
  }
  const SampleSplit split = SplitSamples({4, 3, 2, 1, 0}, 3, 5);
  EXPECT_EQ(split.calibration, (std::vector<size_t>{4, 3, 2}));
  EXPECT_EQ(split.held_back, (std::vector<size_t>{1, 0}));
}

// Calibration needs no labels: photos named anything, directly in a folder, are one class.
TEST(QuantCalibrationData, AFlatFolderOfPhotosCalibrates) {
  TempDir tmp;
  const std::string dir = tmp.file("photos");
  std::filesystem::create_directories(dir);
  for (const char* name : {"parrot.jpg", "cat.bmp", "grace_hopper.bmp", "bird.bmp"}) {
    std::filesystem::copy_file(testing::TestData(std::string("coral/") + name), dir + "/" + name);
  }
  auto dataset = OpenCalibrationData(dir);
  ASSERT_TRUE(dataset.ok()) << dataset.status().message();
  EXPECT_EQ((*dataset)->size(), 4u);
  auto paths = ListCalibrationImages(dir);
  ASSERT_TRUE(paths.ok()) << paths.status().message();
  EXPECT_EQ(paths->size(), 4u);
  auto outcome = QuantizeOn({"mobilenet-v1", 32, 3}, dir, tmp.file("int8.tflite"), 3);
  ASSERT_TRUE(outcome.ok()) << outcome.status().message();
  EXPECT_EQ(outcome->calibration_images, 3u);
}

TEST(QuantCalibrationData, ImagesAreConvertedToTheModelsChannels) {
  const std::string photo = testing::TestData("coral/parrot.jpg");
  auto rgb = LoadImage(photo, ColorMode::kRgb);
  ASSERT_TRUE(rgb.ok()) << rgb.status().message();
  // Gray model <- RGB image: the luma, exactly what decoding the file as gray gives.
  for (DType dtype : {DType::kFloat32, DType::kUInt8, DType::kInt8}) {
    const ir::Tensor gray = ImageInput(1, dtype);
    auto from_image = ImageInputBytes(*rgb, gray, {});
    auto from_file = ImageInputBytes(photo, gray, {});
    ASSERT_TRUE(from_image.ok()) << from_image.status().message();
    ASSERT_TRUE(from_file.ok()) << from_file.status().message();
    EXPECT_EQ(*from_image, *from_file) << DTypeName(dtype);
  }
  // RGB model <- gray image: the gray value in every channel.
  auto gray_image = LoadImage(photo, ColorMode::kGray);
  ASSERT_TRUE(gray_image.ok());
  auto replicated = ImageInputBytes(*gray_image, ImageInput(3, DType::kUInt8), {});
  ASSERT_TRUE(replicated.ok()) << replicated.status().message();
  auto single = ImageInputBytes(*gray_image, ImageInput(1, DType::kUInt8), {});
  ASSERT_TRUE(single.ok());
  ASSERT_EQ(replicated->size(), 3 * single->size());
  for (size_t i = 0; i < single->size(); ++i) {
    for (size_t c = 0; c < 3; ++c) ASSERT_EQ((*replicated)[3 * i + c], (*single)[i]) << "pixel " << i;
  }
}

void ExpectError(const std::string& spec, const std::string& expected) {
  SCOPED_TRACE(spec);
  auto dataset = OpenCalibrationData(spec);
  ASSERT_FALSE(dataset.ok());
  EXPECT_NE(dataset.status().message().find(expected), std::string::npos) << dataset.status().message();
}

TEST(QuantCalibrationData, BadDataIsExplained) {
  TempDir tmp;
  ExpectError("", "--calibration");
  ExpectError(tmp.file("nowhere"), "nowhere");
  std::filesystem::create_directories(tmp.file("empty"));
  ExpectError(tmp.file("empty"), "empty");
  testing::WriteBytes(tmp.file("notes.txt"), {'h', 'i'});
  ExpectError(tmp.file("notes.txt"), "notes.txt");
  auto writer = data::TfRecordWriter::Create(tmp.file("none.tfrecord"));
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Close().ok());
  ExpectError(tmp.file("none.tfrecord"), "none.tfrecord");
  ExpectError(testing::TestData("coral/mobilenet_v1_0.25_128_quant.tflite"), "is a .tflite model, not a dataset");

  // Through QuantizeModel: the error names the calibration data and nothing is written.
  auto outcome = QuantizeOn({"mobilenet-v1", 32, 3}, tmp.file("nowhere"), tmp.file("int8.tflite"));
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.status().message().find("calibration data"), std::string::npos) << outcome.status().message();
  EXPECT_FALSE(std::filesystem::exists(tmp.file("int8.tflite")));
}

}  // namespace
}  // namespace edgeforge::quant
