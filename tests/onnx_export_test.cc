// `edgeforge export onnx` against ONNX Runtime: each golden model exported to ONNX must rank the
// golden photos like edgeforge does, and small float graphs must compute the same numbers.
// Quantized models in QDQ form (the default) may differ from TFLite by a few steps in ORT, so the
// byte differences are reported and the top-5 compared within 2 steps; exported with
// --tflite-exact they must give the TFLite runtime's bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "edgeforge/interpreter.h"
#include "ir/graph.h"
#include "onnx/export.h"
#include "onnx_test_util.h"
#include "tflite/reader.h"
#include "tflite/writer.h"
#include "tflite_test_graphs.h"

namespace edgeforge::testing {
namespace {

// Quantized scores as integers, whatever the output dtype.
std::vector<int> IntegerScores(const std::vector<uint8_t>& bytes, DType dtype) {
  std::vector<int> scores(bytes.size());
  for (size_t i = 0; i < bytes.size(); ++i) {
    scores[i] = dtype == DType::kInt8 ? static_cast<int8_t>(bytes[i]) : static_cast<int>(bytes[i]);
  }
  return scores;
}

// The k best classes, highest first; ties keep the lower index first (as edgeforge::TopK).
std::vector<int> TopIndices(const std::vector<int>& scores, size_t k) {
  std::vector<int> order(scores.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return scores[a] > scores[b]; });
  order.resize(std::min(k, order.size()));
  return order;
}

std::string Describe(const std::vector<int>& top, const std::vector<int>& scores) {
  std::ostringstream s;
  for (int i : top) s << i << ":" << scores[static_cast<size_t>(i)] << " ";
  return s.str();
}

// Quantized softmax outputs are multiples of 1/256, so classes a step or two apart are ties for
// practical purposes, and which of them ORT ranks first depends on rounding. The top-5 lists
// count as the same when the top-1 class is identical and, position by position, the two picks
// score within `tolerance` steps of each other in both edgeforge's and ORT's output.
void ExpectSameTop5(const std::vector<int>& edgeforge, const std::vector<int>& ort, int tolerance) {
  const std::vector<int> top_ef = TopIndices(edgeforge, 5), top_ort = TopIndices(ort, 5);
  SCOPED_TRACE("top-5 edgeforge: " + Describe(top_ef, edgeforge) + " ORT: " + Describe(top_ort, ort));
  ASSERT_EQ(top_ef.size(), top_ort.size());
  EXPECT_EQ(top_ef[0], top_ort[0]);
  for (size_t k = 0; k < top_ef.size(); ++k) {
    const auto a = static_cast<size_t>(top_ef[k]), b = static_cast<size_t>(top_ort[k]);
    EXPECT_LE(std::abs(edgeforge[a] - edgeforge[b]), tolerance) << "position " << k;
    EXPECT_LE(std::abs(ort[a] - ort[b]), tolerance) << "position " << k;
  }
}

class OnnxExportOrtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!OrtInstalled()) FAIL() << OrtInstallHint();
  }
  TempDir tmp_;
};

