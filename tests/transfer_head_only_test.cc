// Head-only transfer learning from the published Coral models on a few flowers-mini photos:
// the written 8-bit model must give byte-identical outputs in the TFLite runtime, map fully to
// the Edge TPU, and be fed and read like the pretrained model. The full flowers-mini accuracy is
// measured with the CLI (README), not here: it takes a minute of backbone passes.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "edgeforge/image.h"
#include "edgeforge/interpreter.h"
#include "edgetpu/compatibility.h"
#include "ir/dequantize_pass.h"
#include "ir/training_passes.h"
#include "models/zoo.h"
#include "test_util.h"
#include "tflite/reader.h"
#include "tflite/writer.h"
#include "transfer/augment.h"
#include "transfer/head_cut.h"
#include "transfer/head_only.h"
#include "transfer/training_data.h"
#include "transfer_test_util.h"

namespace edgeforge {
namespace {

using testing::ReadBytes;
using testing::RunShell;
using testing::TempDir;
using testing::TestData;
using testing::WriteBytes;

std::string Coral(const std::string& name) { return TestData("coral/" + name); }

transfer::HeadOnlyOptions SmallRun(const std::string& model, const std::string& data, const std::string& out) {
  transfer::HeadOnlyOptions o;
  o.from = model;
  o.data = data;
  o.out = out;
  o.training.epochs = 20;
  o.augment = 0;  // a few photos, one view each: quick; the default's views are tested below
  return o;
}

// Runs `model_path` on each photo in-process and in the TFLite oracle; the output bytes must be
// equal. Returns the in-process top-1 label per photo.
std::vector<std::string> CompareWithTflite(const std::string& model_path, const std::vector<std::string>& photos,
                                           const TempDir& tmp) {
  auto model = Model::FromFile(model_path);
  EXPECT_TRUE(model.ok()) << model.status().message();
  if (!model.ok()) return {};
  auto interp = Interpreter::Create(model.value());
  EXPECT_TRUE(interp.ok()) << interp.status().message();
  if (!interp.ok()) return {};
  const std::string oracle = std::string(EF_BINARY_DIR) + "/oracle/run_tflite.mjs";
  EXPECT_TRUE(std::filesystem::exists(oracle)) << "TFLite oracle missing: run scripts/test.sh, which installs it";
  std::vector<std::string> predicted;
  for (const std::string& photo : photos) {
    SCOPED_TRACE(photo);
    auto image = LoadImage(photo);
    EXPECT_TRUE(image.ok());
    if (!image.ok()) continue;
    TensorInfo in = interp.value()->input_info(0);
    Image resized = ResizeBilinear(image.value(), in.shape[2], in.shape[1]);
    std::vector<uint8_t> input(in.bytes);
    EXPECT_TRUE(ImageToTensor(resized, in.dtype, in.quant, {}, {}, input).ok());
    EXPECT_TRUE(interp.value()->SetInput(0, input).ok());
    EXPECT_TRUE(interp.value()->Invoke().ok());
    auto out = interp.value()->output_bytes(0);
    const std::vector<uint8_t> ours(out.begin(), out.end());
    predicted.push_back(
        model.value()->labels().at(static_cast<size_t>(TopK(interp.value()->OutputAsFloat(0), 1)[0].index)));
    WriteBytes(tmp.file("in.bin"), input);
    auto r = RunShell("node " + oracle + " " + model_path + " " + tmp.file("in.bin") + " " + tmp.file("out.bin"));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(ReadBytes(tmp.file("out.bin")), ours) << "differs from the TFLite runtime";
  }
  return predicted;
}

void ExpectMapsFully(const std::string& path) {
  auto graph = tflite::ReadModelFile(path);
  ASSERT_TRUE(graph.ok());
  auto report = edgetpu::CheckCompatibility(graph.value());
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_TRUE(report->fully_mapped()) << "first CPU op " << report->first_cpu_op.value_or(-1);
}

std::vector<std::string> TestPhotos(const std::string& data, const std::vector<std::string>& classes) {
  std::vector<std::string> photos;
  for (const std::string& c : classes) {
    for (const auto& e : std::filesystem::directory_iterator(data + "/test/" + c)) photos.push_back(e.path().string());
  }
  std::sort(photos.begin(), photos.end());
  return photos;
}

// Both 8-bit flavours: TF1 uint8 (appended head in uint8) and TF2 int8 with uint8 I/O (int8 head,
// then QUANTIZE back to the uint8 output the pretrained model had).
class TransferHeadOnlyQuantized : public ::testing::TestWithParam<const char*> {};

TEST_P(TransferHeadOnlyQuantized, WritesModelsThatMatchTfliteAndMapToTheEdgeTpu) {
  TempDir tmp;
  const std::vector<std::string> classes = {"daisy", "sunflowers"};
  testing::MakeFlowersSubset(tmp.file("data"), classes, 5, 2);
  const transfer::HeadOnlyOptions o = SmallRun(Coral(GetParam()), tmp.file("data"), tmp.file("out"));
  auto report = transfer::TrainHeadOnly(o, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->labels, classes);
  EXPECT_EQ(report->head_kind, transfer::HeadKind::kConv1x1);
  EXPECT_EQ(report->feature_dim, 1280);
  EXPECT_EQ(report->train_images, 8u);
  EXPECT_EQ(report->val_images, 2u);
  EXPECT_EQ(report->test_images, 4u);
  EXPECT_EQ(report->accuracy.train, 1.0);
  EXPECT_TRUE(report->trained_on_val);  // the default
  ASSERT_TRUE(report->edgetpu_fully_mapped.has_value());
  EXPECT_TRUE(*report->edgetpu_fully_mapped);

  for (const char* f : {"model_float.tflite", "model_int8.tflite", "labels.txt", "metrics.json"}) {
    EXPECT_TRUE(std::filesystem::exists(tmp.file("out/") + f)) << f;
  }
  std::ifstream labels(tmp.file("out/labels.txt"));
  std::string text((std::istreambuf_iterator<char>(labels)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "daisy\nsunflowers\n");
  std::ifstream metrics_file(tmp.file("out/metrics.json"));
  const nlohmann::json metrics = nlohmann::json::parse(metrics_file);
  EXPECT_EQ(metrics["classes"].size(), 2u);
  EXPECT_EQ(metrics["accuracy"]["train"].get<double>(), 1.0);
  EXPECT_TRUE(metrics["accuracy"]["test"].is_number());
  EXPECT_TRUE(metrics["seconds"]["total"].is_number());
  EXPECT_TRUE(metrics["edgetpu"]["fully_mapped"].get<bool>());

  // The 8-bit model: fed and read like the pretrained one, byte-identical with TFLite, and its
  // in-process predictions are what the report's test accuracy counted.
  auto pretrained = tflite::ReadModelFile(Coral(GetParam()));
  auto int8 = tflite::ReadModelFile(tmp.file("out/model_int8.tflite"));
  ASSERT_TRUE(pretrained.ok() && int8.ok());
  EXPECT_EQ(int8->tensor(int8->inputs[0]).dtype, pretrained->tensor(pretrained->inputs[0]).dtype);
  EXPECT_EQ(int8->tensor(int8->outputs[0]).dtype, pretrained->tensor(pretrained->outputs[0]).dtype);
  EXPECT_EQ(int8->tensor(int8->outputs[0]).shape, (Shape{1, 2}));
  EXPECT_EQ(int8->metadata.labels, classes);
  const std::vector<std::string> photos = TestPhotos(tmp.file("data"), classes);
  const std::vector<std::string> predicted = CompareWithTflite(tmp.file("out/model_int8.tflite"), photos, tmp);
  ASSERT_EQ(predicted.size(), photos.size());
  size_t correct = 0;
  for (size_t i = 0; i < photos.size(); ++i) correct += photos[i].find("/" + predicted[i] + "/") != std::string::npos;
  EXPECT_DOUBLE_EQ(static_cast<double>(correct) / static_cast<double>(photos.size()), report->accuracy.test);

  // The float model is float from end to end and carries the labels.
  auto float_model = tflite::ReadModelFile(tmp.file("out/model_float.tflite"));
  ASSERT_TRUE(float_model.ok()) << float_model.status().message();
  EXPECT_EQ(float_model->tensor(float_model->outputs[0]).dtype, DType::kFloat32);
  EXPECT_EQ(float_model->metadata.labels, classes);
  auto model = Model::FromFile(tmp.file("out/model_float.tflite"));
  ASSERT_TRUE(model.ok()) << model.status().message();
}

INSTANTIATE_TEST_SUITE_P(CoralBackbones, TransferHeadOnlyQuantized,
                         ::testing::Values("mobilenet_v2_1.0_224_quant.tflite", "tf2_mobilenet_v2_1.0_224_ptq.tflite"));

TEST(TransferHeadOnly, EmbeddingExtractorWithAugmentedViews) {
  TempDir tmp;
  // Coral's imprinting photos: flat <class>_*.bmp files, no train/ and test/.
  transfer::HeadOnlyOptions o =
      SmallRun(Coral("mobilenet_v1_1.0_224_quant_embedding_extractor.tflite"), Coral("imprinting"), tmp.file("out"));
  o.augment = 2;
  auto report = transfer::TrainHeadOnly(o, nullptr);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->head_kind, transfer::HeadKind::kNone);
  EXPECT_EQ(report->labels, (std::vector<std::string>{"cat", "dog", "hotdog"}));
  EXPECT_EQ(report->val_images, 3u);
  EXPECT_EQ(report->train_examples, report->train_images * 3);
  EXPECT_EQ(report->test_images, 0u);
  EXPECT_EQ(report->accuracy.test, -1);
  ExpectMapsFully(tmp.file("out/model_int8.tflite"));
  const std::vector<std::string> photos = {Coral("imprinting/cat_test_0.bmp"), Coral("imprinting/dog_test_0.bmp")};
  EXPECT_EQ(CompareWithTflite(tmp.file("out/model_int8.tflite"), photos, tmp).size(), 2u);
}

TEST(TransferHeadOnly, FloatBackboneIsQuantizedWithTheTrainingPhotos) {
  TempDir tmp;
  // A float pretrained classifier: the small MobileNet V1 dequantized.
  auto quantized = tflite::ReadModelFile(Coral("mobilenet_v1_0.25_128_quant.tflite"));
  ASSERT_TRUE(quantized.ok());
  auto float_graph = ir::DequantizeGraph(*quantized);
  ASSERT_TRUE(float_graph.ok()) << float_graph.status().message();
  ASSERT_TRUE(tflite::WriteModelFile(*float_graph, tmp.file("float.tflite")).ok());
  testing::MakeFlowersSubset(tmp.file("data"), {"daisy", "roses", "tulips"}, 3, 1);
  auto report = transfer::TrainHeadOnly(SmallRun(tmp.file("float.tflite"), tmp.file("data"), tmp.file("out")), nullptr);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->feature_dim, 256);
  ASSERT_TRUE(report->edgetpu_fully_mapped.has_value());
  EXPECT_TRUE(*report->edgetpu_fully_mapped);
  EXPECT_GE(report->accuracy.test, 0.0);
  // The written model learned from the validation photos: their accuracy is the held-out head's.
  EXPECT_TRUE(report->trained_on_val);
  EXPECT_EQ(report->accuracy.val, report->float_head_accuracy.val);
  auto int8 = tflite::ReadModelFile(tmp.file("out/model_int8.tflite"));
  ASSERT_TRUE(int8.ok()) << int8.status().message();
  EXPECT_EQ(int8->tensor(int8->inputs[0]).dtype, DType::kUInt8);
  EXPECT_EQ(int8->metadata.labels, (std::vector<std::string>{"daisy", "roses", "tulips"}));
}

// A model edgeforge trained is a backbone too: the trainer exports a zoo graph in inference form
// with labels and mean/std metadata, which is what this builds (with untrained weights).
TEST(TransferHeadOnly, EdgeforgeZooExportIsABackbone) {
  TempDir tmp;
  models::ModelOptions mo;
  mo.image_size = 32;
  mo.num_classes = 10;
  mo.width_multiplier = 0.35f;
  auto zoo = models::BuildModel("mobilenet-v2", mo);
  ASSERT_TRUE(zoo.ok()) << zoo.status().message();
  auto inference = ir::ToInferenceForm(*zoo);
  ASSERT_TRUE(inference.ok()) << inference.status().message();
  ASSERT_TRUE(tflite::WriteModelFile(*inference, tmp.file("zoo.tflite")).ok());
  testing::MakeFlowersSubset(tmp.file("data"), {"daisy", "roses", "tulips"}, 3, 1);
  auto report = transfer::TrainHeadOnly(SmallRun(tmp.file("zoo.tflite"), tmp.file("data"), tmp.file("out")), nullptr);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->head_kind, transfer::HeadKind::kFullyConnected);
  EXPECT_GT(report->feature_dim, 0);
  ASSERT_TRUE(report->edgetpu_fully_mapped.has_value());
  EXPECT_TRUE(*report->edgetpu_fully_mapped);
  auto int8 = tflite::ReadModelFile(tmp.file("out/model_int8.tflite"));
  ASSERT_TRUE(int8.ok()) << int8.status().message();
  EXPECT_EQ(int8->metadata.labels, (std::vector<std::string>{"daisy", "roses", "tulips"}));
}

