// edgeforge-lite (cmake/device.cmake), the size-built device binary with only info, run,
// classify and bench: it must give exactly what the full `edgeforge` gives on the Coral models
// and photos. Runs when the build defines EF_LITE_CLI_PATH (the lite binary's path).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "test_util.h"

namespace edgeforge {
namespace {

using testing::RunCli;
using testing::RunShell;
using testing::TempDir;
using testing::TestData;

#ifdef EF_LITE_CLI_PATH
testing::CommandResult RunLite(const std::string& args) { return RunShell(std::string(EF_LITE_CLI_PATH) + " " + args); }

const std::vector<std::string> kModels = {"mobilenet_v1_0.25_128_quant.tflite", "mobilenet_v2_1.0_224_quant.tflite",
                                          "tf2_mobilenet_v2_1.0_224_ptq.tflite"};
const std::vector<std::string> kPhotos = {"cat.bmp",   "bird.bmp",   "grace_hopper.bmp", "hot_dog.jpg",
                                          "owl.jpg",   "parrot.jpg", "sunflower.bmp"};

// classify --json without the timings: image, and index/label/score of each of the top 5.
nlohmann::json Predictions(const std::string& out) {
  nlohmann::json j = nlohmann::json::parse(out);
  nlohmann::json kept = nlohmann::json::array();
  for (auto& r : j["results"]) kept.push_back({{"image", r["image"]}, {"top", r["top"]}});
  return kept;
}
#endif

TEST(DeviceBinary, ClassifiesCoralPhotosLikeTheFullCli) {
#ifndef EF_LITE_CLI_PATH
  GTEST_SKIP() << "EF_LITE_CLI_PATH not defined: edgeforge-lite not built";
#else
  std::string photos;
  for (const std::string& p : kPhotos) photos += " " + TestData("coral/" + p);
  for (const std::string& m : kModels) {
    for (int threads : {1, 2}) {
      SCOPED_TRACE(m + " threads " + std::to_string(threads));
      const std::string args = "classify " + TestData("coral/" + m) + photos + " --top-k 5 --json --threads " +
                               std::to_string(threads) + " --labels " + TestData("coral/imagenet_labels.txt");
      auto full = RunCli(args);
      auto lite = RunLite(args);
      ASSERT_EQ(full.exit_code, 0) << full.err;
      ASSERT_EQ(lite.exit_code, 0) << lite.err;
      auto want = Predictions(full.out), got = Predictions(lite.out);
      ASSERT_EQ(got.size(), kPhotos.size());
      EXPECT_EQ(got, want) << "lite:\n" << got.dump(1) << "\nfull:\n" << want.dump(1);
    }
  }
#endif
}

TEST(DeviceBinary, RunAndInfoMatchTheFullCli) {
#ifndef EF_LITE_CLI_PATH
  GTEST_SKIP() << "EF_LITE_CLI_PATH not defined: edgeforge-lite not built";
#else
  TempDir tmp;
  const std::string model = TestData("coral/tf2_mobilenet_v2_1.0_224_ptq.tflite");
  // Any bytes make a valid int8 input; the output must match byte for byte.
  std::vector<uint8_t> input(224 * 224 * 3);
  for (size_t i = 0; i < input.size(); ++i) input[i] = static_cast<uint8_t>(i * 2654435761u >> 13);
  testing::WriteBytes(tmp.file("in.bin"), input);
  auto full = RunCli("run " + model + " --input " + tmp.file("in.bin") + " --output " + tmp.file("full.bin"));
  auto lite = RunLite("run " + model + " --input " + tmp.file("in.bin") + " --output " + tmp.file("lite.bin"));
  ASSERT_EQ(full.exit_code, 0) << full.err;
  ASSERT_EQ(lite.exit_code, 0) << lite.err;
  EXPECT_EQ(testing::ReadBytes(tmp.file("lite.bin")), testing::ReadBytes(tmp.file("full.bin")));

  auto full_info = RunCli("info " + model + " --json");
  auto lite_info = RunLite("info " + model + " --json");
  ASSERT_EQ(lite_info.exit_code, 0) << lite_info.err;
  EXPECT_EQ(nlohmann::json::parse(lite_info.out), nlohmann::json::parse(full_info.out));
#endif
}

TEST(DeviceBinary, HasOnlyTheDeviceCommands) {
#ifndef EF_LITE_CLI_PATH
  GTEST_SKIP() << "EF_LITE_CLI_PATH not defined: edgeforge-lite not built";
#else
  auto bench = RunLite("bench " + TestData("coral/mobilenet_v1_0.25_128_quant.tflite") + " --warmup 1 --runs 2 --json");
  ASSERT_EQ(bench.exit_code, 0) << bench.err;
  EXPECT_TRUE(nlohmann::json::parse(bench.out).is_object()) << bench.out;
  // Training, quantization and serving are not in the device binary: a usage error, not a crash.
  EXPECT_EQ(RunLite("quantize x.tflite y.tflite").exit_code, 2);
  EXPECT_EQ(RunLite("serve x.tflite").exit_code, 2);
#endif
}

}  // namespace
}  // namespace edgeforge
