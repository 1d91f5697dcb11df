// Turns a quantized inference graph into its float32 counterpart: the same network with every
// int8/uint8 weight dequantized (per channel where quantized so), int32 biases scaled back to
// float, float16 weights widened, activations float32, and the QUANTIZE / DEQUANTIZE ops that
// become identities removed. Used to compare runtimes on identical weights (float benchmarks,
// ONNX export) and to make a quantized published model trainable (transfer learning).
//
// The float model's input is the real value the quantized input stood for:
// real = scale * (q - zero_point). The metadata records that as mean = zero_point and
// std = 1 / scale per channel, so images are fed exactly as to the quantized model.
#pragma once

#include "edgeforge/status.h"
#include "ir/graph.h"

namespace edgeforge::ir {

StatusOr<Graph> DequantizeGraph(const Graph& graph);

}  // namespace edgeforge::ir
