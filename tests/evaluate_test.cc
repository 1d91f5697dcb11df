// EvaluateModel on flowers-mini with a Coral model: predictions equal classify's library path,
// folder and TFRecord give the same result, and the bookkeeping (top-1/5, per class, confusion)
// adds up. Plus gray data into an RGB model and the errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "data/dataset.h"
#include "data/dataset_builder.h"
#include "data/tfrecord_dataset.h"
#include "edgeforge/image.h"
#include "edgeforge/interpreter.h"
#include "quant/evaluate.h"
#include "test_util.h"

namespace edgeforge::quant {
namespace {

using edgeforge::testing::TempDir;
using edgeforge::testing::TestData;

std::vector<std::string> ImagenetLabels() {
  auto labels = data::ReadClassNames(TestData("coral/imagenet_labels.txt"));
  EXPECT_TRUE(labels.ok());
  return labels.ok() ? labels.value() : std::vector<std::string>{};
}

// What `edgeforge classify` computes for one photo: the top-1 output index.
int ClassifyTop1(const std::string& model_path, const std::string& image_path) {
  auto model = Model::FromFile(model_path);
  EXPECT_TRUE(model.ok());
  auto interp = Interpreter::Create(model.value());
  EXPECT_TRUE(interp.ok());
  const TensorInfo in = interp.value()->input_info(0);
  auto image = LoadImage(image_path, in.shape[3] == 1 ? ColorMode::kGray : ColorMode::kRgb);
  EXPECT_TRUE(image.ok());
  const Image resized = ResizeBilinear(image.value(), in.shape[2], in.shape[1]);
  EXPECT_TRUE(ImageToTensor(resized, in.dtype, in.quant, model.value()->input_mean(), model.value()->input_std(),
                            interp.value()->input_bytes(0))
                  .ok());
  EXPECT_TRUE(interp.value()->Invoke().ok());
  const std::vector<float> scores = interp.value()->OutputAsFloat(0);
  return TopK(scores, 1)[0].index;
}

TEST(QuantEvaluate, MatchesClassifyOnFlowers) {
  const std::string model = TestData("coral/mobilenet_v2_1.0_224_quant.tflite");
  auto dataset = data::OpenDataset(TestData("flowers-mini"), data::Split::kTest);
  ASSERT_TRUE(dataset.ok()) << dataset.status().message();
  EvaluationOptions options;
  options.limit = 10;  // two of each class
  options.model_labels = ImagenetLabels();
  auto result = EvaluateModel(model, *dataset.value(), {}, options);
  ASSERT_TRUE(result.ok()) << result.status().message();
  const EvaluationResult& r = result.value();
  ASSERT_EQ(r.evaluated, 10u);
  EXPECT_EQ(r.class_total, (std::vector<size_t>{2, 2, 2, 2, 2}));
  // Only "daisy" is an ImageNet class: the other outputs form the "other" column.
  EXPECT_TRUE(r.has_other_column);
  ASSERT_EQ(r.confusion.size(), 5u);
  ASSERT_EQ(r.confusion[0].size(), 6u);
  size_t confusion_total = 0, diagonal = 0;
  for (size_t t = 0; t < 5; ++t) {
    for (size_t p = 0; p < 6; ++p) confusion_total += r.confusion[t][p];
    diagonal += r.confusion[t][t];
  }
  EXPECT_EQ(confusion_total, 10u);
  EXPECT_EQ(diagonal, r.top1_correct);
  EXPECT_LE(r.top1_correct, r.top5_correct);
  EXPECT_EQ(r.class_correct[0], r.confusion[0][0]);
  // The same top-1 as classify's library path, and "daisy" (line 987 of the labels) is the only
  // output that maps to a dataset class.
  for (const Prediction& p : r.predictions) {
    SCOPED_TRACE(dataset.value()->Describe(p.index));
    EXPECT_EQ(p.output, ClassifyTop1(model, dataset.value()->Describe(p.index)));
    EXPECT_EQ(p.predicted_class, p.output == 986 ? 0 : -1);
  }
  EXPECT_GE(r.class_correct[0], 1u);
  EXPECT_NE(FormatEvaluation(r).find("top-1: "), std::string::npos);
}

TEST(QuantEvaluate, TfRecordGivesTheSameAsTheFolder) {
  TempDir dir;
  const std::string photos = dir.file("photos");
  for (const char* c : {"daisy", "roses"}) {
    std::filesystem::create_directories(photos + "/" + c);
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(TestData(std::string("flowers-mini/test/") + c))) {
      files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (size_t i = 0; i < 3; ++i) std::filesystem::copy_file(files[i], photos + "/" + c + "/" + files[i].filename().string());
  }
  data::BuildOptions build;
  build.from_dir = photos;
  build.out_prefix = dir.file("flowers");
  build.val_fraction = 0;
  ASSERT_TRUE(data::BuildTfRecordDataset(build, nullptr).ok());
  const std::string model = TestData("coral/mobilenet_v1_0.25_128_quant.tflite");
  EvaluationOptions options;
  options.model_labels = ImagenetLabels();
  auto folder = data::OpenDataset(photos);
  auto records = data::OpenDataset(dir.file("flowers"));
  ASSERT_TRUE(folder.ok() && records.ok());
  auto a = EvaluateModel(model, *folder.value(), {}, options);
  auto b = EvaluateModel(model, *records.value(), {}, options);
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(a.value().confusion, b.value().confusion);
  EXPECT_EQ(a.value().top5_correct, b.value().top5_correct);
  std::vector<std::pair<int, int>> pa, pb;  // (label, output), order-independent
  for (const Prediction& p : a.value().predictions) pa.emplace_back(p.label, p.output);
  for (const Prediction& p : b.value().predictions) pb.emplace_back(p.label, p.output);
  std::sort(pa.begin(), pa.end());
  std::sort(pb.begin(), pb.end());
  EXPECT_EQ(pa, pb);
}

// 1x1 gray "digits" dataset: every class name is a number, matched to outputs named "0".."1000".
class TinyGray final : public data::Dataset {
 public:
  size_t size() const override { return 4; }
  const std::vector<std::string>& class_names() const override { return names_; }
  int label(size_t i) const override { return static_cast<int>(i % 2); }
  StatusOr<Image> Load(size_t i) const override {
    if (i == 3) return InvalidArgument("tiny #3: unreadable");
    Image image{28, 28, 1, std::vector<uint8_t>(28 * 28, static_cast<uint8_t>(60 * i))};
    return image;
  }
  std::string Describe(size_t i) const override { return "tiny #" + std::to_string(i); }
  std::string Summary() const override { return "tiny"; }

