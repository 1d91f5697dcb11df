// Small graphs built in memory for the tflite writer and oracle tests (header-only: the test
// sources are globbed into one binary).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace edgeforge::testing {

inline int AddActivation(ir::Graph& g, const std::string& name, DType dtype, Shape shape,
                         QuantParams quant = {}) {
  ir::Tensor t;
  t.name = name;
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.quant = std::move(quant);
  return g.AddTensor(std::move(t));
}

template <typename T>
int AddConstant(ir::Graph& g, const std::string& name, DType dtype, Shape shape,
                const std::vector<T>& values) {
  ir::Tensor t;
  t.name = name;
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.SetValues(values);
  return g.AddTensor(std::move(t));
}

// Deterministic pseudo-random floats in [-0.5, 0.5) (a fixed LCG: same values on every run).
inline std::vector<float> PseudoRandomFloats(size_t n, uint32_t seed) {
  std::vector<float> out(n);
  uint32_t state = seed;
  for (float& v : out) {
    state = state * 1664525u + 1013904223u;
    v = static_cast<float>(state >> 8) / 16777216.0f - 0.5f;
  }
  return out;
}

inline ir::Op& AddOp(ir::Graph& g, ir::OpType type, std::vector<int> inputs,
                     std::vector<int> outputs, ir::OpOptions options = std::monostate{}) {
  ir::Op op;
  op.type = type;
  op.inputs = std::move(inputs);
  op.outputs = std::move(outputs);
  op.options = std::move(options);
  return g.AddOp(std::move(op));
}

// A builtin edgeforge does not run but the writer passes through (see tflite/op_options.h).
inline ir::Op& AddPassThroughOp(ir::Graph& g, int32_t builtin_code, std::vector<int> inputs,
                                std::vector<int> outputs,
                                ir::OpOptions options = std::monostate{}) {
  ir::Op& op = AddOp(g, ir::OpType::kUnsupportedBuiltin, std::move(inputs), std::move(outputs),
                     std::move(options));
  op.builtin_code = builtin_code;
  return op;
}