TEST(TransferHeadOnly, KeepValOutWritesTheHeadValidationMeasured) {
  TempDir tmp;
  testing::MakeFlowersSubset(tmp.file("data"), {"daisy", "roses"}, 4, 1);
  transfer::HeadOnlyOptions o = SmallRun(Coral("mobilenet_v1_0.25_128_quant.tflite"), tmp.file("data"), tmp.file("out"));
  o.train_on_val = false;
  auto kept = transfer::TrainHeadOnly(o, nullptr);
  ASSERT_TRUE(kept.ok()) << kept.status().message();
  EXPECT_FALSE(kept->trained_on_val);
  EXPECT_EQ(kept->val_images, 2u);
  o.train_on_val = true;
  o.val_fraction = 0;  // nothing held out: nothing to train on again
  auto none = transfer::TrainHeadOnly(o, nullptr);
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_FALSE(none->trained_on_val);
  EXPECT_EQ(none->accuracy.val, -1);
}

// --- bad input -------------------------------------------------------------------------------

std::string ErrorOf(const transfer::HeadOnlyOptions& o) {
  auto r = transfer::TrainHeadOnly(o, nullptr);
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.status().message();
}

TEST(TransferHeadOnly, OneClassIsRefused) {
  TempDir tmp;
  testing::MakeFlowersSubset(tmp.file("data"), {"daisy"}, 3, 0);
  const std::string m = ErrorOf(SmallRun(Coral("mobilenet_v1_0.25_128_quant.tflite"), tmp.file("data/train"), tmp.file("out")));
  EXPECT_NE(m.find("found one class ('daisy')"), std::string::npos) << m;
  EXPECT_NE(m.find("at least 2 classes"), std::string::npos) << m;
  EXPECT_FALSE(std::filesystem::exists(tmp.file("out")));
}

