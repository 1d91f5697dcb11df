#include "ir/verifier.h"

#include <gtest/gtest.h>

namespace edgeforge::ir {
namespace {

Tensor Act(const std::string& name, Shape shape, DType dtype = DType::kFloat32) {
  Tensor t;
  t.name = name;
  t.shape = std::move(shape);
  t.dtype = dtype;
  return t;
}

Tensor Const(const std::string& name, Shape shape, std::vector<float> values) {
  Tensor t = Act(name, std::move(shape));
  t.SetValues(values);
  return t;
}

Tensor ConstInt(const std::string& name, Shape shape, std::vector<int32_t> values) {
  Tensor t = Act(name, std::move(shape), DType::kInt32);
  t.SetValues(values);
  return t;
}

// input [1,8,8,3] -> CONV 3x3 stride 2 SAME (4 filters) -> [1,4,4,4]
Graph ConvGraph(Shape declared_out) {
  Graph g;
  int in = g.AddTensor(Act("in", {1, 8, 8, 3}));
  int w = g.AddTensor(Const("w", {4, 3, 3, 3}, std::vector<float>(4 * 27, 0.1f)));
  int b = g.AddTensor(Const("b", {4}, std::vector<float>(4, 0.f)));
  int out = g.AddTensor(Act("out", std::move(declared_out)));
  Op op;
  op.type = OpType::kConv2D;
  op.inputs = {in, w, b};
  op.outputs = {out};
  Conv2DOptions o;
  o.stride_h = o.stride_w = 2;
  op.options = o;
  g.AddOp(op);
  g.inputs = {in};
  g.outputs = {out};
  return g;
}

TEST(IrVerifier, AcceptsConsistentConv) { EXPECT_TRUE(Verify(ConvGraph({1, 4, 4, 4}), "m").ok()); }

TEST(IrVerifier, RejectsWrongDeclaredShape) {
  Status s = Verify(ConvGraph({1, 3, 3, 4}), "m.tflite");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("m.tflite: op 0 (CONV_2D)"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("[1,4,4,4]"), std::string::npos) << s.message();
}

TEST(IrVerifier, RejectsReadBeforeWrite) {
  Graph g = ConvGraph({1, 4, 4, 4});
  g.inputs = {g.AddTensor(Act("other", {1}))};
  Status s = Verify(g, "m");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("read before any op produces it"), std::string::npos) << s.message();
}

TEST(IrVerifier, RejectsOutOfRangeIndex) {
  Graph g = ConvGraph({1, 4, 4, 4});
  g.ops[0].inputs[1] = 99;
  EXPECT_NE(Verify(g, "m").message().find("out of range"), std::string::npos);
}

TEST(IrVerifier, RejectsDtypeMismatch) {
  Graph g = ConvGraph({1, 4, 4, 4});
  g.tensor(g.outputs[0]).dtype = DType::kInt8;
  EXPECT_NE(Verify(g, "m").message().find("is int8 but input"), std::string::npos);
}

TEST(IrVerifier, BiasSizeChecked) {
  Graph g = ConvGraph({1, 4, 4, 4});
  g.tensor(g.ops[0].inputs[2]) = Const("b", {3}, {0, 0, 0});
  EXPECT_NE(Verify(g, "m").message().find("bias"), std::string::npos);
}

TEST(IrVerifier, PaddingMatchesTflite) {
  // SAME: out = ceil(in/stride); total = max((out-1)*s + k - in, 0); before = total/2.
  PaddingResult p = ComputePadding(Padding::kSame, 224, 3, 2, 1);
  EXPECT_EQ(p.out, 112);
  EXPECT_EQ(p.before, 0);
  EXPECT_EQ(p.after, 1);
  p = ComputePadding(Padding::kSame, 7, 3, 1, 2);  // dilated: effective k = 5
  EXPECT_EQ(p.out, 7);
  EXPECT_EQ(p.before, 2);
  p = ComputePadding(Padding::kValid, 224, 3, 2, 1);
  EXPECT_EQ(p.out, 111);
  p = ComputePadding(Padding::kValid, 2, 3, 1, 1);
  EXPECT_EQ(p.out, 0);
}

TEST(IrVerifier, ShapeInferenceForShapeOps) {
  Graph g;
  int in = g.AddTensor(Act("in", {1, 7, 7, 8}));
  int axes = g.AddTensor(ConstInt("axes", {2}, {1, 2}));
  int mean = g.AddTensor(Act("mean", {1, 1, 1, 8}));
  int shape = g.AddTensor(ConstInt("shape", {2}, {1, -1}));
  int flat = g.AddTensor(Act("flat", {1, 8}));
  Op m;
  m.type = OpType::kMean;
  m.inputs = {in, axes};
  m.outputs = {mean};
  m.options = ReducerOptions{true};
  g.AddOp(m);
  Op r;
  r.type = OpType::kReshape;
  r.inputs = {mean, shape};
  r.outputs = {flat};
  r.options = ReshapeOptions{};
  g.AddOp(r);
  g.inputs = {in};
  g.outputs = {flat};
  EXPECT_TRUE(Verify(g, "m").ok()) << Verify(g, "m").message();
  g.ops[0].options = ReducerOptions{false};
  EXPECT_NE(Verify(g, "m").message().find("[1,8]"), std::string::npos);
}

TEST(IrVerifier, UnsupportedOpsAreNotShapeChecked) {
  Graph g;
  int in = g.AddTensor(Act("in", {1, 28, 28}));
  int out = g.AddTensor(Act("out", {1, 10}));
  Op op;
  op.type = OpType::kUnsupportedBuiltin;
  op.builtin_code = 44;
  op.inputs = {in};
  op.outputs = {out};
  g.AddOp(op);
  g.inputs = {in};
  g.outputs = {out};
  EXPECT_TRUE(Verify(g, "m").ok());
  EXPECT_EQ(OpName(g.ops[0]), "UNIDIRECTIONAL_SEQUENCE_LSTM");
}

}  // namespace
}  // namespace edgeforge::ir
