// On-device training with Coral's imprinting data: train on *_train_*, test on *_test_*.
// Both methods must classify every test photo correctly, and the models they write must give
// byte-identical outputs in the TFLite runtime and map fully to the Edge TPU.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "edgeforge/image.h"
#include "edgeforge/interpreter.h"
#include "edgetpu/compatibility.h"
#include "test_util.h"
#include "tflite/reader.h"

namespace edgeforge {
namespace {

using testing::ReadBytes;
using testing::RunCli;
using testing::RunShell;
using testing::TempDir;
using testing::TestData;
using testing::WriteBytes;

const std::string kExtractor = TestData("coral/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite");
const std::string kImprinting = TestData("coral/imprinting");

// Feeds each test photo to the model in-process and through the TFLite oracle; returns
// the predicted label per photo and checks the output bytes agree.
std::vector<std::string> PredictAndCompareWithTflite(const std::string& model_path, const TempDir& tmp) {
  auto model = Model::FromFile(model_path);
  EXPECT_TRUE(model.ok()) << model.status().message();
  if (!model.ok()) return {};
  auto interp = Interpreter::Create(model.value());
  EXPECT_TRUE(interp.ok()) << interp.status().message();
  if (!interp.ok()) return {};
  const std::string oracle = std::string(EF_BINARY_DIR) + "/oracle/run_tflite.mjs";
  EXPECT_TRUE(std::filesystem::exists(oracle)) << "TFLite oracle missing: run scripts/test.sh, which installs it";
  std::vector<std::string> predicted;
  for (const char* name : {"cat_test_0.bmp", "dog_test_0.bmp", "hotdog_test_0.bmp"}) {
    SCOPED_TRACE(name);
    auto image = LoadImage(kImprinting + "/" + name);
    EXPECT_TRUE(image.ok());
    TensorInfo in = interp.value()->input_info(0);
    Image resized = ResizeBilinear(image.value(), in.shape[2], in.shape[1]);
    std::vector<uint8_t> input(in.bytes);
    EXPECT_TRUE(ImageToTensor(resized, in.dtype, in.quant, {}, {}, input).ok());
    EXPECT_TRUE(interp.value()->SetInput(0, input).ok());
    EXPECT_TRUE(interp.value()->Invoke().ok());
    auto out = interp.value()->output_bytes(0);
    std::vector<uint8_t> ours(out.begin(), out.end());
    predicted.push_back(model.value()->labels().at(static_cast<size_t>(TopK(interp.value()->OutputAsFloat(0), 1)[0].index)));

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

TEST(OnDevice, ImprintingClassifiesEveryTestPhoto) {
  TempDir tmp;
  auto r = RunCli("imprint --extractor " + kExtractor + " --data " + kImprinting +
                  " --include '*_train_*' --out " + tmp.file("imprinted.tflite"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("3 classes (cat, dog, hotdog)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("train accuracy: 100.0%"), std::string::npos) << r.out;
  EXPECT_EQ(PredictAndCompareWithTflite(tmp.file("imprinted.tflite"), tmp),
            (std::vector<std::string>{"cat", "dog", "hotdog"}));
  ExpectMapsFully(tmp.file("imprinted.tflite"));
}

TEST(OnDevice, ImprintingKeepsClasses) {
  TempDir tmp;
  ASSERT_EQ(RunCli("imprint --extractor " + kExtractor + " --data " + kImprinting + " --include 'cat_train_*'" +
                   " --out " + tmp.file("cat.tflite") + " --scale 10")
                .exit_code,
            1);  // one class alone is refused...
  ASSERT_EQ(RunCli("imprint --extractor " + kExtractor + " --data " + kImprinting + " --include '[cd]*_train_*'" +
                   " --out " + tmp.file("base.tflite"))
                .exit_code,
            0);
  auto r = RunCli("imprint --extractor " + kExtractor + " --data " + kImprinting + " --include 'hotdog_train_*'" +
                  " --keep-classes " + tmp.file("base.tflite") + " --out " + tmp.file("all.tflite"));
  ASSERT_EQ(r.exit_code, 0) << r.err;  // ...but one new class on top of kept ones is fine
  EXPECT_NE(r.out.find("3 classes (cat, dog, hotdog)"), std::string::npos) << r.out;
  EXPECT_EQ(PredictAndCompareWithTflite(tmp.file("all.tflite"), tmp),
            (std::vector<std::string>{"cat", "dog", "hotdog"}));
}

TEST(OnDevice, SoftmaxRegressionClassifiesEveryTestPhoto) {
  TempDir tmp;
  auto r = RunCli("retrain-last-layer --extractor " + kExtractor + " --data " + kImprinting +
                  " --include '*_train_*' --out " + tmp.file("retrained.tflite") + " --iterations 300");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("train accuracy: 100.0%"), std::string::npos) << r.out;
  EXPECT_EQ(PredictAndCompareWithTflite(tmp.file("retrained.tflite"), tmp),
            (std::vector<std::string>{"cat", "dog", "hotdog"}));
  ExpectMapsFully(tmp.file("retrained.tflite"));
}

TEST(OnDevice, BadInputsAreExplained) {
  TempDir tmp;
  auto r = RunCli("retrain-last-layer --extractor " + kExtractor + " --data " + kImprinting +
                  " --include 'dog_*' --out " + tmp.file("x.tflite"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("at least 2 classes"), std::string::npos) << r.err;
  r = RunCli("imprint --extractor " + TestData("coral/mobilenet_v2_1.0_224_quant.tflite") + " --data " + kImprinting +
             " --out " + tmp.file("x.tflite"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("classifier"), std::string::npos) << r.err;
  r = RunCli("imprint --extractor " + kExtractor + " --data /nonexistent --out " + tmp.file("x.tflite"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/nonexistent"), std::string::npos) << r.err;
  r = RunCli("imprint --extractor " + kExtractor + " --data " + kImprinting + " --include '*.png' --out " +
             tmp.file("x.tflite"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no labelled"), std::string::npos) << r.err;
  // A class whose only photo is unreadable.
  std::filesystem::create_directories(tmp.file("data/cat"));
  std::filesystem::create_directories(tmp.file("data/broken"));
  std::filesystem::copy_file(kImprinting + "/cat_train_0.bmp", tmp.file("data/cat/a.bmp"));
  WriteBytes(tmp.file("data/broken/b.jpg"), std::vector<uint8_t>(40, 1));
  r = RunCli("imprint --extractor " + kExtractor + " --data " + tmp.file("data") + " --out " + tmp.file("x.tflite"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("class 'broken' has no readable image"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("b.jpg"), std::string::npos) << r.err;  // the skipped file is named
  EXPECT_FALSE(std::filesystem::exists(tmp.file("x.tflite")));
  EXPECT_EQ(RunCli("retrain-last-layer --extractor " + kExtractor + " --data x --out y --lr -1").exit_code, 2);
}

}  // namespace
}  // namespace edgeforge