TEST(TransferHeadOnly, ClassWithoutReadablePhotoIsNamed) {
  TempDir tmp;
  std::filesystem::create_directories(tmp.file("data/cat"));
  std::filesystem::create_directories(tmp.file("data/broken"));
  std::filesystem::copy_file(Coral("imprinting/cat_train_0.bmp"), tmp.file("data/cat/a.bmp"));
  WriteBytes(tmp.file("data/broken/b.jpg"), std::vector<uint8_t>(40, 1));
  const std::string m = ErrorOf(SmallRun(Coral("mobilenet_v1_0.25_128_quant.tflite"), tmp.file("data"), tmp.file("out")));
  EXPECT_NE(m.find("class 'broken' has no readable image"), std::string::npos) << m;
  EXPECT_NE(m.find(tmp.file("data")), std::string::npos) << m;
  EXPECT_FALSE(std::filesystem::exists(tmp.file("out/model_int8.tflite")));
}

TEST(TransferHeadOnly, ModelWithoutRecognisableHeadNeedsCutAt) {
  TempDir tmp;
  // MobileNet V1 0.25 whose head was replaced by a bare SOFTMAX over the pooled features.
  auto g = tflite::ReadModelFile(Coral("mobilenet_v1_0.25_128_quant.tflite"));
  ASSERT_TRUE(g.ok());
  int pooled = -1;
  ir::Graph odd = transfer::TruncateAt(*g, g->ops[27].outputs[0], &pooled);
  ir::Tensor probs = odd.tensor(pooled);
  probs.name = "probs";
  probs.shape = {1, 1, 1, 256};
  probs.quant.scale = {1.0f / 256};
  probs.quant.zero_point = {0};
  const int p = odd.AddTensor(probs);
  ir::Op sm;
  sm.type = ir::OpType::kSoftmax;
  sm.builtin_code = 25;
  sm.inputs = {pooled};
  sm.outputs = {p};
  sm.options = ir::SoftmaxOptions{};
  odd.AddOp(sm);
  odd.outputs = {p};
  ASSERT_TRUE(tflite::WriteModelFile(odd, tmp.file("odd.tflite")).ok());
  testing::MakeFlowersSubset(tmp.file("data"), {"daisy", "roses"}, 2, 0);
  transfer::HeadOnlyOptions o = SmallRun(tmp.file("odd.tflite"), tmp.file("data"), tmp.file("out"));
  std::string m = ErrorOf(o);
  EXPECT_NE(m.find("odd.tflite: no recognisable classifier head"), std::string::npos) << m;
  EXPECT_NE(m.find("--cut-at"), std::string::npos) << m;
  // Naming the pooled tensor makes it trainable; a feature map is refused with the reason.
  o.cut_at = odd.tensor(pooled).name;
  auto r = transfer::TrainHeadOnly(o, nullptr);
  EXPECT_TRUE(r.ok()) << r.status().message();
  o.cut_at = odd.tensor(odd.ops[26].outputs[0]).name;  // the last CONV_2D: [1,4,4,256]
  m = ErrorOf(o);
  EXPECT_NE(m.find("is [1,4,4,256]; head-only training needs one feature vector per image"), std::string::npos) << m;
}

