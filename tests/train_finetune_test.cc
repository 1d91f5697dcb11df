// Fine-tuning a pretrained .tflite (`edgeforge-train --from X --fine-tune`): a small quantized
// MobileNet is fine-tuned on a few flowers-mini photos per class from a late block on, with the
// fine-tuning defaults; the frozen prefix keeps the pretrained weights exactly, the unfrozen
// block moves, the float and QAT int8 exports load in the runtime with the 5 labels; and bad
// input (no recognisable head without --cut-at, a one-class folder) gets a clear message.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>

#include "edgeforge/interpreter.h"
#include "ir/dequantize_pass.h"
#include "test_util.h"
#include "tflite/reader.h"
#include "tflite/writer.h"
#include "train/trainer.h"
#include "transfer/trainable_graph.h"

namespace edgeforge {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

const char* kSmallModel = "coral/mobilenet_v1_0.25_128_quant.tflite";
// The last depthwise block's activation (one part of the converter's fused tensor name).
const char* kLateBlock = "MobilenetV1/MobilenetV1/Conv2d_13_depthwise/Relu6";

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Float32 filter values of the `n`-th CONV_2D op (n < 0: counted from the end).
std::vector<float> ConvFilter(const ir::Graph& g, int n) {
  std::vector<int> convs;
  for (size_t k = 0; k < g.ops.size(); ++k) {
    if (g.ops[k].type == ir::OpType::kConv2D) convs.push_back(static_cast<int>(k));
  }
  const int index = n >= 0 ? n : static_cast<int>(convs.size()) + n;
  if (index < 0 || index >= static_cast<int>(convs.size())) return {};
  const ir::Tensor& t = g.tensor(g.ops[static_cast<size_t>(convs[static_cast<size_t>(index)])].inputs[1]);
  if (t.dtype != DType::kFloat32) return {};
  std::vector<float> v(t.data.size() / sizeof(float));
  std::memcpy(v.data(), t.data.data(), v.size() * sizeof(float));
  return v;
}

void ExpectRunsWithFiveLabels(const std::string& path) {
  auto model = Model::FromFile(path);
  ASSERT_TRUE(model.ok()) << path << ": " << model.status().message();
  const std::vector<std::string> expected{"daisy", "dandelion", "roses", "sunflowers", "tulips"};
  EXPECT_EQ((*model)->labels(), expected) << path;
  auto interpreter = Interpreter::Create(*model);
  ASSERT_TRUE(interpreter.ok()) << path << ": " << interpreter.status().message();
  std::span<uint8_t> in = (*interpreter)->input_bytes(0);
  std::fill(in.begin(), in.end(), uint8_t{0});
  ASSERT_TRUE((*interpreter)->Invoke().ok()) << path;
  const std::vector<float> scores = (*interpreter)->OutputAsFloat(0);
  ASSERT_EQ(scores.size(), 5u) << path;
  EXPECT_NEAR(std::accumulate(scores.begin(), scores.end(), 0.0f), 1.0f, 0.02f) << path;
}

TEST(TrainFineTune, SmallMobileNetFineTunesFromALateBlockAndExportsFloatAndInt8) {
  TempDir dir;
  const std::string out = dir.file("run");
  const std::string pretrained = testing::TestData(kSmallModel);
  testing::CommandResult r = testing::RunShell(
      std::string("'") + EF_TRAIN_CLI_PATH + "' --from '" + pretrained + "' --fine-tune --unfreeze-from '" +
      kLateBlock + "' --data '" + testing::TestData("flowers-mini") + "' --limit 20 --eval-limit 10 " +
      "--epochs 2 --batch 10 --threads 1 --workers 1 --qat --qat-epochs 1 --no-progress --out '" + out + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // --no-progress still prints every epoch's summary; the test split is the evaluation set.
  EXPECT_NE(r.err.find("epoch 1/2: train loss"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("epoch 2/2: train loss"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(test split)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("learning rate x0.1"), std::string::npos) << r.err;
  // The fine-tuning defaults were applied where the command line left them open.
  const std::string config = ReadText(out + "/run.json");
  EXPECT_NE(config.find("\"optimizer\": \"sgd\""), std::string::npos) << config;
  EXPECT_NE(config.find("\"min_crop_area\": 0.35"), std::string::npos) << config;
  EXPECT_NE(config.find("\"batch_size\": 10"), std::string::npos) << config;

  ExpectRunsWithFiveLabels(out + "/model.tflite");
  ExpectRunsWithFiveLabels(out + "/model_int8.tflite");

  // Frozen before the last block: the first convolution is the pretrained one exactly; the last
  // backbone convolution (after --unfreeze-from) has been trained.
  StatusOr<ir::Graph> original = tflite::ReadModelFile(pretrained);
  ASSERT_TRUE(original.ok()) << original.status().message();
  StatusOr<ir::Graph> dequantized = ir::DequantizeGraph(*original);
  ASSERT_TRUE(dequantized.ok()) << dequantized.status().message();
  StatusOr<ir::Graph> tuned = tflite::ReadModelFile(out + "/model.tflite");
  ASSERT_TRUE(tuned.ok()) << tuned.status().message();
  const std::vector<float> first_before = ConvFilter(*dequantized, 0), first_after = ConvFilter(*tuned, 0);
  ASSERT_FALSE(first_before.empty());
  EXPECT_EQ(first_before, first_after);
  // The pretrained model's last CONV_2D is its 1x1 classifier (cut off): the backbone's last is
  // the one before it, and the last in the fine-tuned float model.
  const std::vector<float> last_before = ConvFilter(*dequantized, -2), last_after = ConvFilter(*tuned, -1);
  ASSERT_EQ(last_before.size(), last_after.size());
  ASSERT_FALSE(last_before.empty());
  EXPECT_NE(last_before, last_after);
}

TEST(TrainFineTune, ModelWithoutRecognisableHeadNeedsCutAt) {
  StatusOr<ir::Graph> g = tflite::ReadModelFile(testing::TestData(kSmallModel));
  ASSERT_TRUE(g.ok()) << g.status().message();
  // Keep the model up to its last pointwise convolution: it ends in a spatial [1, 4, 4, 256]
  // activation, neither a classifier nor a feature vector.
  int last_conv = -1;
  for (size_t k = 0; k < g->ops.size(); ++k) {
    if (g->ops[k].type == ir::OpType::kAveragePool2D) break;
    if (g->ops[k].type == ir::OpType::kConv2D) last_conv = static_cast<int>(k);
  }
  ASSERT_GE(last_conv, 0);
  const int feature = g->ops[static_cast<size_t>(last_conv)].outputs[0];
  g->ops.resize(static_cast<size_t>(last_conv) + 1);
  g->outputs = {feature};
  TempDir dir;
  const std::string headless = dir.file("headless.tflite");
  ASSERT_TRUE(tflite::WriteModelFile(*g, headless).ok());

  train::TrainOptions o = train::FineTuneDefaults();
  o.pretrained = headless;
  o.data = testing::TestData("flowers-mini");
  o.out_dir = dir.file("run");
  o.progress = false;
  StatusOr<train::TrainResult> r = train::Train(o, false, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no recognisable classifier head"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("--cut-at"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("headless.tflite"), std::string::npos) << r.status().message();

  // With --cut-at the spatial feature is averaged and the new head attached.
  StatusOr<ir::Graph> read = tflite::ReadModelFile(headless);
  ASSERT_TRUE(read.ok()) << read.status().message();
  auto made = transfer::MakeTrainableTransferGraph(*read, read->tensor(read->outputs[0]).name,
                                                   {"a", "b", "c"}, 0.2f, 1, headless);
  ASSERT_TRUE(made.ok()) << made.status().message();
  EXPECT_EQ(made->image_size, 128);
  EXPECT_EQ(made->graph.tensor(made->graph.outputs[0]).shape, (Shape{1, 3}));
}

TEST(TrainFineTune, OneClassFolderIsRefused) {
  TempDir dir;
  const fs::path daisy = fs::path(dir.path()) / "photos" / "daisy";
  fs::create_directories(daisy);
  int copied = 0;
  for (const auto& e : fs::directory_iterator(testing::TestData("flowers-mini/train/daisy"))) {
    fs::copy_file(e.path(), daisy / e.path().filename());
    if (++copied == 3) break;
  }
  train::TrainOptions o = train::FineTuneDefaults();
  o.pretrained = testing::TestData(kSmallModel);
  o.data = (fs::path(dir.path()) / "photos").string();
  o.out_dir = dir.file("run");
  o.progress = false;
  StatusOr<train::TrainResult> r = train::Train(o, false, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("at least 2 classes"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("photos"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace edgeforge