// Every golden model and photo, exported both ways: with --tflite-exact ORT must give the TFLite
// runtime's bytes; in QDQ form (ORT's own quantized kernels) the same top-1 class, and a top-5
// whose picks score within 2 steps of each other.
TEST_F(OnnxExportOrtTest, GoldenModelsGiveTfliteBytesAndRankPhotosLikeEdgeforge) {
  std::ifstream index_file(TestData("golden/index.json"));
  ASSERT_TRUE(index_file) << "cannot read golden/index.json";
  const nlohmann::json index = nlohmann::json::parse(index_file);
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> photos_by_model;  // (image, input file)
  for (const auto& entry : index) {
    photos_by_model[entry["model"].get<std::string>()].emplace_back(entry["image"].get<std::string>(),
                                                                    entry["input"]["file"].get<std::string>());
  }
  ASSERT_EQ(photos_by_model.size(), 4u);

  for (const bool exact : {true, false}) {
    for (const auto& [model_name, photos] : photos_by_model) {
      SCOPED_TRACE(model_name + (exact ? " --tflite-exact" : ""));
      const std::string tflite_path = TestData("coral/" + model_name + ".tflite");
      const std::string onnx_path = tmp_.file(model_name + (exact ? "_exact" : "") + ".onnx");
      Status exported = onnx_export::ExportTfliteFile(tflite_path, onnx_path, {.tflite_exact = exact});
      ASSERT_TRUE(exported.ok()) << exported.message();

      std::vector<std::pair<std::string, std::string>> io;
      for (const auto& [image, input_file] : photos) {
        io.emplace_back(TestData("golden/" + input_file), tmp_.file(model_name + "__" + image + ".ort.bin"));
      }
      CommandResult ort = RunOrt(onnx_path, io);
      ASSERT_EQ(ort.exit_code, 0) << ort.err;

      auto model = Model::FromFile(tflite_path);
      ASSERT_TRUE(model.ok()) << model.status().message();
      const TensorInfo output = model.value()->outputs()[0];
      for (size_t i = 0; i < photos.size(); ++i) {
        SCOPED_TRACE(photos[i].first);
        auto ours = RunEdgeforge(model.value(), ReadBytes(io[i].first));
        ASSERT_TRUE(ours.ok()) << ours.status().message();
        const std::vector<uint8_t> theirs = ReadBytes(io[i].second);
        ASSERT_EQ(theirs.size(), ours.value().size());

        const std::vector<int> a = IntegerScores(ours.value(), output.dtype), b = IntegerScores(theirs, output.dtype);
        int differing = 0, largest = 0;
        for (size_t j = 0; j < a.size(); ++j) {
          differing += a[j] != b[j];
          largest = std::max(largest, std::abs(a[j] - b[j]));
        }
        std::printf("[ onnx-ort ] %s%s %s: %d of %zu output bytes differ (largest by %d steps); top-5 edgeforge %s| ORT %s\n",
                    model_name.c_str(), exact ? " --tflite-exact" : "", photos[i].first.c_str(), differing, a.size(),
                    largest, Describe(TopIndices(a, 5), a).c_str(), Describe(TopIndices(b, 5), b).c_str());
        if (exact) {
          EXPECT_EQ(differing, 0) << "largest by " << largest;
        }
        ExpectSameTop5(a, b, /*tolerance=*/2);
      }
    }
  }
}

// The float graph the issue asks for: conv + depthwise + add + mean + fully connected + softmax.
ir::Graph ClassifierFloatGraph() {
  using ir::OpType;
  const DType f32 = DType::kFloat32, i32 = DType::kInt32;
  ir::Graph g;
  const int x = AddActivation(g, "input", f32, {1, 9, 9, 3});
  g.inputs = {x};
  // SAME with stride 2 on an odd size pads one row/column before and after.
  const int w1 = AddConstant(g, "conv/weights", f32, {8, 3, 3, 3}, PseudoRandomFloats(216, 11));
  const int b1 = AddConstant(g, "conv/bias", f32, {8}, PseudoRandomFloats(8, 12));
  const int c1 = AddActivation(g, "conv", f32, {1, 5, 5, 8});
  AddOp(g, OpType::kConv2D, {x, w1, b1}, {c1}, ir::Conv2DOptions{ir::Padding::kSame, 2, 2, ir::Activation::kRelu6, 1, 1});
  // Depth multiplier 2: output channel c*2+k reads input channel c.
  const int w2 = AddConstant(g, "dw/weights", f32, {1, 3, 3, 16}, PseudoRandomFloats(144, 13));
  const int b2 = AddConstant(g, "dw/bias", f32, {16}, PseudoRandomFloats(16, 14));
  const int d1 = AddActivation(g, "dw", f32, {1, 5, 5, 16});
  AddOp(g, OpType::kDepthwiseConv2D, {c1, w2, b2}, {d1},
        ir::DepthwiseConv2DOptions{ir::Padding::kSame, 1, 1, 2, ir::Activation::kRelu, 1, 1});
  const int w3 = AddConstant(g, "expand/weights", f32, {16, 1, 1, 8}, PseudoRandomFloats(128, 15));
  const int c2 = AddActivation(g, "expand", f32, {1, 5, 5, 16});
  AddOp(g, OpType::kConv2D, {c1, w3, ir::kNoTensor}, {c2},
        ir::Conv2DOptions{ir::Padding::kValid, 1, 1, ir::Activation::kNone, 1, 1});
  const int a1 = AddActivation(g, "add", f32, {1, 5, 5, 16});
  AddOp(g, OpType::kAdd, {d1, c2}, {a1}, ir::ElementwiseOptions{ir::Activation::kNone});
  const int axes = AddConstant(g, "mean/axes", i32, {2}, std::vector<int32_t>{1, 2});
  const int m1 = AddActivation(g, "mean", f32, {1, 16});
  AddOp(g, OpType::kMean, {a1, axes}, {m1}, ir::ReducerOptions{false});
  const int fw = AddConstant(g, "fc/weights", f32, {10, 16}, PseudoRandomFloats(160, 16));
  const int fb = AddConstant(g, "fc/bias", f32, {10}, PseudoRandomFloats(10, 17));
  const int f1 = AddActivation(g, "fc", f32, {1, 10});
  AddOp(g, OpType::kFullyConnected, {m1, fw, fb}, {f1}, ir::FullyConnectedOptions{ir::Activation::kNone, false});
  const int s1 = AddActivation(g, "softmax", f32, {1, 10});
  AddOp(g, OpType::kSoftmax, {f1}, {s1}, ir::SoftmaxOptions{1.0f});
  g.outputs = {s1};
  return g;
}