 private:
  std::vector<std::string> names_{"0", "1"};
};

TEST(QuantEvaluate, GrayDataFeedsAnRgbModelAndSkipsBrokenExamples) {
  TinyGray dataset;
  EvaluationOptions options;
  for (int k = 0; k < 1001; ++k) options.model_labels.push_back(std::to_string(k));
  std::FILE* warnings = std::tmpfile();
  options.warnings = warnings;
  auto result = EvaluateModel(TestData("coral/mobilenet_v1_0.25_128_quant.tflite"), dataset, {}, options);
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_EQ(result.value().evaluated, 3u);
  EXPECT_EQ(result.value().skipped, 1u);
  std::rewind(warnings);
  char buffer[256] = {};
  ASSERT_NE(std::fgets(buffer, sizeof buffer, warnings), nullptr);
  std::fclose(warnings);
  EXPECT_NE(std::string(buffer).find("tiny #3"), std::string::npos) << buffer;
}

TEST(QuantEvaluate, Errors) {
  TinyGray dataset;
  // 1001 outputs, 2 classes, no labels: cannot tell which output is which class.
  auto result = EvaluateModel(TestData("coral/mobilenet_v1_0.25_128_quant.tflite"), dataset, {});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("1001 outputs"), std::string::npos) << result.status().message();
  // Labels that name no class.
  EvaluationOptions options;
  options.model_labels = {"cat", "dog"};
  result = EvaluateModel(TestData("coral/mobilenet_v1_0.25_128_quant.tflite"), dataset, {}, options);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("labels"), std::string::npos) << result.status().message();
  // A model that does not exist, an LSTM that takes no image.
  result = EvaluateModel("/nonexistent/model.tflite", dataset, {});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("/nonexistent/model.tflite"), std::string::npos);
  result = EvaluateModel(TestData("coral/keras_lstm_mnist_ptq.tflite"), dataset, {});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("keras_lstm_mnist_ptq.tflite"), std::string::npos)
      << result.status().message();
}

}  // namespace
}  // namespace edgeforge::quant
