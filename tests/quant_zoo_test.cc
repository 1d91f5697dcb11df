// Post-training quantization of every zoo architecture, end to end as `edgeforge quantize` does
// it: random weights and random batch-norm statistics (quant_zoo_models.h) ->
// inference form -> float .tflite ->
// int8 (calibrated on real photos) / dynamic / float16. The int8 models must give the TFLite
// runtime's bytes in edgeforge's runtime (the logits and the softmax), map fully on the Edge
// TPU and hold no float op; dynamic and float16 models must stay within 1e-2 of float in both
// runtimes. This is what exercises HARD_SWISH, squeeze-excite (MEAN, LOGISTIC, broadcast MUL)
// and hard-sigmoid (ADD / RELU6 / MUL with scalar constants) in int8.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "quant/edgetpu_target.h"
#include "quant/quantize_model.h"
#include "oracle_batch.h"
#include "quant_zoo_models.h"
#include "tflite/reader.h"
#include "tflite/writer.h"

namespace edgeforge::quant {
namespace {

using testing::TempDir;

using testing::CaseName;
using testing::OutputAt;
using testing::ZooCase;

// Every architecture at 32x32 RGB, and the one with every op kind at 28x28 gray.
std::vector<ZooCase> Cases() {
  std::vector<ZooCase> cases;
  for (const models::ArchitectureInfo& a : models::Architectures()) cases.push_back({a.name, 32, 3});
  cases.push_back({"mobilenet-v3-small", 28, 1});
  return cases;
}

const std::string kCalibrationImages = testing::TestData("flowers-mini/train");
const std::string kTestImages = testing::TestData("flowers-mini/test");

std::shared_ptr<const ir::Graph> ReadModel(const std::string& path) {
  auto read = tflite::ReadModelFile(path);
  EXPECT_TRUE(read.ok()) << read.status().message();
  return read.ok() ? std::make_shared<const ir::Graph>(std::move(read).value()) : nullptr;
}

// The logits: the input of the last SOFTMAX.
int LogitsTensor(const ir::Graph& g) {
  for (auto it = g.ops.rbegin(); it != g.ops.rend(); ++it) {
    if (it->type == ir::OpType::kSoftmax) return it->inputs[0];
  }
  return -1;
}

// Input bytes for test photo `i` of flowers-mini/test, as `model`'s input takes them.
std::vector<uint8_t> PhotoInput(const ir::Graph& model, size_t i) {
  auto images = ListCalibrationImages(kTestImages);
  EXPECT_TRUE(images.ok()) << images.status().message();
  if (!images.ok()) return {};
  const ir::Tensor& input = model.tensor(model.inputs[0]);
  auto bytes = ImageInputBytes((*images)[i * 7 % images->size()], input,
                               InputPreprocessing{model.metadata.input_mean, model.metadata.input_std});
  EXPECT_TRUE(bytes.ok()) << bytes.status().message();
  return bytes.ok() ? *bytes : std::vector<uint8_t>{};
}

std::vector<float> AsFloats(const std::vector<uint8_t>& bytes) {
  std::vector<float> out(bytes.size() / sizeof(float));
  std::memcpy(out.data(), bytes.data(), out.size() * sizeof(float));
  return out;
}

StatusOr<QuantizeOutcome> Quantize(const std::string& float_path, const std::string& out_path, QuantizationMode mode,
                                   IoType io = IoType::kInt8, bool edgetpu = false, bool keep_hard_swish = false) {
  QuantizeRequest r;
  r.model_path = float_path;
  r.out_path = out_path;
  r.mode = mode;
  r.calibration_dir = kCalibrationImages;
  r.int8.io = io;
  r.samples = 30;
  r.report_samples = 20;
  r.edgetpu = edgetpu;
  r.keep_hard_swish = keep_hard_swish;
  return QuantizeModel(r, nullptr);
}

// The ops the Edge TPU check leaves on the CPU, with the compiler's reason.
std::string CpuOps(const edgetpu::CompatibilityReport& report) {
  std::string out = report.model_reason + " " + report.model_detail;
  for (size_t i = 0; i < report.ops.size(); ++i) {
    const edgetpu::OpVerdict& v = report.ops[i];
    if (!v.mapped) out += "\n  op " + std::to_string(i) + ": " + v.reason + " " + v.detail;
  }
  return out;
}

bool IsFloat(DType t) { return t == DType::kFloat32 || t == DType::kFloat16; }

// What edgeforge's runtime gave for one (model, input), to compare with the oracle's.
struct Expected {
  std::string what;
  size_t job;
  std::vector<uint8_t> ours;
};

void ExpectOracleGaveTheSameBytes(testing::OracleBatch& oracle, const std::vector<Expected>& expected) {
  ASSERT_TRUE(oracle.Run());
  for (const Expected& e : expected) {
    ASSERT_FALSE(e.ours.empty()) << e.what;
    EXPECT_EQ(e.ours, oracle.output(e.job)) << e.what;
  }
}

// Quantizes `c` to int8 in `dir` and checks (b) the Edge TPU mapping, (c) no float op,
// (d) top-1 agreement with float; queues (a), the outputs and logits on three test photos,
// for the oracle.
void QuantizeAndQueue(const ZooCase& c, IoType io, const std::string& dir, testing::OracleBatch& oracle,
                      std::vector<Expected>& expected) {
  const std::string name = CaseName(c) + " --io " + IoTypeName(io);
  SCOPED_TRACE(name);
  const std::string stem = dir + "/" + c.architecture + "_" + std::to_string(c.channels) + "_" + IoTypeName(io);
  const std::string float_path = testing::RandomFloatModel(c), int8_path = stem + ".tflite";
  ASSERT_FALSE(float_path.empty());
  auto outcome = Quantize(float_path, int8_path, QuantizationMode::kInt8, io);
  ASSERT_TRUE(outcome.ok()) << outcome.status().message();
  ASSERT_TRUE(outcome->written);
  const auto model = ReadModel(int8_path);
  ASSERT_NE(model, nullptr);

  for (const ir::Op& op : model->ops) {
    for (const auto* list : {&op.inputs, &op.outputs}) {
      for (int t : *list) {
        if (t >= 0) {
          EXPECT_FALSE(IsFloat(model->tensor(t).dtype)) << ir::OpName(op) << " " << model->tensor(t).name;
        }
      }
    }
  }
  // Issue 7: every int8 model the quantizer writes maps fully, --target edgetpu or not
  // (MobileNetV3's HARD_SWISH is rewritten).
  auto tpu = CheckEdgeTpu(*model);
  ASSERT_TRUE(tpu.ok()) << tpu.status().message();
  EXPECT_TRUE(tpu->fully_mapped()) << CpuOps(*tpu);

  // Random networks amplify quantization noise block after block (MnasNet-A1: SQNR from 43 dB
  // after the stem down to 6 dB at the logits, with no step anywhere that would point at an
  // op), and their logits are in the hundreds, so top-1 agreement only tells "not broken" from
  // "broken": at least three times chance (10 classes). Printed for the record.
  ASSERT_TRUE(outcome->report.has_value());
  std::printf("%s: top-1 agreement %.2f, output SQNR %.1f dB\n", name.c_str(), outcome->report->top1_agreement(),
              outcome->report->output_sqnr_db);
  EXPECT_GE(outcome->report->top1_agreement(), 0.3) << FormatReport(*outcome->report);

  const int logits = LogitsTensor(*model);
  ASSERT_GE(logits, 0);
  const std::string logits_path = stem + "_logits.tflite";
  ASSERT_TRUE(tflite::WriteModelFile(OutputAt(*model, logits), logits_path).ok());
  const auto logits_model = ReadModel(logits_path);
  ASSERT_NE(logits_model, nullptr);
  for (size_t i = 0; i < 3; ++i) {
    const std::vector<uint8_t> input = PhotoInput(*model, i);
    ASSERT_FALSE(input.empty());
    const std::string photo = " test photo " + std::to_string(i);
    expected.push_back({name + " output" + photo, oracle.Add(int8_path, input), testing::RunOurRuntime(model, input)});
    expected.push_back(
        {name + " logits" + photo, oracle.Add(logits_path, input), testing::RunOurRuntime(logits_model, input)});
  }
}

TEST(QuantZoo, Int8ModelsGiveTheTfliteRuntimesBytes) {
  TempDir tmp;
  testing::OracleBatch oracle(tmp.path());
  std::vector<Expected> expected;
  for (const ZooCase& c : Cases()) {
    QuantizeAndQueue(c, c.channels == 1 ? IoType::kUInt8 : IoType::kInt8, tmp.path(), oracle, expected);
  }
  for (const char* architecture : {"mobilenet-v3-large", "mnasnet-a1"}) {
    QuantizeAndQueue({architecture, 32, 3}, IoType::kUInt8, tmp.path(), oracle, expected);
  }
  ExpectOracleGaveTheSameBytes(oracle, expected);
}

// The model cut at its logits (the SOFTMAX's input), written to `path`. Random networks give
// logits so large that the softmax is one-hot and any noise flips it, so float results are
// compared before it.
std::shared_ptr<const ir::Graph> WriteLogitsModel(const ir::Graph& model, const std::string& path) {
  const int logits = LogitsTensor(model);
  EXPECT_GE(logits, 0);
  if (logits < 0) return nullptr;
  Status written = tflite::WriteModelFile(OutputAt(model, logits), path);
  EXPECT_TRUE(written.ok()) << written.message();
  return ReadModel(path);
}

// dynamic and float16: the logits close to the float model's (relative to the largest float
// logit), in edgeforge's runtime and in TFLite's. float16 stays within 1e-2. Dynamic-range
// quantizes every activation to 8 bits on the fly, and these random networks amplify that
// noise layer after layer: both runtimes' hybrid kernels end up 1-30 % away on the deepest
// MnasNets (printed), so the bound for dynamic only catches a broken kernel, not noise.
TEST(QuantZoo, DynamicAndFloat16ModelsStayCloseToFloatInBothRuntimes) {
  TempDir tmp;
  testing::OracleBatch oracle(tmp.path());
  struct Check {
    std::string what;
    QuantizationMode mode;
    std::vector<float> expected;  // float model, edgeforge's runtime
    std::vector<float> ours;
    size_t job;
  };
  std::vector<Check> checks;
  for (const ZooCase& c : Cases()) {
    SCOPED_TRACE(CaseName(c));
    const std::string float_path = testing::RandomFloatModel(c);
    ASSERT_FALSE(float_path.empty());
    const auto float_model = ReadModel(float_path);
    ASSERT_NE(float_model, nullptr);
    const std::string stem = tmp.path() + "/" + c.architecture + "_" + std::to_string(c.channels);
    const auto float_logits = WriteLogitsModel(*float_model, stem + "_float_logits.tflite");
    ASSERT_NE(float_logits, nullptr);
    for (QuantizationMode mode : {QuantizationMode::kDynamic, QuantizationMode::kFloat16}) {
      const std::string path = stem + "_" + ModeName(mode) + ".tflite";
      const std::string logits_path = stem + "_" + ModeName(mode) + "_logits.tflite";
      auto outcome = Quantize(float_path, path, mode);
      ASSERT_TRUE(outcome.ok()) << outcome.status().message();
      const auto model = ReadModel(path);
      ASSERT_NE(model, nullptr);
      const auto logits_model = WriteLogitsModel(*model, logits_path);
      ASSERT_NE(logits_model, nullptr);
      for (size_t i = 0; i < 2; ++i) {
        const std::vector<uint8_t> input = PhotoInput(*float_model, i);
        ASSERT_FALSE(input.empty());
        checks.push_back({CaseName(c) + " --mode " + ModeName(mode) + " photo " + std::to_string(i), mode,
                          AsFloats(testing::RunOurRuntime(float_logits, input)),
                          AsFloats(testing::RunOurRuntime(logits_model, input)), oracle.Add(logits_path, input)});
      }
    }
  }
  ASSERT_TRUE(oracle.Run());
  for (const Check& check : checks) {
    ASSERT_FALSE(check.expected.empty()) << check.what;
    float largest = 0;
    for (float v : check.expected) largest = std::max(largest, std::fabs(v));
    const float bound = check.mode == QuantizationMode::kFloat16 ? 1e-2f : 0.4f;
    for (const auto& [runtime, got] : {std::pair{"edgeforge", check.ours},
                                       std::pair{"tflite", AsFloats(oracle.output(check.job))}}) {
      ASSERT_EQ(got.size(), check.expected.size()) << check.what << " " << runtime;
      float worst = 0;
      for (size_t k = 0; k < got.size(); ++k) worst = std::max(worst, std::fabs(got[k] - check.expected[k]));
      std::printf("%s %s: largest logit %.3g, worst difference %.3g (%.2g relative)\n", check.what.c_str(), runtime,
                  largest, worst, worst / largest);
      EXPECT_LE(worst, bound * largest) << check.what << " " << runtime;
    }
  }
}

// The float graph with HARD_SWISH rewritten computes the same function.
TEST(QuantZoo, DecomposedHardSwishKeepsTheFloatOutputs) {
  const auto original = ReadModel(testing::RandomFloatModel({"mobilenet-v3-small", 32, 3}));
  ASSERT_NE(original, nullptr);
  ir::Graph rewritten = *original;
  const int count = static_cast<int>(DecomposeHardSwish(rewritten).size());
  EXPECT_GT(count, 0);
  size_t hard_swish = 0;
  for (const ir::Op& op : rewritten.ops) hard_swish += op.type == ir::OpType::kHardSwish;
  EXPECT_EQ(hard_swish, 0u);
  EXPECT_EQ(rewritten.ops.size(), original->ops.size() + 2 * static_cast<size_t>(count));
  const auto rewritten_model = std::make_shared<const ir::Graph>(std::move(rewritten));
  const auto logits = std::make_shared<const ir::Graph>(OutputAt(*original, LogitsTensor(*original)));
  const auto rewritten_logits =
      std::make_shared<const ir::Graph>(OutputAt(*rewritten_model, LogitsTensor(*rewritten_model)));
  const std::vector<uint8_t> input = PhotoInput(*original, 0);
  const std::vector<float> want = AsFloats(testing::RunOurRuntime(logits, input));
  const std::vector<float> got = AsFloats(testing::RunOurRuntime(rewritten_logits, input));
  ASSERT_EQ(got.size(), want.size());
  for (size_t k = 0; k < got.size(); ++k) EXPECT_NEAR(got[k], want[k], 1e-4f * (1 + std::fabs(want[k]))) << k;
}

// --keep-hard-swish: a CPU-only model with HARD_SWISH as one int8 op, which TFLite runs with
// the same bytes as edgeforge, and which the Edge TPU check stops at (Coral's supported
// operations have no HARD_SWISH). It cannot go with --target edgetpu.
TEST(QuantZoo, KeptHardSwishIsOneOpTheEdgeTpuCannotMap) {
  TempDir tmp;
  const ZooCase c{"mobilenet-v3-small", 32, 3};
  const std::string float_path = testing::RandomFloatModel(c), out_path = tmp.path() + "/kept.tflite";
  ASSERT_FALSE(float_path.empty());
  auto outcome = Quantize(float_path, out_path, QuantizationMode::kInt8, IoType::kInt8, false, /*keep=*/true);
  ASSERT_TRUE(outcome.ok()) << outcome.status().message();
  const auto model = ReadModel(out_path);
  ASSERT_NE(model, nullptr);
  size_t hard_swish = 0;
  for (const ir::Op& op : model->ops) hard_swish += op.type == ir::OpType::kHardSwish;
  EXPECT_GT(hard_swish, 0u);
  auto tpu = CheckEdgeTpu(*model);
  ASSERT_TRUE(tpu.ok()) << tpu.status().message();
  ASSERT_TRUE(tpu->first_cpu_op.has_value());
  EXPECT_EQ(tpu->ops[static_cast<size_t>(*tpu->first_cpu_op)].op, "HARD_SWISH") << CpuOps(*tpu);

  testing::OracleBatch oracle(tmp.path());
  std::vector<Expected> expected;
  for (size_t i = 0; i < 2; ++i) {
    const std::vector<uint8_t> input = PhotoInput(*model, i);
    expected.push_back({"kept HARD_SWISH, photo " + std::to_string(i), oracle.Add(out_path, input),
                        testing::RunOurRuntime(model, input)});
  }
  ExpectOracleGaveTheSameBytes(oracle, expected);

  auto both = Quantize(float_path, tmp.path() + "/both.tflite", QuantizationMode::kInt8, IoType::kUInt8,
                       /*edgetpu=*/true, /*keep=*/true);
  ASSERT_FALSE(both.ok());
  EXPECT_NE(both.status().message().find("HARD_SWISH"), std::string::npos) << both.status().message();
  EXPECT_FALSE(std::filesystem::exists(tmp.path() + "/both.tflite"));
}

// Issue 7: `quantize --target edgetpu` (default int8 mode) writes zoo models that map fully;
// MobileNetV3's HARD_SWISH is rewritten into ops the Edge TPU maps, which still give the TFLite
// runtime's bytes.
TEST(QuantZoo, EdgeTpuTargetMapsEveryZooModelFully) {
  TempDir tmp;
  testing::OracleBatch oracle(tmp.path());
  std::vector<Expected> expected;
  for (const ZooCase& c : Cases()) {
    SCOPED_TRACE(CaseName(c));
    const std::string float_path = testing::RandomFloatModel(c);
    const std::string out_path = tmp.path() + "/" + c.architecture + "_" + std::to_string(c.channels) + ".tflite";
    ASSERT_FALSE(float_path.empty());
    auto outcome = Quantize(float_path, out_path, QuantizationMode::kInt8, IoType::kUInt8, /*edgetpu=*/true);
    ASSERT_TRUE(outcome.ok()) << outcome.status().message();
    ASSERT_TRUE(outcome->edgetpu.has_value());
    EXPECT_TRUE(outcome->edgetpu->fully_mapped()) << CpuOps(*outcome->edgetpu);
    ASSERT_TRUE(outcome->written);
    const auto model = ReadModel(out_path);
    ASSERT_NE(model, nullptr);
    auto again = CheckEdgeTpu(*model);
    ASSERT_TRUE(again.ok()) << again.status().message();
    EXPECT_TRUE(again->fully_mapped()) << CpuOps(*again);
    ASSERT_TRUE(outcome->report.has_value());
    std::printf("%s --target edgetpu: top-1 agreement %.2f, output SQNR %.1f dB\n", CaseName(c).c_str(),
                outcome->report->top1_agreement(), outcome->report->output_sqnr_db);
    EXPECT_GE(outcome->report->top1_agreement(), 0.3) << FormatReport(*outcome->report);
    const std::vector<uint8_t> input = PhotoInput(*model, 1);
    expected.push_back({CaseName(c) + " --target edgetpu", oracle.Add(out_path, input),
                        testing::RunOurRuntime(model, input)});
  }
  ExpectOracleGaveTheSameBytes(oracle, expected);
}

}  // namespace
}  // namespace edgeforge::quant
