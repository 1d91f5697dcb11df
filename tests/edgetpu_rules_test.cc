// Every Edge TPU rule on a small hand-built graph: model requirements (8-bit types, static
// shapes, 3 innermost dimensions, one subgraph), the supported-operations table (runtime
// versions, op versions, known limitations), the partition and the parameter bytes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "edgetpu/compatibility.h"
#include "edgetpu/compiler_log.h"
#include "edgetpu/compiler_messages.h"
#include "edgetpu/op_checks.h"

namespace edgeforge::edgetpu {
namespace {

// TFLite BuiltinOperator codes of builtins without an ir::OpType.
constexpr int32_t kFullyConnectedCode = 9;
constexpr int32_t kTransposeCode = 39;
constexpr int32_t kUnidirectionalSequenceLstmCode = 44;
constexpr int32_t kStridedSliceCode = 45;
constexpr int32_t kPreluCode = 54;
constexpr int32_t kSumCode = 74;
constexpr int32_t kReduceMaxCode = 82;

// Quantized activations, constants and ops in a line each.
class GraphBuilder {
 public:
  // A quantized activation (scale 0.1; zero point 0, or -128 for int8).
  int Act(Shape shape, DType dtype = DType::kUInt8) {
    ir::Tensor t;
    t.name = "t" + std::to_string(graph.tensors.size());
    t.shape = std::move(shape);
    t.dtype = dtype;
    if (dtype == DType::kUInt8 || dtype == DType::kInt8 || dtype == DType::kInt16) {
      t.quant.scale = {0.1f};
      t.quant.zero_point = {dtype == DType::kInt8 ? -128 : 0};
    }
    return graph.AddTensor(std::move(t));
  }

  // A constant whose every byte is `fill` (8-bit constants are quantized like activations).
  int Const(Shape shape, DType dtype = DType::kUInt8, uint8_t fill = 1) {
    int index = Act(std::move(shape), dtype);
    ir::Tensor& t = graph.tensor(index);
    t.SetData(std::vector<uint8_t>(t.byte_size(), fill));
    return index;
  }

  int Ints(std::vector<int32_t> values, Shape shape = {}) {
    if (shape.empty()) shape = {static_cast<int32_t>(values.size())};
    int index = Act(std::move(shape), DType::kInt32);
    graph.tensor(index).SetValues(values);
    return index;
  }

  int Bias(int32_t n) { return Ints(std::vector<int32_t>(static_cast<size_t>(n), 0)); }

  ir::Op& Add(ir::OpType type, std::vector<int> inputs, std::vector<int> outputs,
              ir::OpOptions options = std::monostate{}, int32_t version = 1) {
    ir::Op op;
    op.type = type;
    op.inputs = std::move(inputs);
    op.outputs = std::move(outputs);
    op.options = std::move(options);
    op.version = version;
    return graph.AddOp(std::move(op));
  }

  // A builtin the IR does not run, by its TFLite BuiltinOperator code.
  ir::Op& AddBuiltin(int32_t code, std::vector<int> inputs, std::vector<int> outputs,
                     int32_t version = 1) {
    ir::Op& op = Add(ir::OpType::kUnsupportedBuiltin, std::move(inputs), std::move(outputs),
                     std::monostate{}, version);
    op.builtin_code = code;
    return op;
  }

  // CONV_2D 1x1 from `in` ([..., C]) to a new tensor with `out_channels`; returns the output.
  int Conv(int in, int32_t out_channels, ir::Conv2DOptions options = {}, int32_t version = 1) {
    Shape s = graph.tensor(in).shape;
    DType dtype = graph.tensor(in).dtype;
    int w = Const({out_channels, 1, 1, s.back()}, dtype);
    int b = Bias(out_channels);
    s.back() = out_channels;
    int out = Act(s, dtype);
    Add(ir::OpType::kConv2D, {in, w, b}, {out}, options, version);
    return out;
  }

