// `edgeforge quantize` end to end. The acceptance case: the float counterpart of the published
// int8 MobileNetV2 (written by `edgeforge dequantize`), calibrated on a few flowers-mini
// images, for the Edge TPU: the int8 model must give the TFLite runtime's bytes, agree with the
// float model's top-1 class, and map fully. The other cases use a small hand-built model (8x8
// input, so images are cheap) and bad input of every kind.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "edgetpu/compatibility.h"
#include "quant/calibration_images.h"
#include "oracle_batch.h"
#include "quant_test_graphs.h"
#include "tflite/reader.h"
#include "tflite/writer.h"

namespace edgeforge {
namespace {

using testing::RunCli;
using testing::TempDir;
using testing::TestData;

const std::string kFlowersTrain = TestData("flowers-mini/train");
const std::string kFlowersTest = TestData("flowers-mini/test");

std::shared_ptr<const ir::Graph> ReadGraph(const std::string& path) {
  auto g = tflite::ReadModelFile(path);
  EXPECT_TRUE(g.ok()) << g.status().message();
  return g.ok() ? std::make_shared<const ir::Graph>(std::move(g).value()) : nullptr;
}

std::vector<float> Dequantized(const ir::Tensor& t, const std::vector<uint8_t>& bytes) {
  std::vector<float> out;
  if (t.dtype == DType::kFloat32) {
    out.resize(bytes.size() / sizeof(float));
    std::memcpy(out.data(), bytes.data(), bytes.size());
    return out;
  }
  for (uint8_t b : bytes) {
    const int q = t.dtype == DType::kInt8 ? static_cast<int8_t>(b) : b;
    out.push_back(t.quant.scale[0] * static_cast<float>(q - t.quant.zero_point[0]));
  }
  return out;
}

size_t Top1(const ir::Graph& model, const std::string& image) {
  quant::InputPreprocessing p{model.metadata.input_mean, model.metadata.input_std};
  auto input = quant::ImageInputBytes(image, model.tensor(model.inputs[0]), p);
  EXPECT_TRUE(input.ok()) << input.status().message();
  if (!input.ok()) return 0;
  auto shared = std::make_shared<const ir::Graph>(model);
  std::vector<float> scores = Dequantized(model.tensor(model.outputs[0]), testing::RunOurRuntime(shared, *input));
  return static_cast<size_t>(std::max_element(scores.begin(), scores.end()) - scores.begin());
}

void ExpectMapsFully(const ir::Graph& g) {
  auto report = edgetpu::CheckCompatibility(g);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_TRUE(report->fully_mapped()) << "first CPU op " << report->first_cpu_op.value_or(-1);
}

// The float MobileNetV2 and its int8 Edge TPU version, made once for the suite.
class QuantMobileNetV2 : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    float_model_ = dir_->file("float.tflite");
    int8_model_ = dir_->file("int8.tflite");
    report_ = dir_->file("report.json");
    auto d = RunCli("dequantize " + TestData("coral/tf2_mobilenet_v2_1.0_224_ptq.tflite") + " --out " + float_model_);
    ASSERT_EQ(d.exit_code, 0) << d.err;
    quantize_ = RunCli("quantize " + float_model_ + " --calibration " + kFlowersTrain +
                       " --samples 4 --report-samples 2 --target edgetpu --out " + int8_model_ + " --report " + report_);
  }
  static void TearDownTestSuite() { delete dir_; }

  void SetUp() override { ASSERT_EQ(quantize_.exit_code, 0) << quantize_.out << quantize_.err; }

  static TempDir* dir_;
  static std::string float_model_, int8_model_, report_;
  static testing::CommandResult quantize_;
};
TempDir* QuantMobileNetV2::dir_ = nullptr;
std::string QuantMobileNetV2::float_model_, QuantMobileNetV2::int8_model_, QuantMobileNetV2::report_;
testing::CommandResult QuantMobileNetV2::quantize_;

