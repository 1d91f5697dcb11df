#include "models/graph_builder.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/check.h"
#include "ir/verifier.h"

namespace edgeforge::models {

namespace {

// TFLite BuiltinOperator codes of the ops the zoo emits (kept in Op::builtin_code).
constexpr int32_t kCodeAdd = 0;
constexpr int32_t kCodeConv2D = 3;
constexpr int32_t kCodeDepthwiseConv2D = 4;
constexpr int32_t kCodeFullyConnected = 9;
constexpr int32_t kCodeLogistic = 14;
constexpr int32_t kCodeMul = 18;
constexpr int32_t kCodeRelu = 19;
constexpr int32_t kCodeRelu6 = 21;
constexpr int32_t kCodeSoftmax = 25;
constexpr int32_t kCodeMean = 40;
constexpr int32_t kCodeHardSwish = 117;

}  // namespace

TrainingGraphBuilder::TrainingGraphBuilder(const ModelOptions& options)
    : options_(options), rng_(options.seed) {}

std::vector<float> TrainingGraphBuilder::Normal(size_t n, double stddev) {
  // Box-Muller on the raw engine output, so the weights are the same with every standard
  // library (std::normal_distribution's algorithm is unspecified).
  std::vector<float> v(n);
  constexpr double kTwoPi = 6.283185307179586;
  for (size_t i = 0; i < n; i += 2) {
    const double u1 = (static_cast<double>(rng_() >> 11) + 1.0) * 0x1.0p-53;  // (0, 1]
    const double u2 = static_cast<double>(rng_() >> 11) * 0x1.0p-53;          // [0, 1)
    const double r = std::sqrt(-2.0 * std::log(u1)) * stddev;
    v[i] = static_cast<float>(r * std::cos(kTwoPi * u2));
    if (i + 1 < n) v[i + 1] = static_cast<float>(r * std::sin(kTwoPi * u2));
  }
  return v;
}

std::vector<float> TrainingGraphBuilder::Uniform(size_t n, double limit) {
  std::vector<float> v(n);
  for (float& x : v) {
    const double u = static_cast<double>(rng_() >> 11) * 0x1.0p-53;
    x = static_cast<float>((2.0 * u - 1.0) * limit);
  }
  return v;
}

int TrainingGraphBuilder::AddActivation(const std::string& name, Shape shape) {
  ir::Tensor t;
  t.name = name;
  t.dtype = DType::kFloat32;
  t.shape = std::move(shape);
  return graph_.AddTensor(std::move(t));
}

int TrainingGraphBuilder::AddConstant(const std::string& name, Shape shape, const std::vector<float>& values) {
  EF_CHECK_EQ(NumElements(shape), static_cast<int64_t>(values.size()));
  ir::Tensor t;
  t.name = name;
  t.dtype = DType::kFloat32;
  t.shape = std::move(shape);
  t.SetValues(values);
  return graph_.AddTensor(std::move(t));
}

int TrainingGraphBuilder::AddScalar(const std::string& name, float value) {
  return AddConstant(name, Shape{}, {value});
}

ir::Op& TrainingGraphBuilder::AddOp(ir::OpType type, int32_t builtin_code, std::vector<int> inputs, int output) {
  ir::Op op;
  op.type = type;
  op.builtin_code = builtin_code;
  op.inputs = std::move(inputs);
  op.outputs = {output};
  return graph_.AddOp(std::move(op));
}

int TrainingGraphBuilder::Input() {
  int x = AddActivation("input", {1, options_.image_size, options_.image_size, options_.channels});
  graph_.inputs = {x};
  return x;
}

int TrainingGraphBuilder::Conv(int x, const std::string& scope, int out_channels, int kernel, int stride_h,
                               int stride_w, bool with_bias) {
  const Shape in = shape(x);
  const int in_channels = in[3];
  // Reference initialiser: normal(0, sqrt(2 / fan_out)), fan_out = kh * kw * out_filters.
  const double stddev = std::sqrt(2.0 / (kernel * kernel * out_channels));
  const Shape w_shape{out_channels, kernel, kernel, in_channels};
  int w = AddConstant(scope + "/weights", w_shape, Normal(static_cast<size_t>(NumElements(w_shape)), stddev));
  int b = ir::kNoTensor;
  if (with_bias) b = AddConstant(scope + "/bias", {out_channels}, std::vector<float>(out_channels, 0.0f));
  const auto h = ir::ComputePadding(ir::Padding::kSame, in[1], kernel, stride_h, 1);
  const auto wd = ir::ComputePadding(ir::Padding::kSame, in[2], kernel, stride_w, 1);
  int y = AddActivation(scope + "/output", {in[0], h.out, wd.out, out_channels});
  ir::Conv2DOptions o;
  o.padding = ir::Padding::kSame;
  o.stride_h = stride_h;
  o.stride_w = stride_w;
  AddOp(ir::OpType::kConv2D, kCodeConv2D, {x, w, b}, y).options = o;
  return y;
}

int TrainingGraphBuilder::Depthwise(int x, const std::string& scope, int kernel, int stride_h, int stride_w) {
  const Shape in = shape(x);
  const int c = in[3];
  // Keras' depthwise kernel is [kh, kw, C, 1]: fan_out = kh * kw * 1.
  const double stddev = std::sqrt(2.0 / (kernel * kernel));
  const Shape w_shape{1, kernel, kernel, c};
  int w = AddConstant(scope + "/weights", w_shape, Normal(static_cast<size_t>(NumElements(w_shape)), stddev));
  const auto h = ir::ComputePadding(ir::Padding::kSame, in[1], kernel, stride_h, 1);
  const auto wd = ir::ComputePadding(ir::Padding::kSame, in[2], kernel, stride_w, 1);
  int y = AddActivation(scope + "/output", {in[0], h.out, wd.out, c});
  ir::DepthwiseConv2DOptions o;
  o.padding = ir::Padding::kSame;
  o.stride_h = stride_h;
  o.stride_w = stride_w;
  o.depth_multiplier = 1;
  AddOp(ir::OpType::kDepthwiseConv2D, kCodeDepthwiseConv2D, {x, w, ir::kNoTensor}, y).options = o;
  return y;
}

int TrainingGraphBuilder::BatchNorm(int x, const std::string& scope) {
  const int c = channels(x);
  const Shape s{c};
  int gamma = AddConstant(scope + "/gamma", s, std::vector<float>(c, 1.0f));
  int beta = AddConstant(scope + "/beta", s, std::vector<float>(c, 0.0f));
  int mean = AddConstant(scope + "/moving_mean", s, std::vector<float>(c, 0.0f));
  int var = AddConstant(scope + "/moving_variance", s, std::vector<float>(c, 1.0f));
  int y = AddActivation(scope + "/output", shape(x));
  AddOp(ir::OpType::kBatchNorm, -1, {x, gamma, beta, mean, var}, y).options =
      ir::BatchNormOptions{options_.batch_norm_epsilon, options_.batch_norm_momentum};
  return y;
}

int TrainingGraphBuilder::Activation(int x, const std::string& scope, Act act) {
  switch (act) {
    case Act::kNone:
      return x;
    case Act::kRelu: {
      int y = AddActivation(scope + "/relu", shape(x));
      AddOp(ir::OpType::kRelu, kCodeRelu, {x}, y);
      return y;
    }
    case Act::kRelu6: {
      int y = AddActivation(scope + "/relu6", shape(x));
      AddOp(ir::OpType::kRelu6, kCodeRelu6, {x}, y);
      return y;
    }
    case Act::kHardSwish: {
      int y = AddActivation(scope + "/hard_swish", shape(x));
      AddOp(ir::OpType::kHardSwish, kCodeHardSwish, {x}, y);
      return y;
    }
  }
  return x;
}

int TrainingGraphBuilder::ConvBnAct(int x, const std::string& scope, int out_channels, int kernel, int stride,
                                    Act act) {
  int y = Conv(x, scope + "/conv", out_channels, kernel, stride, stride, /*with_bias=*/false);
  y = BatchNorm(y, scope + "/bn");
  return Activation(y, scope, act);
}

int TrainingGraphBuilder::DepthwiseBnAct(int x, const std::string& scope, int kernel, int stride_h, int stride_w,
                                         Act act) {
  int y = Depthwise(x, scope + "/conv", kernel, stride_h, stride_w);
  y = BatchNorm(y, scope + "/bn");
  return Activation(y, scope, act);
}

int TrainingGraphBuilder::SqueezeExcite(int x, const std::string& scope, int reduced_channels, Gate gate) {
  const int c = channels(x);
  int s = GlobalMean(x, scope + "/squeeze", /*keep_dims=*/true);
  s = Conv(s, scope + "/reduce", reduced_channels, 1, 1, 1, /*with_bias=*/true);
  s = Activation(s, scope + "/reduce", Act::kRelu);
  s = Conv(s, scope + "/expand", c, 1, 1, 1, /*with_bias=*/true);
  int g;
  if (gate == Gate::kSigmoid) {
    g = AddActivation(scope + "/sigmoid", shape(s));
    AddOp(ir::OpType::kLogistic, kCodeLogistic, {s}, g);
  } else {
    // hard_sigmoid(x) = relu6(x + 3) / 6, written as TFLite converters write it.
    int plus3 = AddActivation(scope + "/hard_sigmoid/add", shape(s));
    AddOp(ir::OpType::kAdd, kCodeAdd, {s, AddScalar(scope + "/hard_sigmoid/three", 3.0f)}, plus3).options =
        ir::ElementwiseOptions{};
    int clipped = AddActivation(scope + "/hard_sigmoid/relu6", shape(s));
    AddOp(ir::OpType::kRelu6, kCodeRelu6, {plus3}, clipped);
    g = AddActivation(scope + "/hard_sigmoid/output", shape(s));
    AddOp(ir::OpType::kMul, kCodeMul, {clipped, AddScalar(scope + "/hard_sigmoid/one_sixth", 1.0f / 6.0f)}, g)
        .options = ir::ElementwiseOptions{};
  }
  int y = AddActivation(scope + "/excite", shape(x));
  AddOp(ir::OpType::kMul, kCodeMul, {x, g}, y).options = ir::ElementwiseOptions{};
  return y;
}

int TrainingGraphBuilder::Add(int a, int b, const std::string& name) {
  int y = AddActivation(name, shape(a));
  AddOp(ir::OpType::kAdd, kCodeAdd, {a, b}, y).options = ir::ElementwiseOptions{};
  return y;
}

int TrainingGraphBuilder::GlobalMean(int x, const std::string& name, bool keep_dims) {
  ir::Tensor axes;
  axes.name = name + "/axes";
  axes.dtype = DType::kInt32;
  axes.shape = {2};
  axes.SetValues(std::vector<int32_t>{1, 2});
  int axes_index = graph_.AddTensor(std::move(axes));
  const Shape in = shape(x);
  Shape out = keep_dims ? Shape{in[0], 1, 1, in[3]} : Shape{in[0], in[3]};
  int y = AddActivation(name, out);
  AddOp(ir::OpType::kMean, kCodeMean, {x, axes_index}, y).options = ir::ReducerOptions{keep_dims};
  return y;
}

int TrainingGraphBuilder::Dropout(int x, const std::string& name, float rate) {
  int y = AddActivation(name, shape(x));
  AddOp(ir::OpType::kDropout, -1, {x}, y).options = ir::DropoutOptions{rate};
  return y;
}

int TrainingGraphBuilder::FullyConnected(int x, const std::string& scope, int units) {
  const Shape in = shape(x);
  const int depth = in.back();
  // The reference's dense initialiser is uniform(+-1/sqrt(units)) (variance scaling 1/3 by
  // fan-out), made for ImageNet where units (1000) ~ depth (1280). With 10 classes it starts the
  // logits with std ~5 and the first hundreds of steps only shrink them; the larger of fan-in
  // and fan-out keeps ImageNet's scale and gives small classifiers Keras' fan-in scale.
  const Shape w_shape{units, depth};
  const double limit = 1.0 / std::sqrt(static_cast<double>(std::max(units, depth)));
  int w = AddConstant(scope + "/weights", w_shape, Uniform(static_cast<size_t>(NumElements(w_shape)), limit));
  int b = AddConstant(scope + "/bias", {units}, std::vector<float>(units, 0.0f));
  int y = AddActivation(scope + "/output", {in[0], units});
  AddOp(ir::OpType::kFullyConnected, kCodeFullyConnected, {x, w, b}, y).options = ir::FullyConnectedOptions{};
  return y;
}

int TrainingGraphBuilder::Softmax(int x, const std::string& name) {
  int y = AddActivation(name, shape(x));
  AddOp(ir::OpType::kSoftmax, kCodeSoftmax, {x}, y).options = ir::SoftmaxOptions{1.0f};
  return y;
}

ir::Graph TrainingGraphBuilder::Finish(int output, const std::string& architecture) {
  graph_.outputs = {output};
  graph_.metadata.name = architecture;
  graph_.metadata.labels = options_.labels;
  graph_.metadata.input_mean.assign(static_cast<size_t>(options_.channels), 127.5f);
  graph_.metadata.input_std.assign(static_cast<size_t>(options_.channels), 127.5f);
  graph_.description = "edgeforge " + architecture;
  return std::move(graph_);
}

}  // namespace edgeforge::models