  ir::Graph graph;
};

CompatibilityReport Check(const ir::Graph& graph, int runtime = kDefaultRuntimeVersion) {
  auto report = CheckCompatibility(graph, CheckOptions{runtime});
  EXPECT_TRUE(report.ok()) << report.status().message();
  return report.ok() ? std::move(report).value() : CompatibilityReport{};
}

// The verdict of op `index` in a report (so after partitioning), printed in full on failure.
#define EXPECT_OP(report, index, expected_reason, detail_part)                                  \
  do {                                                                                          \
    const auto& ef_r = (report);                                                                \
    ASSERT_LT(static_cast<size_t>(index), ef_r.ops.size());                                     \
    const OpVerdict& ef_v = ef_r.ops[static_cast<size_t>(index)];                               \
    EXPECT_EQ(ef_v.reason, expected_reason) << FormatCompilerLog(ef_r, "test", true);           \
    EXPECT_EQ(ef_v.mapped, std::string(expected_reason) == kMapped);                            \
    EXPECT_NE(ef_v.detail.find(detail_part), std::string::npos) << "detail: " << ef_v.detail;   \
  } while (0)

// The verdict of op `index` judged alone, whatever the ops before it do: the rule tests put
// several independent ops in one graph.
#define EXPECT_RULE(graph, runtime, index, expected_reason, detail_part)                        \
  do {                                                                                          \
    const ir::Graph& ef_g = (graph);                                                            \
    ASSERT_LT(static_cast<size_t>(index), ef_g.ops.size());                                     \
    OpCheck ef_c = CheckOp(ef_g, ef_g.ops[static_cast<size_t>(index)], runtime);                \
    EXPECT_EQ(ef_c.reason, expected_reason) << "op " << (index) << ": " << ef_c.detail;         \
    EXPECT_EQ(ef_c.mappable, std::string(expected_reason) == kMapped);                          \
    EXPECT_NE(ef_c.detail.find(detail_part), std::string::npos) << "detail: " << ef_c.detail;   \
  } while (0)

// --- A model that maps ------------------------------------------------------------------------

// input [1,8,8,3] -> CONV -> DEPTHWISE -> AVERAGE_POOL (global) -> RESHAPE -> SOFTMAX
GraphBuilder MobileNetLike(DType dtype = DType::kUInt8) {
  GraphBuilder b;
  int in = b.Act({1, 8, 8, 3}, dtype);
  int c = b.Conv(in, 8);
  int dw_out = b.Act({1, 8, 8, 8}, dtype);
  ir::DepthwiseConv2DOptions dw;
  dw.activation = ir::Activation::kRelu6;
  b.Add(ir::OpType::kDepthwiseConv2D, {c, b.Const({1, 3, 3, 8}, dtype), b.Bias(8)}, {dw_out}, dw);
  int pooled = b.Act({1, 1, 1, 8}, dtype);
  ir::Pool2DOptions pool;
  pool.filter_h = pool.filter_w = 8;
  b.Add(ir::OpType::kAveragePool2D, {dw_out}, {pooled}, pool);
  int flat = b.Act({1, 8}, dtype);
  b.Add(ir::OpType::kReshape, {pooled, b.Ints({1, 8})}, {flat}, ir::ReshapeOptions{{1, 8}});
  int probs = b.Act({1, 8}, dtype);
  b.Add(ir::OpType::kSoftmax, {flat}, {probs}, ir::SoftmaxOptions{});
  b.graph.inputs = {in};
  b.graph.outputs = {probs};
  return b;
}

TEST(EdgeTpuRules, QuantizedMobileNetShapeMapsFully) {
  for (DType dtype : {DType::kUInt8, DType::kInt8}) {
    SCOPED_TRACE(DTypeName(dtype));
    GraphBuilder b = MobileNetLike(dtype);
    CompatibilityReport r = Check(b.graph);
    EXPECT_TRUE(r.fully_mapped()) << FormatCompilerLog(r, "test", true);
    EXPECT_EQ(r.mapped, 5);
    EXPECT_EQ(r.cpu, 0);
    EXPECT_FALSE(r.first_cpu_op.has_value());
    EXPECT_FALSE(r.partition_op.has_value());
    EXPECT_EQ(r.segment_first, 0);
    EXPECT_EQ(r.segment_last, 4);
    EXPECT_FALSE(r.compiled);
    // conv weights 8*3 + bias 8*4, depthwise 9*8 + bias 8*4, reshape shape 2*4.
    EXPECT_EQ(r.parameter_bytes, 24 + 32 + 72 + 32 + 8);
    EXPECT_EQ(r.on_chip_bytes, r.parameter_bytes);
    EXPECT_EQ(r.off_chip_bytes, 0);
  }
}

// --- Model requirements -----------------------------------------------------------------------

TEST(EdgeTpuRules, FloatActivationIsUnsupportedDataType) {
  GraphBuilder b = MobileNetLike(DType::kFloat32);
  CompatibilityReport r = Check(b.graph);
  EXPECT_OP(r, 0, kUnsupportedDataType, "float32");
  EXPECT_EQ(r.mapped, 0);
  EXPECT_EQ(r.first_cpu_op, 0);
  EXPECT_FALSE(r.segment_first.has_value());
}

TEST(EdgeTpuRules, Int16ActivationIsUnsupportedDataType) {
  GraphBuilder b;
  int in = b.Act({1, 4, 4, 8}, DType::kInt16);
  b.Conv(in, 4);
  EXPECT_OP(Check(b.graph), 0, kUnsupportedDataType, "int16");
}

TEST(EdgeTpuRules, UnquantizedActivationIsUnsupportedDataType) {
  GraphBuilder b;
  int in = b.Act({1, 4, 4, 8});
  b.graph.tensor(in).quant = {};
  b.Conv(in, 4);
  EXPECT_OP(Check(b.graph), 0, kUnsupportedDataType, "without quantization");
}

TEST(EdgeTpuRules, FloatWeightsAreUnsupportedDataType) {
  GraphBuilder b;
  int in = b.Act({1, 4, 4, 8});
  int out = b.Act({1, 4, 4, 4});
  b.Add(ir::OpType::kConv2D, {in, b.Const({4, 1, 1, 8}, DType::kFloat32), b.Bias(4)}, {out},
        ir::Conv2DOptions{});
  EXPECT_OP(Check(b.graph), 0, kUnsupportedDataType, "float32 constant");
}

TEST(EdgeTpuRules, BiasMustBeInt32) {
  GraphBuilder b;
  int in = b.Act({1, 4, 4, 8});
  int out = b.Act({1, 4, 4, 4});
  b.Add(ir::OpType::kConv2D, {in, b.Const({4, 1, 1, 8}), b.Const({4}, DType::kInt64, 0)}, {out},
        ir::Conv2DOptions{});
  EXPECT_OP(Check(b.graph), 0, kUnsupportedDataType, "int64 bias");
}

TEST(EdgeTpuRules, DynamicBatchStopsTheWholeModel) {
  GraphBuilder b = MobileNetLike();
  b.graph.tensor(b.graph.inputs[0]).shape_signature = {-1, 8, 8, 3};
  CompatibilityReport r = Check(b.graph);
  EXPECT_EQ(r.model_reason, kDynamicSizedTensors);
  EXPECT_NE(r.model_detail.find("[-1,8,8,3]"), std::string::npos) << r.model_detail;
  EXPECT_FALSE(r.fully_mapped());
  EXPECT_EQ(r.mapped, 0);
  EXPECT_EQ(r.cpu, 5);
  for (const OpVerdict& v : r.ops) EXPECT_EQ(v.reason, kDynamicSizedTensors);
  // A static signature equal to the shape is fine.
  b.graph.tensor(b.graph.inputs[0]).shape_signature = {1, 8, 8, 3};
  EXPECT_TRUE(Check(b.graph).fully_mapped());
}

TEST(EdgeTpuRules, MoreThanOneSubgraphStopsTheWholeModel) {
  GraphBuilder b = MobileNetLike();
  b.graph.subgraph_count = 2;
  CompatibilityReport r = Check(b.graph);
  EXPECT_EQ(r.model_reason, kMoreThanOneSubgraph);
  EXPECT_NE(r.model_detail.find("2 subgraphs"), std::string::npos) << r.model_detail;
  EXPECT_EQ(r.mapped, 0);
  EXPECT_EQ(r.cpu, 5);
  EXPECT_OP(r, 3, kMoreThanOneSubgraph, "2 subgraphs");
}

TEST(EdgeTpuRules, OnlyThreeInnermostDimensionsMayExceedOne) {
  struct Case {
    Shape shape;
    bool maps;
  };
  for (const Case& c : {Case{{1, 8, 8, 3}, true}, Case{{1, 1, 8, 8, 3}, true}, Case{{8, 8, 3}, true},
                        Case{{2, 8, 8, 3}, false}, Case{{2, 1, 8, 3}, false},
                        Case{{1, 2, 8, 8, 3}, false}}) {
    SCOPED_TRACE(ShapeToString(c.shape));
    GraphBuilder b;
    b.Conv(b.Act(c.shape), 4);
    CompatibilityReport r = Check(b.graph);
    if (c.maps) {
      EXPECT_OP(r, 0, kMapped, "");
    } else {
      EXPECT_OP(r, 0, kUnsupportedRank, "only the 3 innermost dimensions");
    }
  }
}

// --- Supported operations, runtime versions, op versions ----------------------------------

TEST(EdgeTpuRules, OpsOutsideTheTableAreNotSupported) {
  GraphBuilder b;
  int in = b.Act({1, 4, 4, 8});
  int hs = b.Act({1, 4, 4, 8});
  b.Add(ir::OpType::kHardSwish, {in}, {hs});
  int custom_out = b.Act({1, 4, 4, 8});
  ir::Op& custom = b.Add(ir::OpType::kCustom, {hs}, {custom_out}, ir::CustomOptions{});
  custom.custom_code = "my-op";
  EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 0, kNotSupported, "HARD_SWISH is not in the Edge TPU's supported operations");
  EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 1, kNotSupported, "custom op 'my-op'");
  EXPECT_EQ(Check(b.graph).ops[1].op, "CUSTOM(my-op)");
}

