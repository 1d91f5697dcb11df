// float16 post-training quantization, as TFLite's converter does it with
// target_spec.supported_types = [tf.float16]: every float32 constant an op reads is stored as
// float16 and widened back to float32 by a DEQUANTIZE (version 3) at the start of the graph;
// activations and the arithmetic stay float32. The file is about half the size.
#pragma once

#include "ir/graph.h"

namespace edgeforge::quant {

ir::Graph QuantizeFloat16(const ir::Graph& float_graph);

}  // namespace edgeforge::quant