// The other mappings, where layout mistakes would show: explicit PAD, VALID strided conv,
// HARD_SWISH, pooling with borders, nearest and bilinear resizing, channel concatenation and
// split, per-channel broadcast MUL, LOGISTIC, L2_NORMALIZATION, a flattening RESHAPE of a
// tensor with H,W > 1 (must flatten in NHWC order), FULLY_CONNECTED with RELU, SOFTMAX with beta.
ir::Graph LayoutFloatGraph() {
  using ir::OpType;
  const DType f32 = DType::kFloat32, i32 = DType::kInt32;
  ir::Graph g;
  const int x = AddActivation(g, "input", f32, {1, 8, 8, 3});
  g.inputs = {x};
  const int pads = AddConstant(g, "pad/paddings", i32, {4, 2}, std::vector<int32_t>{0, 0, 1, 1, 2, 0, 0, 0});
  const int p1 = AddActivation(g, "pad", f32, {1, 10, 10, 3});
  AddOp(g, OpType::kPad, {x, pads}, {p1});
  const int w1 = AddConstant(g, "conv/weights", f32, {6, 3, 3, 3}, PseudoRandomFloats(162, 21));
  const int b1 = AddConstant(g, "conv/bias", f32, {6}, PseudoRandomFloats(6, 22));
  const int c1 = AddActivation(g, "conv", f32, {1, 4, 4, 6});
  AddOp(g, OpType::kConv2D, {p1, w1, b1}, {c1}, ir::Conv2DOptions{ir::Padding::kValid, 2, 2, ir::Activation::kNone, 1, 1});
  const int h1 = AddActivation(g, "hard_swish", f32, {1, 4, 4, 6});
  AddOp(g, OpType::kHardSwish, {c1}, {h1});
  const int ap = AddActivation(g, "avgpool", f32, {1, 4, 4, 6});
  AddOp(g, OpType::kAveragePool2D, {h1}, {ap}, ir::Pool2DOptions{ir::Padding::kSame, 1, 1, 3, 3, ir::Activation::kNone});
  const int mp = AddActivation(g, "maxpool", f32, {1, 2, 2, 6});
  AddOp(g, OpType::kMaxPool2D, {h1}, {mp}, ir::Pool2DOptions{ir::Padding::kValid, 2, 2, 2, 2, ir::Activation::kNone});
  const int size4 = AddConstant(g, "nearest/size", i32, {2}, std::vector<int32_t>{4, 4});
  const int rn = AddActivation(g, "nearest", f32, {1, 4, 4, 6});
  AddOp(g, OpType::kResizeNearestNeighbor, {mp, size4}, {rn}, ir::ResizeOptions{false, false});
  const int cc = AddActivation(g, "concat", f32, {1, 4, 4, 12});
  AddOp(g, OpType::kConcatenation, {ap, rn}, {cc}, ir::ConcatenationOptions{-1, ir::Activation::kNone});
  const int scale = AddConstant(g, "mul/scale", f32, {12}, PseudoRandomFloats(12, 23));
  const int ml = AddActivation(g, "mul", f32, {1, 4, 4, 12});
  AddOp(g, OpType::kMul, {cc, scale}, {ml}, ir::ElementwiseOptions{ir::Activation::kNone});
  const int lg = AddActivation(g, "logistic", f32, {1, 4, 4, 12});
  AddOp(g, OpType::kLogistic, {ml}, {lg});
  const int axis = AddConstant(g, "split/axis", i32, {}, std::vector<int32_t>{3});
  const int s0 = AddActivation(g, "split0", f32, {1, 4, 4, 6});
  const int s1 = AddActivation(g, "split1", f32, {1, 4, 4, 6});
  AddOp(g, OpType::kSplit, {axis, lg}, {s0, s1}, ir::SplitOptions{2});
  const int sb = AddActivation(g, "sub", f32, {1, 4, 4, 6});
  AddOp(g, OpType::kSub, {s1, s0}, {sb}, ir::ElementwiseOptions{ir::Activation::kNone});
  const int size7 = AddConstant(g, "bilinear/size", i32, {2}, std::vector<int32_t>{7, 7});
  const int rb = AddActivation(g, "bilinear", f32, {1, 7, 7, 6});
  AddOp(g, OpType::kResizeBilinear, {sb, size7}, {rb}, ir::ResizeOptions{false, true});
  const int l2 = AddActivation(g, "l2norm", f32, {1, 7, 7, 6});
  AddOp(g, OpType::kL2Normalization, {rb}, {l2}, ir::L2NormOptions{ir::Activation::kNone});
  const int shape = AddConstant(g, "reshape/shape", i32, {2}, std::vector<int32_t>{1, 294});
  const int rs = AddActivation(g, "flatten", f32, {1, 294});
  AddOp(g, OpType::kReshape, {l2, shape}, {rs}, ir::ReshapeOptions{{1, 294}});
  const int fw = AddConstant(g, "fc/weights", f32, {5, 294}, PseudoRandomFloats(1470, 24));
  const int fb = AddConstant(g, "fc/bias", f32, {5}, PseudoRandomFloats(5, 25));
  const int fc = AddActivation(g, "fc", f32, {1, 5});
  AddOp(g, OpType::kFullyConnected, {rs, fw, fb}, {fc}, ir::FullyConnectedOptions{ir::Activation::kRelu, false});
  const int sm = AddActivation(g, "softmax", f32, {1, 5});
  AddOp(g, OpType::kSoftmax, {fc}, {sm}, ir::SoftmaxOptions{0.5f});
  g.outputs = {sm};
  return g;
}