TEST(EdgeTpuRules, TrainingOnlyOpsAreNotSupported) {
  GraphBuilder b;
  int in = b.Act({1, 4, 4, 8});
  int out = b.Act({1, 4, 4, 8});
  b.Add(ir::OpType::kDropout, {in}, {out}, ir::DropoutOptions{});
  EXPECT_OP(Check(b.graph), 0, kNotSupported, "DROPOUT");
}

TEST(EdgeTpuRules, OpVersionAboveTheCompilersIsNotSupported) {
  GraphBuilder b;
  int in = b.Act({1, 4, 4, 8});
  b.Conv(in, 4, {}, /*version=*/3);
  b.Conv(in, 4, {}, /*version=*/6);  // grouped convolution
  EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 0, kMapped, "");
  EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 1, kVersionNotSupported, "version 6");
}

TEST(EdgeTpuRules, HalfPixelResizeVersionIsNotSupported) {
  for (ir::OpType type : {ir::OpType::kResizeBilinear, ir::OpType::kResizeNearestNeighbor}) {
    SCOPED_TRACE(ir::OpTypeName(type));
    GraphBuilder b;
    int in = b.Act({1, 4, 4, 8});
    int size = b.Ints({8, 8});
    b.Add(type, {in, size}, {b.Act({1, 8, 8, 8})}, ir::ResizeOptions{}, 2);
    b.Add(type, {in, size}, {b.Act({1, 8, 8, 8})}, ir::ResizeOptions{false, true}, 3);
    int dynamic_size = b.Act({2}, DType::kInt32);
    b.Add(type, {in, dynamic_size}, {b.Act({1, 8, 8, 8})}, ir::ResizeOptions{}, 1);
    EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 0, kMapped, "");
    EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 1, kVersionNotSupported, "version 3");
    // A size computed at run time is int32 activation data: not 8-bit.
    EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 2, kUnsupportedDataType, "int32");
  }
}

TEST(EdgeTpuRules, RuntimeVersionGatesOps) {
  // QUANTIZE (runtime >= 13) requantizing uint8 to int8.
  GraphBuilder q;
  int in = q.Act({1, 4, 4, 8});
  q.Add(ir::OpType::kQuantize, {in}, {q.Act({1, 4, 4, 8}, DType::kInt8)});
  EXPECT_OP(Check(q.graph, 12), 0, kNotSupported, "needs Edge TPU runtime 13 or later");
  EXPECT_OP(Check(q.graph, 13), 0, kMapped, "");

  // TRANSPOSE (runtime >= 14).
  GraphBuilder t;
  int x = t.Act({1, 4, 6, 8});
  t.AddBuiltin(kTransposeCode, {x, t.Ints({0, 2, 1, 3})}, {t.Act({1, 6, 4, 8})});
  EXPECT_OP(Check(t.graph, 13), 0, kNotSupported, "runtime 14");
  EXPECT_OP(Check(t.graph, 14), 0, kMapped, "");
}

TEST(EdgeTpuRules, RuntimeVersionOutsideTheCompilersRangeIsAnError) {
  GraphBuilder b = MobileNetLike();
  for (int runtime : {9, 15}) {
    auto r = CheckCompatibility(b.graph, CheckOptions{runtime});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(std::to_string(runtime)), std::string::npos);
  }
}

