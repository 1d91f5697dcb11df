// Quantization-aware training: fake quantization equals TFLite's quantize / dequantize round
// trip, the straight-through estimator passes gradients inside the range only, activations are
// fake-quantized exactly at the tensors of the inference form, a tiny
// Fashion-MNIST run with --qat exports an int8 model that the TFLite runtime runs byte for
// byte like edgeforge's and that agrees with the QAT forward, and QAT survives interrupt/resume.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <set>

#include "core/affine_quantization.h"
#include "data/batch_loader.h"
#include "data/dataset.h"
#include "edgeforge/interpreter.h"
#include "ir/training_passes.h"
#include "models/zoo.h"
#include "quant/edgetpu_target.h"
#include "quant/weight_quantization.h"
#include "test_util.h"
#include "tflite/reader.h"
#include "train/checkpoint.h"
#include "train/graph_module.h"
#include "train/qat.h"
#include "train/trainer.h"
#include "train_test_runs.h"

namespace edgeforge {
namespace {

using testing::TempDir;

TEST(TrainQat, FakeQuantizedActivationsEqualQuantizeDequantize) {
  torch::manual_seed(1);
  // Exact .5 ties included: TFLite rounds them away from zero.
  torch::Tensor x = torch::cat({torch::randn({1000}) * 2, torch::arange(-40, 40).to(torch::kFloat32) * 0.05f});
  const float lo = -1.3f, hi = 2.7f;
  const QuantParams p = core::ChooseAsymmetric(lo, hi, DType::kInt8);
  const torch::Tensor fq = train::FakeQuantizeActivation(x, lo, hi).contiguous();
  std::span<const float> values(x.data_ptr<float>(), static_cast<size_t>(x.numel()));
  const std::vector<uint8_t> q = core::QuantizeValues(values, p, DType::kInt8);
  for (size_t i = 0; i < q.size(); ++i) {
    const float expected = (static_cast<int8_t>(q[i]) - p.zero_point[0]) * p.scale[0];
    ASSERT_EQ(fq[static_cast<int64_t>(i)].item<float>(), expected) << "x = " << values[i];
  }
}

TEST(TrainQat, FakeQuantizedWeightsEqualPerChannelInt8) {
  torch::manual_seed(2);
  torch::Tensor w = torch::randn({6, 3, 3, 4});  // ATen [O, I, H, W]; one channel all zero
  w[2].zero_();
  const torch::Tensor fq = train::FakeQuantizeWeights(w).contiguous();
  const Shape shape = {6, 36};
  std::span<const float> values(w.data_ptr<float>(), static_cast<size_t>(w.numel()));
  const std::vector<float> scales = quant::SymmetricScales(values, shape, 0);
  const std::vector<uint8_t> q = quant::QuantizeSymmetric(values, shape, 0, scales);
  const float* f = fq.data_ptr<float>();
  for (size_t i = 0; i < q.size(); ++i) {
    ASSERT_EQ(f[i], static_cast<int8_t>(q[i]) * scales[i / 36]) << "weight " << i;
  }
}

TEST(TrainQat, StraightThroughGradientsPassInsideTheRangeOnly) {
  torch::Tensor x = torch::tensor({-3.0f, -0.9f, 0.0f, 0.4f, 1.9f, 5.0f}).requires_grad_(true);
  train::FakeQuantizeActivation(x, -1.0f, 2.0f).mul(torch::arange(1, 7)).sum().backward();
  const std::vector<float> expected = {0, 2, 3, 4, 5, 0};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(x.grad()[i].item<float>(), expected[i]) << "x = " << x[i].item<float>();

  torch::Tensor w = torch::randn({4, 5}).requires_grad_(true);
  train::FakeQuantizeWeights(w).sum().backward();
  EXPECT_TRUE(torch::equal(w.grad(), torch::ones_like(w)));  // every weight is inside its range
}

TEST(TrainQat, ActivationsAreFakeQuantizedExactlyWhereTheInferenceFormHasTensors) {
  models::ModelOptions mo;
  mo.image_size = 32;
  mo.channels = 3;
  mo.num_classes = 5;
  mo.width_multiplier = 0.35f;
  for (const char* arch : {"mobilenet-v2", "mnasnet-a1"}) {
    StatusOr<ir::Graph> graph = models::BuildModel(arch, mo);
    ASSERT_TRUE(graph.ok()) << graph.status().message();
    StatusOr<ir::Graph> inference = ir::ToInferenceForm(*graph);
    ASSERT_TRUE(inference.ok()) << inference.status().message();
    std::set<std::string> expected;
    for (const ir::Tensor& t : inference->tensors) {
      if (!t.is_constant()) expected.insert(t.name);
    }
    auto qat = train::QatRuntime::Create(*graph, train::QatOptions{});
    ASSERT_TRUE(qat.ok()) << qat.status().message();
    const std::vector<std::string> names = (*qat)->QuantizedTensorNames();
    EXPECT_EQ(std::set<std::string>(names.begin(), names.end()), expected) << arch;
    // Batch-norm outputs before a fused RELU6 and convolution outputs before a folded batch
    // norm are not in the inference form, so they are not quantized.
    EXPECT_LT(expected.size(), graph->tensors.size() / 2) << arch;
  }
}

train::TrainOptions TinyQatRun(const std::string& out) {
  train::TrainOptions o = testing::TinyFashionMnistRun(out);
  o.eval_limit = 64;
  o.qat = true;
  o.qat_epochs = 1;
  return o;
}

// The training graph of a TinyQatRun with the checkpoint's averaged weights and QAT ranges, in
// QAT evaluation form: what the int8 export should compute.
std::unique_ptr<train::GraphModule> QatModuleFromCheckpoint(const train::TrainOptions& o) {
  auto dataset = data::OpenDataset(o.data, data::Split::kTrain);
  EXPECT_TRUE(dataset.ok());
  if (!dataset.ok()) return nullptr;
  models::ModelOptions mo;
  mo.image_size = o.image_size;
  mo.channels = 1;
  mo.num_classes = 10;
  mo.width_multiplier = o.width_multiplier;
  mo.dropout = o.dropout;
  mo.seed = o.seed;
  mo.labels = (*dataset)->class_names();
  StatusOr<ir::Graph> graph = models::BuildModel(o.architecture, mo);
  EXPECT_TRUE(graph.ok()) << graph.status().message();
  if (!graph.ok()) return nullptr;
  auto module = train::GraphModule::Create(*graph, torch::kCPU);
  EXPECT_TRUE(module.ok()) << module.status().message();
  if (!module.ok()) return nullptr;
  EXPECT_TRUE((*module)->EnableQat(*graph, train::QatOptions{}).ok());
  StatusOr<train::Checkpoint> c = train::LoadCheckpoint(o.out_dir);
  EXPECT_TRUE(c.ok()) << c.status().message();
  if (!c.ok()) return nullptr;
  std::map<std::string, torch::Tensor> saved;
  for (auto group : {&c->buffers, &c->ema}) {
    for (auto& [name, t] : *group) saved[name] = t;
  }
  torch::NoGradGuard no_grad;
  for (train::Parameter& p : (*module)->parameters()) p.value.copy_(saved.at(p.name + "/ema"));
  for (auto& [name, t] : (*module)->buffers()) {
    t.copy_(saved.count(name + "/ema") ? saved.at(name + "/ema") : saved.at(name));
  }
  EXPECT_TRUE(saved.count("qat/ranges"));
  EXPECT_TRUE((*module)->qat()->LoadState(saved["qat/ranges"]).ok());
  return std::move(*module);
}

// A tiny QAT run of `architecture`: its int8 model maps fully to the Edge TPU (no HARD_SWISH
// left), the TFLite runtime gives edgeforge's bytes, and it agrees with the QAT forward.
void ExpectTinyQatRunExportsMatchingInt8(const std::string& architecture) {
  TempDir dir;
  train::TrainOptions o = TinyQatRun(dir.path());
  o.architecture = architecture;
  StatusOr<train::TrainResult> r = train::Train(o, false, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->int8_model_path, dir.file("model_int8.tflite"));
  ASSERT_TRUE(std::filesystem::exists(dir.file("model.tflite")));

  StatusOr<ir::Graph> int8 = tflite::ReadModelFile(r->int8_model_path);
  ASSERT_TRUE(int8.ok()) << int8.status().message();
  auto tpu = quant::CheckEdgeTpu(*int8);
  ASSERT_TRUE(tpu.ok()) << tpu.status().message();
  EXPECT_TRUE(tpu->fully_mapped()) << tpu->model_reason << " " << tpu->model_detail;
  for (const ir::Op& op : int8->ops) EXPECT_NE(op.type, ir::OpType::kHardSwish);
  const ir::Tensor& input = int8->tensor(int8->inputs[0]);
  ASSERT_EQ(input.dtype, DType::kInt8);
  ASSERT_EQ(int8->tensor(int8->outputs[0]).dtype, DType::kInt8);
  EXPECT_LT(std::filesystem::file_size(r->int8_model_path), std::filesystem::file_size(dir.file("model.tflite")) / 2);

  // Test images, preprocessed as training does.
  auto test_set = data::OpenDataset("fashion-mnist", data::Split::kTest);
  ASSERT_TRUE(test_set.ok()) << test_set.status().message();
  const int n = 48;
  std::vector<size_t> indices(n);
  for (int i = 0; i < n; ++i) indices[i] = static_cast<size_t>(i * 37);
  data::BatchOptions bo;
  bo.image_size = 32;
  bo.channels = 1;
  bo.batch_size = n;
  bo.workers = 1;
  data::BatchLoader loader(**test_set, indices, bo);
  loader.StartEpoch(0);
  data::Batch batch;
  ASSERT_TRUE(loader.Next(&batch).ok());
  ASSERT_EQ(batch.size, static_cast<size_t>(n));

  std::unique_ptr<train::GraphModule> module = QatModuleFromCheckpoint(o);
  ASSERT_TRUE(module);
  torch::Tensor logits;
  {
    torch::NoGradGuard no_grad;
    auto l = module->Forward(torch::from_blob(batch.images.data(), {n, 32, 32, 1}), false);
    ASSERT_TRUE(l.ok()) << l.status().message();
    logits = *l;
  }
  const torch::Tensor qat_top1 = logits.argmax(1);
  const torch::Tensor qat_probabilities = torch::softmax(logits, 1).contiguous();
  // Top-1 can only be asked to agree where the QAT forward's top two are further apart than the
  // int8 scores may move (4/256 each way, checked below); the tiny run's model, barely trained
  // from a small initial classifier, has near-ties everywhere, so the scores are the real check.
  const torch::Tensor top2 = std::get<0>(qat_probabilities.topk(2, 1));
  const torch::Tensor decisive = (top2.select(1, 0) - top2.select(1, 1)) > 8.0f / 256;

  auto model = Model::FromFile(r->int8_model_path);
  ASSERT_TRUE(model.ok()) << model.status().message();
  auto interpreter = Interpreter::Create(*model);
  ASSERT_TRUE(interpreter.ok()) << interpreter.status().message();
  const std::string oracle = std::string(EF_BINARY_DIR) + "/oracle/run_tflite.mjs";
  ASSERT_TRUE(std::filesystem::exists(oracle)) << "TFLite oracle missing: " << oracle;
  const size_t pixels = 32 * 32;
  int agree = 0, decided = 0;
  float max_score_error = 0;
  for (int i = 0; i < n; ++i) {
    std::span<const float> image(batch.images.data() + i * pixels, pixels);
    const std::vector<uint8_t> in = core::QuantizeValues(image, input.quant, DType::kInt8);
    ASSERT_TRUE((*interpreter)->SetInput(0, in).ok());
    ASSERT_TRUE((*interpreter)->Invoke().ok());
    std::span<const uint8_t> ours = (*interpreter)->output_bytes(0);
    const std::vector<float> scores = (*interpreter)->OutputAsFloat(0);
    if (decisive[i].item<bool>()) {
      ++decided;
      if (TopK(scores, 1)[0].index == qat_top1[i].item<int64_t>()) ++agree;
    }
    // Scores too, not only the winner (a barely trained model may favour one class): the int8
    // softmax has steps of 1/256.
    for (size_t k = 0; k < scores.size(); ++k) {
      max_score_error = std::max(max_score_error,
                                 std::abs(scores[k] - qat_probabilities[i][static_cast<int64_t>(k)].item<float>()));
    }
    if (i < 8) {  // the oracle starts node per image: a few are enough
      testing::WriteBytes(dir.file("in.bin"), in);
      testing::CommandResult run = testing::RunShell("node '" + oracle + "' '" + r->int8_model_path + "' '" +
                                                     dir.file("in.bin") + "' '" + dir.file("out.bin") + "'");
      ASSERT_EQ(run.exit_code, 0) << run.err;
      ASSERT_TRUE(std::filesystem::exists(dir.file("out.bin"))) << run.out << run.err;
      EXPECT_EQ(testing::ReadBytes(dir.file("out.bin")), std::vector<uint8_t>(ours.begin(), ours.end()))
          << "image " << i << ": edgeforge and TFLite differ";
    }
  }
  EXPECT_GE(agree, decided * 9 / 10) << agree << " of " << decided << " top-1 agree with the QAT forward";
  EXPECT_LE(max_score_error, 4.0f / 256) << "int8 scores vs the QAT forward's softmax";
  std::printf("%s QAT forward vs int8 model: top-1 agrees on %d of the %d (of %d) images with a clear "
              "winner, scores within %.4f\n", architecture.c_str(), agree, decided, n, max_score_error);
}

TEST(TrainQat, TinyRunExportsInt8ModelMatchingOracleAndQatForward) { ExpectTinyQatRunExportsMatchingInt8("mobilenet-v2"); }

// QAT trains MobileNetV3's HARD_SWISH as one op; the export rewrites it into Edge TPU ops
// (issue 7) with ranges derived from its input's, and still agrees with the QAT forward.
TEST(TrainQat, MobileNetV3ExportRewritesHardSwishAndAgreesWithTheQatForward) {
  ExpectTinyQatRunExportsMatchingInt8("mobilenet-v3-small");
}

TEST(TrainQat, InterruptedQatRunResumesToTheSameInt8Model) {
  TempDir straight, resumed;
  ASSERT_TRUE(train::Train(TinyQatRun(straight.path()), false, nullptr).ok());

  train::TrainOptions o = TinyQatRun(resumed.path());
  o.interrupt_after_steps = 11;  // in the second (QAT) epoch of 8 steps
  StatusOr<train::TrainResult> first = train::Train(o, false, nullptr);
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_TRUE(first->interrupted);
  StatusOr<train::Checkpoint> c = train::LoadCheckpoint(resumed.path());
  ASSERT_TRUE(c.ok()) << c.status().message();
  bool has_ranges = false;
  for (auto& [name, t] : c->buffers) has_ranges |= name == "qat/ranges";
  EXPECT_TRUE(has_ranges) << "the checkpoint of a run inside its QAT epochs holds the ranges";

  train::TrainOptions again;
  again.out_dir = resumed.path();
  again.epochs = 0;
  again.progress = false;
  StatusOr<train::TrainResult> second = train::Train(again, true, nullptr);
  ASSERT_TRUE(second.ok()) << second.status().message();
  ASSERT_FALSE(second->interrupted);
  EXPECT_EQ(testing::ReadBytes(straight.file("model_int8.tflite")),
            testing::ReadBytes(resumed.file("model_int8.tflite")));
  EXPECT_EQ(testing::ReadBytes(straight.file("model.tflite")), testing::ReadBytes(resumed.file("model.tflite")));
}

TEST(TrainQat, BadQatIoIsNamed) {
  TempDir dir;
  train::TrainOptions o = TinyQatRun(dir.path());
  o.qat_io = "int4";
  StatusOr<train::TrainResult> r = train::Train(o, false, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("--qat-io"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace edgeforge