TEST(TransferHeadOnly, ModelWithoutImageInputIsRefused) {
  TempDir tmp;
  const std::string m =
      ErrorOf(SmallRun(Coral("keras_lstm_mnist_ptq.tflite"), Coral("imprinting"), tmp.file("out")));
  EXPECT_NE(m.find("keras_lstm_mnist_ptq.tflite"), std::string::npos) << m;
  EXPECT_NE(m.find("[1,H,W,3]"), std::string::npos) << m;
}

// --- pieces ----------------------------------------------------------------------------------

TEST(TransferHeadOnly, StratifiedSplitHoldsBackAShareOfEachClass) {
  std::vector<data::LabelledImage> images;
  for (int c = 0; c < 3; ++c) {
    for (int i = 0; i < 10 * (c + 1); ++i) images.push_back({"c" + std::to_string(c) + "_" + std::to_string(i), c});
  }
  images.push_back({"lonely", 3});
  std::vector<data::LabelledImage> train, val;
  transfer::StratifiedSplit(images, 4, 0.2f, 7, &train, &val);
  std::vector<int> held(4, 0);
  for (const auto& v : val) held[static_cast<size_t>(v.label)]++;
  EXPECT_EQ(held, (std::vector<int>{2, 4, 6, 0}));  // a class's only photo stays in training
  EXPECT_EQ(train.size() + val.size(), images.size());
  std::vector<data::LabelledImage> train2, val2;
  transfer::StratifiedSplit(images, 4, 0.2f, 7, &train2, &val2);
  for (size_t i = 0; i < val.size(); ++i) EXPECT_EQ(val[i].path, val2[i].path);  // seeded
}