TEST(EdgeTpuRules, BadTensorIndexIsAnErrorNamingTheOp) {
  GraphBuilder b = MobileNetLike();
  b.graph.ops[2].inputs[0] = 999;
  auto r = CheckCompatibility(b.graph);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("op 2 (AVERAGE_POOL_2D)"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("999"), std::string::npos);
}

// --- Known limitations ---------------------------------------------------------------------

TEST(EdgeTpuRules, PoolingWithFusedActivationIsNotMapped) {
  for (ir::OpType type : {ir::OpType::kAveragePool2D, ir::OpType::kMaxPool2D}) {
    SCOPED_TRACE(ir::OpTypeName(type));
    GraphBuilder b;
    int in = b.Act({1, 4, 4, 8});
    ir::Pool2DOptions plain;
    plain.filter_h = plain.filter_w = 2;
    ir::Pool2DOptions fused = plain;
    fused.activation = ir::Activation::kRelu;
    b.Add(type, {in}, {b.Act({1, 3, 3, 8})}, plain);
    b.Add(type, {in}, {b.Act({1, 3, 3, 8})}, fused);
    EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 0, kMapped, "");
    EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 1, kUnspecifiedLimitation, "fused activation RELU");
  }
}

TEST(EdgeTpuRules, ConcatenationConstantMustBeOneOfTwoAndAllZeros) {
  GraphBuilder b;
  int in = b.Act({1, 4, 4, 8});
  // uint8 zero point 0: zeros are bytes 0.
  int zeros = b.Const({1, 4, 4, 2}, DType::kUInt8, 0);
  int ones = b.Const({1, 4, 4, 2}, DType::kUInt8, 1);
  // zero point 128: the real zero is the byte 128.
  int shifted_zeros = b.Const({1, 4, 4, 2}, DType::kUInt8, 128);
  b.graph.tensor(shifted_zeros).quant.zero_point = {128};
  ir::ConcatenationOptions axis3{3, ir::Activation::kNone};
  b.Add(ir::OpType::kConcatenation, {in, zeros}, {b.Act({1, 4, 4, 10})}, axis3);
  b.Add(ir::OpType::kConcatenation, {in, shifted_zeros}, {b.Act({1, 4, 4, 10})}, axis3);
  b.Add(ir::OpType::kConcatenation, {in, b.Act({1, 4, 4, 2})}, {b.Act({1, 4, 4, 10})}, axis3);
  b.Add(ir::OpType::kConcatenation, {in, ones}, {b.Act({1, 4, 4, 10})}, axis3);
  b.Add(ir::OpType::kConcatenation, {in, in, zeros}, {b.Act({1, 4, 4, 18})}, axis3);
  b.Add(ir::OpType::kConcatenation, {in, in}, {b.Act({1, 4, 4, 16})},
        ir::ConcatenationOptions{3, ir::Activation::kRelu6});
  EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 0, kMapped, "");
  EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 1, kMapped, "");
  EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 2, kMapped, "");
  EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 3, kUnspecifiedLimitation, "is not all zeros (element 0)");
  EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 4, kUnspecifiedLimitation, "exactly 2 inputs (this op has 3)");
  EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 5, kUnspecifiedLimitation, "fused activation RELU6");
}

TEST(EdgeTpuRules, ConvolutionDilationMustMatchInXAndY) {
  GraphBuilder b;
  int in = b.Act({1, 8, 8, 8});
  ir::Conv2DOptions same;
  same.dilation_w = same.dilation_h = 2;
  ir::Conv2DOptions different;
  different.dilation_w = 2;
  b.Conv(in, 4, same);
  b.Conv(in, 4, different);
  EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 0, kMapped, "");
  EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 1, kUnspecifiedLimitation, "differs between x (2) and y (1)");
}

TEST(EdgeTpuRules, DepthwiseDilationDependsOnRuntime) {
  GraphBuilder b;
  int in = b.Act({1, 8, 8, 8});
  ir::DepthwiseConv2DOptions dilated;
  dilated.dilation_w = dilated.dilation_h = 2;
  b.Add(ir::OpType::kDepthwiseConv2D, {in, b.Const({1, 3, 3, 8}), b.Bias(8)}, {b.Act({1, 8, 8, 8})},
        dilated, 2);
  EXPECT_OP(Check(b.graph, 12), 0, kUnspecifiedLimitation, "no dilated depthwise kernels");
  EXPECT_OP(Check(b.graph, 13), 0, kMapped, "");
}

TEST(EdgeTpuRules, ParametersMustBeConstant) {
  GraphBuilder b;
  int in = b.Act({1, 4, 4, 8});
  // One output channel, so that the filter passes the rank rule for activations.
  int dynamic_filter = b.Act({1, 1, 1, 8});
  b.Add(ir::OpType::kConv2D, {in, dynamic_filter, b.Bias(1)}, {b.Act({1, 4, 4, 1})},
        ir::Conv2DOptions{});
  int dynamic_bias = b.Act({1}, DType::kInt32);
  b.Add(ir::OpType::kConv2D, {in, b.Const({1, 1, 1, 8}), dynamic_bias}, {b.Act({1, 4, 4, 1})},
        ir::Conv2DOptions{});
  EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 0, kUnspecifiedLimitation,
              "filter (input 1) is not a compile-time constant");
  EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 1, kUnspecifiedLimitation,
              "bias (input 2, tensor");
}

