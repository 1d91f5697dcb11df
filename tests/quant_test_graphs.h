// Small float graphs for the quantizer's tests (header-only: the test sources are globbed into
// one binary), and helpers that run a model in edgeforge's runtime and in the TFLite oracle.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "runtime/interpreter.h"
#include "test_util.h"
#include "tflite_test_graphs.h"

namespace edgeforge::testing {

// input [1,8,8,3] -> CONV 3x3 (8, RELU6) -> DEPTHWISE 3x3 /2 (RELU6) -> CONV 1x1 (8) -> ADD
// (with the depthwise output) -> MEAN over H,W -> FULLY_CONNECTED (5) -> SOFTMAX: the op mix
// of a MobileNetV2, small enough for sanitizer builds.
inline ir::Graph SmallMobileNetGraph() {
  using ir::OpType;
  const DType f32 = DType::kFloat32, i32 = DType::kInt32;
  ir::Graph g;
  const int x = AddActivation(g, "input", f32, {1, 8, 8, 3});
  g.inputs = {x};
  const int w1 = AddConstant(g, "conv1/weights", f32, {8, 3, 3, 3}, PseudoRandomFloats(8 * 27, 11));
  const int b1 = AddConstant(g, "conv1/bias", f32, {8}, PseudoRandomFloats(8, 12));
  const int c1 = AddActivation(g, "conv1", f32, {1, 8, 8, 8});
  AddOp(g, OpType::kConv2D, {x, w1, b1}, {c1}, ir::Conv2DOptions{ir::Padding::kSame, 1, 1, ir::Activation::kRelu6, 1, 1});
  const int w2 = AddConstant(g, "dw/weights", f32, {1, 3, 3, 8}, PseudoRandomFloats(72, 13));
  const int b2 = AddConstant(g, "dw/bias", f32, {8}, PseudoRandomFloats(8, 14));
  const int d1 = AddActivation(g, "dw", f32, {1, 4, 4, 8});
  AddOp(g, OpType::kDepthwiseConv2D, {c1, w2, b2}, {d1},
        ir::DepthwiseConv2DOptions{ir::Padding::kSame, 2, 2, 1, ir::Activation::kRelu6, 1, 1});
  const int w3 = AddConstant(g, "project/weights", f32, {8, 1, 1, 8}, PseudoRandomFloats(64, 15));
  const int b3 = AddConstant(g, "project/bias", f32, {8}, PseudoRandomFloats(8, 16));
  const int c3 = AddActivation(g, "project", f32, {1, 4, 4, 8});
  AddOp(g, OpType::kConv2D, {d1, w3, b3}, {c3}, ir::Conv2DOptions{ir::Padding::kSame, 1, 1, ir::Activation::kNone, 1, 1});
  const int a = AddActivation(g, "residual", f32, {1, 4, 4, 8});
  AddOp(g, OpType::kAdd, {c3, d1}, {a}, ir::ElementwiseOptions{});
  const int axes = AddConstant(g, "mean/axes", i32, {2}, std::vector<int32_t>{1, 2});
  const int m = AddActivation(g, "pool", f32, {1, 8});
  AddOp(g, OpType::kMean, {a, axes}, {m}, ir::ReducerOptions{false});
  const int fw = AddConstant(g, "logits/weights", f32, {5, 8}, PseudoRandomFloats(40, 17));
  const int fb = AddConstant(g, "logits/bias", f32, {5}, PseudoRandomFloats(5, 18));
  const int l = AddActivation(g, "logits", f32, {1, 5});
  AddOp(g, OpType::kFullyConnected, {m, fw, fb}, {l}, ir::FullyConnectedOptions{});
  const int p = AddActivation(g, "probabilities", f32, {1, 5});
  AddOp(g, OpType::kSoftmax, {l}, {p}, ir::SoftmaxOptions{1.0f});
  g.outputs = {p};
  g.metadata.labels = {"a", "b", "c", "d", "e"};
  return g;
}

// Ops whose inputs and output share quantization, and constants read by ADD / MUL:
// input [1,8,8,3] -> CONV 3x3 (4, RELU) -> MAX_POOL 2x2 | AVERAGE_POOL 2x2 -> CONCATENATION ->
// PAD 1 -> CONV 3x3 VALID (no bias) -> ADD constant -> MUL constant -> RESHAPE [1,128] ->
// FULLY_CONNECTED (5) -> LOGISTIC.
inline ir::Graph SharedParamsGraph() {
  using ir::OpType;
  const DType f32 = DType::kFloat32, i32 = DType::kInt32;
  ir::Graph g;
  const int x = AddActivation(g, "input", f32, {1, 8, 8, 3});
  g.inputs = {x};
  const int w1 = AddConstant(g, "conv/weights", f32, {4, 3, 3, 3}, PseudoRandomFloats(108, 21));
  const int b1 = AddConstant(g, "conv/bias", f32, {4}, PseudoRandomFloats(4, 22));
  const int c1 = AddActivation(g, "conv", f32, {1, 8, 8, 4});
  AddOp(g, OpType::kConv2D, {x, w1, b1}, {c1}, ir::Conv2DOptions{ir::Padding::kSame, 1, 1, ir::Activation::kRelu, 1, 1});
  const int mp = AddActivation(g, "maxpool", f32, {1, 4, 4, 4});
  AddOp(g, OpType::kMaxPool2D, {c1}, {mp}, ir::Pool2DOptions{ir::Padding::kValid, 2, 2, 2, 2, ir::Activation::kNone});
  const int ap = AddActivation(g, "avgpool", f32, {1, 4, 4, 4});
  AddOp(g, OpType::kAveragePool2D, {c1}, {ap}, ir::Pool2DOptions{ir::Padding::kValid, 2, 2, 2, 2, ir::Activation::kNone});
  const int cc = AddActivation(g, "concat", f32, {1, 4, 4, 8});
  AddOp(g, OpType::kConcatenation, {mp, ap}, {cc}, ir::ConcatenationOptions{3, ir::Activation::kNone});
  const int pads = AddConstant(g, "paddings", i32, {4, 2}, std::vector<int32_t>{0, 0, 1, 1, 1, 1, 0, 0});
  const int pd = AddActivation(g, "pad", f32, {1, 6, 6, 8});
  AddOp(g, OpType::kPad, {cc, pads}, {pd});
  const int w2 = AddConstant(g, "conv2/weights", f32, {8, 3, 3, 8}, PseudoRandomFloats(576, 23));
  const int c2 = AddActivation(g, "conv2", f32, {1, 4, 4, 8});
  AddOp(g, OpType::kConv2D, {pd, w2}, {c2}, ir::Conv2DOptions{ir::Padding::kValid, 1, 1, ir::Activation::kNone, 1, 1});
  const int offset = AddConstant(g, "offset", f32, {8}, PseudoRandomFloats(8, 24));
  const int ad = AddActivation(g, "add", f32, {1, 4, 4, 8});
  AddOp(g, OpType::kAdd, {c2, offset}, {ad}, ir::ElementwiseOptions{});
  const int gain = AddConstant(g, "gain", f32, {8}, PseudoRandomFloats(8, 25));
  const int mu = AddActivation(g, "mul", f32, {1, 4, 4, 8});
  AddOp(g, OpType::kMul, {ad, gain}, {mu}, ir::ElementwiseOptions{});
  const int shape = AddConstant(g, "shape", i32, {2}, std::vector<int32_t>{1, 128});
  const int rs = AddActivation(g, "flatten", f32, {1, 128});
  AddOp(g, OpType::kReshape, {mu, shape}, {rs}, ir::ReshapeOptions{{1, 128}});
  const int fw = AddConstant(g, "fc/weights", f32, {5, 128}, PseudoRandomFloats(640, 26));
  const int fb = AddConstant(g, "fc/bias", f32, {5}, PseudoRandomFloats(5, 27));
  const int fc = AddActivation(g, "fc", f32, {1, 5});
  AddOp(g, OpType::kFullyConnected, {rs, fw, fb}, {fc}, ir::FullyConnectedOptions{});
  const int lg = AddActivation(g, "logistic", f32, {1, 5});
  AddOp(g, OpType::kLogistic, {fc}, {lg});
  g.outputs = {lg};
  return g;
}

// The element-wise and shape ops of the int8 op set:
// input [1,8,8,3] -> CONV 1x1 (4) -> RELU -> HARD_SWISH -> SUB (with the RELU output) -> RELU6
// -> RESIZE_BILINEAR 4x4 -> RESIZE_NEAREST_NEIGHBOR 8x8 -> SPLIT (channels, 2) -> CONCATENATION
// (swapped) -> TANH -> MEAN (H, W, keep dims) -> SQUEEZE -> L2_NORMALIZATION.
inline ir::Graph ElementwiseAndShapeOpsGraph() {
  using ir::OpType;
  const DType f32 = DType::kFloat32, i32 = DType::kInt32;
  ir::Graph g;
  const int x = AddActivation(g, "input", f32, {1, 8, 8, 3});
  g.inputs = {x};
  const int w = AddConstant(g, "conv/weights", f32, {4, 1, 1, 3}, PseudoRandomFloats(12, 41));
  const int b = AddConstant(g, "conv/bias", f32, {4}, PseudoRandomFloats(4, 42));
  const int c = AddActivation(g, "conv", f32, {1, 8, 8, 4});
  AddOp(g, OpType::kConv2D, {x, w, b}, {c}, ir::Conv2DOptions{ir::Padding::kSame, 1, 1, ir::Activation::kNone, 1, 1});
  const int relu = AddActivation(g, "relu", f32, {1, 8, 8, 4});
  AddOp(g, OpType::kRelu, {c}, {relu});
  const int hs = AddActivation(g, "hard_swish", f32, {1, 8, 8, 4});
  AddOp(g, OpType::kHardSwish, {relu}, {hs});
  const int sub = AddActivation(g, "sub", f32, {1, 8, 8, 4});
  AddOp(g, OpType::kSub, {hs, relu}, {sub}, ir::ElementwiseOptions{});
  const int r6 = AddActivation(g, "relu6", f32, {1, 8, 8, 4});
  AddOp(g, OpType::kRelu6, {sub}, {r6});
  const int size4 = AddConstant(g, "size4", i32, {2}, std::vector<int32_t>{4, 4});
  const int rb = AddActivation(g, "resize_bilinear", f32, {1, 4, 4, 4});
  AddOp(g, OpType::kResizeBilinear, {r6, size4}, {rb}, ir::ResizeOptions{false, false});
  const int size8 = AddConstant(g, "size8", i32, {2}, std::vector<int32_t>{8, 8});
  const int rn = AddActivation(g, "resize_nearest", f32, {1, 8, 8, 4});
  AddOp(g, OpType::kResizeNearestNeighbor, {rb, size8}, {rn}, ir::ResizeOptions{false, false});
  const int axis = AddConstant(g, "split_axis", i32, {}, std::vector<int32_t>{3});
  const int s0 = AddActivation(g, "split0", f32, {1, 8, 8, 2});
  const int s1 = AddActivation(g, "split1", f32, {1, 8, 8, 2});
  AddOp(g, OpType::kSplit, {axis, rn}, {s0, s1}, ir::SplitOptions{2});
  const int cc = AddActivation(g, "concat", f32, {1, 8, 8, 4});
  AddOp(g, OpType::kConcatenation, {s1, s0}, {cc}, ir::ConcatenationOptions{3, ir::Activation::kNone});
  const int th = AddActivation(g, "tanh", f32, {1, 8, 8, 4});
  AddOp(g, OpType::kTanh, {cc}, {th});
  const int axes = AddConstant(g, "mean_axes", i32, {2}, std::vector<int32_t>{1, 2});
  const int mn = AddActivation(g, "mean", f32, {1, 1, 1, 4});
  AddOp(g, OpType::kMean, {th, axes}, {mn}, ir::ReducerOptions{true});
  const int sq = AddActivation(g, "squeeze", f32, {1, 4});
  AddOp(g, OpType::kSqueeze, {mn}, {sq}, ir::SqueezeOptions{{1, 2}});
  const int l2 = AddActivation(g, "l2norm", f32, {1, 4});
  AddOp(g, OpType::kL2Normalization, {sq}, {l2}, ir::L2NormOptions{ir::Activation::kNone});
  g.outputs = {l2};
  return g;
}

// `count` float inputs for a [1,8,8,3] graph, values in [-1, 1) (fixed seeds).
inline std::vector<std::vector<uint8_t>> RandomFloatInputs(size_t count, size_t elements, uint32_t seed) {
  std::vector<std::vector<uint8_t>> inputs;
  for (size_t i = 0; i < count; ++i) {
    std::vector<float> v = PseudoRandomFloats(elements, seed + static_cast<uint32_t>(i));
    for (float& f : v) f *= 2;
    std::vector<uint8_t> bytes(v.size() * sizeof(float));
    std::memcpy(bytes.data(), v.data(), bytes.size());
    inputs.push_back(std::move(bytes));
  }
  return inputs;
}

inline std::string QuantOracleScript() { return std::string(EF_BINARY_DIR) + "/oracle/run_tflite.mjs"; }

// Output 0 of `model` on `input`, run by edgeforge's runtime.
inline std::vector<uint8_t> RunOurRuntime(std::shared_ptr<const ir::Graph> model, const std::vector<uint8_t>& input) {
  auto interp = runtime::Interpreter::Create(model, "model");
  EXPECT_TRUE(interp.ok()) << interp.status().message();
  if (!interp.ok()) return {};
  runtime::RtTensor& in = interp.value()->input(0);
  EXPECT_EQ(in.bytes(), input.size());
  if (in.bytes() != input.size()) return {};
  std::memcpy(in.data, input.data(), input.size());
  Status s = interp.value()->Invoke();
  EXPECT_TRUE(s.ok()) << s.message();
  const runtime::RtTensor& out = interp.value()->output(0);
  return std::vector<uint8_t>(out.data, out.data + out.bytes());
}

// Output 0 of the model file at `path` on `input`, run by the TFLite oracle.
inline std::vector<uint8_t> RunOracle(const std::string& path, const std::vector<uint8_t>& input, const TempDir& tmp) {
  EXPECT_TRUE(std::filesystem::exists(QuantOracleScript()))
      << "The TFLite oracle is not installed at " << QuantOracleScript() << " (scripts/test.sh installs it)";
  WriteBytes(tmp.file("oracle_in.bin"), input);
  std::filesystem::remove(tmp.file("oracle_out.bin"));
  CommandResult r = RunShell("node '" + QuantOracleScript() + "' '" + path + "' '" + tmp.file("oracle_in.bin") +
                             "' '" + tmp.file("oracle_out.bin") + "'");
  EXPECT_EQ(r.exit_code, 0) << "oracle failed on " << path << ": " << r.err;
  if (r.exit_code != 0) return {};
  return ReadBytes(tmp.file("oracle_out.bin"));
}

}  // namespace edgeforge::testing
