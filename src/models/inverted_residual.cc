#include <algorithm>
#include <cmath>

#include "models/blocks.h"

namespace edgeforge::models {

int InvertedResidual(TrainingGraphBuilder& b, int x, const std::string& scope, const InvertedResidualSpec& s) {
  const int in_channels = b.channels(x);
  int y = x;
  if (s.expanded_channels != in_channels) {
    y = b.ConvBnAct(y, scope + "/expand", s.expanded_channels, 1, 1, s.activation);
  }
  y = b.DepthwiseBnAct(y, scope + "/depthwise", s.kernel, s.stride_h, s.stride_w, s.activation);
  if (s.se_channels > 0) y = b.SqueezeExcite(y, scope + "/se", s.se_channels, s.gate);
  y = b.ConvBnAct(y, scope + "/project", s.output_channels, 1, 1, Act::kNone);
  if (s.identity_skip && s.stride_h == 1 && s.stride_w == 1 && in_channels == s.output_channels) {
    y = b.Add(y, x, scope + "/add");
  }
  return y;
}

int MakeDivisible(double value, int divisor) {
  int rounded = std::max(divisor, static_cast<int>(value + divisor / 2.0) / divisor * divisor);
  if (rounded < 0.9 * value) rounded += divisor;
  return rounded;
}

int ClassifierHead(TrainingGraphBuilder& b, int features, const ModelOptions& options) {
  int y = b.GlobalMean(features, "head/global_pool", /*keep_dims=*/false);
  if (options.dropout > 0.0f) y = b.Dropout(y, "head/dropout", options.dropout);
  y = b.FullyConnected(y, "head/fc", options.num_classes);
  return b.Softmax(y, "head/probabilities");
}

}  // namespace edgeforge::models
