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
//   QGemm, ... ORT's kernels round some values differently from TFLite's (pooling, MEAN, SOFTMAX,
//   ADD, per-channel convolutions), so outputs can differ by a few steps. With
//   ExportOptions::tflite_exact those ops are written in the TFLite runtime's own arithmetic
//   instead (exact_integer_ops.cc; per-channel convolutions as ConvInteger in conv_ops.cc), and
//   ORT gives TFLite's bytes, at a cost in ORT's speed.
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

struct ExportOptions {
  // Quantized ops whose ORT kernels round differently from TFLite's are written in TFLite's own
  // arithmetic, so that ORT gives TFLite's bytes (every golden photo, tested). Slower in ORT:
  // tf2_mobilenet_v2_1.0_224_ptq takes 24 ms instead of 2.7 ms, 1 thread (ConvInteger has no
  // fast kernels there).
  bool tflite_exact = false;
};

// `source` (a file name) starts every error message.
StatusOr<::onnx::ModelProto> ExportModel(const ir::Graph& graph, const std::string& source,
                                         const ExportOptions& options = {});

// ExportModel, serialized.
StatusOr<std::vector<uint8_t>> ExportModelBytes(const ir::Graph& graph, const std::string& source,
                                                const ExportOptions& options = {});

// Reads `tflite_path`, exports it and writes `onnx_path` atomically.
Status ExportTfliteFile(const std::string& tflite_path, const std::string& onnx_path,
                        const ExportOptions& options = {});

}  // namespace edgeforge::onnx_export