QuantParams PerTensor(float scale, int64_t zero_point) {
  QuantParams q;
  q.scale = {scale};
  q.zero_point = {zero_point};
  return q;
}

// Adds int8 weights quantized symmetrically per slice of `axis` (one slice when axis < 0), as
// TFLite's quantizer does, and the matching int32 bias for an input of scale `input_scale`.
std::pair<int, int> AddQuantizedWeights(ir::Graph& g, const std::string& name, Shape shape, int axis, float input_scale,
                                        uint32_t seed) {
  const std::vector<float> w = PseudoRandomFloats(static_cast<size_t>(NumElements(shape)), seed);
  const int channels = axis < 0 ? 1 : shape[static_cast<size_t>(axis)];
  int64_t inner = 1;
  if (axis >= 0) {
    for (size_t d = static_cast<size_t>(axis) + 1; d < shape.size(); ++d) inner *= shape[d];
  } else {
    inner = static_cast<int64_t>(w.size());
  }
  const auto channel_of = [&](size_t i) { return static_cast<size_t>((static_cast<int64_t>(i) / inner) % channels); };
  std::vector<float> max_abs(static_cast<size_t>(channels), 1e-6f);
  for (size_t i = 0; i < w.size(); ++i) max_abs[channel_of(i)] = std::max(max_abs[channel_of(i)], std::fabs(w[i]));
  QuantParams wq;
  for (float m : max_abs) wq.scale.push_back(m / 127.0f);
  wq.zero_point.assign(static_cast<size_t>(channels), 0);
  wq.quantized_dimension = std::max(axis, 0);
  std::vector<int8_t> q(w.size());
  for (size_t i = 0; i < w.size(); ++i) q[i] = static_cast<int8_t>(std::lround(w[i] / wq.scale[channel_of(i)]));
  const int out_channels = axis < 0 ? shape[0] : channels;
  const std::vector<float> b = PseudoRandomFloats(static_cast<size_t>(out_channels), seed + 1);
  QuantParams bq;
  std::vector<int32_t> bias(static_cast<size_t>(out_channels));
  for (size_t c = 0; c < bias.size(); ++c) {
    const float s = input_scale * wq.scale[axis < 0 ? 0 : c];
    bq.scale.push_back(s);
    bias[c] = static_cast<int32_t>(std::lround(b[c] / s));
  }
  bq.zero_point.assign(bq.scale.size(), 0);
  const int weights = AddConstant(g, name + "/weights", DType::kInt8, shape, q);
  g.tensor(weights).quant = wq;
  const int bias_tensor = AddConstant(g, name + "/bias", DType::kInt32, {out_channels}, bias);
  g.tensor(bias_tensor).quant = bq;
  return {weights, bias_tensor};
}

