// The building blocks shared by the architectures: the inverted residual ("MBConv") of
// MobileNetV2, MnasNet and MobileNetV3, and the family builders each architecture file defines.
#pragma once

#include <string>
#include <vector>

#include "models/block_string.h"
#include "models/graph_builder.h"

namespace edgeforge::models {

struct InvertedResidualSpec {
  int kernel = 3;
  int stride_h = 1, stride_w = 1;
  int expanded_channels = 0;  // == input channels: no expansion conv
  int output_channels = 0;
  int se_channels = 0;        // 0: no squeeze-excite
  Act activation = Act::kRelu;
  Gate gate = Gate::kSigmoid;
  bool identity_skip = true;  // adds the input when the shapes allow it
};

// [expand 1x1 conv, BN, act] -> depthwise, BN, act -> [SE] -> project 1x1 conv, BN -> [ADD].
// Scopes: "<scope>/expand", "<scope>/depthwise", "<scope>/se", "<scope>/project".
int InvertedResidual(TrainingGraphBuilder& b, int x, const std::string& scope, const InvertedResidualSpec& spec);

// TFLite/keras' _make_divisible: the nearest multiple of `divisor` (halves up), at least
// `divisor`, never more than 10 % below `value`.
int MakeDivisible(double value, int divisor = 8);

// Architecture builders (graph output = SOFTMAX).
StatusOr<ir::Graph> BuildMnasNet(const std::string& name, const ModelOptions& options);  // mnasnet-*
StatusOr<ir::Graph> BuildMobileNetV2(const ModelOptions& options);
StatusOr<ir::Graph> BuildMobileNetV1(const ModelOptions& options);
StatusOr<ir::Graph> BuildMobileNetV3(bool large, const ModelOptions& options);

// The head every architecture but MobileNetV3 shares after its last feature map:
// MEAN (keep_dims false) -> DROPOUT (when the rate is > 0) -> FULLY_CONNECTED -> SOFTMAX.
int ClassifierHead(TrainingGraphBuilder& b, int features, const ModelOptions& options);

}  // namespace edgeforge::models
