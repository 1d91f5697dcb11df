// MobileNet V1 (Howard et al. 2017) and V3 small / large (Howard et al. 2019), laid out as keras
// applications builds them (stem, blocks, head), in the zoo's training form.
#include "models/blocks.h"

namespace edgeforge::models {

namespace {

struct V3Block {
  int kernel;
  double expansion;  // expanded = MakeDivisible(input channels * expansion), as keras
  int output;        // before the width multiplier
  bool se;
  Act act;
  int stride;
};

constexpr Act RE = Act::kRelu;
constexpr Act HS = Act::kHardSwish;

// Table 1 of the MobileNetV3 paper.
const std::vector<V3Block> kV3Large = {
    {3, 1, 16, false, RE, 1},    {3, 4, 24, false, RE, 2},    {3, 3, 24, false, RE, 1},
    {5, 3, 40, true, RE, 2},     {5, 3, 40, true, RE, 1},     {5, 3, 40, true, RE, 1},
    {3, 6, 80, false, HS, 2},    {3, 2.5, 80, false, HS, 1},  {3, 2.3, 80, false, HS, 1},
    {3, 2.3, 80, false, HS, 1},  {3, 6, 112, true, HS, 1},    {3, 6, 112, true, HS, 1},
    {5, 6, 160, true, HS, 2},    {5, 6, 160, true, HS, 1},    {5, 6, 160, true, HS, 1},
};

// Table 2 of the MobileNetV3 paper.
const std::vector<V3Block> kV3Small = {
    {3, 1, 16, true, RE, 2},          {3, 72.0 / 16, 24, false, RE, 2}, {3, 88.0 / 24, 24, false, RE, 1},
    {5, 4, 40, true, HS, 2},          {5, 6, 40, true, HS, 1},          {5, 6, 40, true, HS, 1},
    {5, 3, 48, true, HS, 1},          {5, 3, 48, true, HS, 1},          {5, 6, 96, true, HS, 2},
    {5, 6, 96, true, HS, 1},          {5, 6, 96, true, HS, 1},
};

}  // namespace

StatusOr<ir::Graph> BuildMobileNetV1(const ModelOptions& options) {
  const float width = options.width_multiplier;
  TrainingGraphBuilder b(options);
  int x = b.Input();
  // Keras truncates filters * alpha; the zoo rounds every family to multiples of 8 alike
  // (identical at width 1.0, and what accelerators prefer).
  x = b.ConvBnAct(x, "stem", RoundFilters(32, width), 3, 2, Act::kRelu6);
  // (pointwise filters, depthwise stride) of the 13 depthwise-separable layers.
  const int layers[13][2] = {{64, 1},  {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2}, {512, 1},
                             {512, 1}, {512, 1}, {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};
  for (int i = 0; i < 13; ++i) {
    const std::string scope = "blocks_" + std::to_string(i);
    x = b.DepthwiseBnAct(x, scope + "/depthwise", 3, layers[i][1], layers[i][1], Act::kRelu6);
    x = b.ConvBnAct(x, scope + "/pointwise", RoundFilters(layers[i][0], width), 1, 1, Act::kRelu6);
  }
  return b.Finish(ClassifierHead(b, x, options), "mobilenet-v1");
}

StatusOr<ir::Graph> BuildMobileNetV3(bool large, const ModelOptions& options) {
  const float width = options.width_multiplier;
  const std::string name = large ? "mobilenet-v3-large" : "mobilenet-v3-small";
  auto depth = [&](double v) { return MakeDivisible(v * width); };
  TrainingGraphBuilder b(options);
  int x = b.Input();
  // The stem keeps 16 filters at every width (as keras).
  x = b.ConvBnAct(x, "stem", 16, 3, 2, Act::kHardSwish);
  int index = 0;
  for (const V3Block& blk : large ? kV3Large : kV3Small) {
    InvertedResidualSpec s;
    s.kernel = blk.kernel;
    s.stride_h = s.stride_w = blk.stride;
    s.expanded_channels = MakeDivisible(b.channels(x) * blk.expansion);
    s.output_channels = depth(blk.output);
    s.se_channels = blk.se ? MakeDivisible(s.expanded_channels * 0.25) : 0;
    s.activation = blk.act;
    s.gate = Gate::kHardSigmoid;
    x = InvertedResidual(b, x, "blocks_" + std::to_string(index++), s);
  }
  // Head: 1x1 conv (6x the last block's width), pool, a bias-carrying 1x1 layer without batch
  // norm (a FULLY_CONNECTED on the pooled vector), then the classifier.
  x = b.ConvBnAct(x, "head", depth(large ? 960 : 576), 1, 1, Act::kHardSwish);
  x = b.GlobalMean(x, "head/global_pool", /*keep_dims=*/false);
  const int last_point = width > 1.0f ? depth(large ? 1280 : 1024) : (large ? 1280 : 1024);
  x = b.FullyConnected(x, "head/last_point", last_point);
  x = b.Activation(x, "head/last_point", Act::kHardSwish);
  if (options.dropout > 0.0f) x = b.Dropout(x, "head/dropout", options.dropout);
  x = b.FullyConnected(x, "head/fc", options.num_classes);
  return b.Finish(b.Softmax(x, "head/probabilities"), name);
}

}  // namespace edgeforge::models