TEST_F(QuantMobileNetV2, GivesTheTfliteRuntimesBytesOnTheGoldenInputs) {
  auto model = ReadGraph(int8_model_);
  ASSERT_NE(model, nullptr);
  for (const char* image : {"bird", "cat", "grace_hopper", "parrot", "sunflower"}) {
    SCOPED_TRACE(image);
    // The goldens' uint8 inputs are raw pixels, as the int8 model's input takes them.
    const std::vector<uint8_t> input =
        testing::ReadBytes(TestData(std::string("golden/tf2_mobilenet_v2_1.0_224_ptq__") + image + ".in.bin"));
    const std::vector<uint8_t> ours = testing::RunOurRuntime(model, input);
    ASSERT_EQ(ours.size(), 1001u);
    EXPECT_EQ(ours, testing::RunOracle(int8_model_, input, *dir_)) << "differs from the TFLite runtime";
  }
}

TEST_F(QuantMobileNetV2, AgreesWithTheFloatModelsTop1) {
  auto f = ReadGraph(float_model_);
  auto q = ReadGraph(int8_model_);
  ASSERT_TRUE(f && q);
  std::vector<std::string> images;
  for (const char* name : {"bird.bmp", "cat.bmp", "grace_hopper.bmp", "parrot.jpg", "sunflower.bmp"}) {
    images.push_back(TestData(std::string("coral/") + name));
  }
  auto flowers = quant::ListCalibrationImages(kFlowersTest);
  ASSERT_TRUE(flowers.ok());
  images.insert(images.end(), flowers->begin(), flowers->begin() + 5);
  size_t agree = 0;
  for (const std::string& image : images) {
    const size_t float_top1 = Top1(*f, image), int8_top1 = Top1(*q, image);
    if (float_top1 == int8_top1) ++agree;
  }
  EXPECT_GE(agree, images.size() - 1) << agree << " of " << images.size() << " images agree";
}

TEST_F(QuantMobileNetV2, IsAnEdgeTpuModelWithUint8Io) {
  auto q = ReadGraph(int8_model_);
  ASSERT_NE(q, nullptr);
  ExpectMapsFully(*q);
  const ir::Tensor& in = q->tensor(q->inputs[0]);
  EXPECT_EQ(in.dtype, DType::kUInt8);
  // Raw pixels: (p - 127) / 127.5 quantized at scale 1/127.5, zero point 127.
  EXPECT_FLOAT_EQ(in.quant.scale[0], 2.0f / 255);
  EXPECT_EQ(in.quant.zero_point[0], 127);
  EXPECT_EQ(q->tensor(q->outputs[0]).dtype, DType::kUInt8);
  for (const ir::Tensor& t : q->tensors) {
    EXPECT_EQ(std::count(t.shape_signature.begin(), t.shape_signature.end(), -1), 0) << t.name;
  }
  EXPECT_EQ(q->metadata.input_mean, (std::vector<float>{127, 127, 127}));
  EXPECT_NE(quantize_.out.find("Edge TPU: all 68 ops would map"), std::string::npos) << quantize_.out;
}

TEST_F(QuantMobileNetV2, ReportsSqnrTop1AgreementAndSizes) {
  EXPECT_NE(quantize_.out.find("top-1 agreement with the float model: "), std::string::npos) << quantize_.out;
  EXPECT_NE(quantize_.out.find("worst layers"), std::string::npos) << quantize_.out;
  std::ifstream file(report_);
  const nlohmann::json j = nlohmann::json::parse(file);
  EXPECT_EQ(j["mode"], "int8");
  EXPECT_EQ(j["io"], "uint8");
  EXPECT_EQ(j["calibration_images"], 4);
  EXPECT_EQ(j["held_back_images"], 2);
  EXPECT_GT(j["float_bytes"].get<int64_t>(), 3 * j["quantized_bytes"].get<int64_t>());
  EXPECT_EQ(j["quantized_bytes"].get<int64_t>(), static_cast<int64_t>(std::filesystem::file_size(int8_model_)));
  EXPECT_TRUE(j["edgetpu"]["fully_mapped"].get<bool>());
  const auto& layers = j["layers"];
  ASSERT_EQ(layers.size(), 66u);  // every op of the float model
  for (size_t i = 1; i < layers.size(); ++i) {
    if (layers[i]["sqnr_db"].is_null()) continue;  // exact
    EXPECT_LE(layers[i - 1]["sqnr_db"].get<double>(), layers[i]["sqnr_db"].get<double>());
  }
  EXPECT_GT(layers[0]["sqnr_db"].get<double>(), 10.0) << "worst layer " << layers[0];
}

