// Training runs end to end: the loss of a tiny Fashion-MNIST run falls, an interrupted and
// resumed run ends with exactly the weights of an uninterrupted one, the exported float model
// agrees with LibTorch's evaluation-mode forward in edgeforge's runtime and in the TFLite
// runtime, TensorBoard events are well-formed, and bad input gets a clear message.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "data/tfrecord.h"
#include "edgeforge/interpreter.h"
#include "ir/training_passes.h"
#include "models/zoo.h"
#include "test_util.h"
#include "tflite/writer.h"
#include "train/checkpoint.h"
#include "train/graph_module.h"
#include "train/tensorboard.h"
#include "train/trainer.h"
#include "train_test_runs.h"

namespace edgeforge {
namespace {

using testing::TempDir;

train::TrainOptions TinyRun(const std::string& out) { return testing::TinyFashionMnistRun(out); }

TEST(TrainRun, TinyFashionMnistRunLearnsAndExports) {
  TempDir dir;
  train::TrainOptions o = TinyRun(dir.path());
  o.epochs = 3;
  o.limit = 512;
  StatusOr<train::TrainResult> r = train::Train(o, false, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->epochs.size(), 3u);
  EXPECT_LT(r->epochs.back().train_loss, r->epochs.front().train_loss);
  EXPECT_GT(r->epochs.back().train_accuracy, 0.2);  // 10 classes: chance is 0.1
  for (const char* f : {"model.tflite", "labels.txt", "metrics.csv", "run.json", "checkpoint.pt"}) {
    EXPECT_TRUE(std::filesystem::exists(dir.file(f))) << f;
  }
  // The exported model runs in the runtime with the dataset's labels.
  auto model = Model::FromFile(dir.file("model.tflite"));
  ASSERT_TRUE(model.ok()) << model.status().message();
  EXPECT_EQ((*model)->labels().size(), 10u);
  EXPECT_EQ((*model)->labels()[9], "Ankle boot");
  std::ifstream csv(dir.file("metrics.csv"));
  std::string line;
  int lines = 0;
  while (std::getline(csv, line)) ++lines;
  EXPECT_EQ(lines, 4);  // header + 3 epochs
}

std::vector<std::pair<std::string, std::vector<float>>> CheckpointParameters(const std::string& dir) {
  StatusOr<train::Checkpoint> c = train::LoadCheckpoint(dir);
  EXPECT_TRUE(c.ok()) << c.status().message();
  std::vector<std::pair<std::string, std::vector<float>>> out;
  if (!c.ok()) return out;
  for (auto group : {&c->parameters, &c->buffers, &c->ema}) {
    for (auto& [name, t] : *group) {
      torch::Tensor f = t.to(torch::kFloat32).contiguous();
      out.emplace_back(name, std::vector<float>(f.data_ptr<float>(), f.data_ptr<float>() + f.numel()));
    }
  }
  return out;
}

TEST(TrainRun, InterruptedAndResumedRunEqualsUninterruptedRun) {
  TempDir straight, resumed;
  ASSERT_TRUE(train::Train(TinyRun(straight.path()), false, nullptr).ok());

  train::TrainOptions o = TinyRun(resumed.path());
  o.interrupt_after_steps = 11;  // mid-way through the second epoch (8 steps per epoch)
  StatusOr<train::TrainResult> first = train::Train(o, false, nullptr);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_TRUE(first->interrupted);
  EXPECT_FALSE(std::filesystem::exists(resumed.file("model.tflite")));

  train::TrainOptions again;
  again.out_dir = resumed.path();
  again.epochs = 0;
  again.progress = false;
  StatusOr<train::TrainResult> second = train::Train(again, true, nullptr);
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_FALSE(second->interrupted);

  auto a = CheckpointParameters(straight.path());
  auto b = CheckpointParameters(resumed.path());
  ASSERT_EQ(a.size(), b.size());
  ASSERT_FALSE(a.empty());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].first, b[i].first);
    ASSERT_EQ(a[i].second, b[i].second) << a[i].first << " differs after resuming";
  }
  EXPECT_EQ(testing::ReadBytes(straight.file("model.tflite")), testing::ReadBytes(resumed.file("model.tflite")));
}

TEST(TrainRun, StartingOverAnExistingRunIsRefused) {
  TempDir dir;
  train::TrainOptions o = TinyRun(dir.path());
  o.interrupt_after_steps = 1;
  ASSERT_TRUE(train::Train(o, false, nullptr).ok());
  StatusOr<train::TrainResult> again = train::Train(TinyRun(dir.path()), false, nullptr);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find("--resume"), std::string::npos) << again.status().message();
}

