// GraphModule against independent references: each op's forward and backward in double
// precision against LibTorch's own modules / functional ops (with the layout conversions and
// TF padding rules written out here again), finite differences through a whole block, batch
// norm statistics by hand, and the float forward against edgeforge's runtime on the same graph
// written as a .tflite.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "edgeforge/interpreter.h"
#include "ir/dequantize_pass.h"
#include "ir/graph.h"
#include "test_util.h"
#include "tflite/reader.h"
#include "tflite/writer.h"
#include "train/graph_module.h"
#include "train/ops_pad.h"

namespace edgeforge::train {
namespace {

using ir::Activation;
using ir::OpType;
using ir::Padding;
constexpr double kTolerance = 1e-6;

// Builds small graphs by hand: activations, random float constants, ops.
class Builder {
 public:
  explicit Builder(Shape input_shape) { graph_.inputs = {Act("input", std::move(input_shape))}; }

  int Act(const std::string& name, Shape shape) {
    ir::Tensor t;
    t.name = name;
    t.shape = std::move(shape);
    return graph_.AddTensor(std::move(t));
  }
  int Const(const std::string& name, Shape shape, const std::vector<float>& values) {
    ir::Tensor t;
    t.name = name;
    t.shape = std::move(shape);
    t.SetValues(values);
    return graph_.AddTensor(std::move(t));
  }
  // Values uniform in [lo, hi) from a seeded generator (fixed per builder).
  int Random(const std::string& name, Shape shape, float lo = -0.5f, float hi = 0.5f) {
    torch::Tensor v = torch::rand({NumElements(shape)}, generator_, torch::kFloat32) * (hi - lo) + lo;
    return Const(name, std::move(shape), std::vector<float>(v.data_ptr<float>(), v.data_ptr<float>() + v.numel()));
  }
  int Ints(const std::string& name, Shape shape, const std::vector<int32_t>& values) {
    ir::Tensor t;
    t.name = name;
    t.dtype = DType::kInt32;
    t.shape = std::move(shape);
    t.SetValues(values);
    return graph_.AddTensor(std::move(t));
  }
  int Op(OpType type, std::vector<int> inputs, const std::string& out_name, Shape out_shape,
         ir::OpOptions options = std::monostate{}) {
    const int out = Act(out_name, std::move(out_shape));
    ir::Op op;
    op.type = type;
    op.inputs = std::move(inputs);
    op.outputs = {out};
    op.options = std::move(options);
    const bool elementwise = type == OpType::kAdd || type == OpType::kSub || type == OpType::kMul;
    if (elementwise && std::holds_alternative<std::monostate>(op.options)) {
      op.options = ir::ElementwiseOptions{};  // what the reader produces and the writer expects
    }
    graph_.AddOp(std::move(op));
    return out;
  }
  int input() const { return graph_.inputs[0]; }
  ir::Graph Finish(int output) {
    graph_.outputs = {output};
    return graph_;
  }