// An int8 graph through the quantized ops the golden models lack (pools, concat, pad, resize,
// hard swish, mul, fully connected, logistic), with TFLite-style per-channel weights.
ir::Graph Int8OpsGraph() {
  using ir::OpType;
  const DType i8 = DType::kInt8, i32 = DType::kInt32;
  ir::Graph g;
  const QuantParams input_q = PerTensor(1.0f / 64, 0), relu6_q = PerTensor(6.0f / 255, -128),
                    sum_q = PerTensor(12.0f / 255, -128);
  const int x = AddActivation(g, "input", i8, {1, 8, 8, 3}, input_q);
  g.inputs = {x};
  auto [w1, b1] = AddQuantizedWeights(g, "conv", {8, 3, 3, 3}, 0, input_q.scale[0], 31);
  const int c1 = AddActivation(g, "conv", i8, {1, 4, 4, 8}, relu6_q);
  AddOp(g, OpType::kConv2D, {x, w1, b1}, {c1}, ir::Conv2DOptions{ir::Padding::kSame, 2, 2, ir::Activation::kRelu6, 1, 1});
  auto [w2, b2] = AddQuantizedWeights(g, "dw", {1, 3, 3, 8}, 3, relu6_q.scale[0], 33);
  const int d1 = AddActivation(g, "dw", i8, {1, 4, 4, 8}, relu6_q);
  AddOp(g, OpType::kDepthwiseConv2D, {c1, w2, b2}, {d1},
        ir::DepthwiseConv2DOptions{ir::Padding::kSame, 1, 1, 1, ir::Activation::kRelu6, 1, 1});
  const int a1 = AddActivation(g, "add", i8, {1, 4, 4, 8}, sum_q);
  AddOp(g, OpType::kAdd, {c1, d1}, {a1}, ir::ElementwiseOptions{ir::Activation::kNone});
  const int mp = AddActivation(g, "maxpool", i8, {1, 2, 2, 8}, sum_q);
  AddOp(g, OpType::kMaxPool2D, {a1}, {mp}, ir::Pool2DOptions{ir::Padding::kValid, 2, 2, 2, 2, ir::Activation::kNone});
  const int ap = AddActivation(g, "avgpool", i8, {1, 2, 2, 8}, sum_q);
  AddOp(g, OpType::kAveragePool2D, {a1}, {ap}, ir::Pool2DOptions{ir::Padding::kValid, 2, 2, 2, 2, ir::Activation::kNone});
  const int cc = AddActivation(g, "concat", i8, {1, 2, 2, 16}, sum_q);
  AddOp(g, OpType::kConcatenation, {mp, ap}, {cc}, ir::ConcatenationOptions{3, ir::Activation::kNone});
  const int pads = AddConstant(g, "pad/paddings", i32, {4, 2}, std::vector<int32_t>{0, 0, 1, 1, 1, 1, 0, 0});
  const int pd = AddActivation(g, "pad", i8, {1, 4, 4, 16}, sum_q);
  AddOp(g, OpType::kPad, {cc, pads}, {pd});
  const int size = AddConstant(g, "resize/size", i32, {2}, std::vector<int32_t>{6, 6});
  const int rz = AddActivation(g, "resize", i8, {1, 6, 6, 16}, sum_q);
  AddOp(g, OpType::kResizeBilinear, {pd, size}, {rz}, ir::ResizeOptions{false, true});
  const int hs = AddActivation(g, "hard_swish", i8, {1, 6, 6, 16}, sum_q);
  AddOp(g, OpType::kHardSwish, {rz}, {hs});
  const int ml = AddActivation(g, "mul", i8, {1, 6, 6, 16}, PerTensor(144.0f / 255, -128));
  AddOp(g, OpType::kMul, {hs, rz}, {ml}, ir::ElementwiseOptions{ir::Activation::kNone});
  const int axes = AddConstant(g, "mean/axes", i32, {2}, std::vector<int32_t>{1, 2});
  const QuantParams mean_q = PerTensor(0.125f, -128);
  const int mn = AddActivation(g, "mean", i8, {1, 16}, mean_q);
  AddOp(g, OpType::kMean, {ml, axes}, {mn}, ir::ReducerOptions{false});
  auto [w3, b3] = AddQuantizedWeights(g, "fc", {10, 16}, -1, mean_q.scale[0], 35);
  const int fc = AddActivation(g, "fc", i8, {1, 10}, PerTensor(1.0f / 32, 0));
  AddOp(g, OpType::kFullyConnected, {mn, w3, b3}, {fc}, ir::FullyConnectedOptions{ir::Activation::kNone, false});
  const int lg = AddActivation(g, "logistic", i8, {1, 10}, PerTensor(1.0f / 256, -128));
  AddOp(g, OpType::kLogistic, {fc}, {lg});
  g.outputs = {lg};
  return g;
}

