// The model zoo: MnasNet and MobileNet architectures built as an ir::Graph in training form.
//
// Training form (what train/ executes and ir/training_passes turns into an inference graph):
// - input 0: float32 [1, S, S, C] (the trainer runs any batch); metadata input_mean/std set to
//   127.5 / 127.5 (pixels scaled to [-1, 1]), metadata name = architecture name.
// - CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED with float32 constant weights in TFLite
//   layouts (OHWI, 1HWC, [out, in]); a convolution followed by BATCH_NORM has no bias
//   (input 2 = kNoTensor); fused activation kNone in training form.
// - BATCH_NORM: inputs [x, gamma, beta, moving_mean, moving_variance], each a float32
//   constant [C] over the last (channel) axis; BatchNormOptions epsilon / momentum (TF
//   convention: moving = momentum * moving + (1 - momentum) * batch statistic).
// - activations as their own ops: RELU, RELU6, HARD_SWISH; hard-sigmoid is
//   ADD(x, 3) -> RELU6 -> MUL(., 1/6) with scalar float constants (how TFLite converters
//   write it, quantizable).
// - squeeze-excite: MEAN(axes [1, 2], keep_dims) -> CONV_2D 1x1 + bias -> RELU ->
//   CONV_2D 1x1 + bias -> LOGISTIC (MnasNet) or hard-sigmoid (MobileNetV3) -> MUL(x, gate).
// - residual: ADD of block input and output (no activation).
// - head: ... -> MEAN(axes [1, 2], keep_dims = false) -> DROPOUT -> FULLY_CONNECTED + bias
//   (the logits, tensor "head/fc/output") -> SOFTMAX, the graph output. The trainer computes
//   the loss on the SOFTMAX's input. MobileNetV3 puts its 1280 (large) / 1024 (small) layer
//   between MEAN and DROPOUT: FULLY_CONNECTED + bias -> HARD_SWISH, no batch norm. DROPOUT is
//   left out when ModelOptions::dropout is 0.
// - all convolutions use SAME padding, so any input size >= 1 builds (a 1x1 feature map stays
//   1x1 through the remaining strides).
// - Every trainable tensor has a unique, hierarchical name ("stem/conv/weights",
//   "blocks_3/expand/bn/gamma", "head/fc/bias"); checkpoints and --unfreeze-from use them.
//   BATCH_NORM moving_mean / moving_variance are state, not trainable.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "edgeforge/status.h"
#include "ir/graph.h"

namespace edgeforge::models {

struct ModelOptions {
  int image_size = 224;
  int channels = 3;            // 1 for gray datasets (Fashion-MNIST)
  int num_classes = 1000;
  float width_multiplier = 1.0f;  // filters scaled and rounded to multiples of 8 (RoundFilters)
  float depth_multiplier = 1.0f;  // block repeats scaled up (RoundRepeats)
  float dropout = 0.2f;
  float batch_norm_momentum = 0.99f;
  float batch_norm_epsilon = 1e-3f;
  uint64_t seed = 1;           // weight initialisation
  std::vector<std::string> labels;  // metadata labels (num_classes entries or empty)
};

struct ArchitectureInfo {
  std::string name;         // "mnasnet-a1"
  std::string description;  // one line
};
// Every architecture `BuildModel` knows, in a stable order.
const std::vector<ArchitectureInfo>& Architectures();

// Builds `architecture` with freshly initialised weights (MnasNet reference initialisers:
// convolutions normal(0, sqrt(2 / fan_out)), dense uniform(+-1/sqrt(max(out, in))), BN gamma 1 beta 0,
// moving mean 0 variance 1). Unknown name: error listing the known ones.
StatusOr<ir::Graph> BuildModel(const std::string& architecture, const ModelOptions& options);

// Trainable parameters (float elements of constant tensors, BN moving statistics excluded:
// convolution / dense weights and biases, BN gamma and beta) and multiply-adds of one image's
// forward pass as papers count them (convolutions and dense layers; elementwise ops, batch
// norm and pooling excluded).
struct ModelSize {
  int64_t parameters = 0;
  int64_t macs = 0;
};
ModelSize MeasureModel(const ir::Graph& training_graph);

}  // namespace edgeforge::models