// Issue 5: dynamic-range and float16 versions of the (trained, published) MobileNetV2 against the
// float model, in edgeforge's runtime and in TFLite's, on 27 real photos (the Coral test photos and
// every fifth flowers-mini test photo). The error of one photo is its largest |difference| from
// the float model's softmax output relative to the largest float output. Both modes stay within
// 1e-2 on average and keep every photo's top-1 class. Photos where the network hesitates (largest
// output 0.15-0.3) go further, in both runtimes alike: float16 weights alone move owl.jpg by
// 3.6e-2 (identically in TFLite), and dynamic range, which quantizes activations to 8 bits on the
// fly at every hybrid layer, reaches 5.6e-2 on one flower in the TFLite runtime itself.
TEST_F(QuantMobileNetV2, DynamicAndFloat16StayCloseToFloatInBothRuntimes) {
  auto f = ReadGraph(float_model_);
  ASSERT_NE(f, nullptr);
  const quant::InputPreprocessing p{f->metadata.input_mean, f->metadata.input_std};
  std::vector<std::string> photos;
  for (const char* name : {"bird.bmp", "cat.bmp", "grace_hopper.bmp", "hot_dog.jpg", "owl.jpg", "parrot.jpg", "sunflower.bmp"}) {
    photos.push_back(TestData(std::string("coral/") + name));
  }
  auto flowers = quant::ListCalibrationImages(kFlowersTest);
  ASSERT_TRUE(flowers.ok()) << flowers.status().message();
  for (size_t i = 0; i < flowers->size() && photos.size() < 27; i += 5) photos.push_back((*flowers)[i]);
  ASSERT_EQ(photos.size(), 27u);
  struct Photo {
    std::vector<uint8_t> input;
    std::vector<float> probabilities;  // the float model's
  };
  std::vector<Photo> want;
  for (const std::string& photo : photos) {
    auto input = quant::ImageInputBytes(photo, f->tensor(f->inputs[0]), p);
    ASSERT_TRUE(input.ok()) << input.status().message();
    want.push_back({*input, Dequantized(f->tensor(f->outputs[0]), testing::RunOurRuntime(f, *input))});
  }
  struct Result {
    std::string mode;
    bool ours;
    size_t photo;
    std::vector<float> values;
    size_t oracle_job = 0;
  };
  std::vector<Result> results;
  testing::OracleBatch oracle(dir_->path());
  for (const std::string mode : {"dynamic", "float16"}) {
    const std::string out = dir_->file(mode + ".tflite");
    auto r = RunCli("quantize " + float_model_ + " --mode " + mode + " --out " + out);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto q = ReadGraph(out);
    ASSERT_NE(q, nullptr);
    for (size_t i = 0; i < photos.size(); ++i) {
      results.push_back({mode, true, i, Dequantized(q->tensor(q->outputs[0]), testing::RunOurRuntime(q, want[i].input))});
      results.push_back({mode, false, i, {}, oracle.Add(out, want[i].input)});
    }
  }
  ASSERT_TRUE(oracle.Run());
  std::map<std::string, std::pair<double, double>> summary;  // mean, worst
  for (Result& r : results) {
    const std::string name = r.mode + " in " + (r.ours ? "edgeforge" : "TFLite");
    SCOPED_TRACE(name + ", " + photos[r.photo]);
    if (!r.ours) {
      const std::vector<uint8_t> bytes = oracle.output(r.oracle_job);
      r.values.resize(bytes.size() / sizeof(float));
      std::memcpy(r.values.data(), bytes.data(), r.values.size() * sizeof(float));
    }
    const std::vector<float>& expected = want[r.photo].probabilities;
    ASSERT_EQ(r.values.size(), expected.size());
    float worst = 0, largest = 0;
    for (size_t k = 0; k < expected.size(); ++k) {
      worst = std::max(worst, std::fabs(r.values[k] - expected[k]));
      largest = std::max(largest, std::fabs(expected[k]));
    }
    const double error = worst / largest;
    EXPECT_LE(error, r.mode == "dynamic" ? 6e-2 : 4e-2);
    auto& [mean, most] = summary[name];
    mean += error / static_cast<double>(photos.size());
    most = std::max(most, error);
    EXPECT_EQ(std::max_element(r.values.begin(), r.values.end()) - r.values.begin(),
              std::max_element(expected.begin(), expected.end()) - expected.begin());
  }
  for (const auto& [name, errors] : summary) {
    EXPECT_LE(errors.first, 1e-2) << name;
    std::printf("%s: error relative to the largest value, mean %.2g, worst %.2g over %zu photos\n", name.c_str(),
                errors.first, errors.second, photos.size());
  }
}

