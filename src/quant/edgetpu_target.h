// What `quantize --target edgetpu` changes so that the Edge TPU compiler takes the model, and
// the check that it would map fully. The compiler needs tensor sizes fixed at compile time
// (a -1 batch in shape_signature is "dynamic-sized tensors"), 8-bit I/O (uint8 by
// convention: a float QUANTIZE / DEQUANTIZE would stay on the CPU) and per-tensor
// FULLY_CONNECTED weights (the quantizer's option; edgetpu/ accepts both, per-tensor is what
// Coral's published models use).
#pragma once

#include "edgeforge/status.h"
#include "edgetpu/compatibility.h"
#include "ir/graph.h"

namespace edgeforge::quant {

// Clears every shape_signature that marks a dynamic dimension (-1): the shapes themselves,
// batch 1, become the only ones.
void MakeBatchStatic(ir::Graph& graph);

// The Edge TPU check of the quantized graph.
StatusOr<edgetpu::CompatibilityReport> CheckEdgeTpu(const ir::Graph& graph);

}  // namespace edgeforge::quant
