// The shape of what `edgeforge export onnx` writes, checked without running it: ONNX's own
// checker and strict shape inference accept it, interfaces keep TFLite's names/dtypes/NHWC
// shapes, weights land in ONNX's layouts, quantized models are QDQ with per-channel weights,
// TFLite's SAME padding becomes explicit pads; and unsupported input fails with a clear error.
#include <gtest/gtest.h>

#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <string>

#include "core/float16.h"
#include "ir/graph.h"
#include "ir/verifier.h"
#include "onnx/constant_data.h"
#include "onnx/export.h"
#include "tflite/reader.h"
#include "test_util.h"
#include "tflite_test_graphs.h"

namespace edgeforge::testing {
namespace {

using ::onnx::ModelProto;
using ::onnx::NodeProto;
using ::onnx::TensorProto;

// Runs ONNX's checker and strict shape inference; returns "" or what they threw.
std::string OnnxValidationError(ModelProto model) {
  try {
    ::onnx::checker::check_model(model);
    ::onnx::shape_inference::InferShapes(model, ::onnx::OpSchemaRegistry::Instance(),
                                         ::onnx::ShapeInferenceOptions(/*check_type=*/true, /*strict=*/1));
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

// Finds nodes, initializers and producers by name.
class GraphIndex {
 public:
  explicit GraphIndex(const ModelProto& model) {
    for (const TensorProto& t : model.graph().initializer()) initializers_[t.name()] = &t;
    for (const NodeProto& n : model.graph().node()) {
      for (const std::string& o : n.output()) producers_[o] = &n;
    }
  }
  const NodeProto* producer(const std::string& value) const {
    auto it = producers_.find(value);
    return it == producers_.end() ? nullptr : it->second;
  }
  const TensorProto* initializer(const std::string& name) const {
    auto it = initializers_.find(name);
    return it == initializers_.end() ? nullptr : it->second;
  }

 private:
  std::map<std::string, const NodeProto*> producers_;
  std::map<std::string, const TensorProto*> initializers_;
};

const ::onnx::AttributeProto* Attribute(const NodeProto& node, const std::string& name) {
  for (const auto& a : node.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

std::vector<int64_t> Ints(const NodeProto& node, const std::string& name) {
  const auto* a = Attribute(node, name);
  return a == nullptr ? std::vector<int64_t>{} : std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

std::vector<int64_t> Dims(const TensorProto& t) { return {t.dims().begin(), t.dims().end()}; }

std::vector<float> Floats(const TensorProto& t) {
  std::vector<float> v(t.raw_data().size() / sizeof(float));
  std::memcpy(v.data(), t.raw_data().data(), v.size() * sizeof(float));
  return v;
}

std::vector<const NodeProto*> NodesOfType(const ModelProto& model, const std::string& type) {
  std::vector<const NodeProto*> nodes;
  for (const NodeProto& n : model.graph().node()) {
    if (n.op_type() == type) nodes.push_back(&n);
  }
  return nodes;
}

QuantParams PerTensorQuant(float scale, int64_t zero_point) {
  QuantParams q;
  q.scale = {scale};
  q.zero_point = {zero_point};
  return q;
}

ModelProto ExportOrDie(const ir::Graph& graph, const onnx_export::ExportOptions& options = {}) {
  auto model = onnx_export::ExportModel(graph, "test-graph", options);
  EXPECT_TRUE(model.ok()) << model.status().message();
  return model.ok() ? model.value() : ModelProto();
}

const char* const kGoldenModels[] = {"mobilenet_v1_0.25_128_quant", "mobilenet_v1_1.0_224_quant_embedding_extractor",
                                     "mobilenet_v2_1.0_224_quant", "tf2_mobilenet_v2_1.0_224_ptq"};

TEST(OnnxExportStructure, GoldenModelsPassOnnxCheckerAndKeepTheirInterface) {
  for (const char* name : kGoldenModels) {
    SCOPED_TRACE(name);
    auto graph = tflite::ReadModelFile(TestData(std::string("coral/") + name + ".tflite"));
    ASSERT_TRUE(graph.ok()) << graph.status().message();
    auto model = onnx_export::ExportModel(graph.value(), name);
    ASSERT_TRUE(model.ok()) << model.status().message();
    EXPECT_EQ(OnnxValidationError(model.value()), "");
    ASSERT_EQ(model->opset_import_size(), 1);
    EXPECT_EQ(model->opset_import(0).version(), onnx_export::kOpsetVersion);
    EXPECT_EQ(model->producer_name(), "edgeforge");

    const auto check_interface = [](const ::onnx::ValueInfoProto& info, const ir::Tensor& t) {
      EXPECT_EQ(info.name(), t.name);
      EXPECT_EQ(info.type().tensor_type().elem_type(), t.dtype == DType::kUInt8 ? TensorProto::UINT8 : TensorProto::INT8);
      const auto& dims = info.type().tensor_type().shape().dim();
      ASSERT_EQ(static_cast<size_t>(dims.size()), t.shape.size());
      for (int d = 0; d < dims.size(); ++d) EXPECT_EQ(dims[d].dim_value(), t.shape[static_cast<size_t>(d)]);
    };
    ASSERT_EQ(model->graph().input_size(), 1);
    ASSERT_EQ(model->graph().output_size(), 1);
    check_interface(model->graph().input(0), graph->tensor(graph->inputs[0]));
    check_interface(model->graph().output(0), graph->tensor(graph->outputs[0]));
  }
}

// The QDQ form ORT fuses into its own quantized kernels.
TEST(OnnxExportStructure, Int8ModelIsQdqWithPerChannelWeightsAndInt32Bias) {
  auto graph = tflite::ReadModelFile(TestData("coral/tf2_mobilenet_v2_1.0_224_ptq.tflite"));
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  const ModelProto model = ExportOrDie(graph.value());
  const GraphIndex index(model);
  const auto convs = NodesOfType(model, "Conv");
  EXPECT_EQ(convs.size(), 36u + 17u);  // CONV_2D + DEPTHWISE_CONV_2D
  int depthwise = 0;
  for (const NodeProto* conv : convs) {
    SCOPED_TRACE(conv->name());
    ASSERT_EQ(conv->input_size(), 3);
    const NodeProto* wdq = index.producer(conv->input(1));
    ASSERT_NE(wdq, nullptr);
    ASSERT_EQ(wdq->op_type(), "DequantizeLinear");
    const TensorProto* w = index.initializer(wdq->input(0));
    const TensorProto* w_scale = index.initializer(wdq->input(1));
    ASSERT_NE(w, nullptr);
    ASSERT_NE(w_scale, nullptr);
    EXPECT_EQ(w->data_type(), TensorProto::INT8);
    ASSERT_EQ(w->dims_size(), 4);
    ASSERT_NE(Attribute(*wdq, "axis"), nullptr);
    EXPECT_EQ(Attribute(*wdq, "axis")->i(), 0);
    EXPECT_EQ(Dims(*w_scale), std::vector<int64_t>{w->dims(0)});

    const NodeProto* bdq = index.producer(conv->input(2));
    ASSERT_NE(bdq, nullptr);
    ASSERT_EQ(bdq->op_type(), "DequantizeLinear");
    const TensorProto* b = index.initializer(bdq->input(0));
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->data_type(), TensorProto::INT32);

    // The activation comes through DequantizeLinear and leaves through QuantizeLinear (maybe
    // after Clip/Relu): the QDQ pattern ORT fuses into QLinearConv.
    const NodeProto* xdq = index.producer(conv->input(0));
    ASSERT_NE(xdq, nullptr);
    EXPECT_EQ(xdq->op_type(), "DequantizeLinear");

    const auto* group = Attribute(*conv, "group");
    ASSERT_NE(group, nullptr);
    if (group->i() > 1) {
      ++depthwise;
      EXPECT_EQ(group->i(), w->dims(0));
      EXPECT_EQ(w->dims(1), 1);
    }
  }
  EXPECT_EQ(depthwise, 17);
  EXPECT_EQ(NodesOfType(model, "Add").size(), 10u);
  EXPECT_EQ(NodesOfType(model, "GlobalAveragePool").size(), 1u);
  EXPECT_EQ(NodesOfType(model, "Softmax").size(), 1u);
  EXPECT_GE(NodesOfType(model, "QuantizeLinear").size(), convs.size());
}

// With --tflite-exact: the ops ORT's kernels round differently are in TFLite's arithmetic — per-channel
// convolutions as ConvInteger with the requantization spelled out, the residual ADDs in XNNPACK's
// fixed point (int64 Mod/Div for the shift), MEAN as a ReduceSum, SOFTMAX as its lookup table
// (Gather) with the in-order sum (CumSum).
TEST(OnnxExportStructure, TfliteExactInt8ModelIsInTflitesArithmetic) {
  auto graph = tflite::ReadModelFile(TestData("coral/tf2_mobilenet_v2_1.0_224_ptq.tflite"));
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  const ModelProto model = ExportOrDie(graph.value(), {.tflite_exact = true});
  EXPECT_EQ(NodesOfType(model, "ConvInteger").size(), 36u + 17u);
  EXPECT_EQ(NodesOfType(model, "Conv").size(), 0u);
  EXPECT_EQ(NodesOfType(model, "Mod").size(), 10u);
  EXPECT_EQ(NodesOfType(model, "ReduceSum").size(), 1u);
  EXPECT_EQ(NodesOfType(model, "Gather").size(), 1u);
  EXPECT_EQ(NodesOfType(model, "CumSum").size(), 1u);
  EXPECT_EQ(NodesOfType(model, "GlobalAveragePool").size(), 0u);
  EXPECT_EQ(NodesOfType(model, "Softmax").size(), 0u);
}

TEST(OnnxExportStructure, Int8ActivationsAreStoredAsUint8ExceptGraphOutputs) {
  auto graph = tflite::ReadModelFile(TestData("coral/tf2_mobilenet_v2_1.0_224_ptq.tflite"));
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  const ModelProto model = ExportOrDie(graph.value());
  const GraphIndex index(model);
  // The first convolution's output: int8 in TFLite (zero point -128 after RELU6), uint8 with
  // zero point 0 here, which is the same real value for every integer.
  for (const NodeProto* q : NodesOfType(model, "QuantizeLinear")) {
    const TensorProto* zero_point = index.initializer(q->input(2));
    ASSERT_NE(zero_point, nullptr);
    EXPECT_EQ(zero_point->data_type(), TensorProto::UINT8) << q->name();
  }
}

// One CONV_2D and one DEPTHWISE_CONV_2D (multiplier 2) with distinct weights everywhere.
ir::Graph TwoConvGraph(int32_t size, ir::Padding padding) {
  using ir::OpType;
  ir::Graph g;
  const DType f32 = DType::kFloat32;
  const int x = AddActivation(g, "input", f32, {1, size, size, 3});
  g.inputs = {x};
  std::vector<float> conv_w(4 * 3 * 3 * 3), dw_w(3 * 3 * 8);
  for (size_t i = 0; i < conv_w.size(); ++i) conv_w[i] = static_cast<float>(i);
  for (size_t i = 0; i < dw_w.size(); ++i) dw_w[i] = static_cast<float>(i);
  const int w1 = AddConstant(g, "conv/weights", f32, {4, 3, 3, 3}, conv_w);
  const ir::PaddingResult out = ir::ComputePadding(padding, size, 3, 2, 1);
  const int c1 = AddActivation(g, "conv", f32, {1, out.out, out.out, 4});
  AddOp(g, OpType::kConv2D, {x, w1, ir::kNoTensor}, {c1}, ir::Conv2DOptions{padding, 2, 2, ir::Activation::kNone, 1, 1});
  const int w2 = AddConstant(g, "dw/weights", f32, {1, 3, 3, 8}, dw_w);
  const int d1 = AddActivation(g, "dw", f32, {1, out.out, out.out, 8});
  AddOp(g, OpType::kDepthwiseConv2D, {c1, w2, ir::kNoTensor}, {d1},
        ir::DepthwiseConv2DOptions{ir::Padding::kSame, 1, 1, 2, ir::Activation::kNone, 1, 1});
  g.outputs = {d1};
  return g;
}

TEST(OnnxExportStructure, WeightsAreTransposedIntoOnnxLayouts) {
  const ModelProto model = ExportOrDie(TwoConvGraph(8, ir::Padding::kSame));
  EXPECT_EQ(OnnxValidationError(model), "");
  const GraphIndex index(model);
  const auto convs = NodesOfType(model, "Conv");
  ASSERT_EQ(convs.size(), 2u);

  const TensorProto* w = index.initializer(convs[0]->input(1));
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(Dims(*w), (std::vector<int64_t>{4, 3, 3, 3}));
  const std::vector<float> oihw = Floats(*w);
  for (int o = 0; o < 4; ++o)
    for (int i = 0; i < 3; ++i)
      for (int h = 0; h < 3; ++h)
        for (int x = 0; x < 3; ++x) {
          const float ohwi_value = static_cast<float>(((o * 3 + h) * 3 + x) * 3 + i);
          ASSERT_EQ(oihw[static_cast<size_t>(((o * 3 + i) * 3 + h) * 3 + x)], ohwi_value) << o << i << h << x;
        }
  EXPECT_EQ(Attribute(*convs[0], "group")->i(), 1);

  const TensorProto* dw = index.initializer(convs[1]->input(1));
  ASSERT_NE(dw, nullptr);
  EXPECT_EQ(Dims(*dw), (std::vector<int64_t>{8, 1, 3, 3}));
  const std::vector<float> c1hw = Floats(*dw);
  for (int c = 0; c < 8; ++c)
    for (int h = 0; h < 3; ++h)
      for (int x = 0; x < 3; ++x) {
        ASSERT_EQ(c1hw[static_cast<size_t>((c * 3 + h) * 3 + x)], static_cast<float>((h * 3 + x) * 8 + c));
      }
  EXPECT_EQ(Attribute(*convs[1], "group")->i(), 4);  // one group per input channel
}

TEST(OnnxExportStructure, SamePaddingIsExplicitAndComputedLikeTflite) {
  // 8 -> 4 with stride 2: total padding 1, TFLite puts it after (before = total / 2 = 0).
  ModelProto model = ExportOrDie(TwoConvGraph(8, ir::Padding::kSame));
  auto convs = NodesOfType(model, "Conv");
  ASSERT_EQ(convs.size(), 2u);
  EXPECT_EQ(Ints(*convs[0], "pads"), (std::vector<int64_t>{0, 0, 1, 1}));
  EXPECT_EQ(Ints(*convs[1], "pads"), (std::vector<int64_t>{1, 1, 1, 1}));
  EXPECT_EQ(Ints(*convs[0], "strides"), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(Attribute(*convs[0], "auto_pad"), nullptr);
  // 9 -> 5: total 2, one each side.
  model = ExportOrDie(TwoConvGraph(9, ir::Padding::kSame));
  convs = NodesOfType(model, "Conv");
  EXPECT_EQ(Ints(*convs[0], "pads"), (std::vector<int64_t>{1, 1, 1, 1}));
  // VALID: none.
  model = ExportOrDie(TwoConvGraph(9, ir::Padding::kValid));
  convs = NodesOfType(model, "Conv");
  EXPECT_EQ(Ints(*convs[0], "pads"), (std::vector<int64_t>{0, 0, 0, 0}));
}

TEST(OnnxExportStructure, Rank4InterfacesAreTransposedAtTheEdges) {
  const ModelProto model = ExportOrDie(TwoConvGraph(8, ir::Padding::kSame));
  ASSERT_GE(model.graph().node_size(), 2);
  const NodeProto& first = model.graph().node(0);
  EXPECT_EQ(first.op_type(), "Transpose");
  EXPECT_EQ(first.input(0), "input");
  EXPECT_EQ(Ints(first, "perm"), (std::vector<int64_t>{0, 3, 1, 2}));
  const NodeProto& last = model.graph().node(model.graph().node_size() - 1);
  EXPECT_EQ(last.op_type(), "Transpose");
  EXPECT_EQ(last.output(0), "dw");
  EXPECT_EQ(Ints(last, "perm"), (std::vector<int64_t>{0, 2, 3, 1}));
}

TEST(OnnxExportStructure, Float16WeightsAreWidenedAndTheirDequantizeFolded) {
  using ir::OpType;
  ir::Graph g;
  const int x = AddActivation(g, "input", DType::kFloat32, {1, 2});
  g.inputs = {x};
  const std::vector<float> values = {0.5f, -1.25f, 3.0f, 0.125f, 2.0f, -0.75f};
  std::vector<uint16_t> halves;
  for (float v : values) halves.push_back(core::FloatToHalf(v));
  const int w16 = AddConstant(g, "fc/weights_fp16", DType::kFloat16, {3, 2}, halves);
  const int w32 = AddActivation(g, "fc/weights", DType::kFloat32, {3, 2});
  AddOp(g, OpType::kDequantize, {w16}, {w32});
  const int y = AddActivation(g, "fc", DType::kFloat32, {1, 3});
  AddOp(g, OpType::kFullyConnected, {x, w32, ir::kNoTensor}, {y}, ir::FullyConnectedOptions{});
  g.outputs = {y};

  const ModelProto model = ExportOrDie(g);
  EXPECT_EQ(OnnxValidationError(model), "");
  EXPECT_TRUE(NodesOfType(model, "DequantizeLinear").empty());
  const auto gemms = NodesOfType(model, "Gemm");
  ASSERT_EQ(gemms.size(), 1u);
  const TensorProto* w = GraphIndex(model).initializer(gemms[0]->input(1));
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->data_type(), TensorProto::FLOAT);
  EXPECT_EQ(Floats(*w), values);
  EXPECT_EQ(Attribute(*gemms[0], "transB")->i(), 1);
}

TEST(OnnxExportStructure, LabelsBecomeMetadata) {
  ir::Graph g = TwoConvGraph(8, ir::Padding::kSame);
  g.metadata.labels = {"cat", "dog"};
  const ModelProto model = ExportOrDie(g);
  ASSERT_EQ(model.metadata_props_size(), 1);
  EXPECT_EQ(model.metadata_props(0).key(), "labels");
  EXPECT_EQ(model.metadata_props(0).value(), "cat\ndog\n");
}

TEST(OnnxConstantData, PermuteMovesElementsAndTheQuantizedAxis) {
  onnx_export::ConstantData c;
  c.dtype = DType::kInt8;
  c.dims = {1, 2, 3, 4};  // depthwise 1HWC
  for (int i = 0; i < 24; ++i) c.bytes.push_back(static_cast<uint8_t>(i));
  c.quant.scale = {1, 2, 3, 4};
  c.quant.zero_point = {0, 0, 0, 0};
  c.quant.quantized_dimension = 3;
  const onnx_export::ConstantData p = onnx_export::Permute(c, {3, 0, 1, 2});
  EXPECT_EQ(p.dims, (std::vector<int64_t>{4, 1, 2, 3}));
  EXPECT_EQ(p.quant.quantized_dimension, 0);
  for (int ch = 0; ch < 4; ++ch)
    for (int hw = 0; hw < 6; ++hw) EXPECT_EQ(p.bytes[static_cast<size_t>(ch * 6 + hw)], hw * 4 + ch);
}

// Errors.

TEST(OnnxExportErrors, UnsupportedOpIsNamedWithItsIndexAndFile) {
  const std::string path = TestData("coral/keras_lstm_mnist_ptq.tflite");
  auto graph = tflite::ReadModelFile(path);
  ASSERT_TRUE(graph.ok()) << graph.status().message();
  auto model = onnx_export::ExportModel(graph.value(), path);
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(model.status().message().find(path), std::string::npos) << model.status().message();
  EXPECT_NE(model.status().message().find("op 1 (UNIDIRECTIONAL_SEQUENCE_LSTM)"), std::string::npos)
      << model.status().message();
}

TEST(OnnxExportErrors, EdgeTpuCustomOpIsRefused) {
  TempDir tmp;
  Status s = onnx_export::ExportTfliteFile(TestData("coral/mobilenet_v1_0.25_128_quant_edgetpu.tflite"), tmp.file("m.onnx"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("CUSTOM(edgetpu-custom-op)"), std::string::npos) << s.message();
  EXPECT_FALSE(std::filesystem::exists(tmp.file("m.onnx")));
}

TEST(OnnxExportErrors, TrainingFormOpsAskForTheIrPasses) {
  using ir::OpType;
  ir::Graph g;
  const int x = AddActivation(g, "input", DType::kFloat32, {1, 4, 4, 2});
  const int y = AddActivation(g, "bn", DType::kFloat32, {1, 4, 4, 2});
  g.inputs = {x};
  AddOp(g, OpType::kBatchNorm, {x}, {y}, ir::BatchNormOptions{});
  g.outputs = {y};
  auto model = onnx_export::ExportModel(g, "train.tflite");
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("BATCH_NORM"), std::string::npos) << model.status().message();
  EXPECT_NE(model.status().message().find("fold batch norm"), std::string::npos) << model.status().message();
}

TEST(OnnxExportErrors, SignBitActivationHasNoMapping) {
  ir::Graph g = TwoConvGraph(8, ir::Padding::kSame);
  g.ops[0].opts<ir::Conv2DOptions>().activation = ir::Activation::kSignBit;
  auto model = onnx_export::ExportModel(g, "m.tflite");
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(model.status().message().find("op 0 (CONV_2D)"), std::string::npos) << model.status().message();
  EXPECT_NE(model.status().message().find("fused activation"), std::string::npos) << model.status().message();
}

TEST(OnnxExportErrors, NonConstantWeightsAreRefused) {
  using ir::OpType;
  ir::Graph g;
  const int x = AddActivation(g, "input", DType::kFloat32, {1, 4});
  const int w = AddActivation(g, "weights", DType::kFloat32, {3, 4});
  const int y = AddActivation(g, "fc", DType::kFloat32, {1, 3});
  g.inputs = {x, w};
  AddOp(g, OpType::kFullyConnected, {x, w, ir::kNoTensor}, {y}, ir::FullyConnectedOptions{});
  g.outputs = {y};
  auto model = onnx_export::ExportModel(g, "m.tflite");
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("op 0 (FULLY_CONNECTED)"), std::string::npos) << model.status().message();
  EXPECT_NE(model.status().message().find("must be a constant"), std::string::npos) << model.status().message();
}

TEST(OnnxExportErrors, BadQuantizationAndConstantBytesAreReported) {
  // A quantized RESHAPE: input and output share the (broken) parameters.
  const auto reshape_graph = [](DType dtype, const QuantParams& q) {
    ir::Graph g;
    const int x = AddActivation(g, "input", dtype, {1, 2, 2, 1}, q);
    const int y = AddActivation(g, "flat", dtype, {1, 4}, q);
    g.inputs = {x};
    AddOp(g, ir::OpType::kReshape, {x}, {y}, ir::ReshapeOptions{{1, 4}});
    g.outputs = {y};
    return g;
  };
  auto model = onnx_export::ExportModel(reshape_graph(DType::kUInt8, PerTensorQuant(0.5f, 300)), "m.tflite");
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("'input' has zero point 300"), std::string::npos) << model.status().message();
  model = onnx_export::ExportModel(reshape_graph(DType::kInt8, PerTensorQuant(0.0f, 0)), "m.tflite");
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("expected > 0"), std::string::npos) << model.status().message();
  ASSERT_TRUE(onnx_export::ExportModel(reshape_graph(DType::kInt8, PerTensorQuant(0.5f, -3)), "m.tflite").ok());

  ir::Graph g = TwoConvGraph(8, ir::Padding::kSame);
  g.tensors[1].SetValues(std::vector<float>{1.0f, 2.0f});  // conv weights [4,3,3,3] need 108 floats
  model = onnx_export::ExportModel(g, "m.tflite");
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("'conv/weights' holds 8 bytes"), std::string::npos) << model.status().message();
}

TEST(OnnxExportErrors, MissingModelAndUnwritableOutputAreErrors) {
  TempDir tmp;
  Status missing = onnx_export::ExportTfliteFile(tmp.file("absent.tflite"), tmp.file("out.onnx"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("absent.tflite"), std::string::npos) << missing.message();
  Status unwritable =
      onnx_export::ExportTfliteFile(TestData("coral/mobilenet_v1_0.25_128_quant.tflite"), tmp.file("no/such/dir/out.onnx"));
  ASSERT_FALSE(unwritable.ok());
  EXPECT_NE(unwritable.message().find("out.onnx"), std::string::npos) << unwritable.message();
}

}  // namespace
}  // namespace edgeforge::testing
