// From training form to inference form (see models/zoo.h for the training form): batch norm
// folded into the convolution before it (weights scaled per output channel, bias added),
// dropout removed, RELU / RELU6 fused into the op before them when TFLite allows it. The result
// has only TFLite builtins and runs in the runtime; its float outputs equal the training graph
// in evaluation mode up to float rounding.
#pragma once

#include "edgeforge/status.h"
#include "ir/graph.h"

namespace edgeforge::ir {

// A BATCH_NORM that does not directly follow a convolution used only by it becomes MUL + ADD
// with constant per-channel scale and shift. Errors name the op that cannot be converted.
StatusOr<Graph> ToInferenceForm(const Graph& training_graph);

}  // namespace edgeforge::ir
