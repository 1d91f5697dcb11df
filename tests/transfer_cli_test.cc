// `edgeforge train`: --head-only runs in-process; everything else is handed, arguments intact, to
// edgeforge-train next to the binary (or explained when that was not built; the handoff itself
// is tested with the other siblings' in cli_siblings_test.cc).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "test_util.h"
#include "transfer_test_util.h"

namespace edgeforge {
namespace {

using testing::RunCli;
using testing::TempDir;
using testing::TestData;

const std::string kV1Small = TestData("coral/mobilenet_v1_0.25_128_quant.tflite");

TEST(TransferCli, HeadOnlyWritesModelsLabelsAndMetrics) {
  TempDir tmp;
  testing::MakeFlowersSubset(tmp.file("data"), {"dandelion", "roses"}, 4, 1);
  auto r = RunCli("train --from " + kV1Small + " --data " + tmp.file("data") + " --head-only --out " +
                  tmp.file("out") + " --epochs 10 --lr 0.002 --batch 4 --augment 1 --val-fraction 0.25 --keep-val-out");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2 classes (dandelion, roses)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("test accuracy"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Edge TPU: every op would map"), std::string::npos) << r.out;
  for (const char* f : {"model_float.tflite", "model_int8.tflite", "labels.txt", "metrics.json"}) {
    EXPECT_TRUE(std::filesystem::exists(tmp.file("out/") + f)) << f;
  }
  std::ifstream metrics_file(tmp.file("out/metrics.json"));
  const nlohmann::json m = nlohmann::json::parse(metrics_file);
  EXPECT_EQ(m["train_images"].get<int>(), 6);
  EXPECT_EQ(m["train_examples"].get<int>(), 12);
  EXPECT_EQ(m["val_images"].get<int>(), 2);
  EXPECT_EQ(m["test_images"].get<int>(), 2);
  EXPECT_EQ(m["epochs"].get<int>(), 10);
  EXPECT_FALSE(m["trained_on_val"].get<bool>());

  r = RunCli("train --from " + kV1Small + " --data " + tmp.file("data") + " --head-only --out " + tmp.file("f") +
             " --quantize none --epochs 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(tmp.file("f/model_float.tflite")));
  EXPECT_FALSE(std::filesystem::exists(tmp.file("f/model_int8.tflite")));
  // No --augment: a small dataset gets the 7 fixed views per photo.
  std::ifstream default_metrics_file(tmp.file("f/metrics.json"));
  const nlohmann::json d = nlohmann::json::parse(default_metrics_file);
  EXPECT_EQ(d["augment"].get<int>(), 7);
  EXPECT_EQ(d["train_examples"].get<int>(), 6 * 8);
  EXPECT_EQ(d["average_epochs"].get<int>(), 10);
  EXPECT_TRUE(d["trained_on_val"].get<bool>());
}

TEST(TransferCli, HeadOnlyBadInputIsExplained) {
  TempDir tmp;
  testing::MakeFlowersSubset(tmp.file("one"), {"tulips"}, 2, 0);
  auto r = RunCli("train --head-only --from " + kV1Small + " --data " + tmp.file("one") + " --out " + tmp.file("o"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("at least 2 classes"), std::string::npos) << r.err;
  r = RunCli("train --head-only --from " + TestData("coral/keras_lstm_mnist_ptq.tflite") + " --data " +
             TestData("coral/imprinting") + " --out " + tmp.file("o"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("keras_lstm_mnist_ptq.tflite"), std::string::npos) << r.err;
  r = RunCli("train --head-only --from " + kV1Small + " --data " + TestData("coral/imprinting") + " --out " +
             tmp.file("o") + " --cut-at no/such/tensor");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no tensor named 'no/such/tensor'"), std::string::npos) << r.err;
  // Flag errors are usage errors.
  EXPECT_EQ(RunCli("train --head-only --from x --data y --out z --epochs 0").exit_code, 2);
  EXPECT_EQ(RunCli("train --head-only --from x --data y --out z --quantize int4").exit_code, 2);
  EXPECT_EQ(RunCli("train --head-only --from x --data y").exit_code, 2);  // --out missing
  EXPECT_EQ(RunCli("train --head-only --help").exit_code, 0);
}

TEST(TransferCli, OtherTrainingGoesToEdgeforgeTrain) {
  const std::filesystem::path cli = EF_CLI_PATH;
  if (std::filesystem::exists(cli.parent_path() / "edgeforge-train")) {
    GTEST_SKIP() << "edgeforge-train is built: training from scratch is tested with it";
  }
  auto r = RunCli("train --arch mnasnet-a1 --data " + TestData("flowers-mini") + " --epochs 1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("needs edgeforge-train (built with -DEF_BUILD_TRAINING=ON)"), std::string::npos) << r.err;
  r = RunCli("train --help");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("--head-only"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace edgeforge
