// What the writer produces must load and run in the real TFLite runtime: the four golden models,
// read and written back by edgeforge, give the golden outputs byte for byte in the oracle
// (LiteRT under Node, ../shared/tools/tflite-oracle), and a hand-built graph that uses every op
// the writer emits loads and runs there.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "test_util.h"
#include "tflite/reader.h"
#include "tflite/writer.h"
#include "tflite_test_graphs.h"

namespace edgeforge {
namespace {

using testing::TestData;

std::string OracleScript() { return std::string(EF_BINARY_DIR) + "/oracle/run_tflite.mjs"; }

std::string Quote(const std::string& s) { return "'" + s + "'"; }

// Fails the test (never skips it) when the oracle is missing.
void AssertOracleInstalled() {
  ASSERT_TRUE(std::filesystem::exists(OracleScript()))
      << "The TFLite oracle is not installed: " << OracleScript()
      << " is missing. Install it with\n  cp -r ../shared/tools/tflite-oracle " << EF_BINARY_DIR
      << "/oracle && (cd " << EF_BINARY_DIR
      << "/oracle && npm install)\n(the test script does this before running the tests).";
  ASSERT_EQ(testing::RunShell("node --version").exit_code, 0) << "node is not on PATH";
}

// Runs `model` on input 0 `input` in the oracle; returns output 0's bytes.
std::vector<uint8_t> RunOracle(const std::string& model, const std::string& input,
                               const std::string& output) {
  const testing::CommandResult r =
      testing::RunShell("node " + Quote(OracleScript()) + " " + Quote(model) + " " + Quote(input) +
                        " " + Quote(output));
  EXPECT_EQ(r.exit_code, 0) << "oracle failed on " << model << "\nstdout:\n"
                            << r.out << "\nstderr:\n"
                            << r.err;
  if (r.exit_code != 0) return {};
  return testing::ReadBytes(output);
}

TEST(TfliteOracle, RewrittenGoldenModelsGiveGoldenOutputs) {
  ASSERT_NO_FATAL_FAILURE(AssertOracleInstalled());
  std::ifstream index_file(TestData("golden/index.json"));
  const nlohmann::json index = nlohmann::json::parse(index_file);
  std::map<std::string, std::vector<nlohmann::json>> entries_of_model;
  for (const auto& entry : index)
    entries_of_model[entry["model"].get<std::string>()].push_back(entry);
  ASSERT_EQ(entries_of_model.size(), 4u);

  testing::TempDir dir;
  int compared = 0;
  for (const auto& [model, entries] : entries_of_model) {
    SCOPED_TRACE(model);
    auto graph = tflite::ReadModelFile(TestData("coral/" + model + ".tflite"));
    ASSERT_TRUE(graph.ok()) << graph.status().message();
    const std::string rewritten = dir.file(model + ".tflite");
    Status written = tflite::WriteModelFile(*graph, rewritten);
    ASSERT_TRUE(written.ok()) << written.message();
    for (const auto& entry : entries) {
      const std::string image = entry["image"].get<std::string>();
      SCOPED_TRACE(image);
      const std::string input = TestData("golden/" + entry["input"]["file"].get<std::string>());
      const std::vector<uint8_t> expected =
          testing::ReadBytes(TestData("golden/" + entry["output"]["file"].get<std::string>()));
      const std::vector<uint8_t> actual = RunOracle(rewritten, input, dir.file("out.bin"));
      ASSERT_EQ(actual.size(), expected.size());
      EXPECT_TRUE(actual == expected) << "output differs from the golden bytes";
      ++compared;
    }
  }
  EXPECT_EQ(compared, 20);
}

TEST(TfliteOracle, HandBuiltGraphWithEveryWrittenOpRuns) {
  ASSERT_NO_FATAL_FAILURE(AssertOracleInstalled());
  testing::TempDir dir;
  const std::string model = dir.file("all_ops.tflite");
  Status written = tflite::WriteModelFile(testing::AllOpsFloatGraph(), model);
  ASSERT_TRUE(written.ok()) << written.message();

  // Input [1,8,8,3] float32 in [0, 1).
  std::vector<float> pixels = testing::PseudoRandomFloats(8 * 8 * 3, 42);
  for (float& p : pixels) p += 0.5f;
  std::vector<uint8_t> input_bytes(pixels.size() * sizeof(float));
  std::memcpy(input_bytes.data(), pixels.data(), input_bytes.size());
  testing::WriteBytes(dir.file("in.bin"), input_bytes);

  const std::vector<uint8_t> out = RunOracle(model, dir.file("in.bin"), dir.file("out.bin"));
  // Output 0: the softmax, quantized to 1/256 steps and dequantized: 5 probabilities.
  ASSERT_EQ(out.size(), 5 * sizeof(float));
  float probabilities[5];
  std::memcpy(probabilities, out.data(), sizeof probabilities);
  float sum = 0;
  for (float p : probabilities) {
    EXPECT_GE(p, 0.0f);
    EXPECT_LE(p, 1.0f);
    EXPECT_EQ(p * 256, std::round(p * 256)) << "not a multiple of 1/256: " << p;
    sum += p;
  }
  EXPECT_NEAR(sum, 1.0f, 5.0f / 256);
}

}  // namespace
}  // namespace edgeforge