TEST(TransferHeadOnly, AugmentedViewsStayInsideThePhoto) {
  Image image;
  image.width = 40;
  image.height = 30;
  image.channels = 3;
  image.pixels.resize(40 * 30 * 3);
  for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<uint8_t>(i * 7);
  EXPECT_EQ(transfer::FlipHorizontally(transfer::FlipHorizontally(image)), image);
  const Image flipped = transfer::FlipHorizontally(image);
  EXPECT_EQ(flipped.pixels[0], image.pixels[39 * 3]);
  std::mt19937 rng(3);
  for (int i = 0; i < 50; ++i) {
    const Image v = transfer::RandomCropAndFlip(image, {}, rng);
    EXPECT_GE(v.width * v.height, static_cast<int>(0.3f * 40 * 30)) << v.width << "x" << v.height;
    EXPECT_LE(v.width, 40);
    EXPECT_LE(v.height, 30);
    EXPECT_EQ(v.pixels.size(), static_cast<size_t>(v.width * v.height * 3));
  }
}

TEST(TransferHeadOnly, FixedViewsAreMirrorsAndCentreCrops) {
  Image image;
  image.width = 40;
  image.height = 30;
  image.channels = 3;
  image.pixels.resize(40 * 30 * 3);
  for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<uint8_t>(i * 7);
  EXPECT_EQ(transfer::FixedView(image, 1), transfer::FlipHorizontally(image));
  const Image crop = transfer::FixedView(image, 2);  // 87.5 % of each side, centred
  EXPECT_EQ(crop, transfer::CropWindow(image, 2, 2, 35, 26));
  EXPECT_EQ(transfer::FixedView(image, 3), transfer::FlipHorizontally(crop));
  EXPECT_EQ(transfer::FixedView(image, 4), transfer::CropWindow(image, 5, 3, 30, 23));
  EXPECT_EQ(transfer::FixedView(image, 6), transfer::CropWindow(image, 8, 6, 24, 18));
  EXPECT_EQ(transfer::FixedView(image, transfer::kFixedViews).width, 24);
}

