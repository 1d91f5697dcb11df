// The acceptance test of the deploy path: every golden produced by the TFLite runtime
// (../shared/testdata/golden/index.json) is reproduced byte for byte by `edgeforge run`, and
// `edgeforge classify` on the original photo gives the golden top-5.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "edgeforge/interpreter.h"
#include "test_util.h"

namespace edgeforge {
namespace {

using testing::ReadBytes;
using testing::RunCli;
using testing::TempDir;
using testing::TestData;

struct GoldenCase {
  std::string model, image, in_file, out_file;
  std::vector<int> top5;
};

std::vector<GoldenCase> LoadGoldens() {
  std::ifstream f(TestData("golden/index.json"));
  nlohmann::json index = nlohmann::json::parse(f);
  std::vector<GoldenCase> cases;
  for (const auto& e : index) {
    GoldenCase c{e["model"], e["image"], TestData("golden/" + e["input"]["file"].get<std::string>()),
                 TestData("golden/" + e["output"]["file"].get<std::string>()), {}};
    for (const auto& t : e["top5"]) c.top5.push_back(t["index"]);
    cases.push_back(c);
  }
  return cases;
}

std::string ModelPath(const GoldenCase& c) { return TestData("coral/" + c.model + ".tflite"); }

std::string PhotoPath(const GoldenCase& c) {
  for (const char* ext : {".bmp", ".jpg", ".png"}) {
    std::string p = TestData("coral/" + c.image + ext);
    if (std::filesystem::exists(p)) return p;
  }
  return "";
}

TEST(Golden, IndexHasTwentyEntries) { EXPECT_EQ(LoadGoldens().size(), 20u); }

TEST(Golden, LibraryOutputsAreByteIdentical) {
  for (const GoldenCase& c : LoadGoldens()) {
    SCOPED_TRACE(c.model + " / " + c.image);
    auto model = Model::FromFile(ModelPath(c));
    ASSERT_TRUE(model.ok()) << model.status().message();
    auto interp = Interpreter::Create(model.value());
    ASSERT_TRUE(interp.ok()) << interp.status().message();
    ASSERT_TRUE(interp.value()->SetInput(0, ReadBytes(c.in_file)).ok());
    ASSERT_TRUE(interp.value()->Invoke().ok());
    auto out = interp.value()->output_bytes(0);
    std::vector<uint8_t> got(out.begin(), out.end()), want = ReadBytes(c.out_file);
    ASSERT_EQ(got.size(), want.size());
    size_t diffs = 0;
    for (size_t i = 0; i < got.size(); ++i) diffs += got[i] != want[i];
    EXPECT_EQ(diffs, 0u) << "bytes differing from the TFLite runtime's output";
  }
}

TEST(Golden, CliRunIsByteIdentical) {
  TempDir tmp;
  for (const GoldenCase& c : LoadGoldens()) {
    SCOPED_TRACE(c.model + " / " + c.image);
    std::string out = tmp.file(c.model + "__" + c.image + ".out.bin");
    auto r = RunCli("run " + ModelPath(c) + " --input " + c.in_file + " --output " + out);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(ReadBytes(out), ReadBytes(c.out_file));
  }
}

TEST(Golden, CliClassifyGivesGoldenTop5) {
  for (const GoldenCase& c : LoadGoldens()) {
    SCOPED_TRACE(c.model + " / " + c.image);
    std::string photo = PhotoPath(c);
    ASSERT_FALSE(photo.empty());
    auto r = RunCli("classify " + ModelPath(c) + " " + photo + " --top-k 5 --json --labels " +
                    TestData("coral/imagenet_labels.txt"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    std::vector<int> top;
    for (const auto& t : j["results"][0]["top"]) top.push_back(t["index"]);
    EXPECT_EQ(top, c.top5);
  }
}

TEST(Golden, ClassifyPrintsLabelsScoresAndLatency) {
  auto r = RunCli("classify " + TestData("coral/mobilenet_v2_1.0_224_quant.tflite") + " " +
                  TestData("coral/cat.bmp") + " --labels " + TestData("coral/imagenet_labels.txt"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Egyptian cat"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0.800781"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("invoke"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace edgeforge