 private:
  ir::Graph graph_;
  at::Generator generator_ = at::detail::createCPUGenerator(7);
};

// An IR constant as a double tensor of its IR shape, a leaf that collects gradients.
torch::Tensor Leaf(const ir::Graph& g, int tensor) {
  const ir::Tensor& t = g.tensor(tensor);
  std::vector<int64_t> sizes(t.shape.begin(), t.shape.end());
  torch::Tensor v = torch::empty(sizes, torch::kFloat32);
  std::memcpy(v.data_ptr(), t.data.data(), t.data.size());
  return v.to(torch::kFloat64).requires_grad_(true);
}

torch::Tensor RandomImages(std::vector<int64_t> nhwc, uint64_t seed) {
  at::Generator gen = at::detail::createCPUGenerator(seed);
  return torch::randn(nhwc, gen, torch::kFloat64);
}

// A fixed, non-uniform weighting of the logits, so every output element gets its own gradient.
torch::Tensor Probe(const torch::Tensor& logits) {
  return torch::linspace(-1.0, 2.0, logits.numel(), torch::kFloat64).reshape(logits.sizes());
}

struct ModuleRun {
  std::unique_ptr<GraphModule> module;
  torch::Tensor logits;
  torch::Tensor input_grad;  // NHWC
  std::map<std::string, torch::Tensor> grads;  // by parameter name, ATen layout
};

ModuleRun RunModule(const ir::Graph& g, const torch::Tensor& images, bool training = true) {
  ModuleRun r;
  auto created = GraphModule::Create(g, torch::kCPU, torch::kFloat64);
  EXPECT_TRUE(created.ok()) << created.status().message();
  if (!created.ok()) return r;
  r.module = std::move(created).value();
  torch::Tensor x = images.clone().requires_grad_(true);
  auto logits = r.module->Forward(x, training);
  EXPECT_TRUE(logits.ok()) << logits.status().message();
  if (!logits.ok()) return r;
  r.logits = *logits;
  (r.logits * Probe(r.logits)).sum().backward();
  r.input_grad = x.grad();
  for (Parameter& p : r.module->parameters()) r.grads[p.name] = p.value.grad();
  return r;
}

void ExpectClose(const torch::Tensor& actual, const torch::Tensor& expected, const std::string& what,
                 double tolerance = kTolerance) {
  ASSERT_TRUE(actual.defined()) << what;
  ASSERT_TRUE(expected.defined()) << what;
  ASSERT_EQ(actual.sizes(), expected.sizes()) << what;
  const double scale = std::max(1.0, expected.abs().max().item<double>());
  const double diff = (actual.to(torch::kFloat64) - expected.to(torch::kFloat64)).abs().max().item<double>();
  EXPECT_LE(diff, tolerance * scale) << what << ": max abs difference " << diff;
}

// Reference: NHWC logits from the reference's NCHW / NHWC result, flattened like Forward does.
torch::Tensor FlattenNchw(const torch::Tensor& y) { return y.permute({0, 2, 3, 1}).reshape({y.size(0), -1}); }

// Reference half of a check: run `logits` backward with the same probe.
void Backward(const torch::Tensor& logits) { (logits * Probe(logits)).sum().backward(); }

TEST(TrainGraphModule, ConvSameUnevenStride2AndDilatedValid) {
  Builder b({1, 7, 8, 3});
  const int w1 = b.Random("c1/w", {4, 3, 3, 3}), b1 = b.Random("c1/b", {4});
  ir::Conv2DOptions o1;
  o1.padding = Padding::kSame;
  o1.stride_h = o1.stride_w = 2;
  o1.activation = Activation::kRelu6;
  const int y1 = b.Op(OpType::kConv2D, {b.input(), w1, b1}, "c1", {1, 4, 4, 4}, o1);
  const int w2 = b.Random("c2/w", {5, 2, 2, 4});
  ir::Conv2DOptions o2;
  o2.padding = Padding::kValid;
  o2.dilation_h = o2.dilation_w = 2;
  const int y2 = b.Op(OpType::kConv2D, {y1, w2, ir::kNoTensor}, "c2", {1, 2, 2, 5}, o2);
  ir::Graph g = b.Finish(y2);
  torch::Tensor images = RandomImages({2, 7, 8, 3}, 1) * 4;  // some values beyond RELU6's 6
  ModuleRun run = RunModule(g, images);

  // Reference with torch::nn::Conv2d; TF SAME for 7x8, k3, s2: H pads 1/1, W pads 0/1.
  torch::Tensor x = images.clone().requires_grad_(true);
  torch::Tensor w1_ir = Leaf(g, w1), b1_ir = Leaf(g, b1), w2_ir = Leaf(g, w2);
  torch::nn::Conv2d conv1(torch::nn::Conv2dOptions(3, 4, 3).stride(2));
  torch::nn::Conv2d conv2(torch::nn::Conv2dOptions(4, 5, 2).dilation(2).bias(false));
  conv1->to(torch::kFloat64);
  conv2->to(torch::kFloat64);
  conv1->weight = w1_ir.permute({0, 3, 1, 2});
  conv1->bias = b1_ir;
  conv2->weight = w2_ir.permute({0, 3, 1, 2});
  torch::Tensor h = torch::nn::functional::pad(x.permute({0, 3, 1, 2}),
                                               torch::nn::functional::PadFuncOptions({0, 1, 1, 1}));
  h = torch::clamp(conv1->forward(h), 0, 6);
  torch::Tensor expected = FlattenNchw(conv2->forward(h));
  Backward(expected);
  ExpectClose(run.logits, expected, "forward");
  ExpectClose(run.input_grad, x.grad(), "input gradient");
  ExpectClose(run.grads["c1/w"].permute({0, 2, 3, 1}), w1_ir.grad(), "c1/w gradient");
  ExpectClose(run.grads["c1/b"], b1_ir.grad(), "c1/b gradient");
  ExpectClose(run.grads["c2/w"].permute({0, 2, 3, 1}), w2_ir.grad(), "c2/w gradient");
  EXPECT_TRUE(run.module->parameters()[0].value.is_contiguous(torch::MemoryFormat::ChannelsLast));
}

TEST(TrainGraphModule, PadSpatialMatchesConstantPad) {
  at::Generator gen = at::detail::createCPUGenerator(21);
  torch::Tensor x = torch::randn({2, 3, 4, 5}, gen, torch::kFloat64)
                        .contiguous(torch::MemoryFormat::ChannelsLast)
                        .requires_grad_(true);
  torch::Tensor y = internal::PadSpatial(x, {1, 2, 2, 1}, -3.0);  // top, bottom, left, right
  EXPECT_TRUE(y.is_contiguous(torch::MemoryFormat::ChannelsLast));
  torch::Tensor x2 = x.detach().clone().requires_grad_(true);
  torch::Tensor expected = torch::constant_pad_nd(x2, {2, 1, 1, 2}, -3.0);
  ExpectClose(y, expected, "forward");
  Backward(y.reshape({2, -1}));
  Backward(expected.reshape({2, -1}));
  ExpectClose(x.grad(), x2.grad(), "gradient");
}

TEST(TrainGraphModule, DepthwiseWithMultiplierSameStride2) {
  Builder b({1, 8, 8, 3});
  const int w = b.Random("dw/w", {1, 3, 3, 6}), bias = b.Random("dw/b", {6});
  ir::DepthwiseConv2DOptions o;
  o.stride_h = o.stride_w = 2;
  o.depth_multiplier = 2;
  o.activation = Activation::kRelu;
  const int y = b.Op(OpType::kDepthwiseConv2D, {b.input(), w, bias}, "dw", {1, 4, 4, 6}, o);
  ir::Graph g = b.Finish(y);
  torch::Tensor images = RandomImages({2, 8, 8, 3}, 2);
  ModuleRun run = RunModule(g, images);

  torch::Tensor x = images.clone().requires_grad_(true);
  torch::Tensor w_ir = Leaf(g, w), b_ir = Leaf(g, bias);
  torch::nn::Conv2d conv(torch::nn::Conv2dOptions(3, 6, 3).stride(2).groups(3));
  conv->to(torch::kFloat64);
  conv->weight = w_ir.permute({3, 0, 1, 2});  // [6, 1, 3, 3]: out channel = in * 2 + m
  conv->bias = b_ir;
  torch::Tensor h = torch::nn::functional::pad(x.permute({0, 3, 1, 2}),
                                               torch::nn::functional::PadFuncOptions({0, 1, 0, 1}));
  torch::Tensor expected = FlattenNchw(torch::relu(conv->forward(h)));
  Backward(expected);
  ExpectClose(run.logits, expected, "forward");
  ExpectClose(run.input_grad, x.grad(), "input gradient");
  ExpectClose(run.grads["dw/w"].permute({1, 2, 3, 0}), w_ir.grad(), "dw/w gradient");
  ExpectClose(run.grads["dw/b"], b_ir.grad(), "dw/b gradient");
}

TEST(TrainGraphModule, FullyConnectedFlattensInNhwcOrder) {
  Builder b({1, 2, 3, 4});
  const int w = b.Random("fc/w", {5, 24}), bias = b.Random("fc/b", {5});
  ir::FullyConnectedOptions o;
  o.activation = Activation::kTanh;
  const int y = b.Op(OpType::kFullyConnected, {b.input(), w, bias}, "fc", {1, 5}, o);
  ir::Graph g = b.Finish(y);
  torch::Tensor images = RandomImages({3, 2, 3, 4}, 3);
  ModuleRun run = RunModule(g, images);

  torch::Tensor x = images.clone().requires_grad_(true);
  torch::Tensor w_ir = Leaf(g, w), b_ir = Leaf(g, bias);
  torch::nn::Linear fc(24, 5);
  fc->to(torch::kFloat64);
  fc->weight = w_ir;
  fc->bias = b_ir;
  torch::Tensor expected = torch::tanh(fc->forward(x.reshape({3, 24})));
  Backward(expected);
  ExpectClose(run.logits, expected, "forward");
  ExpectClose(run.input_grad, x.grad(), "input gradient");
  ExpectClose(run.grads["fc/w"], w_ir.grad(), "fc/w gradient");
  ExpectClose(run.grads["fc/b"], b_ir.grad(), "fc/b gradient");
}

// TF SAME average pooling divides by the taps inside the image; written out with loops.
torch::Tensor ReferenceAveragePoolSame(const torch::Tensor& x_nhwc, int k, int s) {
  const int64_t h = x_nhwc.size(1), w = x_nhwc.size(2);
  const int64_t oh = (h + s - 1) / s, ow = (w + s - 1) / s;
  const int64_t ph = std::max<int64_t>((oh - 1) * s + k - h, 0) / 2;
  const int64_t pw = std::max<int64_t>((ow - 1) * s + k - w, 0) / 2;
  std::vector<torch::Tensor> rows;
  for (int64_t i = 0; i < oh; ++i) {
    std::vector<torch::Tensor> cols;
    for (int64_t j = 0; j < ow; ++j) {
      const int64_t h0 = std::max<int64_t>(i * s - ph, 0), h1 = std::min<int64_t>(i * s - ph + k, h);
      const int64_t w0 = std::max<int64_t>(j * s - pw, 0), w1 = std::min<int64_t>(j * s - pw + k, w);
      cols.push_back(x_nhwc.slice(1, h0, h1).slice(2, w0, w1).mean({1, 2}));
    }
    rows.push_back(torch::stack(cols, 1));
  }
  return torch::stack(rows, 1);  // [N, OH, OW, C]
}

TEST(TrainGraphModule, PoolsWithTfSamePadding) {
  for (bool average : {true, false}) {
    SCOPED_TRACE(average ? "AVERAGE_POOL_2D" : "MAX_POOL_2D");
    Builder b({1, 7, 8, 3});
    ir::Pool2DOptions o;
    o.padding = Padding::kSame;
    o.filter_h = o.filter_w = 3;
    o.stride_h = o.stride_w = 2;
    const int y = b.Op(average ? OpType::kAveragePool2D : OpType::kMaxPool2D, {b.input()}, "pool",
                       {1, 4, 4, 3}, o);
    ir::Graph g = b.Finish(y);
    torch::Tensor images = RandomImages({2, 7, 8, 3}, 4);
    ModuleRun run = RunModule(g, images);

    torch::Tensor x = images.clone().requires_grad_(true);
    torch::Tensor expected;
    if (average) {
      expected = ReferenceAveragePoolSame(x, 3, 2).reshape({2, -1});
    } else {
      torch::Tensor padded = torch::nn::functional::pad(
          x.permute({0, 3, 1, 2}),
          torch::nn::functional::PadFuncOptions({0, 1, 1, 1}).value(-1e30));
      expected = FlattenNchw(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(3).stride(2))(padded));
    }
    Backward(expected);
    ExpectClose(run.logits, expected, "forward");
    ExpectClose(run.input_grad, x.grad(), "input gradient");
  }
  // Symmetric SAME split: ATen's own padding, still excluding the padded taps.
  Builder b({1, 6, 6, 2});
  ir::Pool2DOptions o;
  o.filter_h = o.filter_w = 3;
  o.padding = Padding::kSame;
  const int y = b.Op(OpType::kAveragePool2D, {b.input()}, "pool", {1, 6, 6, 2}, o);
  ir::Graph g = b.Finish(y);
  torch::Tensor images = RandomImages({1, 6, 6, 2}, 5);
  ModuleRun run = RunModule(g, images);
  ExpectClose(run.logits, ReferenceAveragePoolSame(images, 3, 1).reshape({1, -1}), "symmetric forward");
}

TEST(TrainGraphModule, MeanReshapeSqueezeKeepNhwcSemantics) {
  // MEAN over H only (no keep_dims) gives [N, W, C]; then RESHAPE to [N, W*C] and back to
  // [N, 1, W, C]; SQUEEZE to [N, W, C]; MEAN over (1, 2) keep_dims on a rank-4 tensor.
  Builder b({1, 3, 4, 5});
  const int axes_h = b.Ints("axes_h", {1}, {1});
  const int m1 = b.Op(OpType::kMean, {b.input(), axes_h}, "mean_h", {1, 4, 5}, ir::ReducerOptions{false});
  ir::ReshapeOptions flat;
  flat.new_shape = {1, 20};
  const int r1 = b.Op(OpType::kReshape, {m1}, "flat", {1, 20}, flat);
  ir::ReshapeOptions image;
  image.new_shape = {1, 1, 4, 5};
  const int r2 = b.Op(OpType::kReshape, {r1}, "image", {1, 1, 4, 5}, image);
  const int axes_hw = b.Ints("axes_hw", {2}, {1, 2});
  const int m2 = b.Op(OpType::kMean, {r2, axes_hw}, "pooled", {1, 1, 1, 5}, ir::ReducerOptions{true});
  const int sum = b.Op(OpType::kAdd, {r2, m2}, "sum", {1, 1, 4, 5});
  ir::SqueezeOptions sq;
  sq.squeeze_dims = {1};
  const int s = b.Op(OpType::kSqueeze, {sum}, "squeezed", {1, 4, 5}, sq);
  ir::Graph g = b.Finish(s);
  torch::Tensor images = RandomImages({2, 3, 4, 5}, 6);
  ModuleRun run = RunModule(g, images);

  torch::Tensor x = images.clone().requires_grad_(true);
  torch::Tensor mh = x.mean({1});                       // [N, 4, 5]
  torch::Tensor im = mh.reshape({2, 1, 4, 5});
  torch::Tensor expected = (im + im.mean({1, 2}, true)).reshape({2, 4, 5}).reshape({2, -1});
  Backward(expected);
  ExpectClose(run.logits, expected, "forward");
  ExpectClose(run.input_grad, x.grad(), "input gradient");
}

TEST(TrainGraphModule, ElementwiseBroadcastAndActivations) {
  // Squeeze-excite with a hard-sigmoid gate, a per-channel constant, scalar constants on either
  // side, HARD_SWISH, LOGISTIC and a rank-2 operand broadcast against an image.
  Builder b({1, 4, 4, 3});
  const int shift = b.Random("shift", {3});
  const int three = b.Const("three", {}, {3.0f}), sixth = b.Const("sixth", {1}, {1.0f / 6});
  const int one = b.Const("one", {}, {1.0f});
  const int a = b.Op(OpType::kAdd, {b.input(), shift}, "a", {1, 4, 4, 3});
  const int hs = b.Op(OpType::kHardSwish, {a}, "hs", {1, 4, 4, 3});
  const int axes = b.Ints("axes", {2}, {1, 2});
  const int pooled = b.Op(OpType::kMean, {hs, axes}, "pooled", {1, 1, 1, 3}, ir::ReducerOptions{true});
  const int p3 = b.Op(OpType::kAdd, {pooled, three}, "p3", {1, 1, 1, 3});
  const int r6 = b.Op(OpType::kRelu6, {p3}, "r6", {1, 1, 1, 3});
  const int gate = b.Op(OpType::kMul, {r6, sixth}, "gate", {1, 1, 1, 3});
  const int se = b.Op(OpType::kMul, {hs, gate}, "se", {1, 4, 4, 3});
  const int flat_axes = b.Ints("flat_axes", {2}, {1, 2});
  const int v = b.Op(OpType::kMean, {hs, flat_axes}, "v", {1, 3}, ir::ReducerOptions{false});
  const int lv = b.Op(OpType::kLogistic, {v}, "lv", {1, 3});
  // [1, 4, 4, 3] * [1, 3]: TFLite aligns on the right, so [1, 3] acts as [1, 1, 1, 3].
  const int scaled = b.Op(OpType::kMul, {se, lv}, "scaled", {1, 4, 4, 3});
  const int d = b.Op(OpType::kSub, {one, scaled}, "d", {1, 4, 4, 3}, ir::ElementwiseOptions{Activation::kRelu});
  const int e = b.Op(OpType::kSub, {d, se}, "e", {1, 4, 4, 3});
  ir::Graph g = b.Finish(e);
  // Batch 1, so that the [1, 3] operand means the same per image.
  torch::Tensor images = RandomImages({1, 4, 4, 3}, 7) * 4;
  ModuleRun run = RunModule(g, images);

  torch::Tensor x = images.clone().requires_grad_(true);
  torch::Tensor shift_ir = Leaf(g, shift).detach();
  torch::Tensor xs = x + shift_ir;
  torch::Tensor hsv = xs * torch::clamp(xs + 3, 0, 6) / 6;
  torch::Tensor gatev = torch::clamp(hsv.mean({1, 2}, true) + 3, 0, 6) * (1.0 / 6);
  torch::Tensor sev = hsv * gatev;
  torch::Tensor lvv = torch::sigmoid(hsv.mean({1, 2}));
  torch::Tensor dv = torch::relu(1 - sev * lvv.reshape({1, 1, 1, 3}));
  torch::Tensor expected = (dv - sev).reshape({1, -1});
  Backward(expected);
  ExpectClose(run.logits, expected, "forward");
  ExpectClose(run.input_grad, x.grad(), "input gradient");
}

TEST(TrainGraphModule, PadConcatL2NormSoftmaxTanh) {
  Builder b({1, 3, 3, 2});
  const int paddings = b.Ints("paddings", {4, 2}, {0, 0, 1, 0, 0, 2, 0, 1});
  const int padded = b.Op(OpType::kPad, {b.input(), paddings}, "padded", {1, 4, 5, 3});
  const int t = b.Op(OpType::kTanh, {padded}, "t", {1, 4, 5, 3});
  const int extra = b.Random("extra", {1, 4, 5, 1});
  ir::ConcatenationOptions co;
  co.axis = -1;
  const int cat = b.Op(OpType::kConcatenation, {padded, t, extra}, "cat", {1, 4, 5, 7}, co);
  const int l2 = b.Op(OpType::kL2Normalization, {cat}, "l2", {1, 4, 5, 7}, ir::L2NormOptions{});
  ir::SoftmaxOptions so;
  so.beta = 2.0f;
  const int sm = b.Op(OpType::kSoftmax, {l2}, "sm", {1, 4, 5, 7}, so);
  ir::ConcatenationOptions co_h;
  co_h.axis = 1;
  const int cat_h = b.Op(OpType::kConcatenation, {sm, l2}, "cat_h", {1, 8, 5, 7}, co_h);
  const int q = b.Op(OpType::kDequantize, {cat_h}, "q", {1, 8, 5, 7});
  ir::Graph g = b.Finish(q);
  torch::Tensor images = RandomImages({2, 3, 3, 2}, 8);
  ModuleRun run = RunModule(g, images);

  torch::Tensor x = images.clone().requires_grad_(true);
  torch::Tensor pv = torch::constant_pad_nd(x, {0, 1, 0, 2, 1, 0}, 0);  // NHWC: C, W, H
  torch::Tensor catv = torch::cat({pv, torch::tanh(pv), Leaf(g, extra).detach().expand({2, 4, 5, 1})}, 3);
  torch::Tensor l2v = catv / catv.norm(2, {3}, true).clamp_min(1e-6);
  torch::Tensor expected = torch::cat({torch::softmax(l2v * 2, 3), l2v}, 1).reshape({2, -1});
  Backward(expected);
  ExpectClose(run.logits, expected, "forward");
  ExpectClose(run.input_grad, x.grad(), "input gradient");
}

// conv -> BATCH_NORM -> RELU6 -> FC: the training-form pattern.
ir::Graph BatchNormGraph(int batch_channels = 4, float dropout = 0.5f) {
  Builder b({1, 5, 5, 3});
  const int w = b.Random("conv/w", {batch_channels, 3, 3, 3});
  const int conv = b.Op(OpType::kConv2D, {b.input(), w, ir::kNoTensor}, "conv", {1, 5, 5, batch_channels},
                        ir::Conv2DOptions{});
  const int gamma = b.Random("bn/gamma", {batch_channels}, 0.5f, 1.5f);
  const int beta = b.Random("bn/beta", {batch_channels});
  const int mean = b.Random("bn/moving_mean", {batch_channels});
  const int var = b.Random("bn/moving_variance", {batch_channels}, 0.5f, 2.0f);
  const int bn = b.Op(OpType::kBatchNorm, {conv, gamma, beta, mean, var}, "bn", {1, 5, 5, batch_channels},
                      ir::BatchNormOptions{1e-3f, 0.99f});
  const int act = b.Op(OpType::kRelu6, {bn}, "act", {1, 5, 5, batch_channels});
  const int axes = b.Ints("axes", {2}, {1, 2});
  const int pooled = b.Op(OpType::kMean, {act, axes}, "pooled", {1, batch_channels}, ir::ReducerOptions{false});
  const int drop = b.Op(OpType::kDropout, {pooled}, "drop", {1, batch_channels}, ir::DropoutOptions{dropout});
  const int fw = b.Random("fc/w", {3, batch_channels}), fb = b.Random("fc/b", {3});
  const int fc = b.Op(OpType::kFullyConnected, {drop, fw, fb}, "fc", {1, 3}, ir::FullyConnectedOptions{});
  const int sm = b.Op(OpType::kSoftmax, {fc}, "probabilities", {1, 3}, ir::SoftmaxOptions{});
  return b.Finish(sm);
}

TEST(TrainGraphModule, BatchNormTrainingStatisticsAndMovingAverages) {
  ir::Graph g = BatchNormGraph(4, /*dropout=*/0);
  auto module = GraphModule::Create(g, torch::kCPU, torch::kFloat64);
  ASSERT_TRUE(module.ok()) << module.status().message();
  ASSERT_EQ((*module)->buffers().size(), 2u);
  EXPECT_EQ((*module)->buffers()[0].first, "bn/moving_mean");
  torch::Tensor moving_mean0 = (*module)->buffers()[0].second.clone();
  torch::Tensor moving_var0 = (*module)->buffers()[1].second.clone();
  torch::Tensor images = RandomImages({3, 5, 5, 3}, 9);

  // Reference by hand: batch statistics over N, H, W; normalise with the biased variance;
  // moving = 0.99 * moving + 0.01 * batch, the variance unbiased (TF's fused batch norm).
  torch::Tensor x = images.clone().requires_grad_(true);
  torch::Tensor w_ir = Leaf(g, 1), gamma = Leaf(g, 3), beta = Leaf(g, 4);
  torch::Tensor conv = torch::conv2d(x.permute({0, 3, 1, 2}), w_ir.permute({0, 3, 1, 2}), {}, 1, 1);
  torch::Tensor mean = conv.mean({0, 2, 3});
  torch::Tensor var_biased = (conv - mean.view({1, -1, 1, 1})).pow(2).mean({0, 2, 3});
  const double count = 3 * 5 * 5;
  torch::Tensor bn = (conv - mean.view({1, -1, 1, 1})) / (var_biased.view({1, -1, 1, 1}) + 1e-3).sqrt() *
                         gamma.view({1, -1, 1, 1}) + beta.view({1, -1, 1, 1});
  torch::Tensor expected_train = torch::linear(torch::clamp(bn, 0, 6).mean({2, 3}), Leaf(g, 12), Leaf(g, 13));
  auto train = (*module)->Forward(images, /*training=*/true);
  ASSERT_TRUE(train.ok()) << train.status().message();
  ExpectClose(*train, expected_train, "training forward");
  ExpectClose((*module)->buffers()[0].second, moving_mean0 * 0.99 + mean.detach() * 0.01, "moving mean");
  ExpectClose((*module)->buffers()[1].second,
              moving_var0 * 0.99 + var_biased.detach() * (count / (count - 1)) * 0.01, "moving variance");

  // Inference mode: the moving statistics, no dropout, no update.
  torch::Tensor mm = (*module)->buffers()[0].second.clone(), mv = (*module)->buffers()[1].second.clone();
  auto eval = (*module)->Forward(images, /*training=*/false);
  ASSERT_TRUE(eval.ok());
  torch::Tensor bn_eval = (conv - mm.view({1, -1, 1, 1})) / (mv.view({1, -1, 1, 1}) + 1e-3).sqrt() *
                              gamma.view({1, -1, 1, 1}) + beta.view({1, -1, 1, 1});
  torch::Tensor expected_eval = torch::linear(torch::clamp(bn_eval, 0, 6).mean({2, 3}), Leaf(g, 12), Leaf(g, 13));
  ExpectClose(*eval, expected_eval, "inference forward");
  ExpectClose((*module)->buffers()[0].second, mm, "moving mean unchanged in inference");
}

// Central differences through conv -> BN (training) -> RELU6 -> MEAN -> FC for a sample of
// every parameter's elements and of the input; dropout off (rate 0) so the function is fixed.
TEST(TrainGraphModule, GradientsMatchFiniteDifferences) {
  ir::Graph g = BatchNormGraph(3, /*dropout=*/0);
  torch::Tensor images = RandomImages({2, 5, 5, 3}, 10);
  ModuleRun run = RunModule(g, images);
  ASSERT_TRUE(run.module);
  auto objective = [&]() {
    torch::NoGradGuard no_grad;
    // Training mode uses batch statistics; the moving averages it updates do not feed back.
    auto out = run.module->Forward(images, true);
    return (*out * Probe(*out)).sum().item<double>();
  };
  const double h = 1e-6;
  for (Parameter& p : run.module->parameters()) {
    // Elements in memory order (a channels_last conv weight is dense but not contiguous); the
    // gradient has the same strides.
    ASSERT_EQ(p.value.strides(), run.grads[p.name].strides()) << p.name;
    torch::Tensor flat = p.value.detach().as_strided({p.value.numel()}, {1});
    torch::Tensor grad = run.grads[p.name].as_strided({p.value.numel()}, {1});
    for (int64_t i = 0; i < flat.numel(); i += std::max<int64_t>(1, flat.numel() / 7)) {
      const double saved = flat[i].item<double>();
      flat[i] = saved + h;
      const double up = objective();
      flat[i] = saved - h;
      const double down = objective();
      flat[i] = saved;
      const double numeric = (up - down) / (2 * h);
      EXPECT_NEAR(grad[i].item<double>(), numeric, 1e-6 * std::max(1.0, std::abs(numeric)))
          << p.name << "[" << i << "]";
    }
  }
}

TEST(TrainGraphModule, FloatForwardMatchesRuntime) {
  // An inference-form float graph: conv (SAME, uneven, fused RELU6), depthwise, residual ADD,
  // hard-swish, average pool, MEAN, FC; then softmax. Batch 1 through the runtime, batch 3
  // through GraphModule (each image must match).
  Builder b({1, 9, 9, 3});
  ir::Conv2DOptions co;
  co.stride_h = co.stride_w = 2;
  co.activation = Activation::kRelu6;
  const int c1 = b.Op(OpType::kConv2D, {b.input(), b.Random("c1/w", {8, 3, 3, 3}), b.Random("c1/b", {8})},
                      "c1", {1, 5, 5, 8}, co);
  ir::DepthwiseConv2DOptions dwo;
  dwo.activation = Activation::kRelu;
  const int dw = b.Op(OpType::kDepthwiseConv2D, {c1, b.Random("dw/w", {1, 3, 3, 8}), b.Random("dw/b", {8})},
                      "dw", {1, 5, 5, 8}, dwo);
  const int add = b.Op(OpType::kAdd, {c1, dw}, "add", {1, 5, 5, 8});
  const int hs = b.Op(OpType::kHardSwish, {add}, "hs", {1, 5, 5, 8});
  ir::Pool2DOptions po;
  po.padding = Padding::kSame;
  po.filter_h = po.filter_w = 2;
  po.stride_h = po.stride_w = 2;
  const int pool = b.Op(OpType::kAveragePool2D, {hs}, "pool", {1, 3, 3, 8}, po);
  const int axes = b.Ints("axes", {2}, {1, 2});
  const int mean = b.Op(OpType::kMean, {pool, axes}, "mean", {1, 8}, ir::ReducerOptions{false});
  const int fc = b.Op(OpType::kFullyConnected, {mean, b.Random("fc/w", {4, 8}), b.Random("fc/b", {4})},
                      "logits", {1, 4}, ir::FullyConnectedOptions{});
  ir::Graph g = b.Finish(fc);

  testing::TempDir dir;
  const std::string path = dir.file("model.tflite");
  ASSERT_TRUE(tflite::WriteModelFile(g, path).ok());
  auto model = Model::FromFile(path);
  ASSERT_TRUE(model.ok()) << model.status().message();
  auto interpreter = Interpreter::Create(*model);
  ASSERT_TRUE(interpreter.ok()) << interpreter.status().message();

  auto module = GraphModule::Create(g, torch::kCPU);
  ASSERT_TRUE(module.ok()) << module.status().message();
  at::Generator gen = at::detail::createCPUGenerator(11);
  torch::Tensor images = torch::rand({3, 9, 9, 3}, gen, torch::kFloat32) * 4 - 2;
  torch::NoGradGuard no_grad;
  auto logits = (*module)->Forward(images, false);
  ASSERT_TRUE(logits.ok()) << logits.status().message();
  for (int64_t n = 0; n < 3; ++n) {
    torch::Tensor image = images[n].contiguous();
    ASSERT_TRUE((*interpreter)->SetInput(0, {static_cast<const uint8_t*>(image.data_ptr()),
                                            static_cast<size_t>(image.numel()) * 4}).ok());
    ASSERT_TRUE((*interpreter)->Invoke().ok());
    std::vector<float> out = (*interpreter)->OutputAsFloat(0);
    torch::Tensor runtime = torch::from_blob(out.data(), {4}, torch::kFloat32).clone();
    ExpectClose((*logits)[n], runtime, "image " + std::to_string(n), 1e-4);
  }
}

TEST(TrainGraphModule, WriteBackRoundTripAndFreeze) {
  ir::Graph g = BatchNormGraph();
  auto module = GraphModule::Create(g, torch::kCPU);
  ASSERT_TRUE(module.ok());
  std::vector<Parameter>& params = (*module)->parameters();
  ASSERT_EQ(params.size(), 5u);  // conv/w, bn gamma, beta, fc w, fc b
  EXPECT_EQ(params[0].name, "conv/w");
  EXPECT_FALSE(params[0].is_batch_norm);
  EXPECT_TRUE(params[1].is_batch_norm);
  EXPECT_TRUE(params[2].is_batch_norm);
  {
    torch::NoGradGuard no_grad;
    for (Parameter& p : params) p.value.add_(torch::linspace(0, 1, p.value.numel()).view(p.value.sizes()));
    (*module)->buffers()[0].second.fill_(0.25);
  }
  ir::Graph written = g;
  ASSERT_TRUE((*module)->WriteBack(&written).ok());
  // conv/w: the IR holds OHWI; element [o=1, h=2, w=0, i=1] gained linspace at ATen [1, 1, 2, 0]
  // in logical (not memory) order.
  const float before = g.tensor(1).values<float>()[((1 * 3 + 2) * 3 + 0) * 3 + 1];
  const float after = written.tensor(1).values<float>()[((1 * 3 + 2) * 3 + 0) * 3 + 1];
  const int64_t logical = ((1 * 3 + 1) * 3 + 2) * 3 + 0;
  EXPECT_NEAR(after - before, static_cast<float>(logical) / (4 * 27 - 1), 1e-6);
  EXPECT_EQ(written.tensor(5).values<float>()[2], 0.25f);  // bn/moving_mean
  // A module made from the written graph computes what the modified module computes.
  auto again = GraphModule::Create(written, torch::kCPU);
  ASSERT_TRUE(again.ok());
  torch::Tensor images = RandomImages({2, 5, 5, 3}, 12).to(torch::kFloat32);
  {
    torch::NoGradGuard no_grad;
    ExpectClose(*(*again)->Forward(images, false), *(*module)->Forward(images, false), "re-created", 1e-6);
  }

  // Freezing before the FC: conv and BN are frozen (their BN runs in inference mode).
  ASSERT_TRUE((*module)->FreezeBefore("fc").ok());
  EXPECT_FALSE(params[0].trainable);
  EXPECT_FALSE(params[0].value.requires_grad());
  EXPECT_FALSE(params[2].trainable);
  EXPECT_TRUE(params[3].trainable);
  EXPECT_TRUE(params[4].value.requires_grad());
  torch::Tensor mean_before = (*module)->buffers()[0].second.clone();
  ASSERT_TRUE((*module)->Forward(images, true).ok());
  ExpectClose((*module)->buffers()[0].second, mean_before, "frozen BN statistics");
  EXPECT_EQ((*module)->FreezeBefore("no-such-tensor").code(), StatusCode::kNotFound);
  ir::Graph other = BatchNormGraph();
  other.tensors[1].name = "renamed";
  EXPECT_FALSE((*module)->WriteBack(&other).ok());
}

TEST(TrainGraphModule, ErrorsNameTheOpAndTheInput) {
  Builder b({1, 4, 4, 3});
  const int size = b.Ints("size", {2}, {8, 8});
  const int y = b.Op(OpType::kResizeBilinear, {b.input(), size}, "resized", {1, 8, 8, 3}, ir::ResizeOptions{});
  ir::Graph g = b.Finish(y);
  auto module = GraphModule::Create(g, torch::kCPU);
  ASSERT_FALSE(module.ok());
  EXPECT_NE(module.status().message().find("op 0 (RESIZE_BILINEAR, output 'resized')"), std::string::npos)
      << module.status().message();

  auto ok = GraphModule::Create(BatchNormGraph(), torch::kCPU);
  ASSERT_TRUE(ok.ok());
  auto wrong = (*ok)->Forward(torch::zeros({2, 5, 5, 1}), true);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("expected [N, H, W, 3]"), std::string::npos) << wrong.status().message();
  // A spatial size the FC cannot take fails as a Status naming the op, not an exception.
  Builder fb({1, 2, 2, 1});
  const int fc = fb.Op(OpType::kFullyConnected, {fb.input(), fb.Random("w", {2, 4}), ir::kNoTensor}, "fc",
                       {1, 2}, ir::FullyConnectedOptions{});
  auto fcm = GraphModule::Create(fb.Finish(fc), torch::kCPU);
  ASSERT_TRUE(fcm.ok());
  auto bad = (*fcm)->Forward(torch::zeros({1, 3, 3, 1}), false);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("FULLY_CONNECTED"), std::string::npos) << bad.status().message();
}

