// Builds graphs in the zoo's training form (see zoo.h) one layer at a time: creates the
// weights with the MnasNet reference initialisers, names every tensor under a scope, and
// declares each output's shape the way the verifier infers it (SAME padding, NHWC).
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "ir/graph.h"
#include "models/zoo.h"

namespace edgeforge::models {

enum class Act { kNone, kRelu, kRelu6, kHardSwish };

// The squeeze-excite gate: MnasNet uses the logistic sigmoid, MobileNetV3 the hard sigmoid.
enum class Gate { kSigmoid, kHardSigmoid };

class TrainingGraphBuilder {
 public:
  explicit TrainingGraphBuilder(const ModelOptions& options);

  // The float32 [1, S, S, C] graph input.
  int Input();

  // CONV_2D (OHWI weights, no bias unless `with_bias`), SAME padding.
  int Conv(int x, const std::string& scope, int out_channels, int kernel, int stride_h, int stride_w,
           bool with_bias);
  // DEPTHWISE_CONV_2D, multiplier 1, SAME padding, no bias.
  int Depthwise(int x, const std::string& scope, int kernel, int stride_h, int stride_w);
  int BatchNorm(int x, const std::string& scope);
  int Activation(int x, const std::string& scope, Act act);
  // Convolution (or depthwise), BATCH_NORM, activation: scopes "<scope>/conv", "<scope>/bn".
  int ConvBnAct(int x, const std::string& scope, int out_channels, int kernel, int stride, Act act);
  int DepthwiseBnAct(int x, const std::string& scope, int kernel, int stride_h, int stride_w, Act act);
  // MEAN -> 1x1 conv + bias -> RELU -> 1x1 conv + bias -> gate -> MUL(x, gate).
  int SqueezeExcite(int x, const std::string& scope, int reduced_channels, Gate gate);
  int Add(int a, int b, const std::string& name);
  // MEAN over H, W.
  int GlobalMean(int x, const std::string& name, bool keep_dims);
  int Dropout(int x, const std::string& name, float rate);
  int FullyConnected(int x, const std::string& scope, int units);
  int Softmax(int x, const std::string& name);

  // Hands over the graph with `output` as its output and the metadata set.
  ir::Graph Finish(int output, const std::string& architecture);

  const Shape& shape(int tensor) const { return graph_.tensor(tensor).shape; }
  int channels(int tensor) const { return shape(tensor).back(); }

 private:
  int AddActivation(const std::string& name, Shape shape);
  int AddConstant(const std::string& name, Shape shape, const std::vector<float>& values);
  int AddScalar(const std::string& name, float value);
  ir::Op& AddOp(ir::OpType type, int32_t builtin_code, std::vector<int> inputs, int output);
  std::vector<float> Normal(size_t n, double stddev);
  std::vector<float> Uniform(size_t n, double limit);

  ModelOptions options_;
  ir::Graph graph_;
  std::mt19937_64 rng_;
};

}  // namespace edgeforge::models
