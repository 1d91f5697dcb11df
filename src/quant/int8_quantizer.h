// Full-integer post-training quantization of a float graph (quant/float_model.h) with
// calibrated activation ranges (quant/calibrate.h), following TFLite's 8-bit spec:
//   * weights of CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED int8 symmetric per output channel
//     (FULLY_CONNECTED optionally per tensor), biases int32 at input_scale * weight_scale (a
//     zero bias is added where an op has none, as TFLite's converter does); other float
//     constants (an ADD's operand, a CONCATENATION's) int8 asymmetric per tensor;
//   * activations int8 asymmetric per tensor (activation_params.h);
//   * ops get the versions TFLite's converter writes for their int8 kernels;
//   * model I/O: int8 as is; uint8 through a QUANTIZE uint8 -> int8 at the input and
//     int8 -> uint8 at each output (same scale, zero point + 128, like TFLite's
//     inference_input_type=uint8); float32 through a QUANTIZE at the input and a DEQUANTIZE at
//     each output, the only float ops of the model. The I/O tensors keep the float model's
//     names, the int8 tensors behind them get "/int8" appended.
#pragma once

#include <string>
#include <vector>

#include "edgeforge/status.h"
#include "ir/graph.h"
#include "quant/calibrate.h"

namespace edgeforge::quant {

enum class IoType { kInt8, kUInt8, kFloat32 };
const char* IoTypeName(IoType io);

struct Int8Options {
  IoType io = IoType::kInt8;
  // FULLY_CONNECTED weights per output channel (else one scale for the tensor).
  bool per_channel_fully_connected = true;
};

struct QuantizedGraph {
  ir::Graph graph;
  // For each tensor of the float graph, the tensor of `graph` that holds its quantized values
  // (for I/O, the int8 tensor behind the QUANTIZE / DEQUANTIZE), or -1 for dropped constants.
  std::vector<int> tensor_map;
};

// Whether every op of `float_graph` can be quantized: a supported op, constant float32 weights
// and biases, a fused activation the int8 kernels apply. Run before calibration to fail fast;
// errors name `source` and the op.
Status CheckInt8Support(const ir::Graph& float_graph, const std::string& source);

// `ranges` (indexed by the float graph's tensors) must cover every float activation.
StatusOr<QuantizedGraph> QuantizeInt8(const ir::Graph& float_graph, const TensorRanges& ranges,
                                      const Int8Options& options, const std::string& source);

}  // namespace edgeforge::quant
