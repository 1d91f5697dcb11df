// Reading real models: every Coral test model loads, the facts recorded in the golden index
// match, ops are mapped (supported, unsupported builtin, custom), and weights stay in the mapped
// file instead of being copied.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/file.h"
#include "test_util.h"
#include "tflite/reader.h"
#include "tflite/tflite_schema_generated.h"

namespace edgeforge {
namespace {

using testing::TestData;

const std::vector<std::string>& AllModels() {
  static const std::vector<std::string> models = {
      "coral/keras_lstm_mnist_ptq.tflite",
      "coral/mobilenet_v1_0.25_128_quant.tflite",
      "coral/mobilenet_v1_0.25_128_quant_edgetpu.tflite",
      "coral/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite",
      "coral/mobilenet_v2_1.0_224_quant.tflite",
      "coral/tf2_mobilenet_v2_1.0_224_ptq.tflite",
      "coral/invalid/model_invoking_error.tflite",
  };
  return models;
}

ir::Graph ReadOrDie(const std::string& relative) {
  auto graph = tflite::ReadModelFile(TestData(relative));
  EXPECT_TRUE(graph.ok()) << graph.status().message();
  if (!graph.ok()) return {};
  return std::move(graph).value();
}

std::map<std::string, int> OpCounts(const ir::Graph& g) {
  std::map<std::string, int> counts;
  for (const ir::Op& op : g.ops) counts[ir::OpName(op)]++;
  return counts;
}

nlohmann::json GoldenIndex() {
  std::ifstream f(TestData("golden/index.json"));
  return nlohmann::json::parse(f);
}

void ExpectTensorMatchesGolden(const ir::Tensor& t, const nlohmann::json& golden) {
  SCOPED_TRACE("tensor " + t.name);
  EXPECT_EQ(t.name, golden["name"].get<std::string>());
  EXPECT_EQ(DTypeName(t.dtype), golden["dtype"].get<std::string>());
  EXPECT_EQ(t.shape, golden["shape"].get<Shape>());
  EXPECT_EQ(t.byte_size(), golden["bytes"].get<size_t>());
  const auto& q = golden["quant"];
  ASSERT_EQ(t.quant.scale.size(), q["scale"].size());
  for (size_t i = 0; i < t.quant.scale.size(); ++i) {
    EXPECT_EQ(t.quant.scale[i], static_cast<float>(q["scale"][i].get<double>()));
    EXPECT_EQ(t.quant.zero_point[i], q["zero_point"][i].get<int64_t>());
  }
  EXPECT_EQ(t.quant.quantized_dimension, q["quantized_dimension"].get<int32_t>());
}

TEST(TfliteReader, ReadsEveryCoralModel) {
  for (const std::string& model : AllModels()) {
    SCOPED_TRACE(model);
    auto graph = tflite::ReadModelFile(TestData(model));
    ASSERT_TRUE(graph.ok()) << graph.status().message();
    EXPECT_FALSE(graph->ops.empty());
    EXPECT_FALSE(graph->inputs.empty());
    EXPECT_FALSE(graph->outputs.empty());
    EXPECT_EQ(graph->subgraph_count, 1);
    EXPECT_EQ(graph->schema_version, 3);
  }
}

TEST(TfliteReader, InputsAndOutputsMatchGoldenIndex) {
  std::set<std::string> checked;
  for (const auto& entry : GoldenIndex()) {
    const std::string model = entry["model"].get<std::string>();
    if (!checked.insert(model).second) continue;
    SCOPED_TRACE(model);
    ir::Graph g = ReadOrDie("coral/" + model + ".tflite");
    ASSERT_EQ(g.inputs.size(), 1u);
    ASSERT_EQ(g.outputs.size(), 1u);
    ExpectTensorMatchesGolden(g.tensor(g.inputs[0]), entry["input"]);
    ExpectTensorMatchesGolden(g.tensor(g.outputs[0]), entry["output"]);
  }
  EXPECT_EQ(checked.size(), 4u);
}

TEST(TfliteReader, OpCountsOfMobilenets) {
  // MobileNet V1: stem conv, 13 x (depthwise + pointwise), average pool, 1x1 logits conv.
  ir::Graph v1 = ReadOrDie("coral/mobilenet_v1_0.25_128_quant.tflite");
  EXPECT_EQ(OpCounts(v1), (std::map<std::string, int>{{"CONV_2D", 15},
                                                      {"DEPTHWISE_CONV_2D", 13},
                                                      {"AVERAGE_POOL_2D", 1},
                                                      {"RESHAPE", 1},
                                                      {"SOFTMAX", 1}}));
  ir::Graph embedding = ReadOrDie("coral/mobilenet_v1_1.0_224_quant_embedding_extractor.tflite");
  EXPECT_EQ(OpCounts(embedding),
            (std::map<std::string, int>{
                {"CONV_2D", 14}, {"DEPTHWISE_CONV_2D", 13}, {"AVERAGE_POOL_2D", 1}}));
  // MobileNet V2: 17 inverted residual blocks, 10 of them with a residual ADD.
  ir::Graph v2 = ReadOrDie("coral/mobilenet_v2_1.0_224_quant.tflite");
  EXPECT_EQ(OpCounts(v2)["DEPTHWISE_CONV_2D"], 17);
  EXPECT_EQ(OpCounts(v2)["ADD"], 10);
  EXPECT_EQ(v2.ops.size(), 66u);
  ir::Graph tf2 = ReadOrDie("coral/tf2_mobilenet_v2_1.0_224_ptq.tflite");
  EXPECT_EQ(OpCounts(tf2)["QUANTIZE"], 2);  // uint8 in/out around an int8 body
  EXPECT_EQ(OpCounts(tf2)["MEAN"], 1);
  EXPECT_EQ(OpCounts(tf2)["ADD"], 10);
}

TEST(TfliteReader, OptionsAndVersionsOfMobilenetV1) {
  ir::Graph g = ReadOrDie("coral/mobilenet_v1_0.25_128_quant.tflite");
  ASSERT_EQ(g.ops.size(), 31u);
  const ir::Op& stem = g.ops[0];
  ASSERT_EQ(stem.type, ir::OpType::kConv2D);
  EXPECT_EQ(stem.builtin_code, 3);
  EXPECT_EQ(stem.version, 1);
  const auto& conv = stem.opts<ir::Conv2DOptions>();
  EXPECT_EQ(conv.padding, ir::Padding::kSame);
  EXPECT_EQ(conv.stride_w, 2);
  EXPECT_EQ(conv.stride_h, 2);
  EXPECT_EQ(conv.activation, ir::Activation::kRelu6);
  EXPECT_EQ(conv.dilation_w, 1);
  ASSERT_EQ(g.ops[1].type, ir::OpType::kDepthwiseConv2D);
  EXPECT_EQ(g.ops[1].opts<ir::DepthwiseConv2DOptions>().depth_multiplier, 1);
  const ir::Op& softmax = g.ops.back();
  ASSERT_EQ(softmax.type, ir::OpType::kSoftmax);
  EXPECT_EQ(softmax.opts<ir::SoftmaxOptions>().beta, 1.0f);
  const ir::Op& pool = g.ops[27];
  ASSERT_EQ(pool.type, ir::OpType::kAveragePool2D);
  EXPECT_EQ(pool.opts<ir::Pool2DOptions>().padding, ir::Padding::kValid);
  EXPECT_EQ(pool.opts<ir::Pool2DOptions>().filter_w, 4);  // 128 / 32

  // Weights: per-tensor uint8 on a TF1 model; the stem filter is OHWI [8,3,3,3].
  const ir::Tensor& weights = g.tensor(stem.inputs[1]);
  EXPECT_EQ(weights.dtype, DType::kUInt8);
  EXPECT_EQ(weights.shape, (Shape{8, 3, 3, 3}));
  EXPECT_TRUE(weights.is_constant());
  EXPECT_EQ(weights.quant.scale.size(), 1u);
  const ir::Tensor& bias = g.tensor(stem.inputs[2]);
  EXPECT_EQ(bias.dtype, DType::kInt32);
  EXPECT_EQ(bias.shape, (Shape{8}));

  EXPECT_EQ(g.description, "MLIR Converted.");
  ASSERT_EQ(g.metadata.extra.size(), 2u);
  EXPECT_EQ(g.metadata.extra[0].first, "min_runtime_version");
  EXPECT_EQ(g.metadata.extra[1].first, "TFLITE_METADATA");
  EXPECT_EQ(g.metadata.extra[1].second.size(), 696u);
  EXPECT_TRUE(g.metadata.labels.empty());
}

TEST(TfliteReader, PerChannelQuantizationOfTf2Model) {
  ir::Graph g = ReadOrDie("coral/tf2_mobilenet_v2_1.0_224_ptq.tflite");
  int per_channel = 0;
  for (const ir::Op& op : g.ops) {
    if (op.type != ir::OpType::kConv2D && op.type != ir::OpType::kDepthwiseConv2D) continue;
    const ir::Tensor& w = g.tensor(op.inputs[1]);
    EXPECT_EQ(w.dtype, DType::kInt8);
    if (!w.quant.per_channel()) continue;
    ++per_channel;
    // CONV_2D filters are OHWI (axis 0), depthwise filters 1HWC (axis 3).
    const int32_t axis = op.type == ir::OpType::kConv2D ? 0 : 3;
    EXPECT_EQ(w.quant.quantized_dimension, axis) << w.name;
    EXPECT_EQ(w.quant.scale.size(), static_cast<size_t>(w.shape[static_cast<size_t>(axis)]));
  }
  EXPECT_EQ(per_channel, 36 + 17);
}

TEST(TfliteReader, WeightsViewTheMappedFile) {
  for (const std::string& model : AllModels()) {
    SCOPED_TRACE(model);
    ir::Graph g = ReadOrDie(model);
    const void* owner = nullptr;
    for (const ir::Tensor& t : g.tensors) {
      if (!t.is_constant()) continue;
      ASSERT_NE(t.data_owner, nullptr);
      if (!owner) owner = t.data_owner.get();
      // One owner for all constants: the mapping, not per-tensor copies.
      EXPECT_EQ(t.data_owner.get(), owner) << t.name;
      auto file = std::static_pointer_cast<const core::MappedFile>(t.data_owner);
      const std::span<const uint8_t> mapped = file->bytes();
      EXPECT_GE(t.data.data(), mapped.data()) << t.name;
      EXPECT_LE(t.data.data() + t.data.size(), mapped.data() + mapped.size()) << t.name;
    }
  }
}

TEST(TfliteReader, ConstantsOutliveTheGraphsOtherOwners) {
  // The mapping stays alive through the tensors alone.
  ir::Tensor weights;
  {
    ir::Graph g = ReadOrDie("coral/mobilenet_v1_0.25_128_quant.tflite");
    weights = g.tensor(g.ops[0].inputs[1]);
  }
  ASSERT_EQ(weights.data.size(), 216u);
  uint32_t sum = 0;
  for (uint8_t b : weights.data) sum += b;
  EXPECT_GT(sum, 0u);
}

TEST(TfliteReader, LstmModelNamesItsUnsupportedOp) {
  ir::Graph g = ReadOrDie("coral/keras_lstm_mnist_ptq.tflite");
  std::vector<std::string> unsupported;
  for (const ir::Op& op : g.ops) {
    if (op.type == ir::OpType::kUnsupportedBuiltin) unsupported.push_back(ir::OpName(op));
  }
  EXPECT_EQ(unsupported, std::vector<std::string>{"UNIDIRECTIONAL_SEQUENCE_LSTM"});
  EXPECT_EQ(OpCounts(g)["FULLY_CONNECTED"], 1);
  // The LSTM's absent optional inputs are -1.
  for (const ir::Op& op : g.ops) {
    if (op.type != ir::OpType::kUnsupportedBuiltin) continue;
    EXPECT_EQ(op.builtin_code, 44);
    EXPECT_NE(std::find(op.inputs.begin(), op.inputs.end(), ir::kNoTensor), op.inputs.end());
  }
  int variables = 0;
  for (const ir::Tensor& t : g.tensors) variables += t.is_variable;
  EXPECT_EQ(variables, 2);
}

TEST(TfliteReader, EdgeTpuModelHasItsCustomOp) {
  ir::Graph g = ReadOrDie("coral/mobilenet_v1_0.25_128_quant_edgetpu.tflite");
  ASSERT_EQ(g.ops.size(), 1u);
  const ir::Op& op = g.ops[0];
  EXPECT_EQ(op.type, ir::OpType::kCustom);
  EXPECT_EQ(op.custom_code, "edgetpu-custom-op");
  EXPECT_EQ(ir::OpName(op), "CUSTOM(edgetpu-custom-op)");
  // The compiled Edge TPU program travels in the custom options.
  EXPECT_GT(op.opts<ir::CustomOptions>().bytes.size(), 700000u);
  EXPECT_EQ(g.description, "Exported from Subgraph.");
}

TEST(TfliteReader, InvalidModelReadsWithItsUnknownCustomOp) {
  // Running it must fail (unknown op), but reading it is fine.
  ir::Graph g = ReadOrDie("coral/invalid/model_invoking_error.tflite");
  ASSERT_EQ(g.ops.size(), 1u);
  EXPECT_EQ(g.ops[0].type, ir::OpType::kCustom);
  EXPECT_EQ(g.ops[0].custom_code, "fake-op-double");
  EXPECT_EQ(g.tensor(g.inputs[0]).dtype, DType::kUInt8);
  EXPECT_EQ(g.tensor(g.outputs[0]).dtype, DType::kFloat32);
}

TEST(TfliteReader, ReadModelFromMemoryKeepsOwnerAlive) {
  auto bytes = std::make_shared<const std::vector<uint8_t>>(
      testing::ReadBytes(TestData("coral/mobilenet_v1_0.25_128_quant.tflite")));
  auto graph = tflite::ReadModel(*bytes, bytes, "in-memory");
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  const ir::Tensor& w = graph->tensor(graph->ops[0].inputs[1]);
  EXPECT_GE(w.data.data(), bytes->data());
  EXPECT_LT(w.data.data(), bytes->data() + bytes->size());
  EXPECT_EQ(w.data_owner, bytes);
}

TEST(TfliteReader, MisalignedInputIsCopiedAndStillReads) {
  std::vector<uint8_t> file =
      testing::ReadBytes(TestData("coral/mobilenet_v1_0.25_128_quant.tflite"));
  auto shifted = std::make_shared<std::vector<uint8_t>>(file.size() + 1);
  std::copy(file.begin(), file.end(), shifted->begin() + 1);
  std::span<const uint8_t> view(shifted->data() + 1, file.size());
  auto graph = tflite::ReadModel(view, shifted, "shifted");
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  for (const ir::Tensor& t : graph->tensors) {
    if (!t.is_constant()) continue;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data.data()) % DTypeSize(t.dtype), 0u) << t.name;
  }
}

TEST(TfliteReader, MissingFileIsNotFound) {
  auto graph = tflite::ReadModelFile(TestData("coral/no_such_model.tflite"));
  ASSERT_FALSE(graph.ok());
  EXPECT_EQ(graph.status().code(), StatusCode::kNotFound);
  EXPECT_NE(graph.status().message().find("no_such_model.tflite"), std::string::npos);
}

TEST(TfliteReader, BuiltinNamesMatchTheSchemaEnum) {
  // src/ir/op_names.cc and the schema must agree on every code.
  const auto max_code = static_cast<int32_t>(::tflite::BuiltinOperator::MAX);
  for (int32_t code = 0; code <= max_code; ++code) {
    EXPECT_STREQ(ir::BuiltinOperatorName(code),
                 ::tflite::EnumNameBuiltinOperator(static_cast<::tflite::BuiltinOperator>(code)))
        << "code " << code;
  }
  EXPECT_STREQ(ir::BuiltinOperatorName(max_code + 1), "");
  EXPECT_STREQ(ir::BuiltinOperatorName(-1), "");
}

}  // namespace
}  // namespace edgeforge