// Writes `graph` as .tflite, runs it in edgeforge and, exported, in ORT on the same
// pseudo-random input, and compares the float outputs.
void ExpectFloatGraphMatches(const ir::Graph& graph, const TempDir& tmp, const std::string& name, float tolerance) {
  const std::string tflite_path = tmp.file(name + ".tflite"), onnx_path = tmp.file(name + ".onnx");
  Status written = tflite::WriteModelFile(graph, tflite_path);
  ASSERT_TRUE(written.ok()) << written.message();
  Status exported = onnx_export::ExportTfliteFile(tflite_path, onnx_path);
  ASSERT_TRUE(exported.ok()) << exported.message();

  const std::vector<float> input = PseudoRandomFloats(static_cast<size_t>(NumElements(graph.tensor(graph.inputs[0]).shape)), 99);
  std::vector<uint8_t> input_bytes(input.size() * sizeof(float));
  std::memcpy(input_bytes.data(), input.data(), input_bytes.size());
  const std::string input_path = tmp.file(name + ".in.bin"), output_path = tmp.file(name + ".ort.bin");
  WriteBytes(input_path, input_bytes);
  CommandResult ort = RunOrt(onnx_path, {{input_path, output_path}});
  ASSERT_EQ(ort.exit_code, 0) << ort.err;

  auto model = Model::FromFile(tflite_path);
  ASSERT_TRUE(model.ok()) << model.status().message();
  auto ours = RunEdgeforge(model.value(), input_bytes);
  ASSERT_TRUE(ours.ok()) << ours.status().message();
  const std::vector<uint8_t> theirs = ReadBytes(output_path);
  ASSERT_EQ(theirs.size(), ours.value().size());
  const size_t n = theirs.size() / sizeof(float);
  std::vector<float> a(n), b(n);
  std::memcpy(a.data(), ours.value().data(), n * sizeof(float));
  std::memcpy(b.data(), theirs.data(), n * sizeof(float));
  float largest = 0;
  for (size_t i = 0; i < n; ++i) {
    EXPECT_NEAR(a[i], b[i], tolerance) << "output element " << i;
    largest = std::max(largest, std::fabs(a[i] - b[i]));
  }
  std::printf("[ onnx-ort ] %s: %zu float outputs, largest difference %.3g\n", name.c_str(), n, largest);
}

TEST_F(OnnxExportOrtTest, FloatClassifierGraphMatchesEdgeforge) {
  ExpectFloatGraphMatches(ClassifierFloatGraph(), tmp_, "classifier", 1e-5f);
}

TEST_F(OnnxExportOrtTest, FloatLayoutGraphMatchesEdgeforge) {
  ExpectFloatGraphMatches(LayoutFloatGraph(), tmp_, "layout", 1e-5f);
}