// ---------------------------------------------------------------------------------------------
// The small model.

class QuantCli : public ::testing::Test {
 protected:
  void SetUp() override {
    small_ = tmp_.file("small.tflite");
    ASSERT_TRUE(tflite::WriteModelFile(testing::SmallMobileNetGraph(), small_).ok());
  }
  TempDir tmp_;
  std::string small_;
};

TEST_F(QuantCli, EveryCalibratorAndIoGivesTheTfliteRuntimesBytes) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"minmax", "int8"}, {"percentile", "uint8"}, {"mse", "float"}};
  for (const auto& [calibrator, io] : cases) {
    SCOPED_TRACE(calibrator + " " + io);
    const std::string out = tmp_.file(calibrator + ".tflite");
    auto r = RunCli("quantize " + small_ + " --calibration " + kFlowersTrain + " --samples 12 --report-samples 5 --io " +
                    io + " --calibrator " + calibrator + " --mean 127.5 --std 127.5 --out " + out);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("(I/O " + io + ", " + calibrator + " calibration on 12 images)"), std::string::npos) << r.out;
    auto model = ReadGraph(out);
    ASSERT_NE(model, nullptr);
    EXPECT_EQ(model->metadata.input_mean, (std::vector<float>{127.5f}));
    auto images = quant::ListCalibrationImages(kFlowersTest);
    ASSERT_TRUE(images.ok());
    for (size_t i = 0; i < 3; ++i) {
      auto input = quant::ImageInputBytes((*images)[i], model->tensor(model->inputs[0]),
                                          {model->metadata.input_mean, model->metadata.input_std});
      ASSERT_TRUE(input.ok()) << input.status().message();
      EXPECT_EQ(testing::RunOurRuntime(model, *input), testing::RunOracle(out, *input, tmp_)) << (*images)[i];
    }
  }
}

TEST_F(QuantCli, Float16HalvesTheWeights) {
  const std::string out = tmp_.file("half.tflite");
  auto r = RunCli("quantize " + small_ + " --mode float16 --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto model = ReadGraph(out);
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->ops.front().type, ir::OpType::kDequantize);
  EXPECT_EQ(model->ops.front().version, 3);
  EXPECT_LT(std::filesystem::file_size(out), std::filesystem::file_size(small_));
}