TEST(EdgeTpuRules, FullyConnectedOutputIsOneDimensional) {
  GraphBuilder b;
  int in = b.Act({1, 64});
  int w = b.Const({10, 64});
  int bias = b.Bias(10);
  b.Add(ir::OpType::kFullyConnected, {in, w, bias}, {b.Act({1, 10})}, ir::FullyConnectedOptions{}, 1);
  int batch = b.Act({4, 64});
  b.Add(ir::OpType::kFullyConnected, {batch, w, bias}, {b.Act({4, 10})}, ir::FullyConnectedOptions{}, 1);
  // Shuffled weights: the reader keeps FULLY_CONNECTED without options.
  b.AddBuiltin(kFullyConnectedCode, {in, w, bias}, {b.Act({1, 10})}, 2);
  b.Add(ir::OpType::kFullyConnected, {in, w, bias}, {b.Act({1, 10})},
        ir::FullyConnectedOptions{ir::Activation::kNone, true}, 5);
  EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 0, kMapped, "");
  EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 1, kUnspecifiedLimitation, "is not one-dimensional");
  EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 2, kUnspecifiedLimitation, "default weights format");
  EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 3, kVersionNotSupported, "version 5");
}

TEST(EdgeTpuRules, MeanAxesDependOnRuntime) {
  GraphBuilder b;
  int in = b.Act({1, 7, 7, 8});
  int odd = b.Act({1, 7, 7, 6});
  b.Add(ir::OpType::kMean, {in, b.Ints({1, 2})}, {b.Act({1, 8})}, ir::ReducerOptions{}, 1);
  b.Add(ir::OpType::kMean, {in, b.Ints({-1})}, {b.Act({1, 7, 7})}, ir::ReducerOptions{}, 1);
  b.Add(ir::OpType::kMean, {odd, b.Ints({3})}, {b.Act({1, 7, 7})}, ir::ReducerOptions{}, 1);
  b.Add(ir::OpType::kMean, {in, b.Ints({0})}, {b.Act({7, 7, 8})}, ir::ReducerOptions{}, 1);
  b.Add(ir::OpType::kMean, {in, b.Act({2}, DType::kInt32)}, {b.Act({1, 8})}, ir::ReducerOptions{}, 1);

  // Runtime <= 12: x and/or y only.
  EXPECT_RULE(b.graph, 12, 0, kMapped, "");
  EXPECT_RULE(b.graph, 12, 1, kUnspecifiedLimitation, "reduces axis 3 (z)");
  EXPECT_RULE(b.graph, 12, 2, kUnspecifiedLimitation, "only along x and/or y");
  EXPECT_RULE(b.graph, 12, 3, kUnspecifiedLimitation, "axis 0 (batch)");
  // Runtime >= 13: anything but batch; z only in multiples of 4.
  EXPECT_RULE(b.graph, 14, 0, kMapped, "");
  EXPECT_RULE(b.graph, 14, 1, kMapped, "");
  EXPECT_RULE(b.graph, 14, 2, kUnspecifiedLimitation, "size 6 is not a multiple of 4");
  EXPECT_RULE(b.graph, 14, 3, kUnspecifiedLimitation, "reduces the batch dimension");
  // Axes computed at run time are int32 activations.
  EXPECT_RULE(b.graph, 14, 4, kUnsupportedDataType, "int32");
}

TEST(EdgeTpuRules, SumAndReduceMaxKeepTheBatch) {
  GraphBuilder b;
  int in = b.Act({1, 4, 4, 8});
  b.AddBuiltin(kSumCode, {in, b.Ints({3})}, {b.Act({1, 4, 4})});
  b.AddBuiltin(kSumCode, {in, b.Ints({0})}, {b.Act({4, 4, 8})});
  b.AddBuiltin(kReduceMaxCode, {in, b.Ints({1, 2})}, {b.Act({1, 8})});
  b.AddBuiltin(kReduceMaxCode, {in, b.Ints({0, 1})}, {b.Act({4, 8})});
  EXPECT_RULE(b.graph, 14, 0, kMapped, "");
  EXPECT_RULE(b.graph, 14, 1, kUnspecifiedLimitation, "batch dimension");
  EXPECT_RULE(b.graph, 14, 2, kMapped, "");
  EXPECT_RULE(b.graph, 14, 3, kUnspecifiedLimitation, "batch dimension");
  EXPECT_RULE(b.graph, 13, 2, kNotSupported, "runtime 14");
}

TEST(EdgeTpuRules, PadAxesDependOnRuntime) {
  GraphBuilder b;
  int in = b.Act({1, 4, 4, 8});
  b.Add(ir::OpType::kPad, {in, b.Ints({0, 0, 1, 1, 1, 1, 0, 0}, {4, 2})}, {b.Act({1, 6, 6, 8})});
  b.Add(ir::OpType::kPad, {in, b.Ints({0, 0, 0, 0, 0, 0, 0, 8}, {4, 2})}, {b.Act({1, 4, 4, 16})});
  b.Add(ir::OpType::kPad, {in, b.Ints({1, 0, 0, 0, 0, 0, 0, 0}, {4, 2})}, {b.Act({2, 4, 4, 8})});
  EXPECT_RULE(b.graph, 12, 0, kMapped, "");
  EXPECT_RULE(b.graph, 12, 1, kUnspecifiedLimitation, "pads axis 3 (z)");
  EXPECT_RULE(b.graph, 14, 0, kMapped, "");
  EXPECT_RULE(b.graph, 14, 1, kMapped, "");
  // Its output [2,4,4,8] breaks the rank rule first.
  EXPECT_RULE(b.graph, 14, 2, kUnsupportedRank, "size 2 in dimension 0");
}

TEST(EdgeTpuRules, PadOfTheBatchOfA5DTensorIsRefused) {
  GraphBuilder b;
  int in = b.Act({1, 1, 4, 4, 8});
  b.Add(ir::OpType::kPad, {in, b.Ints({0, 0, 1, 0, 0, 0, 0, 0, 0, 0}, {5, 2})},
        {b.Act({1, 1, 4, 4, 8})});
  EXPECT_OP(Check(b.graph, 14), 0, kUnspecifiedLimitation, "the Edge TPU does not pad the batch");
}

