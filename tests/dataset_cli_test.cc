// `edgeforge dataset build|info` and `edgeforge evaluate` end to end through the binary.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "test_util.h"

namespace edgeforge {
namespace {

namespace fs = std::filesystem;
using testing::ReadBytes;
using testing::RunCli;
using testing::TempDir;
using testing::TestData;
using testing::WriteBytes;

// DIR/<class>/ with `per_class` photos of three flowers-mini test classes.
std::string SmallFlowers(const TempDir& dir, size_t per_class) {
  const std::string photos = dir.file("photos");
  for (const char* c : {"daisy", "sunflowers", "tulips"}) {
    fs::create_directories(photos + "/" + c);
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(TestData(std::string("flowers-mini/test/") + c))) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (size_t i = 0; i < per_class; ++i) fs::copy_file(files[i], photos + "/" + c + "/" + files[i].filename().string());
  }
  return photos;
}

TEST(DataCli, BuildThenInfo) {
  TempDir dir;
  const std::string photos = SmallFlowers(dir, 4);
  auto built = RunCli("dataset build --from " + photos + " --out " + dir.file("fl") + " --shards 2 --val-fraction 0.25");
  ASSERT_EQ(built.exit_code, 0) << built.err;
  EXPECT_NE(built.out.find("9 train, 3 validation"), std::string::npos) << built.out;
  EXPECT_TRUE(fs::exists(dir.file("fl-train-00001-of-00002.tfrecord")));
  EXPECT_TRUE(fs::exists(dir.file("fl-validation-00000-of-00002.tfrecord")));
  EXPECT_TRUE(fs::exists(dir.file("fl-labels.txt")));

  auto info = RunCli("dataset info " + dir.file("fl") + " --json");
  ASSERT_EQ(info.exit_code, 0) << info.err;
  const auto j = nlohmann::json::parse(info.out);
  ASSERT_EQ(j["splits"].size(), 2u);
  EXPECT_EQ(j["splits"][0]["kind"], "TFRecord");
  EXPECT_EQ(j["splits"][0]["examples"], 9);
  EXPECT_EQ(j["splits"][1]["examples"], 3);
  EXPECT_EQ(j["splits"][1]["classes"][1]["name"], "sunflowers");
  EXPECT_EQ(j["splits"][1]["classes"][1]["count"], 1);

  auto text = RunCli("dataset info " + dir.file("fl"));
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("tulips"), std::string::npos);
}

TEST(DataCli, InfoFailsOnACorruptShardNamingFileAndOffset) {
  TempDir dir;
  const std::string photos = SmallFlowers(dir, 2);
  ASSERT_EQ(RunCli("dataset build --from " + photos + " --out " + dir.file("c") + " --val-fraction 0").exit_code, 0);
  const std::string shard = dir.file("c-train-00000-of-00001.tfrecord");
  std::vector<uint8_t> bytes = ReadBytes(shard);
  bytes[bytes.size() - 2] ^= 0x10;  // the last record's data CRC
  WriteBytes(shard, bytes);
  auto info = RunCli("dataset info " + dir.file("c"));
  EXPECT_EQ(info.exit_code, 1);
  EXPECT_NE(info.err.find(shard), std::string::npos) << info.err;
  EXPECT_NE(info.err.find("offset"), std::string::npos) << info.err;
}

TEST(DataCli, BadInputs) {
  TempDir dir;
  auto missing = RunCli("dataset build --from " + dir.file("nope") + " --out " + dir.file("x"));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find(dir.file("nope")), std::string::npos) << missing.err;
  auto empty = RunCli("dataset build --from " + dir.path() + " --out " + dir.file("x"));
  EXPECT_EQ(empty.exit_code, 1);
  auto no_info = RunCli("dataset info " + dir.file("nothing-here"));
  EXPECT_EQ(no_info.exit_code, 1);
  EXPECT_NE(no_info.err.find("nothing-here"), std::string::npos) << no_info.err;
  auto usage = RunCli("dataset build --from " + dir.path());
  EXPECT_EQ(usage.exit_code, 2);
}

TEST(QuantEvaluateCli, TextAndJson) {
  TempDir dir;
  const std::string photos = SmallFlowers(dir, 2);
  const std::string model = TestData("coral/mobilenet_v1_0.25_128_quant.tflite");
  const std::string labels = TestData("coral/imagenet_labels.txt");
  auto text = RunCli("evaluate " + model + " --data " + photos + " --labels " + labels);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("top-1:"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("confusion matrix"), std::string::npos) << text.out;

  auto json = RunCli("evaluate " + model + " --data " + photos + " --labels " + labels + " --limit 3 --json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["evaluated"], 3);
  EXPECT_EQ(j["classes"].size(), 3u);
  EXPECT_EQ(j["confusion_matrix"].size(), 3u);
  EXPECT_GE(j["top5"].get<double>(), j["top1"].get<double>());
}

TEST(QuantEvaluateCli, Errors) {
  TempDir dir;
  auto no_data = RunCli("evaluate " + TestData("coral/mobilenet_v1_0.25_128_quant.tflite") + " --data " +
                        dir.file("none"));
  EXPECT_EQ(no_data.exit_code, 1);
  EXPECT_NE(no_data.err.find(dir.file("none")), std::string::npos) << no_data.err;
  const std::string photos = SmallFlowers(dir, 1);
  auto no_labels = RunCli("evaluate " + TestData("coral/mobilenet_v1_0.25_128_quant.tflite") + " --data " + photos);
  EXPECT_EQ(no_labels.exit_code, 1);
  EXPECT_NE(no_labels.err.find("--labels"), std::string::npos) << no_labels.err;
  auto usage = RunCli("evaluate --data " + photos);
  EXPECT_EQ(usage.exit_code, 2);
}

}  // namespace
}  // namespace edgeforge
