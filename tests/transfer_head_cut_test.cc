// Finding the classifier head of the published Coral models and cutting it off.
#include <gtest/gtest.h>

#include "test_util.h"
#include "tflite/reader.h"
#include "transfer/head_cut.h"

namespace edgeforge {
namespace {

using testing::TestData;

ir::Graph Read(const std::string& name) {
  auto g = tflite::ReadModelFile(TestData("coral/" + name));
  EXPECT_TRUE(g.ok()) << g.status().message();
  return g.ok() ? std::move(g).value() : ir::Graph{};
}

std::string OpsOf(const ir::Graph& g) {
  std::string s;
  for (const ir::Op& op : g.ops) s += ir::OpName(op) + " ";
  return s;
}

TEST(TransferHeadCut, MobileNetV2QuantConvHeadIsCutAtThePooledFeatures) {
  const ir::Graph g = Read("mobilenet_v2_1.0_224_quant.tflite");
  auto cut = transfer::CutHead(g, "", "v2.tflite");
  ASSERT_TRUE(cut.ok()) << cut.status().message();
  EXPECT_EQ(cut->kind, transfer::HeadKind::kConv1x1);
  EXPECT_EQ(cut->feature_name, "MobilenetV2/Logits/AvgPool");
  EXPECT_EQ(cut->removed_ops, (std::vector<std::string>{"CONV_2D", "RESHAPE", "SOFTMAX"}));
  const ir::Graph& b = cut->backbone;
  ASSERT_EQ(b.outputs, std::vector<int>{cut->feature});
  EXPECT_EQ(b.tensor(cut->feature).shape, (Shape{1, 1, 1, 1280}));
  EXPECT_EQ(b.tensor(cut->feature).dtype, DType::kUInt8);
  EXPECT_EQ(b.ops.size(), g.ops.size() - 3);
  EXPECT_EQ(ir::OpName(b.ops.back()), "AVERAGE_POOL_2D");
  // The 1001-class weights are gone with their op.
  for (const ir::Tensor& t : b.tensors) EXPECT_EQ(t.name.find("Conv2d_1c_1x1"), std::string::npos) << t.name;
  EXPECT_EQ(cut->original_output.dtype, DType::kUInt8);
}

TEST(TransferHeadCut, Tf2Int8ModelIsCutBeforeItsConvHeadAndOutputQuantize) {
  const ir::Graph g = Read("tf2_mobilenet_v2_1.0_224_ptq.tflite");
  auto cut = transfer::CutHead(g, "", "tf2.tflite");
  ASSERT_TRUE(cut.ok()) << cut.status().message();
  EXPECT_EQ(cut->kind, transfer::HeadKind::kConv1x1);
  EXPECT_EQ(cut->removed_ops, (std::vector<std::string>{"CONV_2D", "RESHAPE", "SOFTMAX", "QUANTIZE"}));
  const ir::Tensor& f = cut->backbone.tensor(cut->feature);
  EXPECT_EQ(f.shape, (Shape{1, 1, 1, 1280}));
  EXPECT_EQ(f.dtype, DType::kInt8);
  EXPECT_EQ(ir::OpName(cut->backbone.ops.back()), "MEAN");
  EXPECT_EQ(ir::OpName(cut->backbone.ops.front()), "QUANTIZE");  // the uint8 input stays
  EXPECT_EQ(cut->original_output.dtype, DType::kUInt8);
}

TEST(TransferHeadCut, EmbeddingExtractorHasNothingToCut) {
  const ir::Graph g = Read("mobilenet_v1_1.0_224_quant_embedding_extractor.tflite");
  auto cut = transfer::CutHead(g, "", "extractor.tflite");
  ASSERT_TRUE(cut.ok()) << cut.status().message();
  EXPECT_EQ(cut->kind, transfer::HeadKind::kNone);
  EXPECT_TRUE(cut->removed_ops.empty());
  EXPECT_EQ(cut->backbone.ops.size(), g.ops.size());
  EXPECT_EQ(cut->backbone.tensor(cut->feature).shape, (Shape{1, 1, 1, 1024}));
}

TEST(TransferHeadCut, CutAtNamesTheFeatureTensor) {
  const ir::Graph g = Read("mobilenet_v1_0.25_128_quant.tflite");
  auto cut = transfer::CutHead(g, "MobilenetV1/MobilenetV1/Conv2d_13_pointwise/Relu6;MobilenetV1/MobilenetV1/"
                                  "Conv2d_13_pointwise/add_fold;MobilenetV1/MobilenetV1/Conv2d_13_pointwise/"
                                  "Conv2D_Fold;MobilenetV1/MobilenetV1/Conv2d_13_pointwise/BatchNorm_Fold/bias",
                               "v1.tflite");
  ASSERT_TRUE(cut.ok()) << cut.status().message();
  EXPECT_EQ(cut->kind, transfer::HeadKind::kCutAt);
  EXPECT_EQ(cut->backbone.tensor(cut->feature).shape, (Shape{1, 4, 4, 256}));
  EXPECT_EQ(ir::OpName(cut->backbone.ops.back()), "CONV_2D") << OpsOf(cut->backbone);
  EXPECT_EQ(cut->removed_ops, (std::vector<std::string>{"AVERAGE_POOL_2D", "CONV_2D", "RESHAPE", "SOFTMAX"}));

  auto missing = transfer::CutHead(g, "no/such/tensor", "v1.tflite");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("v1.tflite: no tensor named 'no/such/tensor'"), std::string::npos)
      << missing.status().message();
  auto input = transfer::CutHead(g, "input", "v1.tflite");
  ASSERT_FALSE(input.ok());
  EXPECT_NE(input.status().message().find("needs an activation"), std::string::npos) << input.status().message();
}

TEST(TransferHeadCut, FullyConnectedHeadIsFound) {
  // pooled [1,4] -> FULLY_CONNECTED [1,3] -> SOFTMAX, float.
  ir::Graph g;
  ir::Tensor t;
  t.name = "image";
  t.shape = {1, 2, 2, 4};
  g.inputs = {g.AddTensor(t)};
  t.name = "pooled";
  t.shape = {1, 1, 1, 4};
  const int pooled = g.AddTensor(t);
  ir::Op pool;
  pool.type = ir::OpType::kAveragePool2D;
  pool.inputs = {g.inputs[0]};
  pool.outputs = {pooled};
  pool.options = ir::Pool2DOptions{ir::Padding::kValid, 2, 2, 2, 2};
  g.AddOp(pool);
  t.name = "w";
  t.shape = {3, 4};
  t.SetValues(std::vector<float>(12, 0.5f));
  const int w = g.AddTensor(t);
  ir::Tensor logits;
  logits.name = "logits";
  logits.shape = {1, 3};
  const int l = g.AddTensor(logits);
  ir::Op fc;
  fc.type = ir::OpType::kFullyConnected;
  fc.inputs = {pooled, w, ir::kNoTensor};
  fc.outputs = {l};
  fc.options = ir::FullyConnectedOptions{};
  g.AddOp(fc);
  logits.name = "probs";
  const int p = g.AddTensor(logits);
  ir::Op sm;
  sm.type = ir::OpType::kSoftmax;
  sm.inputs = {l};
  sm.outputs = {p};
  sm.options = ir::SoftmaxOptions{};
  g.AddOp(sm);
  g.outputs = {p};

  auto cut = transfer::CutHead(g, "", "fc.tflite");
  ASSERT_TRUE(cut.ok()) << cut.status().message();
  EXPECT_EQ(cut->kind, transfer::HeadKind::kFullyConnected);
  EXPECT_EQ(cut->feature_name, "pooled");
  EXPECT_EQ(cut->backbone.tensors.size(), 2u);  // image and pooled; w went with the head
  EXPECT_EQ(cut->removed_ops, (std::vector<std::string>{"FULLY_CONNECTED", "SOFTMAX"}));
}

TEST(TransferHeadCut, UnrecognisableHeadAsksForCutAt) {
  // A classifier that ends with SOFTMAX straight after pooling: nothing to call a head.
  ir::Graph g = Read("mobilenet_v1_0.25_128_quant.tflite");
  ir::Graph cut_short = transfer::TruncateAt(g, g.ops[27].outputs[0], &g.outputs[0]);  // AVERAGE_POOL_2D
  ir::Graph odd = cut_short;
  ir::Tensor probs = odd.tensor(odd.outputs[0]);
  probs.name = "probs";
  const int p = odd.AddTensor(probs);
  ir::Op sm;
  sm.type = ir::OpType::kSoftmax;
  sm.inputs = {odd.outputs[0]};
  sm.outputs = {p};
  sm.options = ir::SoftmaxOptions{};
  odd.AddOp(sm);
  odd.outputs = {p};
  auto cut = transfer::CutHead(odd, "", "odd.tflite");
  ASSERT_FALSE(cut.ok());
  const std::string& m = cut.status().message();
  EXPECT_NE(m.find("odd.tflite: no recognisable classifier head"), std::string::npos) << m;
  EXPECT_NE(m.find("AVERAGE_POOL_2D -> SOFTMAX"), std::string::npos) << m;
  EXPECT_NE(m.find("--cut-at"), std::string::npos) << m;
}

}  // namespace
}  // namespace edgeforge