TEST(TrainRun, BadInputIsNamed) {
  TempDir dir;
  train::TrainOptions o = TinyRun(dir.file("out"));
  o.architecture = "resnet-50";
  StatusOr<train::TrainResult> r = train::Train(o, false, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("mnasnet-a1"), std::string::npos) << r.status().message();

  o = TinyRun(dir.file("out2"));
  o.data = dir.file("no-such-folder");
  r = train::Train(o, false, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no-such-folder"), std::string::npos) << r.status().message();

  std::filesystem::create_directories(dir.file("empty"));
  o.data = dir.file("empty");
  r = train::Train(o, false, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("empty"), std::string::npos) << r.status().message();
}

// Runs the module in evaluation mode on `images` (NHWC) and returns softmax probabilities.
std::vector<float> TorchProbabilities(train::GraphModule& module, const std::vector<float>& images,
                                      int n, int size, int channels) {
  torch::NoGradGuard no_grad;
  torch::Tensor x = torch::from_blob(const_cast<float*>(images.data()), {n, size, size, channels});
  StatusOr<torch::Tensor> logits = module.Forward(x, false);
  EXPECT_TRUE(logits.ok()) << logits.status().message();
  torch::Tensor p = torch::softmax(*logits, 1).contiguous();
  return std::vector<float>(p.data_ptr<float>(), p.data_ptr<float>() + p.numel());
}

TEST(TrainRun, ExportedModelMatchesLibTorchInRuntimeAndOracle) {
  const int size = 32, channels = 3;
  models::ModelOptions mo;
  mo.image_size = size;
  mo.channels = channels;
  mo.num_classes = 7;
  mo.width_multiplier = 0.5f;
  StatusOr<ir::Graph> graph = models::BuildModel("mnasnet-a1", mo);
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  auto module = train::GraphModule::Create(*graph, torch::kCPU);
  ASSERT_TRUE(module.ok()) << module.status().message();
  // A few training-mode passes move the batch-norm statistics away from 0 / 1, so folding them
  // is really exercised.
  torch::manual_seed(3);
  for (int i = 0; i < 5; ++i) {
    torch::Tensor x = torch::randn({16, size, size, channels});
    ASSERT_TRUE((*module)->Forward(x, true).ok());
  }
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> image(size * size * channels);
  for (float& v : image) v = u(rng);
  const std::vector<float> expected = TorchProbabilities(**module, image, 1, size, channels);

  ASSERT_TRUE((*module)->WriteBack(&*graph).ok());
  StatusOr<ir::Graph> inference = ir::ToInferenceForm(*graph);
  ASSERT_TRUE(inference.ok()) << inference.status().message();
  TempDir dir;
  const std::string path = dir.file("model.tflite");
  ASSERT_TRUE(tflite::WriteModelFile(*inference, path).ok());

  auto model = Model::FromFile(path);
  ASSERT_TRUE(model.ok()) << model.status().message();
  auto interpreter = Interpreter::Create(*model);
  ASSERT_TRUE(interpreter.ok()) << interpreter.status().message();
  ASSERT_TRUE((*interpreter)->SetInput(0, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(image.data()),
                                                                 image.size() * 4)).ok());
  ASSERT_TRUE((*interpreter)->Invoke().ok());
  const std::vector<float> ours = (*interpreter)->OutputAsFloat(0);
  ASSERT_EQ(ours.size(), expected.size());
  for (size_t i = 0; i < ours.size(); ++i) {
    EXPECT_NEAR(ours[i], expected[i], 1e-4 * std::max(1.0f, std::abs(expected[i]))) << "class " << i;
  }

  // The TFLite runtime.
  const std::string oracle = std::string(EF_BINARY_DIR) + "/oracle/run_tflite.mjs";
  ASSERT_TRUE(std::filesystem::exists(oracle)) << "TFLite oracle missing: " << oracle;
  std::vector<uint8_t> in_bytes(image.size() * 4);
  std::memcpy(in_bytes.data(), image.data(), in_bytes.size());
  testing::WriteBytes(dir.file("in.bin"), in_bytes);
  testing::CommandResult r = testing::RunShell("node '" + oracle + "' '" + path + "' '" + dir.file("in.bin") +
                                               "' '" + dir.file("out.bin") + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<uint8_t> out_bytes = testing::ReadBytes(dir.file("out.bin"));
  ASSERT_EQ(out_bytes.size(), expected.size() * 4);
  for (size_t i = 0; i < expected.size(); ++i) {
    float v;
    std::memcpy(&v, out_bytes.data() + 4 * i, 4);
    EXPECT_NEAR(v, expected[i], 1e-4 * std::max(1.0f, std::abs(expected[i]))) << "class " << i;
  }
}

// Reads one protobuf varint.
uint64_t Varint(const std::string& s, size_t& pos) {
  uint64_t v = 0;
  for (int shift = 0; pos < s.size(); shift += 7) {
    const uint8_t b = static_cast<uint8_t>(s[pos++]);
    v |= uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
  }
  return v;
}

TEST(TrainRun, TensorBoardEventsAreTfRecordsOfEventProtos) {
  TempDir dir;
  auto writer = train::EventWriter::Create(dir.path());
  ASSERT_TRUE(writer.ok()) << writer.status().message();
  ASSERT_TRUE((*writer)->AddScalar("val/accuracy", 7, 0.75).ok());
  ASSERT_TRUE((*writer)->Flush().ok());
  EXPECT_NE((*writer)->path().find("events.out.tfevents."), std::string::npos);

  auto reader = data::TfRecordReader::Open((*writer)->path());
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  std::vector<uint8_t> record;
  uint64_t offset = 0;
  ASSERT_TRUE(*(*reader)->Next(&record, &offset));
  std::string first(record.begin(), record.end());
  EXPECT_NE(first.find("brain.Event:2"), std::string::npos);
  ASSERT_TRUE(*(*reader)->Next(&record, &offset));
  std::string event(record.begin(), record.end());
  // wall_time (field 1, fixed64), step (field 2, varint) = 7, summary (field 5).
  size_t pos = 0;
  ASSERT_EQ(Varint(event, pos), (1u << 3) | 1u);
  pos += 8;
  ASSERT_EQ(Varint(event, pos), (2u << 3) | 0u);
  EXPECT_EQ(Varint(event, pos), 7u);
  ASSERT_EQ(Varint(event, pos), (5u << 3) | 2u);
  EXPECT_NE(event.find("val/accuracy"), std::string::npos);
  float value;
  std::memcpy(&value, event.data() + event.size() - 4, 4);  // simple_value is the last field
  EXPECT_FLOAT_EQ(value, 0.75f);
  EXPECT_FALSE(*(*reader)->Next(&record, &offset));
}

TEST(TrainCli, UsageErrorsAndUnknownArchitecture) {
  const std::string exe = EF_TRAIN_CLI_PATH;
  TempDir dir;
  testing::CommandResult r = testing::RunShell("'" + exe + "' --data fashion-mnist --out " + dir.file("o"));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--arch"), std::string::npos) << r.err;
  r = testing::RunShell("'" + exe + "' --arch nope --data fashion-mnist --out " + dir.file("o"));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("mobilenet-v2"), std::string::npos) << r.err;
  r = testing::RunShell("'" + exe + "' --arch mobilenet-v2 --data fashion-mnist --random-crop --no-random-crop --out " +
                        dir.file("o"));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = testing::RunShell("'" + exe + "' --arch mobilenet-v2 --data fashion-mnist --flip --no-flip --out " + dir.file("o"));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = testing::RunShell("'" + exe + "' --resume " + dir.file("nothing-here"));
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("nothing-here"), std::string::npos) << r.err;
}