TEST(EdgeTpuRules, SoftmaxIsOneDimensionalUpTo16000) {
  GraphBuilder b;
  for (Shape s : {Shape{1, 1001}, Shape{1, 16000}, Shape{1, 16001}, Shape{1, 4, 10}}) {
    int in = b.Act(s);
    b.Add(ir::OpType::kSoftmax, {in}, {b.Act(s)}, ir::SoftmaxOptions{});
  }
  EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 0, kMapped, "");
  EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 1, kMapped, "");
  EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 2, kUnspecifiedLimitation, "16001 elements");
  EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 3, kUnspecifiedLimitation, "is not 1-D");
}

TEST(EdgeTpuRules, SqueezeOnlyOfLeadingOnesBeforeRuntime13) {
  GraphBuilder b;
  int leading = b.Act({1, 1, 1, 10});
  b.Add(ir::OpType::kSqueeze, {leading}, {b.Act({1, 10})}, ir::SqueezeOptions{{1, 2}});
  int middle = b.Act({1, 5, 1, 10});
  b.Add(ir::OpType::kSqueeze, {middle}, {b.Act({1, 5, 10})}, ir::SqueezeOptions{{2}});
  b.Add(ir::OpType::kSqueeze, {middle}, {b.Act({5, 10})}, ir::SqueezeOptions{});
  EXPECT_RULE(b.graph, 12, 0, kMapped, "");
  EXPECT_RULE(b.graph, 12, 1, kUnspecifiedLimitation, "squeezes dimension 2 of [1,5,1,10]");
  EXPECT_RULE(b.graph, 12, 2, kUnspecifiedLimitation, "only leading 1s");
  EXPECT_RULE(b.graph, 13, 1, kMapped, "");
  EXPECT_RULE(b.graph, 13, 2, kMapped, "");
}

TEST(EdgeTpuRules, StridedSliceNeedsUnitStrides) {
  GraphBuilder b;
  int in = b.Act({1, 8, 8, 8});
  int begin = b.Ints({0, 0, 0, 0});
  int end = b.Ints({1, 4, 4, 8});
  b.AddBuiltin(kStridedSliceCode, {in, begin, end, b.Ints({1, 1, 1, 1})}, {b.Act({1, 4, 4, 8})}, 2);
  b.AddBuiltin(kStridedSliceCode, {in, begin, end, b.Ints({1, 2, 2, 1})}, {b.Act({1, 2, 2, 8})}, 2);
  // Ellipsis or new-axis masks make it version 6.
  b.AddBuiltin(kStridedSliceCode, {in, begin, end, b.Ints({1, 1, 1, 1})}, {b.Act({1, 4, 4, 8})}, 6);
  EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 0, kMapped, "");
  EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 1, kUnspecifiedLimitation, "stride 2 on dimension 1");
  EXPECT_RULE(b.graph, kDefaultRuntimeVersion, 2, kVersionNotSupported, "version 6");
}

TEST(EdgeTpuRules, SplitAndTransposeKeepTheBatch) {
  GraphBuilder b;
  int in = b.Act({1, 4, 4, 8});
  b.Add(ir::OpType::kSplit, {b.Ints({3}, {1}), in}, {b.Act({1, 4, 4, 4}), b.Act({1, 4, 4, 4})},
        ir::SplitOptions{2});
  b.Add(ir::OpType::kSplit, {b.Ints({0}, {1}), in}, {b.Act({1, 4, 4, 8})}, ir::SplitOptions{1});
  b.AddBuiltin(kTransposeCode, {in, b.Ints({1, 0, 2, 3})}, {b.Act({4, 1, 4, 8})});
  EXPECT_RULE(b.graph, 14, 0, kMapped, "");
  EXPECT_RULE(b.graph, 14, 1, kUnspecifiedLimitation, "splits the batch dimension");
  EXPECT_RULE(b.graph, 14, 2, kUnsupportedRank, "size 4 in dimension 0");
}

TEST(EdgeTpuRules, TransposeOfA5DBatchIsRefused) {
  GraphBuilder b;
  int in = b.Act({1, 1, 4, 4, 8});
  b.AddBuiltin(kTransposeCode, {in, b.Ints({1, 0, 2, 3, 4})}, {b.Act({1, 1, 4, 4, 8})});
  EXPECT_OP(Check(b.graph, 14), 0, kUnspecifiedLimitation, "moves the batch dimension");
}

TEST(EdgeTpuRules, PreluAlphaIsInnermostOnly) {
  GraphBuilder b;
  int in = b.Act({1, 4, 4, 8});
  b.AddBuiltin(kPreluCode, {in, b.Const({1, 1, 8})}, {b.Act({1, 4, 4, 8})});
  b.AddBuiltin(kPreluCode, {in, b.Const({1, 4, 8})}, {b.Act({1, 4, 4, 8})});
  EXPECT_RULE(b.graph, 13, 0, kMapped, "");
  EXPECT_RULE(b.graph, 13, 1, kUnspecifiedLimitation, "not 1-dimensional");
}

