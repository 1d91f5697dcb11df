// Full-integer quantization of small hand-built float graphs: what the int8 graph looks like
// (types, parameters, op versions, I/O conversions) and that the TFLite runtime gives the same
// bytes as edgeforge's runtime on it.
#include <gtest/gtest.h>

#include <memory>

#include "ir/verifier.h"
#include "quant/calibrate.h"
#include "quant/graph_surgery.h"
#include "quant/int8_quantizer.h"
#include "quant_test_graphs.h"
#include "tflite/reader.h"
#include "tflite/writer.h"

namespace edgeforge::quant {
namespace {

using testing::RandomFloatInputs;
using testing::TempDir;

constexpr size_t kInputElements = 8 * 8 * 3;

TensorRanges Calibrate(const ir::Graph& g) {
  auto ranges = CalibrateRanges(g, RandomFloatInputs(8, kInputElements, 100), {}, "test graph");
  EXPECT_TRUE(ranges.ok()) << ranges.status().message();
  return ranges.ok() ? ranges.value() : TensorRanges{};
}

QuantizedGraph Quantize(const ir::Graph& g, IoType io, bool per_channel_fc = true) {
  Int8Options options;
  options.io = io;
  options.per_channel_fully_connected = per_channel_fc;
  auto q = QuantizeInt8(g, Calibrate(g), options, "test graph");
  EXPECT_TRUE(q.ok()) << q.status().message();
  return q.ok() ? std::move(q).value() : QuantizedGraph{};
}

const ir::Op* FindOp(const ir::Graph& g, ir::OpType type) {
  for (const ir::Op& op : g.ops) {
    if (op.type == type) return &op;
  }
  return nullptr;
}

TEST(QuantInt8, SmallMobileNetBecomesInt8EndToEnd) {
  const ir::Graph f = testing::SmallMobileNetGraph();
  const QuantizedGraph q = Quantize(f, IoType::kInt8);
  const ir::Graph& g = q.graph;
  ASSERT_EQ(g.ops.size(), f.ops.size());
  for (int t : ActivationTensors(g)) {
    EXPECT_EQ(g.tensor(t).dtype, DType::kInt8) << g.tensor(t).name;
    ASSERT_EQ(g.tensor(t).quant.scale.size(), 1u) << g.tensor(t).name;
  }
  const std::vector<std::pair<ir::OpType, int>> versions = {
      {ir::OpType::kConv2D, 3}, {ir::OpType::kDepthwiseConv2D, 3}, {ir::OpType::kAdd, 2},
      {ir::OpType::kMean, 2},   {ir::OpType::kFullyConnected, 4},  {ir::OpType::kSoftmax, 2}};
  for (const auto& [type, version] : versions) {
    const ir::Op* op = FindOp(g, type);
    ASSERT_NE(op, nullptr) << ir::OpTypeName(type);
    EXPECT_EQ(op->version, version) << ir::OpTypeName(type);
  }
  // Weights: int8 per channel along the output axis; bias int32 at input x weight scale.
  for (const ir::Op& op : g.ops) {
    if (op.type != ir::OpType::kConv2D && op.type != ir::OpType::kDepthwiseConv2D &&
        op.type != ir::OpType::kFullyConnected) {
      continue;
    }
    SCOPED_TRACE(ir::OpName(op));
    const ir::Tensor& w = g.tensor(op.inputs[1]);
    const ir::Tensor& b = g.tensor(op.inputs[2]);
    const int axis = op.type == ir::OpType::kDepthwiseConv2D ? 3 : 0;
    EXPECT_EQ(w.dtype, DType::kInt8);
    EXPECT_EQ(w.quant.quantized_dimension, axis);
    ASSERT_EQ(w.quant.scale.size(), static_cast<size_t>(w.shape[static_cast<size_t>(axis)]));
    for (int8_t v : w.values<int8_t>()) EXPECT_GE(v, -127);
    EXPECT_EQ(b.dtype, DType::kInt32);
    const float s_in = g.tensor(op.inputs[0]).quant.scale[0];
    ASSERT_EQ(b.quant.scale.size(), w.quant.scale.size());
    for (size_t c = 0; c < b.quant.scale.size(); ++c) EXPECT_EQ(b.quant.scale[c], s_in * w.quant.scale[c]);
  }
  // Fixed softmax output; RELU6-fused convolutions stay within [0, 6].
  const ir::Tensor& probs = g.tensor(g.outputs[0]);
  EXPECT_EQ(probs.quant.scale[0], 1.0f / 256);
  EXPECT_EQ(probs.quant.zero_point[0], -128);
  const ir::Tensor& conv1 = g.tensor(FindOp(g, ir::OpType::kConv2D)->outputs[0]);
  EXPECT_EQ(conv1.quant.zero_point[0], -128);
  EXPECT_LE(conv1.quant.scale[0] * 255, 6.0f * 1.0001f);
  EXPECT_EQ(g.metadata.labels, f.metadata.labels);
  EXPECT_TRUE(ir::Verify(g, "int8").ok());
  // The tensor map points at the int8 twin of every float activation.
  for (int t : ActivationTensors(f)) {
    const int mapped = q.tensor_map[static_cast<size_t>(t)];
    ASSERT_GE(mapped, 0);
    EXPECT_EQ(g.tensor(mapped).name, f.tensor(t).name);
  }
}

TEST(QuantInt8, Uint8IoConvertsAtTheEdgesWithTheSameScale) {
  const QuantizedGraph q = Quantize(testing::SmallMobileNetGraph(), IoType::kUInt8);
  const ir::Graph& g = q.graph;
  const ir::Op& first = g.ops.front();
  const ir::Op& last = g.ops.back();
  ASSERT_EQ(first.type, ir::OpType::kQuantize);
  ASSERT_EQ(last.type, ir::OpType::kQuantize);
  EXPECT_EQ(first.version, 1);
  const ir::Tensor& in = g.tensor(g.inputs[0]);
  const ir::Tensor& in8 = g.tensor(first.outputs[0]);
  EXPECT_EQ(in.dtype, DType::kUInt8);
  EXPECT_EQ(in.name, "input");
  EXPECT_EQ(in8.name, "input/int8");
  EXPECT_EQ(in.quant.scale, in8.quant.scale);
  EXPECT_EQ(in.quant.zero_point[0], in8.quant.zero_point[0] + 128);
  const ir::Tensor& out = g.tensor(g.outputs[0]);
  EXPECT_EQ(out.dtype, DType::kUInt8);
  EXPECT_EQ(out.quant.scale[0], 1.0f / 256);
  EXPECT_EQ(out.quant.zero_point[0], 0);
  EXPECT_EQ(g.tensor(last.inputs[0]).dtype, DType::kInt8);
  for (size_t i = 1; i + 1 < g.ops.size(); ++i) {
    for (int t : g.ops[i].outputs) EXPECT_EQ(g.tensor(t).dtype, DType::kInt8);
  }
}

TEST(QuantInt8, FloatIoOnlyTheEdgesAreFloat) {
  const QuantizedGraph q = Quantize(testing::SmallMobileNetGraph(), IoType::kFloat32);
  const ir::Graph& g = q.graph;
  EXPECT_EQ(g.ops.front().type, ir::OpType::kQuantize);
  EXPECT_EQ(g.ops.back().type, ir::OpType::kDequantize);
  EXPECT_EQ(g.ops.back().version, 2);
  EXPECT_EQ(g.tensor(g.inputs[0]).dtype, DType::kFloat32);
  EXPECT_EQ(g.tensor(g.outputs[0]).dtype, DType::kFloat32);
  for (size_t i = 1; i + 1 < g.ops.size(); ++i) {
    for (int t : g.ops[i].inputs) {
      if (t < 0) continue;
      EXPECT_NE(g.tensor(t).dtype, DType::kFloat32) << ir::OpName(g.ops[i]);
    }
  }
}

TEST(QuantInt8, TiedOpsShareTheirInputsParameters) {
  const ir::Graph f = testing::SharedParamsGraph();
  const QuantizedGraph q = Quantize(f, IoType::kInt8);
  const ir::Graph& g = q.graph;
  auto quant_of = [&](const char* name) {
    for (const ir::Tensor& t : g.tensors) {
      if (t.name == name && !t.is_constant()) return t.quant;
    }
    ADD_FAILURE() << "no tensor " << name;
    return QuantParams{};
  };
  EXPECT_EQ(quant_of("conv"), quant_of("maxpool"));
  EXPECT_EQ(quant_of("conv"), quant_of("avgpool"));
  EXPECT_EQ(quant_of("conv"), quant_of("concat"));
  EXPECT_EQ(quant_of("concat"), quant_of("pad"));
  EXPECT_EQ(quant_of("mul"), quant_of("flatten"));
  EXPECT_EQ(quant_of("logistic").scale[0], 1.0f / 256);
  // The convolution without a bias gets a zero one; ADD / MUL constants become int8.
  const ir::Op& conv2 = g.ops[5];
  ASSERT_EQ(conv2.type, ir::OpType::kConv2D);
  ASSERT_EQ(conv2.inputs.size(), 3u);
  const ir::Tensor& bias = g.tensor(conv2.inputs[2]);
  EXPECT_EQ(bias.dtype, DType::kInt32);
  for (int32_t v : bias.values<int32_t>()) EXPECT_EQ(v, 0);
  for (ir::OpType type : {ir::OpType::kAdd, ir::OpType::kMul}) {
    const ir::Op* op = FindOp(g, type);
    ASSERT_NE(op, nullptr);
    EXPECT_EQ(g.tensor(op->inputs[1]).dtype, DType::kInt8);
    EXPECT_TRUE(g.tensor(op->inputs[1]).is_constant());
  }
  EXPECT_TRUE(ir::Verify(g, "int8").ok());
}

TEST(QuantInt8, PerTensorFullyConnectedOnRequest) {
  const QuantizedGraph q = Quantize(testing::SmallMobileNetGraph(), IoType::kInt8, /*per_channel_fc=*/false);
  const ir::Op* fc = FindOp(q.graph, ir::OpType::kFullyConnected);
  ASSERT_NE(fc, nullptr);
  EXPECT_EQ(q.graph.tensor(fc->inputs[1]).quant.scale.size(), 1u);
  EXPECT_EQ(q.graph.tensor(fc->inputs[2]).quant.scale.size(), 1u);
}

// Two different fixed pairs (softmax 1/256, tanh 1/128) meet in one concatenation: one input is
// requantized in front of it.
ir::Graph ConflictingFixedParamsGraph() {
  using ir::OpType;
  const DType f32 = DType::kFloat32;
  ir::Graph g;
  const int x = testing::AddActivation(g, "input", f32, {1, 8, 8, 3});
  g.inputs = {x};
  const int shape = testing::AddConstant(g, "shape", DType::kInt32, {2}, std::vector<int32_t>{1, 192});
  const int flat = testing::AddActivation(g, "flat", f32, {1, 192});
  testing::AddOp(g, OpType::kReshape, {x, shape}, {flat}, ir::ReshapeOptions{{1, 192}});
  const int w = testing::AddConstant(g, "fc/weights", f32, {4, 192}, testing::PseudoRandomFloats(768, 31));
  const int b = testing::AddConstant(g, "fc/bias", f32, {4}, testing::PseudoRandomFloats(4, 32));
  const int fc = testing::AddActivation(g, "fc", f32, {1, 4});
  testing::AddOp(g, OpType::kFullyConnected, {flat, w, b}, {fc}, ir::FullyConnectedOptions{});
  const int sm = testing::AddActivation(g, "softmax", f32, {1, 4});
  testing::AddOp(g, OpType::kSoftmax, {fc}, {sm}, ir::SoftmaxOptions{1.0f});
  const int th = testing::AddActivation(g, "tanh", f32, {1, 4});
  testing::AddOp(g, OpType::kTanh, {fc}, {th});
  const int cc = testing::AddActivation(g, "concat", f32, {1, 8});
  testing::AddOp(g, OpType::kConcatenation, {sm, th}, {cc}, ir::ConcatenationOptions{1, ir::Activation::kNone});
  g.outputs = {cc};
  return g;
}

TEST(QuantInt8, ConflictingFixedParametersAreRequantized) {
  const QuantizedGraph q = Quantize(ConflictingFixedParamsGraph(), IoType::kInt8);
  const ir::Graph& g = q.graph;
  const ir::Op& concat = g.ops.back();
  ASSERT_EQ(concat.type, ir::OpType::kConcatenation);
  const ir::Tensor& out = g.tensor(concat.outputs[0]);
  for (int t : concat.inputs) EXPECT_EQ(g.tensor(t).quant, out.quant) << g.tensor(t).name;
  const ir::Op& requantize = g.ops[g.ops.size() - 2];
  EXPECT_EQ(requantize.type, ir::OpType::kQuantize);
  EXPECT_EQ(g.tensor(requantize.inputs[0]).dtype, DType::kInt8);
}

TEST(QuantInt8, UnsupportedOpsAndNonConstantWeightsAreRefused) {
  ir::Graph g = testing::SmallMobileNetGraph();
  g.ops[3].type = ir::OpType::kUnsupportedBuiltin;
  g.ops[3].builtin_code = 42;  // DIV
  Status s = CheckInt8Support(g, "m.tflite");
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented);
  EXPECT_NE(s.message().find("op 3 is DIV"), std::string::npos) << s.message();

