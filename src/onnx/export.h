// Exporting an ir::Graph (a .tflite model as read by tflite/reader) to ONNX, so the same network
// and weights run in ONNX Runtime: for deployment there, and to compare edgeforge with it.
//
// What the exported model looks like:
// - Opset 17 (ai.onnx), IR version 8. Graph inputs and outputs keep the TFLite names, dtypes and
//   NHWC shapes, so the raw tensors that `edgeforge run` reads and writes fit ORT unchanged.
// - Inside, every rank-4 activation is NCHW (ONNX's convolution layout): a Transpose follows each
//   rank-4 graph input and precedes each rank-4 graph output; weights are transposed at export
//   (conv OHWI -> OIHW, depthwise 1HWC -> [C*m,1,H,W] with group = C).
// - Float models are plain ONNX. Quantized (int8/uint8) models are in QDQ form: every quantized
//   activation is QuantizeLinear -> DequantizeLinear with its scale and zero point, weights are
//   integer initializers behind a DequantizeLinear (per channel: axis 0 of OIHW), int32 biases
//   likewise with scale s_in * s_w. ORT's graph optimizer fuses these patterns into QLinearConv,
//   QGemm, ... Its requantization is not TFLite's, so outputs can differ by a few steps.
// - Model metadata: producer "edgeforge", the class labels (metadata_props "labels", one per line).
// Ops without an ONNX mapping here (custom ops, LSTM, ...) fail with an error naming the op.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

#include "edgeforge/status.h"
#include "ir/graph.h"

namespace edgeforge::onnx_export {

inline constexpr int64_t kOpsetVersion = 17;

// `source` (a file name) starts every error message.
StatusOr<::onnx::ModelProto> ExportModel(const ir::Graph& graph, const std::string& source);

// ExportModel, serialized.
StatusOr<std::vector<uint8_t>> ExportModelBytes(const ir::Graph& graph, const std::string& source);

// Reads `tflite_path`, exports it and writes `onnx_path` atomically.
Status ExportTfliteFile(const std::string& tflite_path, const std::string& onnx_path);

}  // namespace edgeforge::onnx_export
