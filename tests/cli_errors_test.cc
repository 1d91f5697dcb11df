// Every bad input to the command line gets a clear message naming the file and what was
// expected, exit 1 (bad input) or 2 (bad usage), and never a crash.
#include <gtest/gtest.h>

#include <cstring>

#include "test_util.h"

namespace edgeforge {
namespace {

using testing::ReadBytes;
using testing::RunCli;
using testing::TempDir;
using testing::TestData;
using testing::WriteBytes;

const std::string kSmall = TestData("coral/mobilenet_v1_0.25_128_quant.tflite");

void ExpectBadInput(const testing::CommandResult& r, const std::vector<std::string>& needles) {
  EXPECT_EQ(r.exit_code, 1) << "stderr: " << r.err;
  for (const std::string& n : needles) EXPECT_NE(r.err.find(n), std::string::npos) << "stderr: " << r.err;
}

TEST(CliErrors, TruncatedModel) {
  TempDir tmp;
  auto bytes = ReadBytes(kSmall);
  bytes.resize(bytes.size() / 3);
  WriteBytes(tmp.file("cut.tflite"), bytes);
  ExpectBadInput(RunCli("info " + tmp.file("cut.tflite")), {"cut.tflite"});
  ExpectBadInput(RunCli("classify " + tmp.file("cut.tflite") + " " + TestData("coral/cat.bmp")), {"cut.tflite"});
}

TEST(CliErrors, NotAFlatbuffer) {
  TempDir tmp;
  WriteBytes(tmp.file("text.tflite"), std::vector<uint8_t>(100, 'x'));
  ExpectBadInput(RunCli("info " + tmp.file("text.tflite")), {"text.tflite", "not a TFLite model"});
}

TEST(CliErrors, MissingModel) {
  ExpectBadInput(RunCli("info /nonexistent/model.tflite"), {"/nonexistent/model.tflite"});
}

TEST(CliErrors, UnknownCustomOp) {
  std::string m = TestData("coral/invalid/model_invoking_error.tflite");
  TempDir tmp;
  WriteBytes(tmp.file("in.bin"), std::vector<uint8_t>(3, 1));
  ExpectBadInput(RunCli("run " + m + " --input " + tmp.file("in.bin") + " --output " + tmp.file("o.bin")),
                 {"model_invoking_error.tflite", "fake-op-double"});
}

TEST(CliErrors, UnsupportedOpIsNamed) {
  std::string m = TestData("coral/keras_lstm_mnist_ptq.tflite");
  TempDir tmp;
  WriteBytes(tmp.file("in.bin"), std::vector<uint8_t>(28 * 28, 1));
  auto r = RunCli("run " + m + " --input " + tmp.file("in.bin") + " --output " + tmp.file("o.bin"));
  ExpectBadInput(r, {"keras_lstm_mnist_ptq.tflite", "LSTM", "not support"});
  // info still describes the model.
  auto info = RunCli("info " + m);
  EXPECT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.out.find("LSTM"), std::string::npos) << info.out;
}

TEST(CliErrors, EdgeTpuCompiledModel) {
  std::string m = TestData("coral/mobilenet_v1_0.25_128_quant_edgetpu.tflite");
  ExpectBadInput(RunCli("classify " + m + " " + TestData("coral/cat.bmp")),
                 {"mobilenet_v1_0.25_128_quant_edgetpu.tflite", "Edge TPU", "libedgetpu"});
}

TEST(CliErrors, TruncatedJpeg) {
  TempDir tmp;
  auto bytes = ReadBytes(TestData("coral/parrot.jpg"));
  bytes.resize(bytes.size() / 2);
  WriteBytes(tmp.file("half.jpg"), bytes);
  ExpectBadInput(RunCli("classify " + kSmall + " " + tmp.file("half.jpg")), {"half.jpg"});
}

TEST(CliErrors, BmpHeaderLiesAboutSize) {
  TempDir tmp;
  auto bytes = ReadBytes(TestData("coral/cat.bmp"));
  // biHeight at offset 22: claim 4x the rows the file holds.
  int32_t height;
  std::memcpy(&height, &bytes[22], 4);
  height *= 4;
  std::memcpy(&bytes[22], &height, 4);
  WriteBytes(tmp.file("liar.bmp"), bytes);
  ExpectBadInput(RunCli("classify " + kSmall + " " + tmp.file("liar.bmp")), {"liar.bmp"});
}

TEST(CliErrors, GoodImagesStillClassifiedNextToABadOne) {
  TempDir tmp;
  WriteBytes(tmp.file("junk.jpg"), std::vector<uint8_t>(50, 7));
  auto r = RunCli("classify " + kSmall + " " + tmp.file("junk.jpg") + " " + TestData("coral/cat.bmp"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("junk.jpg"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("cat.bmp"), std::string::npos) << r.out;
}

TEST(CliErrors, RawInputOfWrongSize) {
  TempDir tmp;
  WriteBytes(tmp.file("in.bin"), std::vector<uint8_t>(1000, 0));
  ExpectBadInput(RunCli("run " + kSmall + " --input " + tmp.file("in.bin") + " --output " + tmp.file("o.bin")),
                 {"in.bin", "49152 bytes", "1000"});
}

TEST(CliErrors, WrongNumberOfInputs) {
  TempDir tmp;
  WriteBytes(tmp.file("in.bin"), std::vector<uint8_t>(49152, 0));
  ExpectBadInput(RunCli("run " + kSmall + " --input " + tmp.file("in.bin") + " --input " + tmp.file("in.bin") +
                        " --output " + tmp.file("o.bin")),
                 {"1 inputs", "2 --input"});
}

TEST(CliErrors, BadUsageExitsTwo) {
  EXPECT_EQ(RunCli("").exit_code, 2);
  EXPECT_EQ(RunCli("frobnicate").exit_code, 2);
  EXPECT_EQ(RunCli("info").exit_code, 2);
  EXPECT_EQ(RunCli("info " + kSmall + " --bogus").exit_code, 2);
  EXPECT_EQ(RunCli("classify " + kSmall + " x.jpg --top-k 0").exit_code, 2);
  EXPECT_EQ(RunCli("classify " + kSmall + " x.jpg --top-k many").exit_code, 2);
  EXPECT_EQ(RunCli("run " + kSmall + " --output o.bin").exit_code, 2);
}

TEST(CliErrors, HelpExitsZero) {
  auto r = RunCli("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("classify"), std::string::npos);
}

TEST(CliInfo, DescribesEveryCoralModel) {
  for (const char* m : {"mobilenet_v1_0.25_128_quant", "mobilenet_v2_1.0_224_quant", "tf2_mobilenet_v2_1.0_224_ptq",
                        "mobilenet_v1_1.0_224_quant_embedding_extractor", "mobilenet_v1_0.25_128_quant_edgetpu"}) {
    SCOPED_TRACE(m);
    auto r = RunCli(std::string("info --json ") + TestData(std::string("coral/") + m + ".tflite"));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("\"weight_bytes\""), std::string::npos);
    EXPECT_NE(r.out.find("\"arena_bytes\""), std::string::npos);
  }
  auto r = RunCli("info " + kSmall);
  EXPECT_NE(r.out.find("CONV_2D"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("arena bytes: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("scale 0.0078125 zero_point 128"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace edgeforge