// A float32 model, input [1,8,8,3], that uses every op type the writer emits as a builtin, plus
// a few pass-through builtins (DIV, TRANSPOSE, SUM, RELU_0_TO_1: code 152 > 127 exercises the
// two opcode fields). Shapes are consistent, so the TFLite runtime can run it. Output 0 is the
// dequantized softmax [1,5] (sums to ~1), output 1 its argmax as float [1].
inline ir::Graph AllOpsFloatGraph() {
  using ir::OpType;
  const DType f32 = DType::kFloat32, i32 = DType::kInt32;
  ir::Graph g;
  g.description = "edgeforge all-ops test graph";
  const int x = AddActivation(g, "input", f32, {1, 8, 8, 3});
  g.inputs = {x};

  const int w1 = AddConstant(g, "conv/weights", f32, {4, 3, 3, 3}, PseudoRandomFloats(108, 1));
  const int b1 = AddConstant(g, "conv/bias", f32, {4}, PseudoRandomFloats(4, 2));
  const int c1 = AddActivation(g, "conv", f32, {1, 8, 8, 4});
  AddOp(g, OpType::kConv2D, {x, w1, b1}, {c1},
        ir::Conv2DOptions{ir::Padding::kSame, 1, 1, ir::Activation::kRelu, 1, 1});

  const int w2 = AddConstant(g, "dw/weights", f32, {1, 3, 3, 4}, PseudoRandomFloats(36, 3));
  const int b2 = AddConstant(g, "dw/bias", f32, {4}, PseudoRandomFloats(4, 4));
  const int d1 = AddActivation(g, "dw", f32, {1, 4, 4, 4});
  AddOp(g, OpType::kDepthwiseConv2D, {c1, w2, b2}, {d1},
        ir::DepthwiseConv2DOptions{ir::Padding::kSame, 2, 2, 1, ir::Activation::kRelu6, 1, 1});

  const int p1 = AddActivation(g, "maxpool", f32, {1, 2, 2, 4});
  AddOp(g, OpType::kMaxPool2D, {d1}, {p1},
        ir::Pool2DOptions{ir::Padding::kValid, 2, 2, 2, 2, ir::Activation::kNone});
  const int p2 = AddActivation(g, "avgpool", f32, {1, 2, 2, 4});
  AddOp(g, OpType::kAveragePool2D, {d1}, {p2},
        ir::Pool2DOptions{ir::Padding::kValid, 2, 2, 2, 2, ir::Activation::kNone});

  const int a1 = AddActivation(g, "add", f32, {1, 2, 2, 4});
  AddOp(g, OpType::kAdd, {p1, p2}, {a1}, ir::ElementwiseOptions{ir::Activation::kNone});
  const int two = AddConstant(g, "two", f32, {1}, std::vector<float>{2.0f});
  const int dv = AddActivation(g, "div", f32, {1, 2, 2, 4});
  AddPassThroughOp(g, 42 /* DIV */, {a1, two}, {dv}, ir::ElementwiseOptions{ir::Activation::kNone});
  const int m1 = AddActivation(g, "mul", f32, {1, 2, 2, 4});
  AddOp(g, OpType::kMul, {dv, p2}, {m1}, ir::ElementwiseOptions{ir::Activation::kNone});
  const int s1 = AddActivation(g, "sub", f32, {1, 2, 2, 4});
  AddOp(g, OpType::kSub, {m1, p1}, {s1}, ir::ElementwiseOptions{ir::Activation::kNone});

  const int l1 = AddActivation(g, "logistic", f32, {1, 2, 2, 4});
  AddOp(g, OpType::kLogistic, {s1}, {l1});
  const int t1 = AddActivation(g, "tanh", f32, {1, 2, 2, 4});
  AddOp(g, OpType::kTanh, {l1}, {t1});
  const int r1 = AddActivation(g, "relu", f32, {1, 2, 2, 4});
  AddOp(g, OpType::kRelu, {t1}, {r1});
  const int r6 = AddActivation(g, "relu6", f32, {1, 2, 2, 4});
  AddOp(g, OpType::kRelu6, {r1}, {r6});
  const int r01 = AddActivation(g, "relu_0_to_1", f32, {1, 2, 2, 4});
  AddPassThroughOp(g, 152 /* RELU_0_TO_1 */, {r6}, {r01});
  const int hs = AddActivation(g, "hard_swish", f32, {1, 2, 2, 4});
  AddOp(g, OpType::kHardSwish, {r01}, {hs});

  const int pads =
      AddConstant(g, "paddings", i32, {4, 2}, std::vector<int32_t>{0, 0, 1, 1, 1, 1, 0, 0});
  const int pd = AddActivation(g, "pad", f32, {1, 4, 4, 4});
  AddOp(g, OpType::kPad, {hs, pads}, {pd});
  const int size8 = AddConstant(g, "size8", i32, {2}, std::vector<int32_t>{8, 8});
  const int rb = AddActivation(g, "resize_bilinear", f32, {1, 8, 8, 4});
  AddOp(g, OpType::kResizeBilinear, {pd, size8}, {rb}, ir::ResizeOptions{false, true});
  const int size4 = AddConstant(g, "size4", i32, {2}, std::vector<int32_t>{4, 4});
  const int rn = AddActivation(g, "resize_nearest", f32, {1, 4, 4, 4});
  AddOp(g, OpType::kResizeNearestNeighbor, {rb, size4}, {rn}, ir::ResizeOptions{false, false});

  const int axis3 = AddConstant(g, "split_axis", i32, {}, std::vector<int32_t>{3});
  const int sp0 = AddActivation(g, "split0", f32, {1, 4, 4, 2});
  const int sp1 = AddActivation(g, "split1", f32, {1, 4, 4, 2});
  AddOp(g, OpType::kSplit, {axis3, rn}, {sp0, sp1}, ir::SplitOptions{2});
  const int cc = AddActivation(g, "concat", f32, {1, 4, 4, 4});
  AddOp(g, OpType::kConcatenation, {sp1, sp0}, {cc},
        ir::ConcatenationOptions{3, ir::Activation::kNone});
  const int perm = AddConstant(g, "perm", i32, {4}, std::vector<int32_t>{0, 2, 1, 3});
  const int tr = AddActivation(g, "transpose", f32, {1, 4, 4, 4});
  AddPassThroughOp(g, 39 /* TRANSPOSE */, {cc, perm}, {tr});
  const int l2 = AddActivation(g, "l2norm", f32, {1, 4, 4, 4});
  AddOp(g, OpType::kL2Normalization, {tr}, {l2}, ir::L2NormOptions{ir::Activation::kNone});
  const int axis_c = AddConstant(g, "sum_axes", i32, {1}, std::vector<int32_t>{3});
  const int su = AddActivation(g, "sum", f32, {1, 4, 4, 1});
  AddPassThroughOp(g, 74 /* SUM */, {l2, axis_c}, {su}, ir::ReducerOptions{true});
  const int l2b = AddActivation(g, "scaled", f32, {1, 4, 4, 4});
  AddOp(g, OpType::kMul, {l2, su}, {l2b}, ir::ElementwiseOptions{ir::Activation::kNone});

  const int axes = AddConstant(g, "mean_axes", i32, {2}, std::vector<int32_t>{1, 2});
  const int mn = AddActivation(g, "mean", f32, {1, 4});
  AddOp(g, OpType::kMean, {l2b, axes}, {mn}, ir::ReducerOptions{false});
  const int shape = AddConstant(g, "new_shape", i32, {4}, std::vector<int32_t>{1, 1, 1, 4});
  const int rs = AddActivation(g, "reshape", f32, {1, 1, 1, 4});
  AddOp(g, OpType::kReshape, {mn, shape}, {rs}, ir::ReshapeOptions{{1, 1, 1, 4}});
  const int sq = AddActivation(g, "squeeze", f32, {1, 4});
  AddOp(g, OpType::kSqueeze, {rs}, {sq}, ir::SqueezeOptions{{1, 2}});

  const int fw = AddConstant(g, "fc/weights", f32, {5, 4}, PseudoRandomFloats(20, 5));
  const int fb = AddConstant(g, "fc/bias", f32, {5}, PseudoRandomFloats(5, 6));
  const int fc = AddActivation(g, "fc", f32, {1, 5});
  AddOp(g, OpType::kFullyConnected, {sq, fw, fb}, {fc},
        ir::FullyConnectedOptions{ir::Activation::kNone, false});
  const int sm = AddActivation(g, "softmax", f32, {1, 5});
  AddOp(g, OpType::kSoftmax, {fc}, {sm}, ir::SoftmaxOptions{1.0f});

  QuantParams q;
  q.scale = {1.0f / 256};
  q.zero_point = {0};
  const int qt = AddActivation(g, "quantized", DType::kUInt8, {1, 5}, q);
  AddOp(g, OpType::kQuantize, {sm}, {qt});
  const int dq = AddActivation(g, "dequantized", f32, {1, 5});
  AddOp(g, OpType::kDequantize, {qt}, {dq});
  const int am_axis = AddConstant(g, "argmax_axis", i32, {1}, std::vector<int32_t>{1});
  const int am = AddActivation(g, "argmax", i32, {1});
  AddOp(g, OpType::kArgMax, {dq, am_axis}, {am}, ir::ArgMaxOptions{false});
  const int cs = AddActivation(g, "argmax_float", f32, {1});
  AddOp(g, OpType::kCast, {am}, {cs});

  g.outputs = {dq, cs};
  return g;
}

}  // namespace edgeforge::testing
