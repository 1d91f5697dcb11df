// The quantizer's starting point: float models in the forms converters write (weights as
// float32, or float16 / int8 behind DEQUANTIZE), and what it refuses. Also the float16 mode,
// which writes the second of those forms.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "core/float16.h"
#include "ir/verifier.h"
#include "quant/float16_quantizer.h"
#include "quant/float_model.h"
#include "quant_test_graphs.h"
#include "tflite/reader.h"
#include "tflite/writer.h"

namespace edgeforge::quant {
namespace {

using testing::TestData;

TEST(QuantFloatModel, Float16WeightsBehindDequantizeAreFolded) {
  const ir::Graph original = testing::SmallMobileNetGraph();
  const ir::Graph half = QuantizeFloat16(original);
  ASSERT_GT(half.ops.size(), original.ops.size());
  size_t dequantizes = 0;
  for (const ir::Op& op : half.ops) {
    if (op.type != ir::OpType::kDequantize) continue;
    ++dequantizes;
    EXPECT_EQ(op.version, 3);
    EXPECT_EQ(half.tensor(op.inputs[0]).dtype, DType::kFloat16);
  }
  EXPECT_EQ(dequantizes, 8u);  // 4 weights and 4 biases (the MEAN axes are int32)
  EXPECT_TRUE(ir::Verify(half, "float16").ok());

  auto folded = PrepareFloatModel(half, "half.tflite");
  ASSERT_TRUE(folded.ok()) << folded.status().message();
  ASSERT_EQ(folded->ops.size(), original.ops.size());
  for (size_t i = 0; i < original.ops.size(); ++i) {
    ASSERT_EQ(folded->ops[i].type, original.ops[i].type);
    for (size_t slot = 1; slot < original.ops[i].inputs.size(); ++slot) {
      const ir::Tensor& want = original.tensor(original.ops[i].inputs[slot]);
      const ir::Tensor& got = folded->tensor(folded->ops[i].inputs[slot]);
      if (!want.is_constant()) continue;
      ASSERT_TRUE(got.is_constant()) << got.name;
      ASSERT_EQ(got.dtype, want.dtype) << got.name;
      if (want.dtype != DType::kFloat32) continue;
      auto w = want.values<float>();
      auto g = got.values<float>();
      ASSERT_EQ(w.size(), g.size());
      for (size_t k = 0; k < w.size(); ++k) EXPECT_EQ(g[k], core::HalfToFloat(core::FloatToHalf(w[k])));
    }
  }
  EXPECT_TRUE(ir::Verify(*folded, "folded").ok());
}

TEST(QuantFloatModel, Int8WeightsBehindDequantizeAreFoldedPerChannel) {
  ir::Graph g = testing::SmallMobileNetGraph();
  // Conv 1's weights as int8 per channel: w[c] = 0.01 * (c + 1) * q.
  const int float_weights = g.ops[0].inputs[1];
  ir::Tensor q;
  q.name = "conv1/weights_int8";
  q.dtype = DType::kInt8;
  q.shape = {8, 3, 3, 3};
  std::vector<int8_t> values(8 * 27);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<int8_t>(static_cast<int>(i % 255) - 127);
  q.SetValues(values);
  for (int c = 0; c < 8; ++c) q.quant.scale.push_back(0.01f * static_cast<float>(c + 1));
  q.quant.zero_point.assign(8, 0);
  const int qi = g.AddTensor(q);
  g.tensor(float_weights).data = {};
  g.tensor(float_weights).data_owner.reset();
  ir::Op dq;
  dq.type = ir::OpType::kDequantize;
  dq.version = 5;
  dq.inputs = {qi};
  dq.outputs = {float_weights};
  g.ops.insert(g.ops.begin(), dq);

  auto folded = PrepareFloatModel(g, "m.tflite");
  ASSERT_TRUE(folded.ok()) << folded.status().message();
  ASSERT_EQ(folded->ops.front().type, ir::OpType::kConv2D);
  const ir::Tensor& w = folded->tensor(folded->ops.front().inputs[1]);
  ASSERT_EQ(w.dtype, DType::kFloat32);
  auto floats = w.values<float>();
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(floats[i], 0.01f * static_cast<float>(i / 27 + 1) * static_cast<float>(values[i])) << i;
  }
  // The int8 constant is gone.
  for (const ir::Tensor& t : folded->tensors) EXPECT_NE(t.name, "conv1/weights_int8");
}

TEST(QuantFloatModel, QuantizedModelsAreRefusedWithAHint) {
  auto model = tflite::ReadModelFile(TestData("coral/tf2_mobilenet_v2_1.0_224_ptq.tflite"));
  ASSERT_TRUE(model.ok());
  auto prepared = PrepareFloatModel(*model, "ptq.tflite");
  ASSERT_FALSE(prepared.ok());
  EXPECT_NE(prepared.status().message().find("ptq.tflite: is already quantized (tensor"), std::string::npos)
      << prepared.status().message();
  EXPECT_NE(prepared.status().message().find("edgeforge dequantize"), std::string::npos);
}

TEST(QuantFloatModel, HybridWeightsAreRefused) {
  ir::Graph g = testing::SmallMobileNetGraph();
  ir::Tensor& w = g.tensor(g.ops[0].inputs[1]);
  w.dtype = DType::kInt8;
  w.SetValues(std::vector<int8_t>(8 * 27, 1));
  w.quant.scale = {0.1f};
  w.quant.zero_point = {0};
  auto prepared = PrepareFloatModel(g, "hybrid.tflite");
  ASSERT_FALSE(prepared.ok());
  EXPECT_NE(prepared.status().message().find("op 0 (CONV_2D) reads the int8 constant 'conv1/weights'"),
            std::string::npos)
      << prepared.status().message();
}

TEST(QuantFloatModel, ModelsWithoutOneInputAreRefused) {
  ir::Graph g = testing::SmallMobileNetGraph();
  g.inputs.push_back(g.ops[0].outputs[0]);
  auto prepared = PrepareFloatModel(g, "two.tflite");
  ASSERT_FALSE(prepared.ok());
  EXPECT_NE(prepared.status().message().find("has 2 inputs"), std::string::npos) << prepared.status().message();
}

TEST(QuantFloat16, RunsInTfliteCloseToTheFloatModel) {
  testing::TempDir tmp;
  const ir::Graph original = testing::SmallMobileNetGraph();
  const std::string path = tmp.file("half.tflite");
  ASSERT_TRUE(tflite::WriteModelFile(QuantizeFloat16(original), path).ok());
  const std::vector<uint8_t> input = testing::RandomFloatInputs(1, 8 * 8 * 3, 7)[0];
  const std::vector<uint8_t> theirs = testing::RunOracle(path, input, tmp);
  const std::vector<uint8_t> ours =
      testing::RunOurRuntime(std::make_shared<const ir::Graph>(original), input);
  ASSERT_EQ(theirs.size(), 5 * sizeof(float));
  ASSERT_EQ(ours.size(), theirs.size());
  const float* a = reinterpret_cast<const float*>(ours.data());
  const float* b = reinterpret_cast<const float*>(theirs.data());
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(a[i], b[i], 2e-3f) << i;
}

}  // namespace
}  // namespace edgeforge::quant