  ir::Graph h = testing::SmallMobileNetGraph();
  h.tensors[static_cast<size_t>(h.ops[0].inputs[1])].data = {};
  h.inputs.push_back(h.ops[0].inputs[1]);
  s = CheckInt8Support(h, "m.tflite");
  EXPECT_NE(s.message().find("op 0 (CONV_2D): the filter (input 1) is not a float32 constant"), std::string::npos)
      << s.message();
}

TEST(QuantInt8, MissingRangeIsAnError) {
  const ir::Graph f = testing::SmallMobileNetGraph();
  TensorRanges ranges = Calibrate(f);
  ranges[static_cast<size_t>(f.ops[2].outputs[0])].reset();
  auto q = QuantizeInt8(f, ranges, {}, "m.tflite");
  ASSERT_FALSE(q.ok());
  EXPECT_NE(q.status().message().find("'project'"), std::string::npos) << q.status().message();
}

// The written int8 model gives the same bytes in the TFLite runtime as in ours.
void ExpectOracleAgrees(const ir::Graph& float_graph, IoType io) {
  SCOPED_TRACE(IoTypeName(io));
  TempDir tmp;
  const QuantizedGraph q = Quantize(float_graph, io);
  const std::string path = tmp.file("int8.tflite");
  ASSERT_TRUE(tflite::WriteModelFile(q.graph, path).ok());
  auto read = tflite::ReadModelFile(path);
  ASSERT_TRUE(read.ok()) << read.status().message();
  auto model = std::make_shared<const ir::Graph>(std::move(read).value());
  const ir::Tensor& in = model->tensor(model->inputs[0]);
  for (uint32_t seed = 0; seed < 4; ++seed) {
    SCOPED_TRACE(::testing::Message() << "input seed " << seed);
    std::vector<uint8_t> input;
    if (in.dtype == DType::kFloat32) {
      input = RandomFloatInputs(1, kInputElements, 500 + seed)[0];
    } else {
      for (float v : testing::PseudoRandomFloats(kInputElements, 500 + seed)) {
        input.push_back(static_cast<uint8_t>(static_cast<int>((v + 0.5f) * 256) & 0xFF));
      }
    }
    const std::vector<uint8_t> ours = testing::RunOurRuntime(model, input);
    const std::vector<uint8_t> theirs = testing::RunOracle(path, input, tmp);
    ASSERT_FALSE(ours.empty());
    EXPECT_EQ(ours, theirs);
  }
}

TEST(QuantInt8, SmallMobileNetMatchesTfliteByteForByte) {
  for (IoType io : {IoType::kInt8, IoType::kUInt8, IoType::kFloat32}) {
    ExpectOracleAgrees(testing::SmallMobileNetGraph(), io);
  }
}

TEST(QuantInt8, SharedParamsGraphMatchesTfliteByteForByte) {
  ExpectOracleAgrees(testing::SharedParamsGraph(), IoType::kUInt8);
}

TEST(QuantInt8, ElementwiseAndShapeOpsMatchTfliteByteForByte) {
  ExpectOracleAgrees(testing::ElementwiseAndShapeOpsGraph(), IoType::kInt8);
}

TEST(QuantInt8, RequantizedConcatenationMatchesTfliteByteForByte) {
  ExpectOracleAgrees(ConflictingFixedParamsGraph(), IoType::kInt8);
}

}  // namespace
}  // namespace edgeforge::quant