// `graph` written as .tflite and exported, then run by edgeforge and by ORT on 4 pseudo-random
// inputs (each byte `to_byte` of a value in [-1, 1)): the (edgeforge, ORT) output bytes per input,
// none when something failed (the failure is recorded).
std::vector<std::pair<std::vector<uint8_t>, std::vector<uint8_t>>> RunBothOnRandomBytes(
    const ir::Graph& graph, const TempDir& tmp, const std::string& name, uint8_t (*to_byte)(float),
    const onnx_export::ExportOptions& options = {}) {
  const std::string tflite_path = tmp.file(name + ".tflite"), onnx_path = tmp.file(name + ".onnx");
  Status written = tflite::WriteModelFile(graph, tflite_path);
  Status exported = written.ok() ? onnx_export::ExportTfliteFile(tflite_path, onnx_path, options) : written;
  auto model = Model::FromFile(tflite_path);
  EXPECT_TRUE(exported.ok()) << exported.message();
  EXPECT_TRUE(model.ok()) << model.status().message();
  if (!exported.ok() || !model.ok()) return {};
  const size_t elements = static_cast<size_t>(NumElements(graph.tensor(graph.inputs[0]).shape));
  std::vector<std::pair<std::string, std::string>> io;
  std::vector<std::vector<uint8_t>> inputs;
  for (uint32_t seed = 1; seed <= 4; ++seed) {
    std::vector<uint8_t> bytes;
    for (float v : PseudoRandomFloats(elements, seed)) bytes.push_back(to_byte(v));
    inputs.push_back(bytes);
    io.emplace_back(tmp.file(name + "_" + std::to_string(seed) + ".in.bin"), tmp.file(name + "_" + std::to_string(seed) + ".ort.bin"));
    WriteBytes(io.back().first, bytes);
  }
  CommandResult ort = RunOrt(onnx_path, io);
  EXPECT_EQ(ort.exit_code, 0) << ort.err;
  if (ort.exit_code != 0) return {};
  std::vector<std::pair<std::vector<uint8_t>, std::vector<uint8_t>>> outputs;
  for (size_t i = 0; i < inputs.size(); ++i) {
    auto ours = RunEdgeforge(model.value(), inputs[i]);
    EXPECT_TRUE(ours.ok()) << ours.status().message();
    if (!ours.ok()) return {};
    outputs.emplace_back(ours.value(), ReadBytes(io[i].second));
  }
  return outputs;
}

TEST_F(OnnxExportOrtTest, Int8OpsGraphStaysWithinAFewSteps) {
  // Pseudo-random int8 pixels.
  const auto outputs = RunBothOnRandomBytes(Int8OpsGraph(), tmp_, "int8",
                                            [](float v) { return static_cast<uint8_t>(static_cast<int8_t>(v * 255)); });
  ASSERT_EQ(outputs.size(), 4u);
  for (size_t i = 0; i < outputs.size(); ++i) {
    SCOPED_TRACE("input seed " + std::to_string(i + 1));
    const std::vector<int> a = IntegerScores(outputs[i].first, DType::kInt8);
    const std::vector<int> b = IntegerScores(outputs[i].second, DType::kInt8);
    ASSERT_EQ(a.size(), b.size());
    int differing = 0, largest = 0;
    for (size_t j = 0; j < a.size(); ++j) {
      differing += a[j] != b[j];
      largest = std::max(largest, std::abs(a[j] - b[j]));
    }
    std::printf("[ onnx-ort ] int8 ops graph, input %zu: %d of %zu output bytes differ (largest by %d steps)\n", i + 1,
                differing, a.size(), largest);
    EXPECT_LE(largest, 4) << "edgeforge " << Describe(TopIndices(a, 10), a) << "| ORT " << Describe(TopIndices(b, 10), b);
  }
}

