// MnasNet A1 / B1 / small / D1 as defined by the reference implementation
// (tensorflow/tpu models/official/mnasnet/mnasnet_models.py), and MobileNetV2, which is the same
// inverted-residual stack with ReLU6 and no squeeze-excite.
#include <algorithm>

#include "models/blocks.h"

namespace edgeforge::models {

namespace {

struct BlockStackSpec {
  std::vector<std::string> blocks;
  int stem_filters = 32;
  Act activation = Act::kRelu;
  // Head 1x1 convolution: 1280 filters, fixed for MnasNet; MobileNetV2 widens it above 1.0.
  bool head_scales_above_one = false;
};

StatusOr<BlockStackSpec> MnasNetSpec(const std::string& name) {
  BlockStackSpec s;
  if (name == "mnasnet-a1") {
    s.blocks = {"r1_k3_s11_e1_i32_o16_noskip", "r2_k3_s22_e6_i16_o24",     "r3_k5_s22_e3_i24_o40_se0.25",
                "r4_k3_s22_e6_i40_o80",        "r2_k3_s11_e6_i80_o112_se0.25", "r3_k5_s22_e6_i112_o160_se0.25",
                "r1_k3_s11_e6_i160_o320"};
  } else if (name == "mnasnet-b1") {
    s.blocks = {"r1_k3_s11_e1_i32_o16_noskip", "r3_k3_s22_e3_i16_o24", "r3_k5_s22_e3_i24_o40",
                "r3_k5_s22_e6_i40_o80",        "r2_k3_s11_e6_i80_o96", "r4_k5_s22_e6_i96_o192",
                "r1_k3_s11_e6_i192_o320_noskip"};
  } else if (name == "mnasnet-small") {
    s.blocks = {"r1_k3_s11_e1_i16_o8",         "r1_k3_s22_e3_i8_o16",         "r2_k3_s22_e6_i16_o16",
                "r4_k5_s22_e6_i16_o32_se0.25", "r3_k3_s11_e6_i32_o32_se0.25", "r3_k5_s22_e6_i32_o88_se0.25",
                "r1_k3_s11_e6_i88_o144"};
    s.stem_filters = 8;
  } else if (name == "mnasnet-d1") {
    s.blocks = {"r1_k3_s11_e9_i32_o24", "r3_k3_s22_e9_i24_o36", "r5_k3_s22_e9_i36_o48",
                "r4_k5_s22_e9_i48_o96", "r5_k7_s11_e3_i96_o96", "r3_k3_s22_e9_i96_o80",
                "r1_k7_s11_e6_i80_o320_noskip"};
  } else if (name == "mobilenet-v2") {
    // MobileNetV2's (t, c, n, s) table in block-string form.
    s.blocks = {"r1_k3_s11_e1_i32_o16",  "r2_k3_s22_e6_i16_o24", "r3_k3_s22_e6_i24_o32",
                "r4_k3_s22_e6_i32_o64",  "r3_k3_s11_e6_i64_o96", "r3_k3_s22_e6_i96_o160",
                "r1_k3_s11_e6_i160_o320"};
    s.activation = Act::kRelu6;
    s.head_scales_above_one = true;
  } else {
    return NotFound("no block-string architecture named '" + name + "'");
  }
  return s;
}

StatusOr<ir::Graph> BuildBlockStack(const std::string& name, const ModelOptions& options) {
  EF_ASSIGN_OR_RETURN(BlockStackSpec spec, MnasNetSpec(name));
  EF_ASSIGN_OR_RETURN(std::vector<BlockArgs> blocks, DecodeBlockStrings(spec.blocks));
  const float width = options.width_multiplier;
  TrainingGraphBuilder b(options);
  int x = b.Input();
  x = b.ConvBnAct(x, "stem", RoundFilters(spec.stem_filters, width), 3, 2, spec.activation);
  int index = 0;
  for (BlockArgs args : blocks) {
    // As the reference: filters rounded per stage, the first repeat takes the strides and the
    // stage's input filters, the others map output -> output with stride 1.
    args.input_filters = RoundFilters(args.input_filters, width);
    args.output_filters = RoundFilters(args.output_filters, width);
    const int repeats = RoundRepeats(args.num_repeat, options.depth_multiplier);
    for (int r = 0; r < repeats; ++r) {
      InvertedResidualSpec s;
      s.kernel = args.kernel_size;
      s.stride_h = r == 0 ? args.stride_h : 1;
      s.stride_w = r == 0 ? args.stride_w : 1;
      // The reference works from the *declared* input filters (i), which need not be the
      // channels arriving (mnasnet-small's first block declares i16 after an 8-filter stem):
      // they size the expansion and the squeeze and decide the skip; e1 means no expansion.
      const int in = r == 0 ? args.input_filters : args.output_filters;
      s.expanded_channels = args.expand_ratio == 1 ? b.channels(x) : in * args.expand_ratio;
      s.output_channels = args.output_filters;
      if (args.has_se()) s.se_channels = std::max(1, static_cast<int>(in * args.se_ratio));
      s.activation = spec.activation;
      s.gate = Gate::kSigmoid;
      s.identity_skip = args.id_skip && in == args.output_filters;
      x = InvertedResidual(b, x, "blocks_" + std::to_string(index++), s);
    }
  }
  const int head_filters = spec.head_scales_above_one && width > 1.0f ? MakeDivisible(1280.0 * width) : 1280;
  x = b.ConvBnAct(x, "head", head_filters, 1, 1, spec.activation);
  return b.Finish(ClassifierHead(b, x, options), name);
}

}  // namespace

StatusOr<ir::Graph> BuildMnasNet(const std::string& name, const ModelOptions& options) {
  return BuildBlockStack(name, options);
}

StatusOr<ir::Graph> BuildMobileNetV2(const ModelOptions& options) {
  return BuildBlockStack("mobilenet-v2", options);
}

}  // namespace edgeforge::models
