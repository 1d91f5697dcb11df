// `edgeforge edgetpu check`: the compiler-style log, the JSON, and the exit codes (0 whenever the
// check ran, 1 with --require-full when ops stay on the CPU or for a bad model, 2 for bad flags).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "test_util.h"

namespace edgeforge {
namespace {

using testing::RunCli;
using testing::TempDir;
using testing::TestData;
using testing::WriteBytes;

const std::string kSmall = TestData("coral/mobilenet_v1_0.25_128_quant.tflite");
const std::string kLstm = TestData("coral/keras_lstm_mnist_ptq.tflite");
const std::string kCompiled = TestData("coral/mobilenet_v1_0.25_128_quant_edgetpu.tflite");

nlohmann::json ParseJson(const testing::CommandResult& r) {
  auto j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << "stdout: " << r.out << "\nstderr: " << r.err;
  return j;
}

TEST(EdgeTpuCli, MobileNetMapsFully) {
  auto r = RunCli("edgetpu check " + kSmall);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("All operations map to the Edge TPU."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Number of operations that will run on Edge TPU: 31"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Number of operations that will run on CPU: 0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CONV_2D                        15         Mapped to Edge TPU"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("On-chip memory used for caching model parameters:"), std::string::npos) << r.out;
  EXPECT_EQ(RunCli("edgetpu check --require-full " + kSmall).exit_code, 0);
}

TEST(EdgeTpuCli, JsonHasTheDocumentedFields) {
  auto r = RunCli("edgetpu check --json " + kSmall);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = ParseJson(r);
  EXPECT_EQ(j["compiled"], false);
  EXPECT_EQ(j["mapped"], 31);
  EXPECT_EQ(j["cpu"], 0);
  EXPECT_TRUE(j["first_cpu_op"].is_null());
  EXPECT_GT(j["parameter_bytes"].get<int64_t>(), 0);
  ASSERT_EQ(j["ops"].size(), 31u);
  const nlohmann::json& op = j["ops"][0];
  EXPECT_EQ(op["index"], 0);
  EXPECT_EQ(op["op"], "CONV_2D");
  EXPECT_EQ(op["version"], 1);
  EXPECT_EQ(op["mapped"], true);
  EXPECT_EQ(op["reason"], "Mapped to Edge TPU");
}

TEST(EdgeTpuCli, LstmBeforeRuntime14StopsAtTheLstm) {
  auto r = RunCli("edgetpu check --json --min-runtime-version 13 " + kLstm);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = ParseJson(r);
  EXPECT_EQ(j["mapped"], 1);
  EXPECT_EQ(j["cpu"], 5);
  EXPECT_EQ(j["first_cpu_op"], 1);
  EXPECT_EQ(j["ops"][1]["op"], "UNIDIRECTIONAL_SEQUENCE_LSTM");
  EXPECT_EQ(j["ops"][1]["reason"], "Operation not supported");
  EXPECT_EQ(j["ops"][2]["reason"], "More than one subgraph is not supported");

  auto full = RunCli("edgetpu check --require-full --min-runtime-version 13 " + kLstm);
  EXPECT_EQ(full.exit_code, 1);
  EXPECT_NE(full.out.find("Number of operations that will run on CPU: 5"), std::string::npos) << full.out;
  EXPECT_NE(full.err.find("keras_lstm_mnist_ptq.tflite"), std::string::npos) << full.err;
}

TEST(EdgeTpuCli, VerboseListsEveryOpWithItsReason) {
  auto r = RunCli("edgetpu check --verbose --min-runtime-version 13 " + kLstm);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Operations:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("needs Edge TPU runtime 14 or later"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Partition point: op 1 (UNIDIRECTIONAL_SEQUENCE_LSTM)"), std::string::npos) << r.out;
}

TEST(EdgeTpuCli, CompiledModelIsReportedAsCompiled) {
  auto r = RunCli("edgetpu check --json " + kCompiled);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = ParseJson(r);
  EXPECT_EQ(j["compiled"], true);
  EXPECT_EQ(j["ops"][0]["op"], "CUSTOM(edgetpu-custom-op)");
  auto text = RunCli("edgetpu check " + kCompiled);
  EXPECT_NE(text.out.find("already compiled for the Edge TPU"), std::string::npos) << text.out;
}

TEST(EdgeTpuCli, BadModelFileExitsOne) {
  TempDir tmp;
  WriteBytes(tmp.file("junk.tflite"), std::vector<uint8_t>(64, 'x'));
  auto junk = RunCli("edgetpu check " + tmp.file("junk.tflite"));
  EXPECT_EQ(junk.exit_code, 1);
  EXPECT_NE(junk.err.find("junk.tflite"), std::string::npos) << junk.err;
  auto missing = RunCli("edgetpu check /nonexistent/model.tflite");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("/nonexistent/model.tflite"), std::string::npos) << missing.err;
}

TEST(EdgeTpuCli, BadFlagsExitTwo) {
  EXPECT_EQ(RunCli("edgetpu check --min-runtime-version 9 " + kSmall).exit_code, 2);
  EXPECT_EQ(RunCli("edgetpu check --min-runtime-version 15 " + kSmall).exit_code, 2);
  EXPECT_EQ(RunCli("edgetpu check").exit_code, 2);
  EXPECT_EQ(RunCli("edgetpu").exit_code, 2);
}

}  // namespace
}  // namespace edgeforge
