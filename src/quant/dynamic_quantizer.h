// Dynamic-range quantization, as TFLite's converter does it with Optimize.DEFAULT and no
// representative data: the weights of CONV_2D (and, on request, DEPTHWISE_CONV_2D) become int8
// symmetric per output channel, those of FULLY_CONNECTED int8 symmetric per tensor; biases and
// activations stay float32. The runtime's hybrid kernels (runtime/ops/hybrid_ops.h) quantize
// activations on the fly. Op versions are TFLite's hybrid ones: CONV_2D 5, DEPTHWISE_CONV_2D 6,
// FULLY_CONNECTED 3.
#pragma once

#include <cstdint>

#include "ir/graph.h"

namespace edgeforge::quant {

struct DynamicRangeOptions {
  // Weight tensors with fewer values stay float32, as in TFLite's converter
  // (weights_min_num_elements = 1024): they save almost nothing, and a hybrid op quantizes its
  // whole input tensor to 8 bits on the fly, so every one of them adds activation noise. In
  // MobileNets this keeps the stem convolution (3x3x3x32 = 864 values) float.
  int64_t min_weight_elements = 1024;
  // DEPTHWISE_CONV_2D weights stay float32 unless asked: they are about 2 % of a MobileNet's
  // weights, each output reads only 9 or 25 inputs (no matrix product to speed up), and a
  // hybrid depthwise layer is one more 8-bit quantization of a whole activation tensor.
  // Measured on the published MobileNetV2 made float, over 27 photos (README): the mean
  // largest-output error against float falls from 1.3e-2 to 0.7e-2 in the TFLite runtime and
  // from 1.6e-2 to 0.8e-2 in edgeforge's when depthwise and small weights stay float.
  bool quantize_depthwise = false;
};

// `float_graph` as PrepareFloatModel returns it. Ops whose weights are not constants keep them.
ir::Graph QuantizeDynamicRange(const ir::Graph& float_graph, const DynamicRangeOptions& options = {});

}  // namespace edgeforge::quant
