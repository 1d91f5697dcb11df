// Dynamic-range quantization and the runtime's hybrid kernels: int8 weights, float
// activations quantized on the fly. The results are float, so they are compared with the float
// model and with the TFLite runtime within quantization noise, not byte for byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <memory>

#include "quant/dynamic_quantizer.h"
#include "quant_test_graphs.h"
#include "runtime/ops/hybrid_input_quantization.h"
#include "tflite/writer.h"

namespace edgeforge::quant {
namespace {

using runtime::ops::hybrid::QuantizeAsymmetric;
using runtime::ops::hybrid::QuantizeSymmetric;

TEST(QuantHybrid, AsymmetricInputQuantizationAsTfliteDoesIt) {
  const float values[] = {-1.0f, 0.0f, 1.0f, 2.0f};
  int8_t q[4];
  const auto row = QuantizeAsymmetric(values, 4, q);
  EXPECT_FLOAT_EQ(row.scale, 3.0f / 255);
  EXPECT_EQ(row.offset, -43);
  EXPECT_EQ(std::vector<int>(q, q + 4), (std::vector<int>{-128, -43, 42, 127}));
  // Positive values only: the range still holds 0.
  const float positive[] = {0.5f, 1.0f};
  const auto p = QuantizeAsymmetric(positive, 2, q);
  EXPECT_EQ(p.offset, -128);
  EXPECT_EQ(q[1], 127);
  const float zeros[] = {0.0f, 0.0f};
  const auto z = QuantizeAsymmetric(zeros, 2, q);
  EXPECT_EQ(z.scale, 1.0f);
  EXPECT_EQ(q[0], 0);
}

TEST(QuantHybrid, SymmetricInputQuantizationAsTfliteDoesIt) {
  const float values[] = {-1.0f, 0.5f, 0.25f};
  int8_t q[3];
  const auto row = QuantizeSymmetric(values, 3, q);
  EXPECT_FLOAT_EQ(row.scale, 1.0f / 127);
  EXPECT_EQ(row.offset, 0);
  EXPECT_EQ(std::vector<int>(q, q + 3), (std::vector<int>{-127, 64, 32}));  // 63.5 and 31.75 round
}

std::vector<float> AsFloats(const std::vector<uint8_t>& bytes) {
  std::vector<float> out(bytes.size() / sizeof(float));
  std::memcpy(out.data(), bytes.data(), out.size() * sizeof(float));
  return out;
}

// Every weight tensor of the small model: those under TFLite's 1024 values and the depthwise ones
// too, so that every hybrid kernel runs.
const DynamicRangeOptions kAllWeights{.min_weight_elements = 0, .quantize_depthwise = true};

TEST(QuantDynamic, SmallAndDepthwiseWeightsStayFloatByDefault) {
  ir::Graph f = testing::SmallMobileNetGraph();
  const ir::Graph h = QuantizeDynamicRange(f);
  for (const ir::Op& op : h.ops) {
    if (op.inputs.size() > 1 && op.inputs[1] >= 0) {
      EXPECT_NE(h.tensor(op.inputs[1]).dtype, DType::kInt8) << ir::OpName(op);
    }
  }
  // A threshold at the smallest weight tensor's size quantizes every CONV_2D and FULLY_CONNECTED
  // weight tensor, still not the depthwise ones.
  int64_t smallest = std::numeric_limits<int64_t>::max();
  for (const ir::Op& op : f.ops) {
    if (op.type == ir::OpType::kConv2D || op.type == ir::OpType::kFullyConnected) {
      smallest = std::min(smallest, NumElements(f.tensor(op.inputs[1]).shape));
    }
  }
  const ir::Graph g = QuantizeDynamicRange(f, {.min_weight_elements = smallest});
  int hybrid = 0;
  for (const ir::Op& op : g.ops) {
    if (op.type == ir::OpType::kDepthwiseConv2D) {
      EXPECT_EQ(g.tensor(op.inputs[1]).dtype, DType::kFloat32);
    }
    if (op.type == ir::OpType::kConv2D || op.type == ir::OpType::kFullyConnected) {
      EXPECT_EQ(g.tensor(op.inputs[1]).dtype, DType::kInt8) << ir::OpName(op);
      ++hybrid;
    }
  }
  EXPECT_GT(hybrid, 1);
}

TEST(QuantDynamic, WeightsBecomeInt8AndTheModelStaysCloseToFloat) {
  const ir::Graph f = testing::SmallMobileNetGraph();
  const ir::Graph h = QuantizeDynamicRange(f, kAllWeights);
  ASSERT_EQ(h.ops.size(), f.ops.size());
  const std::map<ir::OpType, int> hybrid_versions = {
      {ir::OpType::kConv2D, 5}, {ir::OpType::kDepthwiseConv2D, 6}, {ir::OpType::kFullyConnected, 3}};
  for (const ir::Op& op : h.ops) {
    auto version = hybrid_versions.find(op.type);
    if (version == hybrid_versions.end()) continue;
    EXPECT_EQ(op.version, version->second) << ir::OpName(op);
    EXPECT_EQ(h.tensor(op.inputs[1]).dtype, DType::kInt8);
    EXPECT_EQ(h.tensor(op.inputs[2]).dtype, DType::kFloat32);
    const size_t scales = h.tensor(op.inputs[1]).quant.scale.size();
    EXPECT_EQ(scales > 1, op.type != ir::OpType::kFullyConnected);
  }
  for (int t : h.outputs) EXPECT_EQ(h.tensor(t).dtype, DType::kFloat32);

  auto float_model = std::make_shared<const ir::Graph>(f);
  auto hybrid_model = std::make_shared<const ir::Graph>(h);
  for (uint32_t seed = 0; seed < 4; ++seed) {
    SCOPED_TRACE(::testing::Message() << "input seed " << seed);
    const std::vector<uint8_t> input = testing::RandomFloatInputs(1, 8 * 8 * 3, 900 + seed)[0];
    const std::vector<float> a = AsFloats(testing::RunOurRuntime(float_model, input));
    const std::vector<float> b = AsFloats(testing::RunOurRuntime(hybrid_model, input));
    ASSERT_EQ(a.size(), 5u);
    ASSERT_EQ(b.size(), 5u);
    for (size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(a[i], b[i], 0.02f) << i;
  }
}

TEST(QuantDynamic, HybridKernelsNeedAHybridOpVersion) {
  // TFLite's converter writes CONV_2D 2 or 5 for hybrid convolutions; version 1 names the
  // float kernel, which refuses int8 weights.
  ir::Graph h = QuantizeDynamicRange(testing::SmallMobileNetGraph(), kAllWeights);
  h.ops[0].version = 1;
  auto interp = runtime::Interpreter::Create(std::make_shared<const ir::Graph>(h), "v1.tflite");
  ASSERT_FALSE(interp.ok());
  EXPECT_NE(interp.status().message().find("op 0 (CONV_2D)"), std::string::npos) << interp.status().message();
}

TEST(QuantDynamic, RunsInTfliteCloseToOurHybridKernels) {
  testing::TempDir tmp;
  const ir::Graph h = QuantizeDynamicRange(testing::SmallMobileNetGraph(), kAllWeights);
  const std::string path = tmp.file("dynamic.tflite");
  ASSERT_TRUE(tflite::WriteModelFile(h, path).ok());
  auto model = std::make_shared<const ir::Graph>(h);
  for (uint32_t seed = 0; seed < 3; ++seed) {
    SCOPED_TRACE(::testing::Message() << "input seed " << seed);
    const std::vector<uint8_t> input = testing::RandomFloatInputs(1, 8 * 8 * 3, 700 + seed)[0];
    const std::vector<float> ours = AsFloats(testing::RunOurRuntime(model, input));
    const std::vector<float> theirs = AsFloats(testing::RunOracle(path, input, tmp));
    ASSERT_EQ(ours.size(), theirs.size());
    float max_diff = 0;
    for (size_t i = 0; i < ours.size(); ++i) max_diff = std::max(max_diff, std::fabs(ours[i] - theirs[i]));
    EXPECT_LT(max_diff, 2e-3f) << "largest difference from TFLite";
  }
}

}  // namespace
}  // namespace edgeforge::quant