TEST_F(QuantCli, DynamicRangeHasInt8WeightsAndFloatIo) {
  const std::string out = tmp_.file("dynamic.tflite");
  // The small model's weights are all under TFLite's 1024 values: by default they stay float.
  auto kept = RunCli("quantize " + small_ + " --mode dynamic --out " + out);
  ASSERT_EQ(kept.exit_code, 0) << kept.err;
  auto all_float = ReadGraph(out);
  ASSERT_NE(all_float, nullptr);
  for (const ir::Tensor& t : all_float->tensors) EXPECT_NE(t.dtype, DType::kInt8) << t.name;

  auto r = RunCli("quantize " + small_ + " --mode dynamic --min-weight-elements 0 --hybrid-depthwise --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("wrote " + out + ": dynamic"), std::string::npos) << r.out;
  auto model = ReadGraph(out);
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(model->tensor(model->inputs[0]).dtype, DType::kFloat32);
  EXPECT_EQ(model->tensor(model->ops[0].inputs[1]).dtype, DType::kInt8);
  EXPECT_EQ(model->ops[0].version, 5);
  for (const ir::Op& op : model->ops) {
    if (op.type == ir::OpType::kDepthwiseConv2D) {
      EXPECT_EQ(model->tensor(op.inputs[1]).dtype, DType::kInt8);
    }
  }
  // It runs (hybrid kernels) and gives probabilities.
  const std::vector<uint8_t> input = testing::RandomFloatInputs(1, 8 * 8 * 3, 3)[0];
  const std::vector<float> probabilities = Dequantized(model->tensor(model->outputs[0]), testing::RunOurRuntime(model, input));
  ASSERT_EQ(probabilities.size(), 5u);
  float sum = 0;
  for (float p : probabilities) sum += p;
  EXPECT_NEAR(sum, 1.0f, 1e-4f);
}

TEST_F(QuantCli, BadFlagsAreUsageErrors) {
  const std::string out = " --out " + tmp_.file("x.tflite");
  const std::vector<std::string> bad = {
      "quantize " + small_ + out + " --calibration " + kFlowersTrain + " --mode int4",
      "quantize " + small_ + out + " --calibration " + kFlowersTrain + " --io int16",
      "quantize " + small_ + out + " --calibration " + kFlowersTrain + " --calibrator kl",
      "quantize " + small_ + out + " --calibration " + kFlowersTrain + " --samples 0",
      "quantize " + small_ + out + " --calibration " + kFlowersTrain + " --target gpu",
      "quantize " + small_ + out + " --calibration " + kFlowersTrain + " --target edgetpu --io float",
      "quantize " + small_ + out + " --mode float16 --target edgetpu",
      "quantize " + small_ + out + " --calibration " + kFlowersTrain + " --target edgetpu --keep-hard-swish",
      "quantize " + small_ + out + " --mode dynamic --keep-hard-swish",
      "quantize " + small_ + out + " --mode float16 --hybrid-depthwise",
      "quantize " + small_ + out + " --calibration " + kFlowersTrain + " --min-weight-elements 10",
      "quantize " + small_ + out + " --mode dynamic --min-weight-elements -1",
      "quantize " + small_ + out,  // int8 without calibration images
      "quantize " + small_ + out + " --calibration " + kFlowersTrain + " --mean 127.5",
      "quantize " + small_,  // no --out
  };
  for (const std::string& args : bad) {
    SCOPED_TRACE(args);
    auto r = RunCli(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("usage error"), std::string::npos) << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(tmp_.file("x.tflite")));
}

// Runs a quantize that must fail with exit 1 and a message holding `expected`.
void ExpectBadInput(const std::string& args, const std::string& expected) {
  SCOPED_TRACE(args);
  auto r = RunCli(args);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("edgeforge: error: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
}

TEST_F(QuantCli, BadInputIsExplained) {
  const std::string out = " --out " + tmp_.file("x.tflite");
  // A quantized model.
  ExpectBadInput("quantize " + TestData("coral/tf2_mobilenet_v2_1.0_224_ptq.tflite") + " --calibration " +
                     kFlowersTrain + out,
                 "is already quantized");
  // Calibration data missing, or not a dataset.
  ExpectBadInput("quantize " + small_ + " --calibration " + tmp_.file("nowhere") + out, "no such dataset");
  ExpectBadInput("quantize " + small_ + " --calibration " + small_ + out, "is a .tflite model, not a dataset");
  // An op int8 quantization does not support: the residual ADD made a DIV.
  ir::Graph with_div = testing::SmallMobileNetGraph();
  with_div.ops[3].type = ir::OpType::kUnsupportedBuiltin;
  with_div.ops[3].builtin_code = 42;  // DIV, written with its ElementwiseOptions
  const std::string div_path = tmp_.file("div.tflite");
  ASSERT_TRUE(tflite::WriteModelFile(with_div, div_path).ok());
  ExpectBadInput("quantize " + div_path + " --calibration " + kFlowersTrain + out,
                 "op 3 is DIV, which int8 quantization does not support");
  // A model that cannot take images: a [1,4] float input.
  ir::Graph vector_model;
  const int x = testing::AddActivation(vector_model, "features", DType::kFloat32, {1, 4});
  const int w = testing::AddConstant(vector_model, "w", DType::kFloat32, {2, 4}, testing::PseudoRandomFloats(8, 1));
  const int y = testing::AddActivation(vector_model, "y", DType::kFloat32, {1, 2});
  testing::AddOp(vector_model, ir::OpType::kFullyConnected, {x, w}, {y}, ir::FullyConnectedOptions{});
  vector_model.inputs = {x};
  vector_model.outputs = {y};
  const std::string vector_path = tmp_.file("vector.tflite");
  ASSERT_TRUE(tflite::WriteModelFile(vector_model, vector_path).ok());
  ExpectBadInput("quantize " + vector_path + " --calibration " + kFlowersTrain + out, "cannot take an image");
  // An image that does not decode.
  const std::string images = tmp_.file("images");
  std::filesystem::create_directories(images);
  std::filesystem::copy_file(TestData("coral/bird.bmp"), images + "/a.bmp");
  testing::WriteBytes(images + "/b.jpg", {0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3});
  ExpectBadInput("quantize " + small_ + " --calibration " + images + out, images + "/b.jpg");
  // Preprocessing that does not fit the input.
  ExpectBadInput("quantize " + small_ + " --calibration " + kFlowersTrain + " --mean 1,2 --std 3,4" + out,
                 "expected 1 or 3");
  EXPECT_FALSE(std::filesystem::exists(tmp_.file("x.tflite")));
}

TEST_F(QuantCli, EdgeTpuTargetMakesTheBatchStatic) {
  // A float model exported with a dynamic batch: -1 in the shape signatures.
  ir::Graph g = testing::SmallMobileNetGraph();
  for (ir::Tensor& t : g.tensors) {
    if (!t.is_constant()) {
      t.shape_signature = t.shape;
      t.shape_signature[0] = -1;
    }
  }
  const std::string path = tmp_.file("dynamic_batch.tflite");
  ASSERT_TRUE(tflite::WriteModelFile(g, path).ok());
  const std::string plain = tmp_.file("plain.tflite"), edgetpu = tmp_.file("edgetpu.tflite");
  auto r = RunCli("quantize " + path + " --calibration " + kFlowersTrain + " --samples 3 --out " + plain);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto kept = ReadGraph(plain);
  ASSERT_NE(kept, nullptr);
  EXPECT_EQ(kept->tensor(kept->inputs[0]).shape_signature, (Shape{-1, 8, 8, 3}));
  r = RunCli("quantize " + path + " --calibration " + kFlowersTrain + " --samples 3 --target edgetpu --out " + edgetpu);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto fixed = ReadGraph(edgetpu);
  ASSERT_NE(fixed, nullptr);
  for (const ir::Tensor& t : fixed->tensors) EXPECT_TRUE(t.shape_signature.empty()) << t.name;
  ExpectMapsFully(*fixed);
  // Per-tensor FULLY_CONNECTED weights for the Edge TPU.
  for (const ir::Op& op : fixed->ops) {
    if (op.type != ir::OpType::kFullyConnected) continue;
    EXPECT_EQ(fixed->tensor(op.inputs[1]).quant.scale.size(), 1u);
  }
}

TEST_F(QuantCli, EdgeTpuTargetFailsWithTheCompilerLogWhenAnOpStaysOnTheCpu) {
  // A pooling op with a fused activation has an int8 kernel but does not map to the Edge TPU
  // (HARD_SWISH, the other classic case, is rewritten by --target edgetpu).
  ir::Graph g = testing::SmallMobileNetGraph();
  const int conv1 = g.ops[0].outputs[0];
  const int pooled = testing::AddActivation(g, "pool_relu6", DType::kFloat32, g.tensor(conv1).shape);
  ir::Op op;
  op.type = ir::OpType::kMaxPool2D;
  op.inputs = {conv1};
  op.outputs = {pooled};
  ir::Pool2DOptions pool;
  pool.padding = ir::Padding::kValid;
  pool.activation = ir::Activation::kRelu6;
  op.options = pool;
  g.ops[1].inputs[0] = pooled;
  g.ops.insert(g.ops.begin() + 1, op);
  const std::string path = tmp_.file("pool_relu6.tflite");
  ASSERT_TRUE(tflite::WriteModelFile(g, path).ok());
  const std::string out = tmp_.file("edgetpu.tflite");
  auto r = RunCli("quantize " + path + " --calibration " + kFlowersTrain + " --samples 3 --target edgetpu --out " + out);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("MAX_POOL_2D"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("would not map fully to the Edge TPU"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
  // Without the target the same model quantizes (HARD_SWISH has an int8 kernel).
  r = RunCli("quantize " + path + " --calibration " + kFlowersTrain + " --samples 3 --out " + out);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace edgeforge