TEST(TrainGraphModule, DropoutScalesInTrainingOnly) {
  torch::manual_seed(5);  // dropout draws from LibTorch's default generator
  Builder b({1, 1, 1, 1000});
  const int d = b.Op(OpType::kDropout, {b.input()}, "drop", {1, 1, 1, 1000}, ir::DropoutOptions{0.25f});
  auto module = GraphModule::Create(b.Finish(d), torch::kCPU);
  ASSERT_TRUE(module.ok());
  torch::Tensor ones = torch::ones({4, 1, 1, 1000});
  auto train = (*module)->Forward(ones, true);
  ASSERT_TRUE(train.ok());
  const double zero_fraction = (*train == 0).to(torch::kFloat64).mean().item<double>();
  EXPECT_NEAR(zero_fraction, 0.25, 0.03);
  EXPECT_NEAR((*train).max().item<double>(), 1 / 0.75, 1e-6);
  auto eval = (*module)->Forward(ones, false);
  ASSERT_TRUE(eval.ok());
  EXPECT_TRUE(torch::equal(*eval, ones.reshape({4, 1000})));
}

// Transfer learning starts from a published model: a dequantized Coral model runs in
// GraphModule (its final SOFTMAX skipped) and gives the runtime's pre-softmax values.
TEST(TrainGraphModule, DequantizedPublishedModelsMatchRuntime) {
  for (const char* name : {"mobilenet_v1_0.25_128_quant.tflite", "tf2_mobilenet_v2_1.0_224_ptq.tflite"}) {
    SCOPED_TRACE(name);
    auto quantized = tflite::ReadModelFile(testing::TestData(std::string("coral/") + name));
    ASSERT_TRUE(quantized.ok()) << quantized.status().message();
    auto float_graph = ir::DequantizeGraph(*quantized);
    ASSERT_TRUE(float_graph.ok()) << float_graph.status().message();
    auto module = GraphModule::Create(*float_graph, torch::kCPU);
    ASSERT_TRUE(module.ok()) << module.status().message();
    EXPECT_GT((*module)->parameters().size(), 20u);

    // The runtime computes the same graph up to the softmax's input.
    ir::Graph logits_graph = *float_graph;
    const int output = logits_graph.outputs[0];
    for (const ir::Op& op : logits_graph.ops) {
      if (op.outputs[0] == output && op.type == OpType::kSoftmax) logits_graph.outputs = {op.inputs[0]};
    }
    ASSERT_NE(logits_graph.outputs[0], output) << "expected a final SOFTMAX";
    testing::TempDir dir;
    ASSERT_TRUE(tflite::WriteModelFile(logits_graph, dir.file("float.tflite")).ok());
    auto model = Model::FromFile(dir.file("float.tflite"));
    ASSERT_TRUE(model.ok()) << model.status().message();
    auto interpreter = Interpreter::Create(*model);
    ASSERT_TRUE(interpreter.ok()) << interpreter.status().message();

    const Shape& in = float_graph->tensor(float_graph->inputs[0]).shape;
    at::Generator gen = at::detail::createCPUGenerator(13);
    torch::Tensor images = torch::rand({1, in[1], in[2], in[3]}, gen, torch::kFloat32) * 2 - 1;
    torch::NoGradGuard no_grad;
    auto logits = (*module)->Forward(images, false);
    ASSERT_TRUE(logits.ok()) << logits.status().message();
    ASSERT_TRUE((*interpreter)->SetInput(0, {static_cast<const uint8_t*>(images.data_ptr()),
                                            static_cast<size_t>(images.numel()) * 4}).ok());
    ASSERT_TRUE((*interpreter)->Invoke().ok());
    std::vector<float> out = (*interpreter)->OutputAsFloat(0);
    torch::Tensor runtime = torch::from_blob(out.data(), {1, static_cast<int64_t>(out.size())},
                                             torch::kFloat32).clone();
    ExpectClose(*logits, runtime, "logits", 1e-4);
  }
}

}  // namespace
}  // namespace edgeforge::train
