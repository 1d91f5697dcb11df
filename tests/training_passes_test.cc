// ir::ToInferenceForm: batch norm folded, dropout gone, activations fused, and the result
// computes what the training form computes in evaluation mode. The reference is a plain
// double-precision evaluation of the training graph written here, independent of the runtime.
#include "ir/training_passes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>

#include "edgeforge/interpreter.h"
#include "ir/verifier.h"
#include "models/zoo.h"
#include "test_util.h"
#include "tflite/writer.h"

namespace edgeforge {
namespace {

// ---- A double-precision evaluator of the training form (evaluation mode) ----------------------

struct Value {
  Shape shape;
  std::vector<double> v;
};

double ApplyActivation(double x, ir::Activation a) {
  switch (a) {
    case ir::Activation::kRelu: return std::max(0.0, x);
    case ir::Activation::kRelu6: return std::min(6.0, std::max(0.0, x));
    default: return x;
  }
}

Value ConstantValue(const ir::Tensor& t) {
  Value out{t.shape, {}};
  if (t.dtype == DType::kFloat32) {
    for (float f : t.values<float>()) out.v.push_back(f);
  } else if (t.dtype == DType::kInt32) {
    for (int32_t i : t.values<int32_t>()) out.v.push_back(i);
  }
  return out;
}

// Broadcasting binary op over NHWC-style shapes aligned at the right.
Value Binary(const Value& a, const Value& b, const Shape& out_shape, bool multiply, ir::Activation act) {
  Value out{out_shape, std::vector<double>(static_cast<size_t>(NumElements(out_shape)))};
  const size_t rank = out_shape.size();
  auto index_in = [&](const Value& x, int64_t flat) {
    int64_t idx = 0, stride = 1;
    int64_t rem = flat;
    std::vector<int64_t> coords(rank);
    for (size_t d = rank; d-- > 0;) {
      coords[d] = rem % out_shape[d];
      rem /= out_shape[d];
    }
    for (size_t d = x.shape.size(); d-- > 0;) {
      const size_t od = d + (rank - x.shape.size());
      const int64_t c = x.shape[d] == 1 ? 0 : coords[od];
      idx += c * stride;
      stride *= x.shape[d];
    }
    return idx;
  };
  for (int64_t i = 0; i < static_cast<int64_t>(out.v.size()); ++i) {
    const double x = a.v[static_cast<size_t>(index_in(a, i))];
    const double y = b.v[static_cast<size_t>(index_in(b, i))];
    out.v[static_cast<size_t>(i)] = ApplyActivation(multiply ? x * y : x + y, act);
  }
  return out;
}

Value Conv(const ir::Graph& g, const ir::Op& op, const Value& in, bool depthwise) {
  const Value w = ConstantValue(g.tensor(op.inputs[1]));
  Value bias;
  if (op.inputs.size() > 2 && op.inputs[2] >= 0) bias = ConstantValue(g.tensor(op.inputs[2]));
  ir::Padding padding;
  int sh, sw;
  ir::Activation act;
  if (depthwise) {
    const auto& o = op.opts<ir::DepthwiseConv2DOptions>();
    padding = o.padding, sh = o.stride_h, sw = o.stride_w, act = o.activation;
  } else {
    const auto& o = op.opts<ir::Conv2DOptions>();
    padding = o.padding, sh = o.stride_h, sw = o.stride_w, act = o.activation;
  }
  const int ih = in.shape[1], iw = in.shape[2], ic = in.shape[3];
  const int kh = w.shape[1], kw = w.shape[2];
  const int oc = depthwise ? w.shape[3] : w.shape[0];
  const auto ph = ir::ComputePadding(padding, ih, kh, sh, 1);
  const auto pw = ir::ComputePadding(padding, iw, kw, sw, 1);
  Value out{{1, ph.out, pw.out, oc}, std::vector<double>(static_cast<size_t>(ph.out) * pw.out * oc)};
  for (int oy = 0; oy < ph.out; ++oy) {
    for (int ox = 0; ox < pw.out; ++ox) {
      for (int o = 0; o < oc; ++o) {
        double acc = bias.v.empty() ? 0.0 : bias.v[static_cast<size_t>(o)];
        for (int ky = 0; ky < kh; ++ky) {
          const int y = oy * sh - ph.before + ky;
          if (y < 0 || y >= ih) continue;
          for (int kx = 0; kx < kw; ++kx) {
            const int x = ox * sw - pw.before + kx;
            if (x < 0 || x >= iw) continue;
            const double* px = &in.v[(static_cast<size_t>(y) * iw + x) * ic];
            if (depthwise) {
              acc += px[o] * w.v[(static_cast<size_t>(ky) * kw + kx) * oc + o];
            } else {
              const double* pk = &w.v[((static_cast<size_t>(o) * kh + ky) * kw + kx) * ic];
              for (int c = 0; c < ic; ++c) acc += px[c] * pk[c];
            }
          }
        }
        out.v[(static_cast<size_t>(oy) * pw.out + ox) * oc + o] = ApplyActivation(acc, act);
      }
    }
  }
  return out;
}

// Evaluates every op of `g` in double precision; returns the value of each tensor.
std::map<int, Value> EvaluateTrainingForm(const ir::Graph& g, const std::vector<float>& input) {
  std::map<int, Value> values;
  for (size_t t = 0; t < g.tensors.size(); ++t) {
    if (g.tensors[t].is_constant()) values[static_cast<int>(t)] = ConstantValue(g.tensors[t]);
  }
  values[g.inputs[0]] = Value{g.tensor(g.inputs[0]).shape, std::vector<double>(input.begin(), input.end())};
  for (const ir::Op& op : g.ops) {
    const Value& in = values.at(op.inputs[0]);
    const Shape& out_shape = g.tensor(op.outputs[0]).shape;
    Value out{out_shape, {}};
    switch (op.type) {
      case ir::OpType::kConv2D: out = Conv(g, op, in, false); break;
      case ir::OpType::kDepthwiseConv2D: out = Conv(g, op, in, true); break;
      case ir::OpType::kFullyConnected: {
        const Value& w = values.at(op.inputs[1]);
        const int units = w.shape[0], depth = w.shape[1];
        for (int u = 0; u < units; ++u) {
          double acc = op.inputs.size() > 2 && op.inputs[2] >= 0 ? values.at(op.inputs[2]).v[static_cast<size_t>(u)] : 0;
          for (int d = 0; d < depth; ++d) acc += in.v[static_cast<size_t>(d)] * w.v[static_cast<size_t>(u) * depth + d];
          out.v.push_back(ApplyActivation(acc, op.opts<ir::FullyConnectedOptions>().activation));
        }
        break;
      }
      case ir::OpType::kBatchNorm: {
        const double eps = op.opts<ir::BatchNormOptions>().epsilon;
        const auto& gamma = values.at(op.inputs[1]).v;
        const auto& beta = values.at(op.inputs[2]).v;
        const auto& mean = values.at(op.inputs[3]).v;
        const auto& var = values.at(op.inputs[4]).v;
        const size_t c = gamma.size();
        out.v.resize(in.v.size());
        for (size_t i = 0; i < in.v.size(); ++i) {
          const size_t ch = i % c;
          out.v[i] = (in.v[i] - mean[ch]) / std::sqrt(var[ch] + eps) * gamma[ch] + beta[ch];
        }
        break;
      }
      case ir::OpType::kDropout: out.v = in.v; break;
      case ir::OpType::kRelu:
      case ir::OpType::kRelu6:
      case ir::OpType::kHardSwish:
      case ir::OpType::kLogistic:
        for (double x : in.v) {
          if (op.type == ir::OpType::kRelu) out.v.push_back(std::max(0.0, x));
          if (op.type == ir::OpType::kRelu6) out.v.push_back(std::clamp(x, 0.0, 6.0));
          if (op.type == ir::OpType::kHardSwish) out.v.push_back(x * std::clamp(x + 3.0, 0.0, 6.0) / 6.0);
          if (op.type == ir::OpType::kLogistic) out.v.push_back(1.0 / (1.0 + std::exp(-x)));
        }
        break;
      case ir::OpType::kAdd:
      case ir::OpType::kMul: {
        ir::Activation act = ir::Activation::kNone;
        if (const auto* o = std::get_if<ir::ElementwiseOptions>(&op.options)) act = o->activation;
        out = Binary(in, values.at(op.inputs[1]), out_shape, op.type == ir::OpType::kMul, act);
        break;
      }
      case ir::OpType::kMean: {  // over H and W of NHWC
        const int h = in.shape[1], w = in.shape[2], c = in.shape[3];
        out.v.assign(static_cast<size_t>(c), 0.0);
        for (int i = 0; i < h * w; ++i) {
          for (int ch = 0; ch < c; ++ch) out.v[static_cast<size_t>(ch)] += in.v[static_cast<size_t>(i) * c + ch];
        }
        for (double& x : out.v) x /= h * w;
        break;
      }
      case ir::OpType::kSoftmax: {
        const double m = *std::max_element(in.v.begin(), in.v.end());
        double sum = 0;
        for (double x : in.v) sum += std::exp(x - m);
        for (double x : in.v) out.v.push_back(std::exp(x - m) / sum);
        break;
      }
      default:
        ADD_FAILURE() << "the test evaluator has no " << ir::OpName(op);
        return values;
    }
    values[op.outputs[0]] = std::move(out);
  }
  return values;
}

// ---- Helpers -------------------------------------------------------------------------------------

int FindTensor(const ir::Graph& g, const std::string& name) {
  for (size_t i = 0; i < g.tensors.size(); ++i) {
    if (g.tensors[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

void SetFloats(ir::Tensor& t, std::mt19937& rng, float lo, float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(static_cast<size_t>(NumElements(t.shape)));
  for (float& x : v) x = d(rng);
  t.SetValues(v);
}

// Gives every batch norm non-trivial statistics and every bias non-zero values, so folding
// has something to get wrong.
void RandomizeStatistics(ir::Graph& g, uint32_t seed) {
  std::mt19937 rng(seed);
  for (const ir::Op& op : g.ops) {
    if (op.type == ir::OpType::kBatchNorm) {
      SetFloats(g.tensor(op.inputs[1]), rng, 0.5f, 1.5f);   // gamma
      SetFloats(g.tensor(op.inputs[2]), rng, -0.5f, 0.5f);  // beta
      SetFloats(g.tensor(op.inputs[3]), rng, -0.5f, 0.5f);  // moving mean
      SetFloats(g.tensor(op.inputs[4]), rng, 0.5f, 2.0f);   // moving variance
    }
    const bool biased = op.type == ir::OpType::kConv2D || op.type == ir::OpType::kFullyConnected;
    if (biased && op.inputs.size() > 2 && op.inputs[2] >= 0) SetFloats(g.tensor(op.inputs[2]), rng, -0.2f, 0.2f);
  }
}

std::vector<float> RandomInput(const ir::Graph& g, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> v(static_cast<size_t>(NumElements(g.tensor(g.inputs[0]).shape)));
  for (float& x : v) x = d(rng);
  return v;
}

// Runs `g` through the writer and the public runtime API; returns each graph output.
std::vector<std::vector<float>> WriteAndRun(const ir::Graph& g, const std::vector<float>& input) {
  auto bytes = tflite::WriteModel(g);
  if (!bytes.ok()) {
    ADD_FAILURE() << "WriteModel: " << bytes.status().message();
    return {};
  }
  auto model = Model::FromBuffer(std::move(bytes).value(), g.metadata.name);
  if (!model.ok()) {
    ADD_FAILURE() << "FromBuffer: " << model.status().message();
    return {};
  }
  auto interp = Interpreter::Create(model.value());
  if (!interp.ok()) {
    ADD_FAILURE() << "Interpreter::Create: " << interp.status().message();
    return {};
  }
  std::vector<uint8_t> in(input.size() * sizeof(float));
  std::memcpy(in.data(), input.data(), in.size());
  EXPECT_TRUE(interp.value()->SetInput(0, in).ok());
  Status s = interp.value()->Invoke();
  if (!s.ok()) {
    ADD_FAILURE() << "Invoke: " << s.message();
    return {};
  }
  std::vector<std::vector<float>> outs;
  for (size_t i = 0; i < interp.value()->num_outputs(); ++i) outs.push_back(interp.value()->OutputAsFloat(i));
  return outs;
}

// Largest |a - b| relative to the largest |b|.
double RelativeError(const std::vector<float>& a, const std::vector<double>& b) {
  double max_diff = 0, max_ref = 1e-30;
  for (size_t i = 0; i < b.size(); ++i) {
    max_diff = std::max(max_diff, std::abs(a[i] - b[i]));
    max_ref = std::max(max_ref, std::abs(b[i]));
  }
  return max_diff / max_ref;
}

size_t CountOps(const ir::Graph& g, ir::OpType type) {
  return static_cast<size_t>(std::count_if(g.ops.begin(), g.ops.end(), [&](const ir::Op& op) { return op.type == type; }));
}

// ---- Tests -----------------------------------------------------------------------------------------

struct ZooCase {
  std::string architecture;
  int image_size;
  int channels;
};

class IrTrainingPassesZoo : public ::testing::TestWithParam<ZooCase> {};

// Every architecture: converts, has no training-only ops, writes, runs in the runtime, and its
// logits and probabilities match the double evaluation of the training form within 1e-4.
TEST_P(IrTrainingPassesZoo, InferenceFormMatchesTrainingFormInDouble) {
  const ZooCase& c = GetParam();
  SCOPED_TRACE(c.architecture + " at " + std::to_string(c.image_size) + "x" + std::to_string(c.image_size) + "x" +
               std::to_string(c.channels) + ", seed 7");
  models::ModelOptions options;
  options.image_size = c.image_size;
  options.channels = c.channels;
  options.num_classes = 10;
  options.seed = 7;
  auto training = models::BuildModel(c.architecture, options);
  ASSERT_TRUE(training.ok()) << training.status().message();
  RandomizeStatistics(training.value(), 7);

  auto inference = ir::ToInferenceForm(training.value());
  ASSERT_TRUE(inference.ok()) << inference.status().message();
  EXPECT_EQ(CountOps(*inference, ir::OpType::kBatchNorm), 0u);
  EXPECT_EQ(CountOps(*inference, ir::OpType::kDropout), 0u);
  // Every batch norm of the zoo follows a convolution: all fold, none becomes MUL + ADD.
  EXPECT_EQ(CountOps(*inference, ir::OpType::kConv2D), CountOps(*training, ir::OpType::kConv2D));
  EXPECT_EQ(CountOps(*inference, ir::OpType::kMul), CountOps(*training, ir::OpType::kMul));
  EXPECT_EQ(inference->metadata, training->metadata);
  ASSERT_TRUE(ir::Verify(*inference, "inference").ok());

  // Also read the logits (the FULLY_CONNECTED before the softmax), which softmax would flatten.
  const int logits = FindTensor(*inference, "head/fc/output");
  ASSERT_GE(logits, 0);
  ir::Graph runnable = inference.value();
  runnable.outputs.push_back(logits);

  const std::vector<float> input = RandomInput(*training, 11);
  auto reference = EvaluateTrainingForm(*training, input);
  const int training_logits = FindTensor(*training, "head/fc/output");
  ASSERT_GE(training_logits, 0);
  auto outs = WriteAndRun(runnable, input);
  ASSERT_EQ(outs.size(), 2u);
  ASSERT_EQ(outs[0].size(), 10u);
  EXPECT_LT(RelativeError(outs[0], reference.at(training->outputs[0]).v), 1e-4);
  EXPECT_LT(RelativeError(outs[1], reference.at(training_logits).v), 1e-4);
}

INSTANTIATE_TEST_SUITE_P(
    AllArchitectures, IrTrainingPassesZoo,
    ::testing::Values(ZooCase{"mnasnet-a1", 32, 3}, ZooCase{"mnasnet-b1", 32, 3}, ZooCase{"mnasnet-small", 32, 3},
                      ZooCase{"mnasnet-d1", 32, 3}, ZooCase{"mobilenet-v1", 32, 3}, ZooCase{"mobilenet-v2", 32, 3},
                      ZooCase{"mobilenet-v3-small", 32, 3}, ZooCase{"mobilenet-v3-large", 32, 3},
                      ZooCase{"mnasnet-a1", 28, 1}, ZooCase{"mobilenet-v3-small", 28, 1}),
    [](const ::testing::TestParamInfo<ZooCase>& p_info) {
      std::string n = p_info.param.architecture + "_" + std::to_string(p_info.param.image_size) + "_c" +
                      std::to_string(p_info.param.channels);
      std::replace(n.begin(), n.end(), '-', '_');
      return n;
    });

TEST(IrTrainingPasses, ReluAfterFoldedConvolutionIsFused) {
  models::ModelOptions options;
  options.image_size = 32;
  options.num_classes = 10;
  auto training = models::BuildModel("mnasnet-a1", options);
  ASSERT_TRUE(training.ok());
  auto inference = ir::ToInferenceForm(training.value());
  ASSERT_TRUE(inference.ok()) << inference.status().message();
  // MnasNet's RELUs all follow a convolution + batch norm, except the squeeze-excite's, which
  // follows a convolution with a bias: every one is fused.
  EXPECT_GT(CountOps(*training, ir::OpType::kRelu), 0u);
  EXPECT_EQ(CountOps(*inference, ir::OpType::kRelu), 0u);
  size_t fused = 0;
  for (const ir::Op& op : inference->ops) {
    if (op.type == ir::OpType::kConv2D && op.opts<ir::Conv2DOptions>().activation == ir::Activation::kRelu) ++fused;
    if (op.type == ir::OpType::kDepthwiseConv2D) {
      EXPECT_EQ(op.opts<ir::DepthwiseConv2DOptions>().activation, ir::Activation::kRelu);
      // Folding gave the bias-less depthwise convolution a bias.
      ASSERT_GE(op.inputs.size(), 3u);
      EXPECT_GE(op.inputs[2], 0);
    }
  }
  EXPECT_GT(fused, 0u);
  // No tensor is left behind that nothing reads or writes.
  std::vector<bool> used(inference->tensors.size(), false);
  for (const ir::Op& op : inference->ops) {
    for (int t : op.inputs) if (t >= 0) used[static_cast<size_t>(t)] = true;
    for (int t : op.outputs) used[static_cast<size_t>(t)] = true;
  }
  for (int t : inference->inputs) used[static_cast<size_t>(t)] = true;
  EXPECT_EQ(std::count(used.begin(), used.end(), false), 0);
}

// A hand-made graph: input -> BATCH_NORM -> RELU6 (no convolution to fold into: MUL + ADD),
// and conv -> BATCH_NORM where the conv output has a second reader (no folding either).
ir::Graph UnfoldableBatchNorms() {
  ir::Graph g;
  auto act = [&](const std::string& name, Shape s) {
    ir::Tensor t;
    t.name = name;
    t.shape = std::move(s);
    return g.AddTensor(std::move(t));
  };
  auto constant = [&](const std::string& name, Shape s, std::vector<float> v) {
    ir::Tensor t;
    t.name = name;
    t.shape = std::move(s);
    t.SetValues(v);
    return g.AddTensor(std::move(t));
  };
  auto bn = [&](int x, const std::string& scope, int c) {
    std::vector<float> gamma, beta, mean, var;
    for (int i = 0; i < c; ++i) {
      gamma.push_back(0.5f + 0.25f * i);
      beta.push_back(0.1f * i - 0.2f);
      mean.push_back(0.3f - 0.1f * i);
      var.push_back(0.5f + 0.5f * i);
    }
    int y = act(scope + "/output", g.tensor(x).shape);
    ir::Op op;
    op.type = ir::OpType::kBatchNorm;
    op.inputs = {x, constant(scope + "/gamma", {c}, gamma), constant(scope + "/beta", {c}, beta),
                 constant(scope + "/moving_mean", {c}, mean), constant(scope + "/moving_variance", {c}, var)};
    op.outputs = {y};
    op.options = ir::BatchNormOptions{1e-3f, 0.99f};
    g.AddOp(op);
    return y;
  };
  int in = act("input", {1, 4, 4, 3});
  g.inputs = {in};
  int x = bn(in, "bn0", 3);
  int r = act("relu6", {1, 4, 4, 3});
  ir::Op relu;
  relu.type = ir::OpType::kRelu6;
  relu.inputs = {x};
  relu.outputs = {r};
  g.AddOp(relu);
  std::vector<float> w(2 * 3 * 3 * 3);
  for (size_t i = 0; i < w.size(); ++i) w[i] = 0.05f * static_cast<float>(i % 7) - 0.15f;
  int conv_out = act("conv/output", {1, 4, 4, 2});
  ir::Op conv;
  conv.type = ir::OpType::kConv2D;
  conv.inputs = {r, constant("conv/weights", {2, 3, 3, 3}, w), ir::kNoTensor};
  conv.outputs = {conv_out};
  conv.options = ir::Conv2DOptions{};
  g.AddOp(conv);
  int y = bn(conv_out, "bn1", 2);
  int sum = act("sum", {1, 4, 4, 2});
  ir::Op add;
  add.type = ir::OpType::kAdd;
  add.inputs = {y, conv_out};  // the conv output's second reader
  add.outputs = {sum};
  add.options = ir::ElementwiseOptions{};
  g.AddOp(add);
  g.outputs = {sum};
  g.metadata.name = "unfoldable";
  return g;
}

TEST(IrTrainingPasses, BatchNormWithoutItsOwnConvolutionBecomesMulAndAdd) {
  ir::Graph training = UnfoldableBatchNorms();
  ASSERT_TRUE(ir::Verify(training, "hand-made").ok());
  auto inference = ir::ToInferenceForm(training);
  ASSERT_TRUE(inference.ok()) << inference.status().message();
  EXPECT_EQ(CountOps(*inference, ir::OpType::kBatchNorm), 0u);
  EXPECT_EQ(CountOps(*inference, ir::OpType::kMul), 2u);
  // Two MUL+ADD pairs plus the graph's own ADD; the first BN's ADD took the RELU6.
  EXPECT_EQ(CountOps(*inference, ir::OpType::kAdd), 3u);
  EXPECT_EQ(CountOps(*inference, ir::OpType::kRelu6), 0u);
  const std::vector<float> input = RandomInput(training, 3);
  auto reference = EvaluateTrainingForm(training, input);
  auto outs = WriteAndRun(*inference, input);
  ASSERT_EQ(outs.size(), 1u);
  EXPECT_LT(RelativeError(outs[0], reference.at(training.outputs[0]).v), 1e-5);
}

TEST(IrTrainingPasses, SharedWeightsAreCopiedNotScaledTwice) {
  // Two convolutions read the same weights; each is followed by its own batch norm.
  ir::Graph g = UnfoldableBatchNorms();
  const int weights = FindTensor(g, "conv/weights");
  ASSERT_GE(weights, 0);
  ir::Tensor out2;
  out2.name = "conv2/output";
  out2.shape = {1, 4, 4, 2};
  const int conv2_out = g.AddTensor(out2);
  ir::Op conv2 = g.ops[2];  // the first CONV_2D
  ASSERT_EQ(conv2.type, ir::OpType::kConv2D);
  conv2.outputs = {conv2_out};
  g.ops.insert(g.ops.begin() + 3, conv2);
  // Replace the ADD's second input (the first conv's output) by a batch norm of conv2.
  ir::Op bn2 = g.ops[4];  // bn1
  ASSERT_EQ(bn2.type, ir::OpType::kBatchNorm);
  ir::Tensor y2;
  y2.name = "bn2/output";
  y2.shape = {1, 4, 4, 2};
  bn2.inputs[0] = conv2_out;
  bn2.outputs = {g.AddTensor(y2)};
  g.ops.insert(g.ops.begin() + 5, bn2);
  g.ops.back().inputs[1] = bn2.outputs[0];
  ASSERT_TRUE(ir::Verify(g, "shared").ok()) << ir::Verify(g, "shared").message();

  auto inference = ir::ToInferenceForm(g);
  ASSERT_TRUE(inference.ok()) << inference.status().message();
  EXPECT_EQ(CountOps(*inference, ir::OpType::kBatchNorm), 0u);
  EXPECT_EQ(CountOps(*inference, ir::OpType::kMul), 1u);  // only the input's batch norm
  const std::vector<float> input = RandomInput(g, 5);
  auto reference = EvaluateTrainingForm(g, input);
  auto outs = WriteAndRun(*inference, input);
  ASSERT_EQ(outs.size(), 1u);
  EXPECT_LT(RelativeError(outs[0], reference.at(g.outputs[0]).v), 1e-5);
}

TEST(IrTrainingPasses, DropoutFeedingTheGraphOutputIsRemoved) {
  ir::Graph g = UnfoldableBatchNorms();
  ir::Tensor dropped;
  dropped.name = "dropout";
  dropped.shape = g.tensor(g.outputs[0]).shape;
  const int sum = g.outputs[0];
  const int out = g.AddTensor(dropped);
  ir::Op dropout;
  dropout.type = ir::OpType::kDropout;
  dropout.inputs = {sum};
  dropout.outputs = {out};
  dropout.options = ir::DropoutOptions{0.5f};
  g.AddOp(dropout);
  g.outputs = {out};
  auto inference = ir::ToInferenceForm(g);
  ASSERT_TRUE(inference.ok()) << inference.status().message();
  EXPECT_EQ(CountOps(*inference, ir::OpType::kDropout), 0u);
  ASSERT_EQ(inference->outputs.size(), 1u);
  EXPECT_EQ(inference->tensor(inference->outputs[0]).name, "sum");
  const std::vector<float> input = RandomInput(g, 4);
  auto reference = EvaluateTrainingForm(g, input);
  auto outs = WriteAndRun(*inference, input);
  ASSERT_EQ(outs.size(), 1u);
  EXPECT_LT(RelativeError(outs[0], reference.at(out).v), 1e-5);
}

TEST(IrTrainingPasses, NonConstantBatchNormParametersAreAnErrorNamingTheOp) {
  ir::Graph g = UnfoldableBatchNorms();
  // gamma of the first batch norm becomes a second graph input.
  const int gamma = g.ops[0].inputs[1];
  g.tensor(gamma).data = {};
  g.tensor(gamma).data_owner.reset();
  g.inputs.push_back(gamma);
  auto inference = ir::ToInferenceForm(g);
  ASSERT_FALSE(inference.ok());
  EXPECT_NE(inference.status().message().find("op 0 (BATCH_NORM)"), std::string::npos) << inference.status().message();
  EXPECT_NE(inference.status().message().find("bn0/gamma"), std::string::npos) << inference.status().message();
}

TEST(IrTrainingPasses, NegativeVarianceIsAnError) {
  ir::Graph g = UnfoldableBatchNorms();
  g.tensor(g.ops[0].inputs[4]).SetValues(std::vector<float>{1.0f, -1.0f, 1.0f});
  auto inference = ir::ToInferenceForm(g);
  ASSERT_FALSE(inference.ok());
  EXPECT_NE(inference.status().message().find("moving_variance[1]"), std::string::npos) << inference.status().message();
}

TEST(IrTrainingPasses, ExportedZooModelMatchesTheTfliteRuntime) {
  const std::string oracle = std::string(EF_BINARY_DIR) + "/oracle/run_tflite.mjs";
  if (!std::filesystem::exists(oracle)) GTEST_SKIP() << "TFLite oracle not installed at " << oracle;
  for (const auto& info : models::Architectures()) {
    const std::string& arch = info.name;
    SCOPED_TRACE(arch + " at 32x32, seed 3");
    models::ModelOptions options;
    options.image_size = 32;
    options.num_classes = 10;
    options.seed = 3;
    auto training = models::BuildModel(arch, options);
    ASSERT_TRUE(training.ok());
    RandomizeStatistics(training.value(), 3);
    auto inference = ir::ToInferenceForm(training.value());
    ASSERT_TRUE(inference.ok()) << inference.status().message();
    testing::TempDir tmp;
    ASSERT_TRUE(tflite::WriteModelFile(*inference, tmp.file("m.tflite")).ok());
    const std::vector<float> input = RandomInput(*training, 9);
    std::vector<uint8_t> in(input.size() * 4);
    std::memcpy(in.data(), input.data(), in.size());
    testing::WriteBytes(tmp.file("in.bin"), in);
    auto r = testing::RunShell("node " + oracle + " " + tmp.file("m.tflite") + " " + tmp.file("in.bin") + " " +
                               tmp.file("out.bin"));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(std::filesystem::exists(tmp.file("out.bin"))) << r.out << r.err;
    auto out_bytes = testing::ReadBytes(tmp.file("out.bin"));
    std::vector<float> theirs(out_bytes.size() / 4);
    std::memcpy(theirs.data(), out_bytes.data(), theirs.size() * 4);
    auto ours = WriteAndRun(*inference, input);
    ASSERT_EQ(ours.size(), 1u);
    ASSERT_EQ(theirs.size(), ours[0].size());
    std::vector<double> theirs_d(theirs.begin(), theirs.end());
    EXPECT_LT(RelativeError(ours[0], theirs_d), 1e-4);
  }
}

}  // namespace
}  // namespace edgeforge