TEST(TransferHeadOnly, SmallDatasetsGetTheFixedViewsByDefault) {
  EXPECT_EQ(transfer::HeadOnlyOptions{}.augment, transfer::kAutoAugment);
  EXPECT_EQ(transfer::AugmentFor(transfer::kAutoAugment, 240), transfer::kFixedViews);
  EXPECT_EQ(transfer::AugmentFor(transfer::kAutoAugment, 999), transfer::kFixedViews);
  EXPECT_EQ(transfer::AugmentFor(transfer::kAutoAugment, 1000), 0);
  EXPECT_EQ(transfer::AugmentFor(0, 10), 0);  // asked for: kept
  EXPECT_EQ(transfer::AugmentFor(12, 5000), 12);
}

TEST(TransferHeadOnly, HeadLearnsSeparableFeatures) {
  transfer::FeatureSet set;
  set.dim = 8;
  std::mt19937 rng(5);
  std::normal_distribution<float> noise(0.f, 0.3f);
  for (int i = 0; i < 90; ++i) {
    std::vector<float> v(8);
    for (float& x : v) x = noise(rng);
    v[static_cast<size_t>(i % 3)] += 2.0f;
    set.values.push_back(v);
    set.labels.push_back(i % 3);
  }
  transfer::HeadTrainingLog log;
  transfer::HeadTrainingOptions options;
  options.learning_rate = 0.01f;
  options.average_last_epochs = 1;  // the last weights
  const auto head = transfer::TrainHead(set, 3, options, &log);
  EXPECT_EQ(transfer::FloatAccuracy(head, set), 1.0);
  ASSERT_EQ(log.epoch_loss.size(), 30u);
  EXPECT_LT(log.epoch_loss.back(), log.epoch_loss.front());
  EXPECT_LT(head.logit_min, 0);
  EXPECT_GT(head.logit_max, 0);
  // The default head, the mean over the last 10 epochs, is another one as good (it may give up a
  // noisy training point: averaging regularises).
  options.average_last_epochs = transfer::HeadTrainingOptions{}.average_last_epochs;
  EXPECT_EQ(options.average_last_epochs, 10);
  const auto averaged = transfer::TrainHead(set, 3, options);
  EXPECT_GE(transfer::FloatAccuracy(averaged, set), 0.95);
  EXPECT_NE(averaged.weights, head.weights);
}

}  // namespace
}  // namespace edgeforge