// One quantized op (input [1,9,9,16] of `dtype`): AVERAGE_POOL_2D 3x3 stride 2 SAME (windows cut
// by the border), MEAN over H,W, SOFTMAX over 16 classes, ADD (with RELU), or a CONV_2D (3x3
// stride 2, RELU6) or DEPTHWISE_CONV_2D (3x3) with per-channel weights (int8 only). The exporter writes these
// in TFLite's own arithmetic with --tflite-exact (src/onnx/exact_integer_ops.cc, conv_ops.cc).
ir::Graph SingleQuantizedOpGraph(ir::OpType type, DType dtype) {
  const int64_t shift = dtype == DType::kInt8 ? -128 : 0;
  ir::Graph g;
  const QuantParams in_q = PerTensor(0.05f, 131 + shift);
  int x = AddActivation(g, "input", dtype, {1, 9, 9, 16}, in_q);
  g.inputs = {x};
  int y = -1;
  if (type == ir::OpType::kConv2D || type == ir::OpType::kDepthwiseConv2D) {
    // Inside the graph (not the int8 graph input itself), as in a real model after its QUANTIZE.
    const int inner = AddActivation(g, "inner", dtype, {1, 9, 9, 16}, in_q);
    AddOp(g, ir::OpType::kReshape, {x, AddConstant(g, "inner/shape", DType::kInt32, {4}, std::vector<int32_t>{1, 9, 9, 16})},
          {inner});
    x = inner;
  }
  if (type == ir::OpType::kConv2D) {
    auto [w, b] = AddQuantizedWeights(g, "conv", {8, 3, 3, 16}, 0, in_q.scale[0], 41);
    y = AddActivation(g, "conv", dtype, {1, 5, 5, 8}, PerTensor(0.1f, shift));
    AddOp(g, type, {x, w, b}, {y}, ir::Conv2DOptions{ir::Padding::kSame, 2, 2, ir::Activation::kRelu6, 1, 1});
  } else if (type == ir::OpType::kDepthwiseConv2D) {
    auto [w, b] = AddQuantizedWeights(g, "dw", {1, 3, 3, 16}, 3, in_q.scale[0], 43);
    y = AddActivation(g, "dw", dtype, {1, 9, 9, 16}, PerTensor(0.2f, 128 + shift));
    AddOp(g, type, {x, w, b}, {y}, ir::DepthwiseConv2DOptions{ir::Padding::kSame, 1, 1, 1, ir::Activation::kNone, 1, 1});
  } else if (type == ir::OpType::kAdd) {
    y = AddActivation(g, "add", dtype, {1, 9, 9, 16}, PerTensor(0.07f, 100 + shift));
    AddOp(g, type, {x, x}, {y}, ir::ElementwiseOptions{ir::Activation::kRelu});
  } else if (type == ir::OpType::kAveragePool2D) {
    y = AddActivation(g, "avgpool", dtype, {1, 5, 5, 16}, in_q);
    AddOp(g, type, {x}, {y}, ir::Pool2DOptions{ir::Padding::kSame, 2, 2, 3, 3, ir::Activation::kNone});
  } else if (type == ir::OpType::kMean) {
    const int axes = AddConstant(g, "mean/axes", DType::kInt32, {2}, std::vector<int32_t>{1, 2});
    y = AddActivation(g, "mean", dtype, {1, 16}, PerTensor(0.02f, 120 + shift));
    AddOp(g, type, {x, axes}, {y}, ir::ReducerOptions{false});
  } else {
    const int flat = AddActivation(g, "flat", dtype, {81, 16}, in_q);
    const int shape = AddConstant(g, "flat/shape", DType::kInt32, {2}, std::vector<int32_t>{81, 16});
    AddOp(g, ir::OpType::kReshape, {x, shape}, {flat});
    y = AddActivation(g, "softmax", dtype, {81, 16}, PerTensor(1.0f / 256, shift));
    AddOp(g, type, {flat}, {y}, ir::SoftmaxOptions{1.0f});
  }
  g.outputs = {y};
  return g;
}

TEST_F(OnnxExportOrtTest, TfliteExactOpsGiveTheTfliteRuntimesBytes) {
  using ir::OpType;
  for (DType dtype : {DType::kUInt8, DType::kInt8}) {
    for (OpType type : {OpType::kAveragePool2D, OpType::kMean, OpType::kSoftmax, OpType::kAdd, OpType::kConv2D,
                        OpType::kDepthwiseConv2D}) {
      const bool convolution = type == OpType::kConv2D || type == OpType::kDepthwiseConv2D;
      if (convolution && dtype == DType::kUInt8) continue;  // per-channel weights go with int8 activations
      const std::string name = std::string(ir::OpTypeName(type)) + "_" + DTypeName(dtype);
      SCOPED_TRACE(name);
      const auto outputs = RunBothOnRandomBytes(SingleQuantizedOpGraph(type, dtype), tmp_, name,
                                                [](float v) { return static_cast<uint8_t>(128.0f + v * 127.0f); },
                                                {.tflite_exact = true});
      ASSERT_EQ(outputs.size(), 4u);
      for (size_t i = 0; i < outputs.size(); ++i) EXPECT_EQ(outputs[i].second, outputs[i].first) << "input " << i;
    }
  }
}

}  // namespace
}  // namespace edgeforge::testing