// Runs of at most kShortRunEpochs epochs start from ShortRunDefaults where the command line is
// silent; flags given win; longer runs keep the MnasNet recipe's.
TEST(TrainCli, ShortRunsTakeTheShortRunDefaultsUnlessGiven) {
  TempDir dir;
  auto run = [&](const std::string& name, const std::string& flags) {
    const std::string exe = EF_TRAIN_CLI_PATH;
    testing::CommandResult r = testing::RunShell(
        "'" + exe + "' --arch mobilenet-v2 --width 0.35 --data fashion-mnist --image-size 16 --batch 32 --limit 32 "
        "--eval-limit 10 --threads 1 --workers 1 --no-progress --out " + dir.file(name) + " " + flags);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::ifstream in(dir.file(name + "/run.json"));
    nlohmann::json j;
    if (in) j = nlohmann::json::parse(in);
    return j;
  };
  const train::TrainOptions recipe, short_run = train::ShortRunDefaults(1);
  EXPECT_FALSE(short_run.flip);
  EXPECT_TRUE(train::ShortRunDefaults(3).flip);
  nlohmann::json j = run("short", "--epochs 1");
  ASSERT_FALSE(j.is_null());
  EXPECT_DOUBLE_EQ(j["lr_per_256"].get<double>(), short_run.lr_per_256);
  EXPECT_DOUBLE_EQ(j["warmup_epochs"].get<double>(), short_run.warmup_epochs);
  EXPECT_EQ(j["flip"].get<bool>(), short_run.flip);
  EXPECT_FALSE(j["force_random_crop"].get<bool>());
  j = run("given", "--epochs 1 --lr 0.05 --warmup-epochs 0.5 --flip --random-crop --min-crop-area 0.5");
  ASSERT_FALSE(j.is_null());
  EXPECT_TRUE(j["force_random_crop"].get<bool>());
  EXPECT_DOUBLE_EQ(j["lr_per_256"].get<double>(), 0.05);
  EXPECT_DOUBLE_EQ(j["warmup_epochs"].get<double>(), 0.5);
  EXPECT_TRUE(j["flip"].get<bool>());
  j = run("long", "--epochs " + std::to_string(train::kShortRunEpochs + 1));
  ASSERT_FALSE(j.is_null());
  EXPECT_DOUBLE_EQ(j["lr_per_256"].get<double>(), recipe.lr_per_256);
  EXPECT_DOUBLE_EQ(j["warmup_epochs"].get<double>(), recipe.warmup_epochs);
  EXPECT_EQ(j["flip"].get<bool>(), recipe.flip);
}

}  // namespace
}  // namespace edgeforge
