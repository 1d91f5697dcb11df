// What the int8 quantizer changes so that the Edge TPU compiler takes the model, and the check
// that it would map fully. HARD_SWISH (MobileNetV3) is not an Edge TPU op: every int8 model is
// written with it rewritten into ops that are (unless asked to keep it for a CPU-only model).
// `--target edgetpu` also needs the following. The compiler needs tensor sizes fixed at compile time
// (a -1 batch in shape_signature is "dynamic-sized tensors"), 8-bit I/O (uint8 by
// convention: a float QUANTIZE / DEQUANTIZE would stay on the CPU) and per-tensor
// FULLY_CONNECTED weights (the quantizer's option; edgetpu/ accepts both, per-tensor is what
// Coral's published models use).
#pragma once

#include "edgeforge/status.h"
#include "edgetpu/compatibility.h"
#include "ir/graph.h"
#include "quant/calibrate.h"

namespace edgeforge::quant {

// Clears every shape_signature that marks a dynamic dimension (-1): the shapes themselves,
// batch 1, become the only ones.
void MakeBatchStatic(ir::Graph& graph);

// Rewrites every HARD_SWISH of a float graph as x * (relu6(x + 3) / 6):
// ADD(x, 3) with RELU6 fused -> MUL(., 1/6) -> MUL(x, .). Coral's table of supported operations
// has no HARD_SWISH, so MobileNetV3 would leave the Edge TPU at its first activation; ADD, MUL
// and RELU6 all map. Run before calibration so that the new tensors get measured ranges.
// Existing tensor indices stay valid (new tensors are appended).
struct HardSwishRewrite {
  int input = -1;    // x
  int shifted = -1;  // relu6(x + 3)
  int gate = -1;     // relu6(x + 3) / 6
};
std::vector<HardSwishRewrite> DecomposeHardSwish(ir::Graph& float_graph);

// Ranges of the tensors a rewrite adds when no calibration measures them (QAT export, whose
// ranges come from training): from the input's range [lo, hi], relu6(x + 3) covers
// [lo + 3, hi + 3] clamped to [0, 6] and the gate a sixth of that. `ranges` grows to the
// graph's tensor count; inputs without a range are left alone.
void DeriveHardSwishRanges(const std::vector<HardSwishRewrite>& rewrites, size_t tensor_count,
                           TensorRanges& ranges);

// The Edge TPU check of the quantized graph.
StatusOr<edgetpu::CompatibilityReport> CheckEdgeTpu(const ir::Graph& graph);

}  // namespace edgeforge::quant