TEST(EdgeTpuRules, LstmNeedsRuntime14AndEightBitState) {
  // TFLite's 8-bit LSTM: int8 activations and weights, int32 gate biases, an int8 output state
  // and an int16 cell state (both variables).
  GraphBuilder b;
  int in = b.Act({1, 28, 28}, DType::kInt8);
  std::vector<int> inputs = {in};
  for (int i = 0; i < 8; ++i) inputs.push_back(b.Const(i < 4 ? Shape{20, 28} : Shape{20, 20}, DType::kInt8));
  for (int i = 0; i < 3; ++i) inputs.push_back(ir::kNoTensor);  // no peepholes
  for (int i = 0; i < 4; ++i) inputs.push_back(b.Bias(20));
  inputs.push_back(ir::kNoTensor);  // no projection
  inputs.push_back(ir::kNoTensor);
  int output_state = b.Act({1, 20}, DType::kInt8);
  int cell_state = b.Act({1, 20}, DType::kInt16);
  b.graph.tensor(output_state).is_variable = true;
  b.graph.tensor(cell_state).is_variable = true;
  inputs.push_back(output_state);
  inputs.push_back(cell_state);
  b.AddBuiltin(kUnidirectionalSequenceLstmCode, inputs, {b.Act({1, 28, 20}, DType::kInt8)});
  EXPECT_OP(Check(b.graph, 13), 0, kNotSupported, "needs Edge TPU runtime 14");
  // From runtime 14 the op exists, but its int16 cell state breaks "int8 or uint8 tensors".
  EXPECT_OP(Check(b.graph, 14), 0, kUnsupportedDataType, "int16");
  // With an 8-bit state it maps.
  b.graph.tensor(cell_state).dtype = DType::kInt8;
  EXPECT_OP(Check(b.graph, 14), 0, kMapped, "");
}

// --- QUANTIZE / DEQUANTIZE at the graph edges -------------------------------------------------

TEST(EdgeTpuRules, FloatInputQuantizeRunsOnCpuBeforeTheEdgeTpu) {
  GraphBuilder b;
  int in = b.Act({1, 4, 4, 8}, DType::kFloat32);
  int q = b.Act({1, 4, 4, 8}, DType::kInt8);
  b.Add(ir::OpType::kQuantize, {in}, {q});
  int c = b.Conv(q, 4);
  int out = b.Act({1, 4, 4, 4}, DType::kFloat32);
  b.Add(ir::OpType::kDequantize, {c}, {out});
  CompatibilityReport r = Check(b.graph);
  EXPECT_OP(r, 0, kUnspecifiedLimitation, "float32");
  EXPECT_OP(r, 1, kMapped, "");
  EXPECT_OP(r, 2, kUnsupportedDataType, "output");
  EXPECT_EQ(r.mapped, 1);
  EXPECT_EQ(r.cpu, 2);
  EXPECT_EQ(r.first_cpu_op, 0);
  EXPECT_EQ(r.segment_first, 1);
  EXPECT_EQ(r.segment_last, 1);
  EXPECT_EQ(r.partition_op, 2);
}

TEST(EdgeTpuRules, Uint8ToInt8QuantizeAtBothEndsMaps) {
  GraphBuilder b;
  int in = b.Act({1, 4, 4, 8}, DType::kUInt8);
  int q = b.Act({1, 4, 4, 8}, DType::kInt8);
  b.Add(ir::OpType::kQuantize, {in}, {q});
  int c = b.Conv(q, 4);
  b.Add(ir::OpType::kQuantize, {c}, {b.Act({1, 4, 4, 4}, DType::kUInt8)});
  CompatibilityReport r = Check(b.graph);
  EXPECT_TRUE(r.fully_mapped()) << FormatCompilerLog(r, "test", true);
}

// --- Partition ------------------------------------------------------------------------------

TEST(EdgeTpuRules, EverythingAfterTheFirstUnmappedOpRunsOnCpu) {
  GraphBuilder b;
  int in = b.Act({1, 4, 4, 8});
  int c0 = b.Conv(in, 8);
  int hs = b.Act({1, 4, 4, 8});
  b.Add(ir::OpType::kHardSwish, {c0}, {hs});
  int c2 = b.Conv(hs, 8);
  int hs2 = b.Act({1, 4, 4, 8});
  b.Add(ir::OpType::kHardSwish, {c2}, {hs2});
  b.Conv(hs2, 8);
  CompatibilityReport r = Check(b.graph);
  EXPECT_OP(r, 0, kMapped, "");
  EXPECT_OP(r, 1, kNotSupported, "HARD_SWISH");
  EXPECT_OP(r, 2, kMoreThanOneSubgraph, "after op 1 (HARD_SWISH)");
  EXPECT_OP(r, 3, kNotSupported, "HARD_SWISH");  // its own reason, not the partition's
  EXPECT_OP(r, 4, kMoreThanOneSubgraph, "every later op");
  EXPECT_EQ(r.mapped, 1);
  EXPECT_EQ(r.cpu, 4);
  EXPECT_EQ(r.first_cpu_op, 1);
  EXPECT_EQ(r.partition_op, 1);
  EXPECT_EQ(r.segment_first, 0);
  EXPECT_EQ(r.segment_last, 0);
  // Only the mapped conv's weights (8*8) and bias (8*4) count.
  EXPECT_EQ(r.parameter_bytes, 64 + 32);
}

TEST(EdgeTpuRules, EmptyGraphHasNothingOnEitherSide) {
  CompatibilityReport r = Check(ir::Graph{});
  EXPECT_EQ(r.mapped, 0);
  EXPECT_EQ(r.cpu, 0);
  EXPECT_FALSE(r.first_cpu_op.has_value());
  EXPECT_FALSE(r.segment_first.has_value());
}

// --- Parameter data and the on-chip cache ---------------------------------------------------

