// The Edge TPU check on the real Coral models: the MobileNets that Coral compiled map fully,
// the compiled model is recognised, and the LSTM model does not map (runtime 14 has the op, but its cell state is int16).
#include <gtest/gtest.h>

#include <string>

#include "edgetpu/compatibility.h"
#include "edgetpu/compiler_log.h"
#include "edgetpu/compiler_messages.h"
#include "test_util.h"
#include "tflite/reader.h"

namespace edgeforge::edgetpu {
namespace {

using edgeforge::testing::TestData;

CompatibilityReport CheckModel(const std::string& name, int runtime = kDefaultRuntimeVersion) {
  auto graph = tflite::ReadModelFile(TestData("coral/" + name));
  EXPECT_TRUE(graph.ok()) << graph.status().message();
  if (!graph.ok()) return {};
  auto report = CheckCompatibility(graph.value(), CheckOptions{runtime});
  EXPECT_TRUE(report.ok()) << report.status().message();
  return report.ok() ? std::move(report).value() : CompatibilityReport{};
}

// Coral compiled these (mobilenet_v1_0.25_128_quant_edgetpu.tflite is one: a single
// edgetpu-custom-op, nothing left on the CPU), so every op must map, for every runtime that
// has their ops (QUANTIZE, in the TF2 model, needs 13).
TEST(EdgeTpuModels, MobileNetsMapFully) {
  struct Case {
    const char* model;
    int ops;
    int oldest_runtime;
  };
  for (const Case& c : {Case{"mobilenet_v1_0.25_128_quant.tflite", 31, 10},
                        Case{"mobilenet_v2_1.0_224_quant.tflite", 66, 10},
                        Case{"tf2_mobilenet_v2_1.0_224_ptq.tflite", 68, 13},
                        Case{"mobilenet_v1_1.0_224_quant_embedding_extractor.tflite", 28, 10}}) {
    for (int runtime = c.oldest_runtime; runtime <= kNewestRuntimeVersion; ++runtime) {
      SCOPED_TRACE(std::string(c.model) + " runtime " + std::to_string(runtime));
      CompatibilityReport r = CheckModel(c.model, runtime);
      EXPECT_TRUE(r.fully_mapped()) << FormatCompilerLog(r, c.model, true);
      EXPECT_FALSE(r.compiled);
      EXPECT_EQ(r.mapped, c.ops);
      EXPECT_EQ(r.cpu, 0);
      EXPECT_FALSE(r.first_cpu_op.has_value());
      EXPECT_EQ(r.segment_first, 0);
      EXPECT_EQ(r.segment_last, c.ops - 1);
      EXPECT_GT(r.parameter_bytes, 0);
    }
  }
}

TEST(EdgeTpuModels, ParameterBytesOfTheSmallMobileNet) {
  CompatibilityReport r = CheckModel("mobilenet_v1_0.25_128_quant.tflite");
  // Every constant of the model is read by a mapped op; together they are most of the file.
  EXPECT_GT(r.parameter_bytes, 400 * 1024);
  EXPECT_LT(r.parameter_bytes, 525598);
  EXPECT_EQ(r.on_chip_bytes, r.parameter_bytes);
  EXPECT_EQ(r.off_chip_bytes, 0);
}

TEST(EdgeTpuModels, TheTf2ModelNeedsRuntime13ForItsQuantizeOps) {
  CompatibilityReport r = CheckModel("tf2_mobilenet_v2_1.0_224_ptq.tflite", 12);
  EXPECT_EQ(r.ops[0].op, "QUANTIZE");
  EXPECT_EQ(r.ops[0].reason, kNotSupported);
  EXPECT_NE(r.ops[0].detail.find("runtime 13"), std::string::npos) << r.ops[0].detail;
  // It is only the input's requantization: the network after it is mapped.
  EXPECT_EQ(r.first_cpu_op, 0);
  EXPECT_EQ(r.segment_first, 1);
  EXPECT_EQ(r.segment_last, 66);
  EXPECT_EQ(r.partition_op, 67);
}

TEST(EdgeTpuModels, CompiledModelIsRecognised) {
  CompatibilityReport r = CheckModel("mobilenet_v1_0.25_128_quant_edgetpu.tflite");
  EXPECT_TRUE(r.compiled);
  EXPECT_TRUE(r.fully_mapped());
  ASSERT_EQ(r.ops.size(), 1u);
  EXPECT_EQ(r.ops[0].op, "CUSTOM(edgetpu-custom-op)");
  EXPECT_TRUE(r.ops[0].mapped);
  EXPECT_GT(r.parameter_bytes, 500 * 1024);  // the Edge TPU package: executable and parameters
  std::string log = FormatCompilerLog(r, "m", false);
  EXPECT_NE(log.find("already compiled for the Edge TPU"), std::string::npos) << log;
}

// keras_lstm_mnist_ptq: QUANTIZE, UNIDIRECTIONAL_SEQUENCE_LSTM (int8, int16 cell state),
// RESHAPE, FULLY_CONNECTED, SOFTMAX, QUANTIZE. Coral's table gives LSTM runtime >= 14, so the
// compiler of runtime 13 (Edge TPU Compiler 15) maps the first QUANTIZE and cuts at the LSTM.
TEST(EdgeTpuModels, LstmDoesNotMapBeforeRuntime14) {
  for (int runtime : {13, 12}) {
    SCOPED_TRACE(runtime);
    CompatibilityReport r = CheckModel("keras_lstm_mnist_ptq.tflite", runtime);
    ASSERT_EQ(r.ops.size(), 6u);
    EXPECT_FALSE(r.fully_mapped());
    EXPECT_EQ(r.ops[1].op, "UNIDIRECTIONAL_SEQUENCE_LSTM");
    EXPECT_EQ(r.ops[1].reason, kNotSupported);
    EXPECT_NE(r.ops[1].detail.find("needs Edge TPU runtime 14"), std::string::npos) << r.ops[1].detail;
    if (runtime == 13) {
      EXPECT_EQ(r.mapped, 1);
      EXPECT_EQ(r.cpu, 5);
      EXPECT_EQ(r.first_cpu_op, 1);
      EXPECT_EQ(r.partition_op, 1);
      for (int i : {2, 3, 4, 5}) EXPECT_EQ(r.ops[static_cast<size_t>(i)].reason, kMoreThanOneSubgraph) << i;
    } else {
      // Runtime 12 has no QUANTIZE either; RESHAPE is the first op it could map.
      EXPECT_EQ(r.ops[0].reason, kNotSupported);
      EXPECT_EQ(r.segment_first, 2);
    }
  }
}

// With runtime 14 (Edge TPU Compiler 16's default) Coral lists LSTM as supported, but this
// 8-bit LSTM keeps its cell state in an int16 variable tensor, and the model requirements ask for
// int8 or uint8 tensors throughout: the check stops at the LSTM and says why.
TEST(EdgeTpuModels, LstmDoesNotMapWithRuntime14Int16State) {
  CompatibilityReport r = CheckModel("keras_lstm_mnist_ptq.tflite", 14);
  ASSERT_EQ(r.ops.size(), 6u);
  EXPECT_FALSE(r.fully_mapped());
  EXPECT_EQ(r.ops[1].op, "UNIDIRECTIONAL_SEQUENCE_LSTM");
  EXPECT_EQ(r.ops[1].reason, kUnsupportedDataType);
  EXPECT_NE(r.ops[1].detail.find("int16"), std::string::npos) << r.ops[1].detail;
  EXPECT_EQ(r.first_cpu_op, 1);
  EXPECT_EQ(r.mapped, 1);
  EXPECT_EQ(r.cpu, 5);
}

}  // namespace
}  // namespace edgeforge::edgetpu
