// The float model the quantizer starts from. Converters write float models in more than one
// way: weights as float32 constants (edgeforge's own exports), or float16 / int8 constants
// behind a DEQUANTIZE op (TFLite's float16 and weight-only quantization). This pass folds
// every DEQUANTIZE of a constant into a float32 constant, so that all later passes see one
// form, and refuses what is not a float model at all.
#pragma once

#include <string>

#include "edgeforge/status.h"
#include "ir/graph.h"

namespace edgeforge::quant {

// Returns the float32 form of `model`: DEQUANTIZEs of constants folded, unused tensors removed.
// Errors (naming `source`): a model with other than one input; a model that is already
// quantized (8- or 16-bit activations, or quantized weights read directly by an op, as in
// dynamic-range models), with a hint to start from its float counterpart.
StatusOr<ir::Graph> PrepareFloatModel(const ir::Graph& model, const std::string& source);

}  // namespace edgeforge::quant
