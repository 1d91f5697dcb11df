// What `quantize --target edgetpu` changes so that the Edge TPU compiler takes the model, and
// the check that it would map fully. HARD_SWISH (MobileNetV3) is not an Edge TPU op: it is
// rewritten into ops that are. The compiler needs tensor sizes fixed at compile time
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

// Rewrites every HARD_SWISH of a float graph as x * (relu6(x + 3) / 6):
// ADD(x, 3) with RELU6 fused -> MUL(., 1/6) -> MUL(x, .). Coral's table of supported operations
// has no HARD_SWISH, so MobileNetV3 would leave the Edge TPU at its first activation; ADD, MUL
// and RELU6 all map. Run before calibration so that the new tensors get measured ranges.
// Returns how many ops were rewritten.
int DecomposeHardSwish(ir::Graph& float_graph);

// The Edge TPU check of the quantized graph.
StatusOr<edgetpu::CompatibilityReport> CheckEdgeTpu(const ir::Graph& graph);

}  // namespace edgeforge::quant
