// Dynamic-range quantization, as TFLite's converter does it with Optimize.DEFAULT and no
// representative data: the weights of CONV_2D and DEPTHWISE_CONV_2D become int8 symmetric per
// output channel, those of FULLY_CONNECTED int8 symmetric per tensor; biases and activations
// stay float32. The runtime's hybrid kernels (runtime/ops/hybrid_ops.h) quantize activations
// on the fly. Op versions are TFLite's hybrid ones: CONV_2D 5, DEPTHWISE_CONV_2D 6,
// FULLY_CONNECTED 3. Unlike TFLite's converter, small weight tensors (under 1024 values) are
// quantized too.
#pragma once

#include "ir/graph.h"

namespace edgeforge::quant {

// `float_graph` as PrepareFloatModel returns it. Ops whose weights are not constants keep them.
ir::Graph QuantizeDynamicRange(const ir::Graph& float_graph);

}  // namespace edgeforge::quant
