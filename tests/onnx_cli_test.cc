// `edgeforge export onnx MODEL.tflite OUT.onnx` from the command line: success writes a model
// ONNX can parse; bad input exits 1 with a message naming the problem; bad usage exits 2.
#include <gtest/gtest.h>

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace edgeforge::testing {
namespace {

TEST(OnnxExportCli, WritesAModelOnnxCanParse) {
  TempDir tmp;
  const std::string out = tmp.file("mobilenet.onnx");
  CommandResult r = RunCli("export onnx '" + TestData("coral/mobilenet_v1_0.25_128_quant.tflite") + "' '" + out + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(out), std::string::npos) << r.out;
  std::ifstream file(out, std::ios::binary);
  ::onnx::ModelProto model;
  ASSERT_TRUE(model.ParseFromIstream(&file));
  EXPECT_EQ(model.graph().input(0).name(), "input");
  EXPECT_EQ(model.graph().output(0).name(), "MobilenetV1/Predictions/Reshape_1");
}

TEST(OnnxExportCli, TfliteExactWritesIntegerConvolutions) {
  TempDir tmp;
  const std::string out = tmp.file("exact.onnx");
  CommandResult r =
      RunCli("export onnx --tflite-exact '" + TestData("coral/tf2_mobilenet_v2_1.0_224_ptq.tflite") + "' '" + out + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream file(out, std::ios::binary);
  ::onnx::ModelProto model;
  ASSERT_TRUE(model.ParseFromIstream(&file));
  const auto& nodes = model.graph().node();
  EXPECT_EQ(std::count_if(nodes.begin(), nodes.end(), [](const auto& n) { return n.op_type() == "ConvInteger"; }), 53);
}

TEST(OnnxExportCli, UnsupportedOpExitsOneNamingIt) {
  TempDir tmp;
  CommandResult r =
      RunCli("export onnx '" + TestData("coral/keras_lstm_mnist_ptq.tflite") + "' '" + tmp.file("lstm.onnx") + "'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("edgeforge: error:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("UNIDIRECTIONAL_SEQUENCE_LSTM"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(tmp.file("lstm.onnx")));
}

TEST(OnnxExportCli, CorruptModelExitsOne) {
  TempDir tmp;
  WriteBytes(tmp.file("bad.tflite"), {1, 2, 3, 4, 5, 6, 7, 8});
  CommandResult r = RunCli("export onnx '" + tmp.file("bad.tflite") + "' '" + tmp.file("bad.onnx") + "'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("bad.tflite"), std::string::npos) << r.err;
}

TEST(OnnxExportCli, MissingArgumentsAreUsageErrors) {
  EXPECT_EQ(RunCli("export onnx '" + TestData("coral/mobilenet_v1_0.25_128_quant.tflite") + "'").exit_code, 2);
  EXPECT_EQ(RunCli("export").exit_code, 2);
}

}  // namespace
}  // namespace edgeforge::testing