TEST(EdgeTpuRules, ParametersBeyondTheCacheStreamFromOffChipMemory) {
  GraphBuilder b;
  constexpr int32_t kOut = 9 * 1024;
  int in = b.Act({1, 1024});
  int w = b.Const({kOut, 1024});  // 9 MiB of weights
  int bias = b.Bias(kOut);
  int h = b.Act({1, kOut});
  b.Add(ir::OpType::kFullyConnected, {in, w, bias}, {h}, ir::FullyConnectedOptions{});
  // The same weights read again count once.
  b.Add(ir::OpType::kFullyConnected, {in, w, bias}, {b.Act({1, kOut})}, ir::FullyConnectedOptions{});
  CompatibilityReport r = Check(b.graph);
  const int64_t expected = int64_t{kOut} * 1024 + int64_t{kOut} * 4;
  EXPECT_EQ(r.parameter_bytes, expected);
  EXPECT_EQ(r.on_chip_bytes, kOnChipCacheBytes);
  EXPECT_EQ(r.off_chip_bytes, expected - kOnChipCacheBytes);
  std::string log = FormatCompilerLog(r, "big.tflite", false);
  EXPECT_NE(log.find("On-chip memory used for caching model parameters: 8.00MiB"), std::string::npos) << log;
  EXPECT_NE(log.find("Off-chip memory used for streaming uncached model parameters: 1.04MiB"),
            std::string::npos) << log;
}

// --- A compiled model ------------------------------------------------------------------------

TEST(EdgeTpuRules, CompiledModelIsRecognised) {
  GraphBuilder b;
  int in = b.Act({1, 8, 8, 3});
  int out = b.Act({1, 10});
  ir::Op& tpu = b.Add(ir::OpType::kCustom, {in}, {out}, ir::CustomOptions{std::vector<uint8_t>(1000, 7)});
  tpu.custom_code = kEdgeTpuCustomOp;
  CompatibilityReport r = Check(b.graph);
  EXPECT_TRUE(r.compiled);
  EXPECT_TRUE(r.fully_mapped());
  EXPECT_EQ(r.mapped, 1);
  EXPECT_EQ(r.parameter_bytes, 1000);
  EXPECT_OP(r, 0, kMapped, "already compiled");
  EXPECT_EQ(r.ops[0].op, "CUSTOM(edgetpu-custom-op)");

  // What the compiler left on the CPU stays there.
  int probs = b.Act({1, 10});
  b.Add(ir::OpType::kSoftmax, {out}, {probs}, ir::SoftmaxOptions{});
  b.Add(ir::OpType::kArgMax, {probs, b.Ints({1})}, {b.Act({1}, DType::kInt64)}, ir::ArgMaxOptions{});
  r = Check(b.graph);
  EXPECT_TRUE(r.compiled);
  EXPECT_FALSE(r.fully_mapped());
  EXPECT_EQ(r.cpu, 2);
  EXPECT_EQ(r.first_cpu_op, 1);
  EXPECT_EQ(r.partition_op, 1);
  EXPECT_OP(r, 1, kMoreThanOneSubgraph, "left on the CPU");
  EXPECT_OP(r, 2, kUnsupportedDataType, "int64");
}

// --- The compiler-style log ----------------------------------------------------------------

TEST(EdgeTpuRules, LogGroupsOpsLikeTheCompiler) {
  GraphBuilder b;
  int in = b.Act({1, 4, 4, 8});
  int c0 = b.Conv(in, 8);
  int c1 = b.Conv(c0, 8);
  int hs = b.Act({1, 4, 4, 8});
  b.Add(ir::OpType::kHardSwish, {c1}, {hs});
  b.Conv(hs, 8);
  CompatibilityReport r = Check(b.graph);
  std::string log = FormatCompilerLog(r, "m.tflite", false);
  EXPECT_NE(log.find("Operator                       Count      Status"), std::string::npos) << log;
  EXPECT_NE(log.find("CONV_2D                        2          Mapped to Edge TPU\n"), std::string::npos) << log;
  EXPECT_NE(log.find("HARD_SWISH                     1          Operation not supported\n"), std::string::npos) << log;
  EXPECT_NE(log.find("CONV_2D                        1          More than one subgraph is not supported\n"),
            std::string::npos) << log;
  EXPECT_NE(log.find("Number of operations that will run on Edge TPU: 2\n"), std::string::npos) << log;
  EXPECT_NE(log.find("Number of operations that will run on CPU: 2\n"), std::string::npos) << log;
  EXPECT_NE(log.find("Partition point: op 2 (HARD_SWISH)"), std::string::npos) << log;
  EXPECT_EQ(log.find("Operations:"), std::string::npos) << log;
  std::string verbose = FormatCompilerLog(r, "m.tflite", true);
  EXPECT_NE(verbose.find("Operations:"), std::string::npos) << verbose;
  EXPECT_NE(verbose.find("HARD_SWISH is not in the Edge TPU's supported operations"), std::string::npos)
      << verbose;
}

TEST(EdgeTpuRules, BytesAreFormattedLikeTheCompiler) {
  EXPECT_EQ(FormatBytes(0), "0.00B");
  EXPECT_EQ(FormatBytes(1023), "1023.00B");
  EXPECT_EQ(FormatBytes(5888), "5.75KiB");
  EXPECT_EQ(FormatBytes(3366000), "3.21MiB");
}

// Every op of the table is found for the runtimes its row covers, and rows of one op do not
// overlap (FindOpRule would silently pick the first).
TEST(EdgeTpuRules, TableRowsCoverEachRuntimeOnce) {
  for (const OpRule& rule : SupportedOpRules()) {
    SCOPED_TRACE(std::string(rule.op));
    EXPECT_LE(rule.min_runtime, rule.max_runtime);
    EXPECT_GE(rule.max_op_version, 1);
    for (int runtime = kOldestRuntimeVersion; runtime <= kNewestRuntimeVersion; ++runtime) {
      int rows = 0;
      for (const OpRule& other : SupportedOpRules()) {
        rows += other.op == rule.op && other.min_runtime <= runtime && runtime <= other.max_runtime;
      }
      EXPECT_LE(rows, 1) << "runtime " << runtime;
    }
  }
}

}  // namespace
}  // namespace edgeforge::edgetpu
